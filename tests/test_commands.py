"""The neutral /watch commands on a real store, through the console runner."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import pytest

from bot.commands import Commands, Deps, parse_since
from bot.errors import CommandError
from bot.models import CommandContext, Feed, Item
from bot.platforms.console import answer_line, run_console
from store.catalog import sync_catalog
from store.feeds import sync_feeds
from store.items import insert_item
from store.matches import queue_for_matching, save_matches

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)
EDITOR = CommandContext(platform="console", channel_id="#desk", user_id="u1", can_manage=True)
READER = CommandContext(platform="discord", channel_id="42", user_id="u2", can_manage=False)


@pytest.fixture
def runner(db, matcher, tmp_path):
    sync_feeds(db, (Feed(id="dawn", url="http://127.0.0.1/dawn", name="Dawn", interval=600, timeout=5,
                         max_bytes=10**6),), NOW)
    with db.conn:
        sync_catalog(db, matcher.catalog)
    stories = [("TTP attack on police post in Bannu", "Tehrik-e-Taliban Pakistan claimed the raid.", 1),
               ("Torkham crossing reopens for trade", "Trucks crossed into Afghanistan.", 2),
               ("Noor Wali Mehsud rejects talks with Islamabad", "The TTP chief spoke in a video.", 3),
               ("ISKP claims Kabul bombing", "Islamic State Khorasan Province said it attacked.", 40)]
    for title, summary, days in stories:
        item = Item(feed_id="dawn", dedup_key=title, guid=None, link=f"https://dawn.example/{days}", title=title,
                    summary=summary, published_at=NOW - timedelta(days=days), fetched_at=NOW - timedelta(days=days))
        with db.conn:
            insert_item(db, item, baseline=False)
            save_matches(db, item.id, matcher.match(title, summary))
    return Commands(Deps(db=db, now=lambda: NOW, started_at=NOW - timedelta(hours=3), chart_dir=tmp_path,
                         catalog=matcher.catalog))


@pytest.mark.parametrize("typed", ["ttp", "TTP", "tehreek-e-taliban", "Pakistani Taliban", "تحریک طالبان پاکستان"])
async def test_lookup_resolves_names_forgivingly(runner, typed):
    reply = await runner.run(EDITOR, "lookup", {"entity": typed})
    assert not reply.error, reply.title
    assert reply.title == "Tehrik-e-Taliban Pakistan (ttp)"
    fields = {f.name: f.value for f in reply.sections[0].fields}
    assert fields["Mentions"] == "2 in 7 days · 2 in 30 days"
    assert "Noor Wali Mehsud" in fields["Often mentioned with"]
    assert [s.title for s in reply.sections[1:]] == ["TTP attack on police post in Bannu",
                                                     "Noor Wali Mehsud rejects talks with Islamabad"]


async def test_unknown_and_ambiguous_names_get_suggestions(runner):
    reply = await runner.run(EDITOR, "lookup", {"entity": "talibn"})
    assert reply.error and reply.ephemeral
    assert "afghan-taliban" in reply.text
    ambiguous = await runner.run(EDITOR, "lookup", {"entity": "haqqani"})
    assert ambiguous.error and "sirajuddin-haqqani" in ambiguous.text


async def test_search_newest_first_with_since_and_bad_syntax(runner):
    reply = await runner.run(EDITOR, "search", {"query": "ttp OR torkham"})
    assert sorted(s.title for s in reply.sections) == ["Noor Wali Mehsud rejects talks with Islamabad",
                                                       "TTP attack on police post in Bannu",
                                                       "Torkham crossing reopens for trade"]
    recent = await runner.run(EDITOR, "search", {"query": "kabul", "since": "7d"})
    assert recent.title.startswith("No items match")
    weird = await runner.run(EDITOR, "search", {"query": '"unbalanced AND ( OR'})
    assert not weird.error and weird.title == "No items match '\"unbalanced AND ( OR'"
    bad_since = await runner.run(EDITOR, "search", {"query": "ttp", "since": "yesterdayish"})
    assert bad_since.error and "cannot read the period" in bad_since.title


async def test_track_untrack_and_tracking_need_manage_rights(runner, db):
    refused = await runner.run(READER, "track", {"target": "iskp"})
    assert refused.error and "manage" in refused.title
    done = await runner.run(EDITOR, "track", {"target": "border trade"})
    assert done.title == "This channel now tracks Border trade"
    assert db.execute("SELECT target_type, target_id FROM subscriptions").fetchall() == [("theme", "border-trade")]
    listing = await runner.run(EDITOR, "tracking", {})
    assert "Border trade" in listing.sections[0].text
    assert (await runner.run(EDITOR, "untrack", {"target": "border-trade"})).title.startswith("This channel no longer")
    again = await runner.run(EDITOR, "untrack", {"target": "border-trade"})
    assert again.error


async def test_why_status_feeds_digest_and_trend(runner, db):
    item_id = db.execute("SELECT id FROM items WHERE title LIKE 'TTP attack%'").fetchone()[0]
    why = await runner.run(EDITOR, "why", {"item": item_id[:8]})
    assert "“TTP” at 0-3 (acronym)" in why.sections[0].text
    with db.conn:
        queue_for_matching(db, [item_id])
    status = await runner.run(EDITOR, "status", {})
    fields = {f.name: f.value for f in status.sections[0].fields}
    assert (fields["Uptime"], fields["Waiting to be matched"]) == ("3h 0m", "1")
    feeds = await runner.run(EDITOR, "feeds", {})
    assert feeds.sections[0].title == "Dawn (dawn)"
    digest = await runner.run(EDITOR, "digest", {"period": "7d"})
    assert any("TTP attack on police post in Bannu" in s.text for s in digest.sections)
    trend = await runner.run(EDITOR, "trend", {"entity": "ttp", "days": "14"})
    assert trend.file is not None and trend.file.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    bad = await runner.run(EDITOR, "trend", {"entity": "ttp", "days": "9000"})
    assert bad.error


async def test_console_reads_commands_until_quit(runner):
    out = io.StringIO()
    await run_console(runner, input_stream=io.StringIO("/watch lookup ttp\nsearch\nfrobnicate\nquit\nstatus\n"),
                      output_stream=out)
    text = out.getvalue()
    assert "Tehrik-e-Taliban Pakistan (ttp)" in text
    assert "error: search needs words" in text
    assert "unknown subcommand 'frobnicate'" in text
    assert "watchdesk status" not in text  # nothing after quit
    assert (await answer_line(runner, EDITOR, "help")).startswith("commands (also as /watch <command>):\n  lookup <entity>\n      Profile of")


def test_parse_since():
    assert parse_since("24h", NOW) == NOW - timedelta(hours=24)
    assert parse_since("2w", NOW) == NOW - timedelta(weeks=2)
    assert parse_since("2026-11-01", NOW) == datetime(2026, 11, 1, tzinfo=timezone.utc)
    with pytest.raises(CommandError):
        parse_since("2027-01-01", NOW)
    with pytest.raises(CommandError):
        parse_since("0d", NOW)


@pytest.mark.parametrize("text", ["9999999999d", "99999999999999999999h", "99999999999999w", "3651d"])
def test_parse_since_refuses_huge_periods_with_a_message_not_an_overflow(text):
    with pytest.raises(CommandError, match="out of range"):
        parse_since(text, NOW)
