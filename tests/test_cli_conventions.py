"""The command line keeps the conventions a user expects: options after the command, errors on
stderr, documented exit codes, help everywhere, --json with the README's keys, no tracebacks,
progress only on a terminal."""

from __future__ import annotations

import argparse
import json
import os
import pty
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.cli import build_parser, main
from store import open_db
from tests.test_search_lookup import add_entity, add_feed, add_item

REPO = Path(__file__).resolve().parents[1]
WATCHDESK = [sys.executable, "-m", "bot"]


@pytest.fixture
def desk(tmp_path):
    """A config and a store with two feeds, an entity and three items naming it."""
    config = tmp_path / "feeds.yml"
    config.write_text(f"store: {tmp_path / 'desk.db'}\ntimezone: Asia/Karachi\nfeeds:\n"
                      "  - {id: dawn, url: 'https://dawn.example/rss', name: Dawn}\n"
                      "alerts:\n  - {platform: slack, channel: C1, entities: [ttp]}\n")
    db = open_db(tmp_path / "desk.db")
    now = datetime.now(timezone.utc)
    with db.conn:
        add_feed(db, "dawn", "Dawn")
        add_entity(db, "ttp", "Tehrik-e-Taliban Pakistan", aliases=("TTP",))
        for number in range(3):
            add_item(db, f"ttp-item-{number}", title=f"TTP attack on post {number}",
                     published=now - timedelta(hours=number + 1), entities=("ttp",))
    db.close()
    return config


def test_config_and_db_are_accepted_after_the_subcommand(desk, capsys):
    assert main(["feeds", "--config", str(desk)]) == 0
    assert capsys.readouterr().out.startswith("1 feeds: 0 ok, 0 failed their last poll, 1 not polled yet\n")
    other = desk.parent / "other.db"
    assert main(["--config", str(desk), "status", "--db", str(other), "--json"]) == 0
    assert other.exists() and json.loads(capsys.readouterr().out)["feeds"] == {"new": 1}


def test_errors_go_to_stderr_with_exit_2_and_nothing_on_stdout(desk, capsys):
    assert main(["lookup", "zzzz", "--config", str(desk)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("watchdesk lookup: no tracked entity or theme is called 'zzzz'")


def test_no_command_prints_the_help(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: watchdesk ")
    assert "  watchdesk COMMAND --help    (every command's arguments and an example)" in out
    assert out.rstrip().endswith("exit codes: 0 done, 1 the command failed, 2 a usage or configuration mistake")


def _subparsers(parser: argparse.ArgumentParser, prefix: str = ""):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield prefix + name, child
                yield from _subparsers(child, prefix + name + " ")


def test_every_subcommand_help_has_a_description_every_argument_explained_and_an_example():
    commands = dict(_subparsers(build_parser()))
    assert len(commands) >= 19
    for name, parser in commands.items():
        assert parser.description and len(parser.description) > 20, name
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                continue
            assert action.help and action.help != argparse.SUPPRESS, (name, action.dest)
        text = parser.format_help()
        assert re.search(rf"\nexample:\n  watchdesk {name}\b", text), name
        assert "exit codes: 0 done, 1 the command failed, 2 a usage or configuration mistake" in text


def _documented_keys() -> dict[str, list[str]]:
    """The README's `--json` key lists: the top-level keys of each command (before any parenthesis)."""
    documented = {}
    for line in (REPO / "README.md").read_text().splitlines():
        found = re.match(r"^- `(\w+)(?: --print)? --json`: (.*)$", line)
        if found:
            top = re.sub(r"\([^()]*(?:\([^()]*\)[^()]*)*\)", "", found.group(2).split("; with")[0])
            documented[found.group(1)] = re.findall(r"`(\w+)`", top)
    return documented


@pytest.mark.parametrize("argv", [["lookup", "ttp"], ["search", "ttp"], ["feeds"], ["status"],
                                  ["digest", "--print", "--since", "7d"], ["why", "ttp-item-0"], ["tracking"]])
def test_json_output_has_the_keys_the_readme_documents(desk, capsys, argv):
    assert main([*argv, "--json", "--config", str(desk)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data) == _documented_keys()[argv[0]]


def test_json_values_are_the_answers(desk, capsys):
    assert main(["search", "ttp", "--json", "--config", str(desk)]) == 0
    found = json.loads(capsys.readouterr().out)
    assert (found["total"], found["order"], found["page"], found["pages"]) == (3, "ranked", 1, 1)
    assert sorted(item["id"] for item in found["items"]) == ["ttp-item-0", "ttp-item-1", "ttp-item-2"]
    assert main(["tracking", "--json", "--config", str(desk)]) == 0
    assert json.loads(capsys.readouterr().out) == {"channels": [
        {"platform": "slack", "channel": "C1", "subscriptions": [], "alert_rules": [{"entities": ["ttp"], "themes": []}],
         "quiet": None}]}
    assert main(["why", "ttp-item-0", "--json", "--config", str(desk)]) == 0
    why = json.loads(capsys.readouterr().out)
    assert why["item_id"] == "ttp-item-0" and why["entities"][0]["id"] == "ttp"


def test_a_closed_pipe_ends_quietly(tmp_path):
    config = tmp_path / "feeds.yml"
    config.write_text(f"store: {tmp_path / 'desk.db'}\nfeeds:\n" + "".join(
        f"  - {{id: feed{number}, url: 'https://feed{number}.example/rss', name: Feed number {number}}}\n"
        for number in range(1500)))  # far more than a pipe holds: the writer meets the closed pipe
    run = subprocess.run(["bash", "-c", f"{' '.join(WATCHDESK)} feeds --config {config} | head -2; "
                                        "echo \"exit ${PIPESTATUS[0]}\" >&2"],
                         capture_output=True, text=True, cwd=REPO, timeout=120)
    assert run.stdout.splitlines()[0] == "1500 feeds: 0 ok, 0 failed their last poll, 1500 not polled yet"
    assert run.stderr == "exit 0\n"


def test_backup_to_a_missing_folder_is_a_message_not_a_traceback(desk, capsys):
    main(["feeds", "--config", str(desk)])
    capsys.readouterr()
    assert main(["backup", "/nonexistent-dir/x.db", "--config", str(desk)]) == 2
    assert capsys.readouterr().err == "watchdesk backup: cannot write /nonexistent-dir/x.db: there is no folder /nonexistent-dir\n"


def test_backup_over_an_existing_file_is_a_usage_error_that_keeps_the_file(desk, tmp_path, capsys):
    target = tmp_path / "old-backup.db"
    target.write_bytes(b"an earlier backup")
    assert main(["backup", str(target), "--config", str(desk)]) == 2
    assert capsys.readouterr().err == f"watchdesk backup: {target} exists; choose a new file name\n"
    assert target.read_bytes() == b"an earlier backup"


def _import_stderr(folder: Path, config: Path, terminal: bool) -> str:
    if not terminal:
        run = subprocess.run([*WATCHDESK, "import", str(folder), "--config", str(config)], capture_output=True,
                             text=True, cwd=REPO, timeout=120)
        assert run.returncode == 0, run.stderr
        return run.stderr
    master, slave = pty.openpty()
    process = subprocess.Popen([*WATCHDESK, "import", str(folder), "--config", str(config)], stdout=subprocess.DEVNULL,
                               stderr=slave, cwd=REPO)
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    assert process.wait(timeout=60) == 0
    os.close(master)
    return seen.decode()


def test_progress_shows_on_a_terminal_and_stays_quiet_when_piped(tmp_path):
    folder = tmp_path / "background"
    folder.mkdir()
    for number in range(3):
        (folder / f"note{number}.txt").write_text(f"Briefing {number}\nThe TTP and the Afghan Taliban.\n")
    config = tmp_path / "feeds.yml"
    config.write_text(f"store: {tmp_path / 'desk.db'}\nfeeds: []\n")
    assert _import_stderr(folder, config, terminal=False) == ""
    shown = _import_stderr(folder, tmp_path / "feeds.yml", terminal=True)
    assert "[##############################] 3/3 " in shown
    assert "loading the catalog…" in shown
