"""Dedup hygiene: an outlet's re-post is not a second report, and links drop tracking parameters."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from bot.config import FetchSettings
from bot.digest import build_digest
from bot.feeds.fetch import Fetcher
from bot.feeds.refresh import Refresher
from bot.models import reply_from_dict
from bot.stories import strip_tracking
from tests.feedserver import FeedServer
from tests.test_alerts import NOW, add, enqueue, queued, store  # noqa: F401 - fixtures
from tests.test_refresh import Clock, make_feed, register


@pytest.fixture
async def refresh_setup(db):
    clock = Clock()
    async with FeedServer() as server, Fetcher(user_agent="t/1", allow_private=True, host_spacing=0) as fetcher:
        yield server, Refresher(db, fetcher, settings=FetchSettings(), now=clock, jitter=lambda: 1.0), clock, db


def _rss(*entries):
    items = "".join(f"<item><title>{title}</title><link>{link}</link><guid>{guid}</guid>"
                    f"<pubDate>Fri, 20 Nov 2026 07:00:00 GMT</pubDate></item>" for guid, link, title in entries)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()


async def test_a_repost_with_a_new_guid_and_other_utm_parameters_is_not_stored_again(refresh_setup):
    server, refresher, clock, db = refresh_setup
    (feed,) = register(db, make_feed(server, "dawn"))
    server.feed("/dawn", _rss(("g0", "https://www.dawn.com/news/0", "An older story from before the baseline")))
    await refresher.poll([feed], force=True)
    title = "TTP attack kills four policemen in Lakki Marwat"
    server.feed("/dawn", _rss(("g1", "https://www.dawn.com/news/1?utm_source=rss&utm_medium=feed", title)))
    clock.advance(minutes=10)
    assert (await refresher.poll([feed], force=True)).new_items == 1
    server.feed("/dawn", _rss(("g1", "https://www.dawn.com/news/1?utm_source=rss&utm_medium=feed", title),
                              ("g2", "https://www.dawn.com/news/1?utm_source=twitter&fbclid=abc", title)))
    clock.advance(minutes=10)
    assert (await refresher.poll([feed], force=True)).new_items == 0
    assert db.execute("SELECT count(*) FROM items WHERE title = ?", [title]).fetchone() == (1,)
    assert db.execute("SELECT outlet_count FROM stories WHERE title = ?", [title]).fetchone() == (1,)


async def test_a_new_article_at_a_reused_link_is_still_stored(refresh_setup):
    server, refresher, clock, db = refresh_setup
    (feed,) = register(db, make_feed(server, "wire"))
    server.feed("/wire", _rss(("g0", "https://wire.example/live", "Live: the day's news as it happens")))
    await refresher.poll([feed], force=True)
    server.feed("/wire", _rss(("g0", "https://wire.example/live", "Live: the day's news as it happens"),
                              ("g1", "https://wire.example/live?utm_source=x", "Blast in Quetta market wounds twelve")))
    clock.advance(minutes=10)
    assert (await refresher.poll([feed], force=True)).new_items == 1


def test_the_same_outlet_is_never_its_own_second_source(store, matcher):  # noqa: F811
    title = "TTP attack kills four policemen in Lakki Marwat"
    first = add(store, matcher, "dawn", title, link="https://dawn.example/a?utm_source=rss")
    enqueue(store, [first])
    # Dawn updates its headline on the same page: the same story, the same outlet.
    again = add(store, matcher, "dawn", title + " district", minutes=10, link="https://dawn.example/a?utm_source=x")
    enqueue(store, [again], now=NOW + timedelta(minutes=10))
    other = add(store, matcher, "voa", title, minutes=20, link="https://voa.example/b")
    enqueue(store, [other], now=NOW + timedelta(minutes=20))
    (row,) = queued(store)
    payload = json.loads(row["payload"])
    assert payload["also_reported_by"] == ["VOA"]
    fields = {field.name: field.value for field in reply_from_dict(payload).sections[0].fields}
    assert fields["Also reported by"] == "VOA"


def test_alert_and_digest_links_drop_tracking_parameters(store, matcher):  # noqa: F811
    link = "https://www.dawn.com/news/1?id=7&utm_source=rss&utm_campaign=x&fbclid=IwAR0&gclid=Cj0&page=2#top"
    item = add(store, matcher, "dawn", "TTP attack on police post in Bannu", link=link)
    enqueue(store, [item])
    reply = reply_from_dict(json.loads(queued(store)[0]["payload"]))
    clean = "https://www.dawn.com/news/1?id=7&page=2#top"
    assert (reply.url, reply.sections[0].url) == (clean, clean)
    digest = build_digest(store, start=NOW - timedelta(hours=1), end=NOW + timedelta(hours=1))
    assert [story.link for _, stories in digest.groups for story in stories] == [clean]


def test_strip_tracking_keeps_everything_else():
    assert strip_tracking("https://x.org/a?utm_medium=social&mc_cid=1&msclkid=2") == "https://x.org/a"
    assert strip_tracking("https://x.org/a?q=ttp&lang=ur") == "https://x.org/a?q=ttp&lang=ur"
    assert strip_tracking("https://x.org/a") == "https://x.org/a"
    assert strip_tracking(None) is None
