"""Each /watch subcommand is declared once (bot.commands.REGISTRY); everything else is held to it."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.cli import build_parser, cli_example
from bot.commands import REGISTRY, Commands, Deps
from bot.errors import CommandError
from bot.matching.loader import load_matcher
from bot.models import CommandContext
from bot.platforms.base import MANAGE_COMMANDS, SUBCOMMANDS, parse_command_text
from bot.platforms.console import answer_line
from bot.platforms.discord_bot import build_watch_group
from bot.subcommands import DESCRIPTION_LIMIT
from store import open_db

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
EDITOR = CommandContext(platform="console", channel_id="#desk", user_id="u1", can_manage=True)
READER = CommandContext(platform="console", channel_id="#desk", user_id="u2", can_manage=False)


@pytest.fixture
def runner(tmp_path):
    db = open_db(tmp_path / "desk.db")
    yield Commands(Deps(db=db, now=lambda: NOW, started_at=NOW - timedelta(hours=1), chart_dir=tmp_path,
                        catalog=load_matcher(semantic=False).catalog))
    db.close()


def readme_commands(text: str) -> list[str]:
    """The first column of the README's `/watch` command table."""
    table = text.split("| command | what |", 1)[1].split("\n\n", 1)[0]
    return re.findall(r"^\| `([^`]+)` \|", table, re.MULTILINE)


def discord_signature(command) -> dict:
    return {"description": command.description,
            "parameters": [(p.name, p.description, p.required, p.type.name, p.min_value, p.max_value,
                            bool(p.autocomplete), tuple(choice.value for choice in p.choices))
                           for p in command.parameters]}


def registry_signature(command) -> dict:
    return {"description": command.help,
            "parameters": [(a.name, a.help, a.required, "integer" if a.kind is int else "string",
                            a.bounds[0] if a.bounds else None, a.bounds[1] if a.bounds else None,
                            bool(a.complete), a.choices) for a in command.arguments]}


def test_the_discord_signatures_match_the_registry():
    group = build_watch_group(None)  # the callbacks are not run: only their signatures are read
    assert [command.name for command in group.commands] == list(REGISTRY)
    for command in group.commands:
        assert discord_signature(command) == registry_signature(REGISTRY[command.name]), command.name


def test_help_fits_discord_and_every_example_parses_to_its_own_subcommand():
    for name, command in REGISTRY.items():
        texts = [command.help, *(argument.help for argument in command.arguments)]
        assert all(0 < len(text) <= DESCRIPTION_LIMIT for text in texts), name
        parsed_name, parsed = parse_command_text(command.example)
        assert parsed_name == name
        command.validate(parsed)  # an example never fails its own validation


def test_the_readme_table_lists_every_subcommand_in_registry_order():
    assert readme_commands((ROOT / "README.md").read_text(encoding="utf-8")) == \
        [command.usage() for command in REGISTRY.values()]


def test_the_readme_check_sees_a_missing_row():
    text = "| command | what |\n| --- | --- |\n| `lookup <entity>` | profile |\n| `feeds` | health |\n\nmore"
    assert readme_commands(text) == ["lookup <entity>", "feeds"]


async def test_the_console_help_and_the_platform_views_come_from_the_registry(runner):
    help_text = await answer_line(runner, EDITOR, "help")
    assert all(command.usage() in help_text for command in REGISTRY.values())
    assert SUBCOMMANDS == {name: tuple(a.name for a in c.arguments) for name, c in REGISTRY.items()}
    assert MANAGE_COMMANDS == {"track", "untrack", "quiet"}


def test_the_cli_one_shot_commands_take_the_registry_arguments():
    parser = build_parser()
    for command in (c for c in REGISTRY.values() if c.cli):
        words = [command.name] + [word for argument in command.arguments
                                  for word in (["ttp"] if argument.required else [f"--{argument.name}", "x"])]
        args = vars(parser.parse_args(words))
        assert {a.name for a in command.arguments} <= set(args), command.name
        assert all(args[a.name] == (["ttp"] if a.required else "x") for a in command.arguments), command.name


@pytest.mark.parametrize(("days", "accepted"), [("1", False), ("2", True), ("365", True), ("366", False),
                                                ("30", True), ("abc", False), ("²", False)])
def test_trend_days_bounds_are_the_registry_bounds(days, accepted):
    trend = REGISTRY["trend"]
    if accepted:
        assert trend.validate({"entity": "ttp", "days": days}) == {"entity": "ttp", "days": int(days),
                                                                   "count": "mentions"}
    else:
        with pytest.raises(CommandError, match=f"days must be a number from 2 to 365, not '{days}'"):
            trend.validate({"entity": "ttp", "days": days})


def test_defaults_fill_what_was_not_given():
    assert REGISTRY["trend"].validate({"entity": "ttp"}) == {"entity": "ttp", "days": 30, "count": "mentions"}
    assert REGISTRY["digest"].validate({"period": ""}) == {"period": "24h"}
    assert REGISTRY["search"].validate({"query": "torkham", "since": None, "order": "Ranked"}) == \
        {"query": "torkham", "since": None, "page": 1, "order": "ranked"}
    with pytest.raises(CommandError, match="order must be newest or ranked, not 'best'"):
        REGISTRY["search"].validate({"query": "torkham", "order": "best"})


async def test_argument_mistakes_are_told_by_the_registry(runner):
    unknown = await runner.run(EDITOR, "status", {"verbose": "yes"})
    missing = await runner.run(EDITOR, "lookup", {})
    extra = await runner.run(EDITOR, "trend", {"entity": "ttp", "colour": "red"})
    assert (unknown.error, unknown.title) == (True, "status has no argument 'verbose'")
    assert (missing.error, missing.title) == (True, "lookup needs an entity, e.g. `lookup ttp`")
    assert extra.title == "trend has no argument 'colour'; it takes entity, days, count"


async def test_rights_are_checked_before_the_arguments(runner):
    refused = await runner.run(READER, "track", {})
    assert (refused.error, refused.title) == (True, "only members who can manage the server may track")


def test_the_cli_examples_are_written_the_way_the_cli_takes_them():
    parser = build_parser()
    for command in (c for c in REGISTRY.values() if c.cli):
        args = vars(parser.parse_args(cli_example(command).split()))
        given = parse_command_text(command.example)[1]
        for argument in (a for a in command.arguments if a.name in given):
            wanted = given[argument.name].split() if argument.required else given[argument.name]
            assert args[argument.name] == wanted, (command.name, argument.name)
    assert cli_example(REGISTRY["trend"]) == "trend ttp --days 30"
