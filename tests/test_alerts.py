"""Alerts: routing, one per story per channel, "also reported by", bursts, caps, mention safety."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from bot.alerts import enqueue_alerts
from bot.config import AlertLimits, AlertRule
from bot.delivery import DeliveryWorker
from bot.models import Feed, Item, reply_from_dict
from bot.platforms.console import ConsoleAdapter
from store.catalog import sync_catalog
from store.feeds import sync_feeds
from store.items import insert_item
from store.matches import save_matches

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)
FEEDS = tuple(Feed(id=f, url=f"http://127.0.0.1/{f}", name=name, interval=600, timeout=10, max_bytes=10**6)
              for f, name in (("dawn", "Dawn"), ("voa", "VOA"), ("tolo", "Tolo News")))
DESK = AlertRule(platform="console", channel="#desk", entities=("ttp",), mention_role="1234")
TRADE = AlertRule(platform="console", channel="#trade", themes=("border-trade",))


@pytest.fixture
def store(db, matcher):
    sync_feeds(db, FEEDS, NOW)
    with db.conn:
        sync_catalog(db, matcher.catalog)
    return db


def add(db, matcher, feed_id, title, summary="", *, link=None, minutes=0, baseline=False) -> str:
    item = Item(feed_id=feed_id, dedup_key=f"{feed_id}:{title}", guid=None,
                link=link or f"https://{feed_id}.example/{abs(hash(title))}", title=title, summary=summary,
                published_at=NOW + timedelta(minutes=minutes), fetched_at=NOW + timedelta(minutes=minutes))
    with db.conn:
        insert_item(db, item, baseline=baseline)
        save_matches(db, item.id, matcher.match(title, summary))
    return item.id


def queued(db, status=None):
    sql = "SELECT idem_key, kind, channel_id, status, payload FROM outbox"
    rows = [dict(zip(("key", "kind", "channel", "status", "payload"), row)) for row in db.execute(sql + " ORDER BY id")]
    return [row for row in rows if status is None or row["status"] == status]


def enqueue(db, ids, rules=(DESK, TRADE), limits=None, now=NOW):
    with db.conn:
        return enqueue_alerts(db, ids, rules=rules, limits=limits or AlertLimits(), now=now)


def test_routes_by_entity_and_theme_and_skips_baselines(store, matcher):
    ttp = add(store, matcher, "dawn", "TTP attack on police post in Bannu")
    trade = add(store, matcher, "voa", "Torkham crossing reopens for trade as trucks move again",
                "Pakistan and Afghanistan traders welcomed the reopening.")
    baseline = add(store, matcher, "tolo", "TTP commander killed in Kunar", baseline=True)
    enqueue(store, [ttp, trade, baseline])
    rows = queued(store)
    assert sorted((row["channel"], row["kind"]) for row in rows) == [("#desk", "alert"), ("#trade", "alert")]
    desk = reply_from_dict(json.loads(next(r for r in rows if r["channel"] == "#desk")["payload"]))
    assert desk.title == "TTP attack on police post in Bannu"
    assert desk.mentions == ("1234",)
    fields = {f.name: f.value for f in desk.sections[0].fields}
    assert "“TTP”" in fields["Entities"] and "Tehrik-e-Taliban Pakistan" in fields["Entities"]
    trade_reply = reply_from_dict(json.loads(next(r for r in rows if r["channel"] == "#trade")["payload"]))
    assert trade_reply.mentions == ()  # that rule names no role: nobody is pinged


def test_subscriptions_route_too(store, matcher):
    with store.conn:
        store.execute("INSERT INTO subscriptions VALUES ('console', '#iskp', 'entity', 'iskp', 'u1', ?)",
                      [NOW.isoformat()])
    item = add(store, matcher, "dawn", "ISKP claims bombing in Kabul")
    enqueue(store, [item], rules=())
    assert [(row["channel"], row["kind"]) for row in queued(store)] == [("#iskp", "alert")]


def test_one_alert_per_story_and_later_outlets_update_it(store, matcher):
    first = add(store, matcher, "dawn", "TTP attack kills four policemen in Lakki Marwat",
                link="https://dawn.example/a?utm_source=x")
    enqueue(store, [first])
    second = add(store, matcher, "voa", "TTP attack kills four policemen in Lakki Marwat", minutes=20,
                 link="https://dawn.example/a")
    enqueue(store, [second], now=NOW + timedelta(minutes=20))
    rows = queued(store)
    assert len(rows) == 1  # not sent yet: the pending alert itself says "also reported by"
    payload = json.loads(rows[0]["payload"])
    assert payload["also_reported_by"] == ["VOA"]
    reply = reply_from_dict(payload)
    assert {"Also reported by": "VOA"}.items() <= {f.name: f.value for f in reply.sections[0].fields}.items()


async def test_a_sent_alert_is_edited_without_a_new_ping(store, matcher):
    console = ConsoleAdapter(output=_Sink())
    clock = [NOW]
    worker = DeliveryWorker(store, {"console": console}, now=lambda: clock[0], channel_spacing=0)
    first = add(store, matcher, "dawn", "TTP claims raid on checkpost in Tank district")
    enqueue(store, [first])
    assert await worker.deliver_due() == 1
    later = add(store, matcher, "tolo", "TTP claims raid on checkpost in Tank district", minutes=30)
    clock[0] = NOW + timedelta(minutes=30)
    enqueue(store, [later], now=clock[0])
    assert await worker.deliver_due() == 1
    (channel, first_id, sent), (_, edited_id, edit) = console.sent
    assert edited_id == first_id and channel == "#desk"
    assert sent.mentions == ("1234",) and edit.mentions == ()
    assert "Tolo News" in {f.value for f in edit.sections[0].fields}
    enqueue(store, [later], now=NOW + timedelta(minutes=31))  # the same item again changes nothing
    assert await worker.deliver_due() == 0


def _burst(store, matcher, limits, count=12):
    places = ["Bajaur", "Bannu", "Tank", "Kurram", "Khyber", "Swat", "Dir", "Chitral", "Mardan", "Kohat",
              "Hangu", "Karak"]
    verbs = ["raid", "ambush", "assault", "strike", "attack", "blast", "siege", "bombing", "shooting", "clash",
             "firefight", "incursion"]
    ids = [add(store, matcher, "dawn", f"TTP {verb} reported near {place} police lines", minutes=n)
           for n, (verb, place) in enumerate(list(zip(verbs, places))[:count])]
    for minute, item_id in enumerate(ids):  # one a minute
        enqueue(store, [item_id], rules=(DESK,), limits=limits, now=NOW + timedelta(minutes=minute))
    return queued(store)


def test_bursts_become_one_summary(store, matcher):
    rows = _burst(store, matcher, AlertLimits(batch_threshold=3, batch_window=600, hourly_cap=30))
    alerts = [r for r in rows if r["kind"] == "alert" and r["status"] == "pending"]
    batches = [r for r in rows if r["kind"] == "batch"]
    # minutes 0-2 alert; 3-10 fall within ten minutes of three alerts and join one summary; at
    # minute 11 the minute-0 alert has left the window, so it is an alert again.
    assert len(alerts) == 4 and len(batches) == 1
    lines = json.loads(batches[0]["payload"])["lines"]
    assert len(lines) == 8 == len([r for r in rows if r["status"] == "merged"])
    assert lines[0][0] == "TTP strike reported near Kurram police lines — Dawn"
    # the summary waits two minutes after the first batched item (minute 3) to collect the rest
    assert store.execute("SELECT next_attempt_at FROM outbox WHERE kind = 'batch'").fetchone()[0] == \
        (NOW + timedelta(minutes=5)).isoformat()


def test_hourly_cap_holds_items_for_the_digest(store, matcher):
    rows = _burst(store, matcher, AlertLimits(batch_threshold=50, batch_window=600, hourly_cap=5))
    assert [r["status"] for r in rows if r["kind"] == "alert"] == ["pending"] * 5 + ["capped"] * 7


def test_feed_text_cannot_ping_anyone(store, matcher):
    item = add(store, matcher, "dawn", "@everyone TTP <!channel> attack <@&999> in Bannu")
    enqueue(store, [item], rules=(AlertRule(platform="console", channel="#x", entities=("ttp",)),))
    reply = reply_from_dict(json.loads(queued(store)[0]["payload"]))
    assert reply.mentions == ()
    from bot.platforms.discord_bot import allowed_mentions
    from bot.platforms.slack_render import render_blocks

    assert allowed_mentions(reply).to_dict() == {"parse": []}
    text, blocks = render_blocks(reply)
    assert "<!channel>" not in json.dumps(blocks) and "<!channel>" not in text


class _Sink:
    def write(self, text):
        pass

    def flush(self):
        pass
