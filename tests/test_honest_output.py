"""What a new user reads in the first hour is true: feed health after an outage, search totals,
order and paging, and digest periods and figures, each time in the desk's time zone."""

from __future__ import annotations

import re
import socket
from datetime import datetime, timedelta, timezone

import pytest

from bot.cli import main
from bot.commands import Commands, Deps, parse_period
from bot.errors import CommandError
from bot.models import CommandContext, Reply, Section
from bot.render_text import render_text
from tests.test_search_lookup import add_entity, add_feed, add_item

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=timezone.utc)  # 13:00 in Karachi
CHAT = CommandContext(platform="slack", channel_id="C1", user_id="U1")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def down_desk(tmp_path):
    """A desk whose three feeds are all unreachable: one poll is an outage."""
    port = closed_port()
    config = tmp_path / "feeds.yml"
    config.write_text(f"store: {tmp_path / 'desk.db'}\ntimezone: Asia/Karachi\nfetch: {{allow_private: true}}\n"
                      "feeds:\n" + "".join(f"  - {{id: {name}, url: 'http://127.0.0.1:{port}/{name}', name: {name.upper()}}}\n"
                                           for name in ("a", "b", "c")))
    assert main(["--config", str(config), "poll", "--once"]) == 1
    return config, port


def test_feeds_after_an_outage_show_the_last_error_and_when(down_desk, capsys):
    config, port = down_desk
    capsys.readouterr()
    assert main(["--config", str(config), "feeds"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "3 feeds: 0 ok, 3 failed their last poll"
    assert lines[1] == "  • A (a)"
    assert re.fullmatch(r"    new · last success never · 0 items · next check 20\d\d-\d\d-\d\d \d\d:\d\d PKT", lines[2])
    assert re.fullmatch(r"    last error 20\d\d-\d\d-\d\d \d\d:\d\d PKT: cannot connect to 127\.0\.0\.1: "
                        r"\[Errno 111\] Connect call failed", lines[3]), lines[3]
    assert lines[4] == f"    ('127.0.0.1', {port})"


def test_status_health_is_unhealthy_when_every_feed_failed_its_last_poll(down_desk, capsys):
    config, _ = down_desk
    capsys.readouterr()
    assert main(["--config", str(config), "status", "--health"]) == 1
    assert re.fullmatch(r"unhealthy: every feed \(3\) failed its last poll; last poll \d+ s ago\n",
                        capsys.readouterr().out)


# ---------------------------------------------------------------- search


@pytest.fixture
def searchable(db, tmp_path):
    """25 items naming Pakistan, one an hour back from NOW; one names it twice in its title."""
    with db.conn:
        add_feed(db, "dawn", "Dawn")
        add_entity(db, "pakistan", "Pakistan")
        for hour in range(25):
            title = "Pakistan Pakistan Pakistan talks" if hour == 20 else f"Pakistan report {hour}"
            add_item(db, f"item{hour:04d}", title=title, published=NOW - timedelta(hours=hour))
        add_item(db, "solo000001", title="Torkham crossing closed", published=NOW - timedelta(days=3))
        add_item(db, "solo000002", title="Torkham crossing Torkham Torkham", published=NOW - timedelta(days=9))
    return Commands(Deps(db=db, now=lambda: NOW, started_at=NOW, chart_dir=tmp_path, timezone="Asia/Karachi"))


async def test_search_prints_total_order_ids_and_pages_newest_first(searchable):
    reply = await searchable.run(CHAT, "search", {"query": "pakistan"})
    assert reply.title == "25 items match 'pakistan' · newest first · 1–10, page 1 of 3"
    assert [section.title for section in reply.sections][:2] == ["Pakistan report 0", "Pakistan report 1"]
    assert reply.sections[0].text == "Dawn · 2026-11-25 13:00 PKT · id item0000\n«Pakistan» report 0"
    assert reply.footer == "more: `next` · why <id> explains a match"
    second = await searchable.run(CHAT, "next", {})
    assert second.title == "25 items match 'pakistan' · newest first · 11–20, page 2 of 3"
    assert second.sections[0].title == "Pakistan report 10"
    third = await searchable.run(CHAT, "next", {})
    assert third.title == "25 items match 'pakistan' · newest first · 21–25, page 3 of 3"
    assert [section.text.splitlines()[0].split(" · id ")[1] for section in third.sections] == [
        "item0020", "item0021", "item0022", "item0023", "item0024"]
    assert third.footer == "why <id> explains a match"
    assert third.data["total"] == 25 and third.data["order"] == "newest" and third.data["page"] == 3


async def test_search_ranked_and_narrow_queries_say_best_match_first(searchable):
    ranked = await searchable.run(CHAT, "search", {"query": "pakistan", "order": "ranked"})
    assert ranked.title == "25 items match 'pakistan' · best match first · 1–10, page 1 of 3"
    assert ranked.sections[0].title == "Pakistan Pakistan Pakistan talks"
    narrow = await searchable.run(CHAT, "search", {"query": "torkham"})
    assert narrow.title == "2 items match 'torkham' · best match first · 1–2, page 1 of 1"
    assert narrow.sections[0].title == "Torkham crossing Torkham Torkham"
    assert narrow.footer == "all matches fit on one page, so the best match comes first · why <id> explains a match"


async def test_search_paging_errors_and_next_without_search(searchable):
    missing = await searchable.run(CHAT, "next", {})
    assert missing.error and missing.title == "no search to continue here; search first, e.g. `search torkham`"
    past = await searchable.run(CHAT, "search", {"query": "pakistan", "page": "4"})
    assert past.error and past.title == "25 items match 'pakistan'; there is no page 4 (last page 3)"


def test_cli_search_pages_and_says_the_flag(tmp_path, capsys):
    from store import open_db

    config = tmp_path / "feeds.yml"
    config.write_text(f"store: {tmp_path / 'desk.db'}\n")
    db = open_db(tmp_path / "desk.db")
    with db.conn:
        add_feed(db, "dawn", "Dawn")
        for hour in range(12):
            add_item(db, f"item{hour:04d}", title=f"Pakistan report {hour}",
                     published=datetime.now(timezone.utc) - timedelta(hours=hour))
    db.close()
    assert main(["--config", str(config), "search", "pakistan"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "12 items match 'pakistan' · newest first · 1–10, page 1 of 2"
    assert out[-1] == "  — more: --page 2 · why <id> explains a match"


# ---------------------------------------------------------------- periods and figures


def test_digest_yesterday_is_yesterday_only_in_the_desk_time_zone():
    start, end = parse_period("yesterday", NOW, "Asia/Karachi")
    assert (start.isoformat(), end.isoformat()) == ("2026-11-24T00:00:00+05:00", "2026-11-25T00:00:00+05:00")
    start, end = parse_period("today", NOW, "UTC")
    assert (start.isoformat(), end) == ("2026-11-25T00:00:00+00:00", NOW)


def test_digest_longer_than_35_days_is_refused_not_cut(tmp_path, capsys):
    config = tmp_path / "feeds.yml"
    config.write_text(f"store: {tmp_path / 'desk.db'}\n")
    assert main(["--config", str(config), "digest", "--print", "--since", "400d"]) == 2
    assert capsys.readouterr().err == "watchdesk: '400d' is out of range (1m to 35d)\n"
    with pytest.raises(CommandError, match=r"out of range \(at most 35d ago\)"):
        parse_period("2025-01-01", NOW, max_days=35)


def test_terminal_output_never_breaks_a_url():
    url = "https://www.example-news.com.pk/news/2026/11/25/" + "very-long-slug-" * 8 + "index.html"
    text = render_text(Reply(title="t", sections=(Section(text="• A headline — Dawn (1)\n  " + url),
                                                  Section(text=f"see {url} for more", url=url))))
    assert all(url in line or "https" not in line for line in text.splitlines())
    assert sum(url in line for line in text.splitlines()) == 3
