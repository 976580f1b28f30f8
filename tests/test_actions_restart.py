"""`watchdesk run` end to end: an alert's buttons still answer after SIGTERM and a restart.

The real CLI runs as a child process against the fake Discord: it posts a queued alert (with
its buttons), is stopped with SIGTERM, and started again; a click on the old alert is then
answered, privately, naming the alert's own entities.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path


from bot.alerts import enqueue_alerts
from bot.config import AlertLimits, AlertRule
from store import open_db
from tests.alert_store import NOW, build
from tests.fakes.discord_fake import FakeDiscord

ROOT = Path(__file__).resolve().parents[1]
EPHEMERAL = 64


async def run_watchdesk(config: Path, fake: FakeDiscord):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DISCORD_TOKEN": fake.token}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--config", str(config), "run", cwd=config.parent, env=env,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)


async def stop(process) -> bytes:
    process.send_signal(signal.SIGTERM)
    _, errors = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, errors.decode()[-2000:]
    return errors


async def test_clicks_on_an_alert_from_before_sigterm_are_answered_after_restart(tmp_path, matcher):
    async with FakeDiscord() as fake:
        config = tmp_path / "feeds.yml"
        config.write_text(
            "store: watchdesk.db\n"
            "fetch: {allow_private: true}\n"
            "feeds:\n  - {id: dawn, url: 'http://127.0.0.1:9/dawn', name: Dawn, interval: 1h}\n"
            "platforms:\n"
            f"  discord: {{api_base: '{fake.api_base}', gateway_url: '{fake.gateway_url}',"
            f" guild_ids: [{fake.guild_id}]}}\n"
            f"alerts:\n  - {{platform: discord, channel: '{fake.channel_id}', entities: [iskp]}}\n")
        db = open_db(tmp_path / "watchdesk.db")
        _, ids = build(db, matcher)
        rule = AlertRule(platform="discord", channel=str(fake.channel_id), entities=("iskp",))
        with db.conn:
            enqueue_alerts(db, [ids["kabul"]], rules=(rule,), limits=AlertLimits(), now=NOW)
        db.close()

        first = await run_watchdesk(config, fake)
        alerts = await fake.wait_for(lambda: [m for m in fake.messages.values() if m["components"]], timeout=60)
        await stop(first)
        [alert] = alerts
        why = next(item["custom_id"] for item in alert["components"][0]["components"] if item["label"] == "Why")

        second = await run_watchdesk(config, fake)
        # The new process identifies (the fake answers READY at once); then the old alert is clicked.
        await fake.wait_for(lambda: len([m for m in fake.gateway_received if m.get("op") == 2]) == 2, timeout=60)
        interaction = await fake.click(alert, why)
        callback = await fake.wait_for_request(
            "POST", f"/interactions/{interaction['id']}/{interaction['token']}/callback", timeout=5)
        await stop(second)
    assert callback.json["type"] == 4 and callback.json["data"]["flags"] == EPHEMERAL
    assert "Islamic State Khorasan Province" in str(callback.json["data"]["embeds"])
