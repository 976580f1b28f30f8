"""The place hierarchy in use: tracking a province covers its places; lookup and the digest roll places up."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from bot.alerts import enqueue_alerts
from bot.commands import Commands, Deps
from bot.config import AlertLimits, AlertRule
from bot.digest import build_digest
from bot.models import CommandContext, Feed, Item
from store.catalog import places_containing, places_inside, sync_catalog
from store.feeds import sync_feeds
from store.items import insert_item
from store.matches import save_matches

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)
EDITOR = CommandContext(platform="console", channel_id="#desk", user_id="u1", can_manage=True)


@pytest.fixture
def store(db, matcher):
    sync_feeds(db, (Feed(id="dawn", url="http://127.0.0.1/dawn", name="Dawn", interval=600, timeout=5,
                         max_bytes=10**6),), NOW)
    with db.conn:
        sync_catalog(db, matcher.catalog)
    return db


def add(db, matcher, title, summary="", *, hours=0) -> str:
    item = Item(feed_id="dawn", dedup_key=title, guid=None, link=f"https://dawn.example/{abs(hash(title))}",
                title=title, summary=summary, published_at=NOW - timedelta(hours=hours),
                fetched_at=NOW - timedelta(hours=hours))
    with db.conn:
        insert_item(db, item, baseline=False)
        save_matches(db, item.id, matcher.match(title, summary))
    return item.id


def alerted_channels(db) -> list[str]:
    return [row[0] for row in db.execute("SELECT channel_id FROM outbox WHERE kind = 'alert' ORDER BY id")]


def test_the_store_knows_what_lies_in_a_province(store):
    inside = dict(places_inside(store, "khyber-pakhtunkhwa"))
    assert {"bannu", "peshawar", "tordher", "parachinar"} <= set(inside)  # Tordher via Swabi, Parachinar via Kurram
    assert "balochistan" not in inside and "asim-munir" not in inside
    assert places_containing(store, ["tordher", "ttp"]) == {"tordher": {"swabi", "khyber-pakhtunkhwa", "pakistan"}}


def test_tracking_a_province_alerts_on_a_place_inside_it(store, matcher):
    rule = AlertRule(platform="console", channel="#kp", entities=("khyber-pakhtunkhwa",))
    with store.conn:
        store.execute("INSERT INTO subscriptions VALUES ('console', '#pakistan', 'entity', 'pakistan', 'u1', ?)",
                      [NOW.isoformat()])
    peshawar = add(store, matcher, "Traders in Peshawar count losses after the strike")
    assert "khyber-pakhtunkhwa" not in matcher.match("Traders in Peshawar count losses after the strike").entities
    kandahar = add(store, matcher, "Kandahar traders count losses")
    with store.conn:
        enqueue_alerts(store, [peshawar, kandahar], rules=(rule,), limits=AlertLimits(), now=NOW)
    assert sorted(alerted_channels(store)) == ["#kp", "#pakistan"]  # Kandahar is in neither


def test_a_muted_place_is_not_heard_through_its_province(store, matcher):
    rule = AlertRule(platform="console", channel="#kp", entities=("khyber-pakhtunkhwa",))
    item = add(store, matcher, "Traders in Tordher count losses")
    mutes = {("console", "#kp"): {("entity", "tordher")}}
    from bot.alerts import load_alert_item, targets_for

    assert targets_for(load_alert_item(store, item), (rule,), [], {}) == {("console", "#kp"): ()}
    assert targets_for(load_alert_item(store, item), (rule,), [], mutes) == {}


async def test_lookup_of_a_province_shows_its_places_mentions(store, matcher, tmp_path):
    add(store, matcher, "Traders in Peshawar count losses", hours=2)
    add(store, matcher, "Peshawar police arrest three", hours=3)
    add(store, matcher, "Tordher market reopens", hours=4)
    commands = Commands(Deps(db=store, now=lambda: NOW, started_at=NOW, chart_dir=tmp_path, catalog=matcher.catalog))
    reply = await commands.run(EDITOR, "lookup", {"entity": "kp"})
    fields = {f.name: f.value for f in reply.sections[0].fields}
    assert fields["Mentions"] == "0 in 7 days · 0 in 30 days"  # the province itself is not named
    assert fields["With the places in it"] == "3 in 7 days · 3 in 30 days"
    places = next(value for name, value in fields.items() if name.startswith("Places in it"))
    assert places.startswith("Peshawar (2), Tordher (1)")
    assert [s.title for s in reply.sections[1:]] == ["Traders in Peshawar count losses", "Peshawar police arrest three",
                                                     "Tordher market reopens"]
    assert reply.data["places_inside"][0] == {"id": "peshawar", "name": "Peshawar", "mentions_30d": 2}
    json.dumps(reply.data)


def test_digest_most_mentioned_rolls_places_up(store, matcher):
    add(store, matcher, "Traders in Peshawar count losses", hours=2)
    add(store, matcher, "Tordher market reopens", hours=3)
    add(store, matcher, "Kandahar traders protest", hours=4)
    digest = build_digest(store, start=NOW - timedelta(hours=24), end=NOW + timedelta(minutes=1))
    counts = {entity_id: stories for entity_id, _, stories, _, _ in digest.top_entities}
    assert counts["khyber-pakhtunkhwa"] == 2 and counts["pakistan"] == 2 and counts["peshawar"] == 1
    assert counts["afghanistan"] == 1  # Kandahar lies in Afghanistan
    only_kp = build_digest(store, start=NOW - timedelta(hours=24), end=NOW + timedelta(minutes=1),
                           entities=("khyber-pakhtunkhwa",))
    assert only_kp.story_count == 2
