"""Typed command text ("/watch search "spin boldak" 7d") splits into a subcommand and arguments."""

import pytest

from bot.platforms.base import parse_command_text

CASES = [
    ("/watch lookup ttp", ("lookup", {"entity": "ttp"})),
    ("lookup Noor Wali Mehsud", ("lookup", {"entity": "Noor Wali Mehsud"})),
    ('/watch search "spin boldak" 7d', ("search", {"query": "spin boldak", "since": "7d"})),
    ("search torkham closed", ("search", {"query": "torkham closed"})),
    ("search since:24h chaman", ("search", {"query": "chaman", "since": "24h"})),
    ("trend iskp 30", ("trend", {"entity": "iskp", "days": "30"})),
    ("digest", ("digest", {})),
    ("digest 7d", ("digest", {"period": "7d"})),
    ("TRACKING", ("tracking", {})),
    ("why 3f2a9c", ("why", {"item": "3f2a9c"})),
    ("search torkham 7d page:2 order:ranked", ("search", {"query": "torkham", "since": "7d", "page": "2",
                                                           "order": "ranked"})),
    ("next", ("next", {})),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_parse(text, expected):
    assert parse_command_text(text) == expected


@pytest.mark.parametrize(("text", "reason"), [
    ("", "no subcommand"),
    ("/watch explode now", "unknown subcommand 'explode'"),
    ('search "unbalanced', "cannot read the command"),
    ("status now", "status takes no argument 'now'"),
])
def test_mistakes_say_what_is_wrong(text, reason):
    with pytest.raises(ValueError, match=reason):
        parse_command_text(text)
