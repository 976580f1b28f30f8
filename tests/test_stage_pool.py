"""Staging in a worker process: the same rows as staging here, and a worker killed mid-pass loses nothing."""

from __future__ import annotations

import asyncio
import os
import pickle
import signal
from datetime import datetime, timezone
from pathlib import Path

from bot.config import FetchSettings
from bot.feeds.fetch import Fetcher
from bot.feeds.refresh import Refresher
from bot.feeds.stage import StageRequest, stage_feed, worker_count
from bot.models import Feed
from store import open_reader
from store.feeds import sync_feeds
from tests.feedserver import FeedServer

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)


def rss(feed_id: str, titles: list[str]) -> bytes:
    items = "".join(f"<item><title>{title}</title><link>https://{feed_id}.example/{number}</link>"
                    f"<guid>{feed_id}-{number}</guid><pubDate>Fri, 20 Nov 2026 07:00:00 GMT</pubDate></item>"
                    for number, title in enumerate(titles))
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()


class StallingMatcher:
    """The real matcher; in a worker process it notes its pid for each call, and hangs on a
    headline with "Stall" in it until it is killed."""

    def __init__(self, matcher, folder: Path):
        self.matcher, self.folder, self.home = matcher, folder, os.getpid()

    @property
    def catalog(self):
        return self.matcher.catalog

    def match_many(self, texts):
        if os.getpid() != self.home:
            with open(self.folder / "calls", "a") as calls:
                calls.write(f"{os.getpid()}\n")
            if any("Stall" in title for title, _ in texts):
                (self.folder / "stalled").write_text(str(os.getpid()))
                while True:
                    signal.pause()
        return self.matcher.match_many(texts)

    def match(self, title, summary=""):
        return self.match_many([(title, summary)])[0]


def test_the_matcher_travels_as_a_recipe_and_matches_the_same(matcher):
    copy = pickle.loads(pickle.dumps(matcher))
    assert copy is not matcher and len(pickle.dumps(matcher)) < 2_000_000
    text = ("TTP claims attack on police post in Bannu", "Torkham crossing reopens for trade, officials said.")
    assert copy.match(*text) == matcher.match(*text)


def test_staging_drops_known_items_and_prepares_the_rest_with_their_matches(db, tmp_path, matcher):
    from store.items import insert_item
    from bot.feeds.parse import parse_feed

    body = rss("dawn", ["TTP claims attack on police post in Bannu", "Torkham crossing reopens after talks"])
    known = parse_feed(body, feed_id="dawn", fetched_at=NOW).items[0]
    with db.conn:
        insert_item(db, known, baseline=True)
    request = StageRequest(body, "dawn", NOW, None, None, known_guid_reuse=False, baseline=False)
    staged = stage_feed(request, matcher, open_reader(tmp_path / "watchdesk.db"))
    assert staged.item_count == 2 and staged.matched
    assert [entry.title for entry in staged.new] == ["Torkham crossing reopens after talks"]
    assert {row[1] for row in staged.entity_rows} == set(matcher.match("Torkham crossing reopens after talks").entities)
    # Without a way to read the store, nothing is dropped: the writer checks again anyway.
    assert len(stage_feed(request, matcher).new) == 2


def test_workers_setting_auto_is_one_process_with_two_cpus():
    assert worker_count(0) == 0 and worker_count(3) == 3
    cpus = len(os.sched_getaffinity(0))
    assert worker_count(None) == (1 if cpus >= 2 else 0)


async def test_a_worker_killed_mid_pass_loses_no_item_and_is_replaced(db, tmp_path, matcher):
    titles = {f"feed{number}": [f"Torkham crossing story {number} part {part}" for part in range(3)]
              for number in range(6)}
    titles["feed3"][1] = "Stall: TTP claims attack on police post in Bannu"
    async with FeedServer() as server, Fetcher(user_agent="t/1", allow_private=True, host_spacing=0) as fetcher:
        feeds = [Feed(id=feed_id, url=server.url(f"/{feed_id}"), name=feed_id, interval=600, timeout=5,
                      max_bytes=1_000_000) for feed_id in titles]
        sync_feeds(db, feeds, NOW)
        for feed_id, headlines in titles.items():
            server.feed(f"/{feed_id}", rss(feed_id, headlines))
        refresher = Refresher(db, fetcher, settings=FetchSettings(workers=1),
                              matcher=StallingMatcher(matcher, tmp_path), now=lambda: NOW)
        try:
            await refresher.start()
            passing = asyncio.ensure_future(refresher.poll(feeds, force=True))
            for _ in range(3000):  # until the worker reports that it hangs (or the pass ends)
                if (tmp_path / "stalled").exists() or passing.done():
                    break
                await asyncio.sleep(0.01)
            killed = int((tmp_path / "stalled").read_text())
            os.kill(killed, signal.SIGKILL)
            summary = await passing
            assert (summary.ok, summary.failing, summary.stored) == (6, 0, 18)
            stored = db.execute("SELECT feed_id, count(*) FROM items GROUP BY feed_id").fetchall()
            assert sorted(stored) == [(feed_id, 3) for feed_id in sorted(titles)]
            # The stalled feed was staged here instead, matches included: nothing waits.
            stall = db.execute("SELECT id FROM items WHERE title LIKE 'Stall%'").fetchone()[0]
            assert {row[0] for row in db.execute("SELECT entity_id FROM item_entities WHERE item_id = ?",
                                                 [stall])} >= {"ttp", "bannu"}
            assert db.execute("SELECT count(*) FROM match_queue").fetchone()[0] == 0
            # A new worker takes over: the next pass is staged in it.
            await refresher.start()
            for feed_id in titles:
                server.feed(f"/{feed_id}", rss(feed_id, [*titles[feed_id], f"Chaman border update for {feed_id}"]))
            summary = await refresher.poll(feeds, force=True)
            assert summary.new_items == 6
            workers = {int(line) for line in (tmp_path / "calls").read_text().split()}
            pool = refresher._pool
            assert len(workers - {killed}) == 1, (workers, killed, pool.ready, pool.generation, pool._executor)
        finally:
            refresher.close()
