"""`watchdesk demo`, run as a user runs it: an incident in an alert, its toll rising, the digest's incidents."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run_demo() -> str:
    done = subprocess.run([sys.executable, "-m", "bot", "demo"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _section(text: str, heading: str) -> str:
    start = text.index(f"== {heading}")
    following = text.find("\n== ", start + 1)
    return text[start:following if following >= 0 else len(text)]


def test_the_demo_shows_an_incident_alert_its_toll_rising_and_the_digests_incidents():
    out = _run_demo()
    alerts = _section(out, "Alerts delivered")
    first = re.search(r"\[#frontier-desk\] ISKP claims bombing at a Kabul market\n\s+\[(\w+)\] Bombing · Kabul, "
                      r"Afghanistan · [^\n]*· (\d+) killed · claimed", alerts)
    assert first, alerts
    alerted_killed = int(first.group(2))
    message_id = re.search(r"actions \(act (\d+) N\)", alerts[first.end():]).group(1)

    third = _section(out, "Third poll")
    edit = re.search(r"\(message (\d+) updated\) ISKP claims bombing at a Kabul market\n(.*?)https://",
                     third, re.DOTALL)
    assert edit, third
    assert edit.group(1) == message_id  # the alert itself is edited, not a new message
    risen = re.search(r"toll rises to (\d+) killed", " ".join(edit.group(2).split()))
    assert risen and int(risen.group(1)) > alerted_killed
    assert "Also reported by: Valley Dispatch" in third
    assert "[#frontier-desk] ISKP" not in third.replace(f"(message {message_id} updated) ISKP", "")

    digest = _section(out, "Daily digest")
    incidents = digest[digest.index("• Incidents"):]
    assert digest.index("• Incidents") < digest.index("• Most mentioned")  # the incidents come first
    assert re.search(r"\d+ incidents?: [^\n]*bombing", incidents)
    assert f"Killed {risen.group(1)}" in incidents
    bombing = " ".join(incidents[incidents.index("• Bombing · Kabul"):].split())
    assert "Frontier Wire, Valley Dispatch" in bombing[:200]



def test_the_demo_prints_the_same_on_every_run_but_for_its_port():
    first, second = (re.sub(r"http://127\.0\.0\.1:\d+", "http://127.0.0.1:PORT", _run_demo()) for _ in range(2))
    assert first == second
    assert "next check 2026-11-20 11:00 UTC" in first  # an hourly feed polled at 10:00, no jitter
