"""Refresh and poll passes against a loopback server and a real store, with a fixed clock."""

import socket
from datetime import datetime, timedelta, timezone

import pytest

from bot.config import FetchSettings
from bot.feeds.fetch import Fetcher
from bot.feeds.decide import FAILED_AFTER
from bot.feeds.refresh import Refresher
from bot.models import Feed
from store.feeds import due_feed_ids, feed_row, sync_feeds
from tests.feedserver import FeedServer

START = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self):
        self.moment = START

    def __call__(self):
        return self.moment

    def advance(self, **delta):
        self.moment += timedelta(**delta)


def rss(*entries):
    items = "".join(f"<item><title>{title}</title><link>https://{host}/{slug}</link>"
                    f"<guid>{host}-{slug}</guid><pubDate>Fri, 20 Nov 2026 07:00:00 GMT</pubDate></item>"
                    for host, slug, title in entries)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()


def make_feed(server, feed_id, path=None):
    return Feed(id=feed_id, url=server.url(path or f"/{feed_id}"), name=feed_id.title(), interval=600,
                timeout=2, max_bytes=1_000_000)


@pytest.fixture
async def setup(db):
    clock = Clock()
    async with FeedServer() as server, Fetcher(user_agent="t/1", allow_private=True, host_spacing=0) as fetcher:
        refresher = Refresher(db, fetcher, settings=FetchSettings(backoff_base=60, backoff_cap=3600),
                              now=clock, jitter=lambda: 1.0)
        yield server, refresher, clock, db


def register(db, *feeds):
    sync_feeds(db, feeds, START)
    return feeds


async def test_first_poll_is_a_baseline_and_later_items_are_new(setup):
    server, refresher, clock, db = setup
    (feed,) = register(db, make_feed(server, "dawn"))
    server.feed("/dawn", rss(("dawn.com", "a", "Torkham crossing reopens for trade traffic")))
    first = await refresher.poll([feed], force=True)
    assert (first.stored, first.new_items) == (1, 0)
    assert db.execute("SELECT is_baseline FROM items").fetchall() == [(1,)]
    server.feed("/dawn", rss(("dawn.com", "a", "Torkham crossing reopens for trade traffic"),
                             ("dawn.com", "b", "Police post attacked overnight in Bannu district")))
    clock.advance(minutes=10)
    second = await refresher.poll([feed], force=True)
    (result,) = second.results
    assert len(result.new_item_ids) == 1
    title = db.execute("SELECT title, is_baseline FROM items WHERE id = ?", result.new_item_ids).fetchone()
    assert title == ("Police post attacked overnight in Bannu district", 0)


async def test_304_and_unchanged_bodies_are_not_parsed_again(setup):
    server, refresher, clock, db = setup
    etag_feed, plain_feed = register(db, make_feed(server, "etag"), make_feed(server, "plain"))
    server.feed("/etag", rss(("a.org", "1", "One story about the border today")), etag='"v1"')
    server.feed("/plain", rss(("b.org", "1", "Another story about the frontier today")))
    await refresher.poll([etag_feed, plain_feed], force=True)
    clock.advance(minutes=10)
    summary = await refresher.poll([etag_feed, plain_feed], force=True)
    assert {result.feed_id: result.outcome for result in summary.results} == {
        "etag": "not_modified", "plain": "unchanged"}
    assert server.headers_of("/etag")[-1]["If-None-Match"] == '"v1"'
    outcomes = db.execute("SELECT feed_id, outcome, http_status FROM fetches ORDER BY id").fetchall()
    assert outcomes[-2:] == [("etag", "not_modified", 304), ("plain", "unchanged", 200)]


async def test_failures_back_off_until_failed_then_recover(setup):
    server, refresher, clock, db = setup
    (feed,) = register(db, make_feed(server, "flaky"))
    server.respond("/flaky", 500)
    delays = []
    for attempt in range(1, FAILED_AFTER + 1):
        await refresher.poll([feed], force=True)
        row = feed_row(db, "flaky")
        delays.append((datetime.fromisoformat(row["next_check_at"]) - clock()).total_seconds())
        assert row["error_count"] == attempt
        assert row["last_error"] == "HTTP 500 Internal Server Error"
        assert row["state"] == ("failed" if attempt >= FAILED_AFTER else "failing")
        clock.advance(hours=2)
    assert delays == [60, 120, 240, 480, 960]
    server.feed("/flaky", rss(("c.org", "1", "Back again with a working feed today")))
    summary = await refresher.poll([feed], force=True)
    row = feed_row(db, "flaky")
    assert (row["state"], row["error_count"]) == ("ok", 0)
    assert ("flaky", "failed", "ok") in summary.state_changes


async def test_backoff_is_capped(setup):
    _, refresher, _, _ = setup
    assert refresher.backoff_delay(30) == 3600


async def test_retry_after_is_honoured_per_feed(setup):
    server, refresher, clock, db = setup
    busy, calm = register(db, make_feed(server, "busy"), make_feed(server, "calm"))
    server.respond("/busy", 429, headers={"Retry-After": "7200"})
    server.feed("/calm", rss(("d.org", "1", "Calm feed with a normal story today")))
    await refresher.poll([busy, calm], force=True)
    row = feed_row(db, "busy")
    assert datetime.fromisoformat(row["next_check_at"]) == clock() + timedelta(seconds=7200)
    clock.advance(hours=1)
    assert due_feed_ids(db, clock()) == ["calm"]
    clock.advance(hours=1, seconds=1)
    assert set(due_feed_ids(db, clock())) == {"busy", "calm"}


async def test_nearly_every_feed_failing_at_once_is_an_outage(setup):
    server, refresher, clock, db = setup
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    feeds = register(db, *(Feed(id=f"f{n}", url=f"{dead}/f{n}", name="x", interval=600, timeout=2,
                                max_bytes=1000) for n in range(4)))
    summary = await refresher.poll(feeds, force=True)
    assert summary.outage
    assert db.execute("SELECT feeds_failed, feeds_total FROM outages").fetchall() == [(4, 4)]
    assert {feed_row(db, feed.id)["error_count"] for feed in feeds} == {0}
    assert all("cannot connect" in feed_row(db, feed.id)["last_error"] for feed in feeds)


async def test_the_same_story_from_two_outlets_is_one_story(setup):
    server, refresher, clock, db = setup
    first, second = register(db, make_feed(server, "wire"), make_feed(server, "ledger"))
    server.feed("/wire", rss(("wire.example", "x", "Old wire item before the baseline poll")))
    server.feed("/ledger", rss(("ledger.example", "y", "Old ledger item before the baseline poll")))
    await refresher.poll([first, second], force=True)
    server.feed("/wire", rss(("wire.example", "chaman", "Pakistani and Afghan border forces exchange fire near Chaman")))
    server.feed("/ledger", rss(("ledger.example", "fire", "Pakistani, Afghan border forces exchange fire near Chaman crossing")))
    clock.advance(minutes=10)
    summary = await refresher.poll([first, second], force=True)
    assert (summary.new_items, summary.new_stories) == (2, 1)
    stories = db.execute("SELECT outlet_count FROM stories WHERE title LIKE '%Chaman%'").fetchall()
    assert stories == [(2,)]


async def test_a_broken_body_records_the_exact_error(setup):
    server, refresher, clock, db = setup
    (feed,) = register(db, make_feed(server, "html"))
    server.respond("/html", 200, b"<html><body>Maintenance</body></html>",
                   headers={"Content-Type": "text/html"})
    await refresher.poll([feed], force=True)
    row = feed_row(db, "html")
    assert row["state"] == "failing"
    assert row["last_error"].startswith("not a feed")


async def test_reused_guids_are_remembered(setup):
    server, refresher, clock, db = setup
    (feed,) = register(db, make_feed(server, "lazy"))
    body = rss(*[("lazy.org", f"s{n}", f"Distinct story number {n} from the lazy feed") for n in range(3)])
    server.feed("/lazy", body.replace(b"<guid>lazy.org-s0</guid>", b"<guid>same</guid>")
                .replace(b"<guid>lazy.org-s1</guid>", b"<guid>same</guid>")
                .replace(b"<guid>lazy.org-s2</guid>", b"<guid>same</guid>"))
    await refresher.poll([feed], force=True)
    assert feed_row(db, "lazy")["guid_reuse"] == 1
    assert db.execute("SELECT count(*) FROM items WHERE feed_id = 'lazy'").fetchone()[0] == 3


async def test_a_baseline_is_matched_in_its_pass_and_later_items_before_they_are_stored(db):
    from bot.matching.loader import load_matcher
    from store.matches import queue_length

    clock = Clock()
    async with FeedServer() as server, Fetcher(user_agent="t/1", allow_private=True, host_spacing=0) as fetcher:
        matcher = load_matcher()
        refresher = Refresher(db, fetcher, matcher=matcher, now=clock, jitter=lambda: 1.0)
        (feed,) = register(db, make_feed(server, "dawn"))
        server.feed("/dawn", rss(("dawn.com", "a", "TTP claims attack on police post in Bannu")))
        await refresher.poll([feed], force=True)
        mentions = "SELECT entity_id FROM item_entities ORDER BY entity_id"
        expected = sorted(set(matcher.match("TTP claims attack on police post in Bannu").entities))
        assert "ttp" in expected
        # Matched in the pass, in the transaction that stores it: nothing waits for the matcher.
        assert (db.execute(mentions).fetchall(), queue_length(db)) == ([(entity,) for entity in expected], 0)
        assert await refresher.match_queued() == 0
        server.feed("/dawn", rss(("dawn.com", "a", "TTP claims attack on police post in Bannu"),
                                 ("dawn.com", "b", "Torkham crossing reopens after talks")))
        clock.advance(minutes=10)
        summary = await refresher.poll([feed], force=True)
        (new_id,) = summary.results[0].new_item_ids
        # A new item is matched before it is stored, in the same transaction: nothing waits.
        assert db.execute("SELECT entity_id FROM item_entities WHERE item_id = ?", [new_id]).fetchall() == [("torkham",)]
        assert queue_length(db) == 0
        # Both ways of saving keep each mention's item time and the per-day counts.
        assert db.execute("""SELECT count(*) FROM item_entities JOIN items ON items.id = item_entities.item_id
                             WHERE item_entities.published_at IS NOT items.published_at""").fetchone()[0] == 0
        assert db.execute("SELECT mentions FROM entity_days WHERE entity_id = 'torkham'").fetchall() == [(1,)]
        refresher.close()


async def test_a_feed_whose_items_the_store_rejects_costs_no_other_feed(setup):
    server, refresher, clock, db = setup
    feeds = register(db, *(make_feed(server, name) for name in ("one", "two", "bad", "three")))
    for feed in feeds:
        server.feed(f"/{feed.id}", rss((f"{feed.id}.org", "1", f"Border crossing story told by outlet {feed.id}")))
    with db.conn:
        db.execute("CREATE TRIGGER refuse BEFORE INSERT ON items WHEN NEW.feed_id = 'bad' "
                   "BEGIN SELECT RAISE(ABORT, 'refused by the store'); END")
    summary = await refresher.poll(feeds, force=True)
    assert {result.feed_id: result.outcome for result in summary.results} == {
        "one": "new", "two": "new", "bad": "error", "three": "new"}
    assert db.execute("SELECT feed_id FROM items ORDER BY feed_id").fetchall() == [("one",), ("three",), ("two",)]
    assert "refused by the store" in feed_row(db, "bad")["last_error"]


async def test_jobs_that_queue_during_a_write_share_the_next_one_and_a_failure_stays_with_its_job():
    import asyncio
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from bot.feeds.writer import GroupWriter

    release, groups = threading.Event(), []

    def write(jobs):
        groups.append(list(jobs))
        if jobs == ["first"]:
            release.wait(5)
        if "bad" in jobs:
            raise ValueError("bad job")
        return [job.upper() for job in jobs]

    executor = ThreadPoolExecutor(max_workers=1)
    writer = GroupWriter(executor, write)
    first = asyncio.ensure_future(writer.submit("first"))
    await asyncio.sleep(0)  # the first write starts and blocks
    rest = [asyncio.ensure_future(writer.submit(job)) for job in ("a", "bad", "b")]
    await asyncio.sleep(0)
    release.set()
    assert await first == "FIRST"
    outcomes = await asyncio.gather(*rest, return_exceptions=True)
    assert outcomes[0] == "A" and outcomes[2] == "B" and str(outcomes[1]) == "bad job"
    assert groups == [["first"], ["a", "bad", "b"], ["a"], ["bad"], ["b"]]
    executor.shutdown()


async def test_an_item_the_matcher_fails_on_is_stored_and_costs_no_other_item_its_matches(db):
    from bot.matching.loader import load_matcher
    from store.matches import queue_length

    class Failing:  # the real matcher, except on one headline
        def __init__(self, matcher):
            self.matcher = matcher

        def match_many(self, texts):
            if any("Poison" in title for title, _ in texts):
                raise RuntimeError("matcher bug")
            return self.matcher.match_many(texts)

        def match(self, title, summary=""):
            return self.match_many([(title, summary)])[0]

    clock = Clock()
    async with FeedServer() as server, Fetcher(user_agent="t/1", allow_private=True, host_spacing=0) as fetcher:
        refresher = Refresher(db, fetcher, matcher=Failing(load_matcher()), now=clock, jitter=lambda: 1.0)
        (feed,) = register(db, make_feed(server, "dawn"))
        server.feed("/dawn", rss(("dawn.com", "a", "Poison headline about Quetta"),
                                 ("dawn.com", "b", "TTP claims attack on police post in Bannu")))
        await refresher.poll([feed], force=True)
        assert await refresher.match_queued() == 2
        server.feed("/dawn", rss(("dawn.com", "c", "Poison headline about Torkham"),
                                 ("dawn.com", "d", "Torkham crossing reopens after talks")))
        clock.advance(minutes=10)
        summary = await refresher.poll([feed], force=True)
        assert (summary.stored, queue_length(db)) == (2, 2)  # stored all the same, waiting
        assert await refresher.match_queued() == 2
        found = {title: set() for (title,) in db.execute("SELECT title FROM items")}
        for title, entity in db.execute("SELECT items.title, entity_id FROM items "
                                        "JOIN item_entities ON item_entities.item_id = items.id"):
            found[title].add(entity)
        good = ("TTP claims attack on police post in Bannu", "Torkham crossing reopens after talks")
        assert found == {"Poison headline about Quetta": set(), "Poison headline about Torkham": set(),
                         **{title: set(refresher.matcher.matcher.match(title).entities) for title in good}}
        assert "ttp" in found[good[0]] and "torkham" in found[good[1]]
        assert queue_length(db) == 0
        refresher.close()


async def test_two_pollers_on_one_store_join_the_story_they_both_carry(db, tmp_path):
    import asyncio

    from store import open_db

    clock = Clock()
    other_db = open_db(tmp_path / "watchdesk.db")  # the same file as `db`, another connection
    async with FeedServer() as server, Fetcher(user_agent="t/1", allow_private=True, host_spacing=0) as fetcher:
        first = Refresher(db, fetcher, now=clock, jitter=lambda: 1.0)
        second = Refresher(other_db, fetcher, now=clock, jitter=lambda: 1.0)
        wire, ledger = register(db, make_feed(server, "wire"), make_feed(server, "ledger"))
        server.feed("/wire", rss(("wire.example", "x", "Old wire item before the baseline poll")))
        server.feed("/ledger", rss(("ledger.example", "y", "Old ledger item before the baseline poll")))
        await asyncio.gather(first.poll([wire], force=True), second.poll([ledger], force=True))
        server.feed("/wire", rss(("wire.example", "chaman", "Pakistani and Afghan border forces exchange fire near Chaman")))
        server.feed("/ledger", rss(("ledger.example", "fire", "Pakistani, Afghan border forces exchange fire near Chaman crossing")))
        clock.advance(minutes=10)
        await asyncio.gather(first.poll([wire], force=True), second.poll([ledger], force=True))
        first.close()
        second.close()
    other_db.close()
    assert db.execute("SELECT outlet_count FROM stories WHERE title LIKE '%Chaman%'").fetchall() == [(2,)]


@pytest.mark.parametrize("bad_date", ["Mon, 01 Jan 0001 00:00:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT",
                                      "Sat, 01 Jan 10000 00:00:00 GMT", "Wed, 31 Dec 1969 23:00:00 GMT"])
async def test_a_date_out_of_range_falls_back_to_the_fetch_time_and_the_feed_succeeds(setup, bad_date):
    server, refresher, clock, db = setup
    (feed,) = register(db, make_feed(server, "zero"))
    body = ('<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
            f'<item><title>Zero-dated item from a static site</title><link>https://z.org/a</link>'
            f'<guid>z-a</guid><pubDate>{bad_date}</pubDate></item>'
            '<item><title>Well-dated item on the same feed</title><link>https://z.org/b</link>'
            '<guid>z-b</guid><pubDate>Fri, 20 Nov 2026 07:00:00 GMT</pubDate></item>'
            '</channel></rss>').encode()
    server.feed("/zero", body)
    summary = await refresher.poll([feed], force=True)
    (result,) = summary.results
    assert (result.error, result.stored) == (None, 2), result
    assert feed_row(db, feed.id)["last_error"] is None
    rows = dict(db.execute("SELECT guid, published_at FROM items").fetchall())
    assert rows["z-a"].startswith(START.strftime("%Y-%m-%dT%H:%M"))
    assert rows["z-b"].startswith("2026-11-20T07:00")
