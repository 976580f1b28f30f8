"""Mute 24h on a theme-driven alert: the menu offers the alert's themes, and a muted theme no longer
alerts that channel (rules and `/watch track` subscriptions alike) until the 24 hours are over."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.alerts import enqueue_alerts
from bot.config import AlertLimits, AlertRule
from bot.models import CommandContext
from store.subscriptions import subscribe
from tests.alert_store import NOW, Clock, add_item, build

EDITOR = CommandContext(platform="discord", channel_id="42", user_id="u-editor", can_manage=True)
READER = CommandContext(platform="discord", channel_id="42", user_id="u-reader", can_manage=False)
TRADE_HERE = AlertRule(platform="discord", channel="42", themes=("border-trade",))
TRADE_THERE = AlertRule(platform="discord", channel="99", themes=("border-trade",))
CROSSING = ("Torkham crossing reopens for trade as trucks move again",
            "Pakistan and Afghanistan traders welcomed the reopening.")
QUEUE = ("Trucks queue at Chaman as border trade resumes after week-long closure",
         "Traders on both sides said hundreds of goods vehicles crossed on Monday.")


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def store(db, matcher, clock):
    return build(db, matcher, clock)


def alerted(db, item_id: str, rules, now) -> set[str]:
    """The channels that get an alert about this item now."""
    with db.conn:
        enqueue_alerts(db, [item_id], rules=rules, limits=AlertLimits(batch_threshold=50, hourly_cap=100), now=now)
    return {channel for channel, in db.execute(
        "SELECT channel_id FROM outbox WHERE kind = 'alert' AND story_id = (SELECT story_id FROM items WHERE id = ?)",
        [item_id])}


async def test_the_mute_menu_of_a_theme_driven_alert_offers_its_theme(db, matcher, store):
    runner, _ = store
    crossing = add_item(db, matcher, "crossing", title=CROSSING[0], summary=CROSSING[1])
    reply = await runner.act(EDITOR, "mute", crossing)
    values = [value for _, value in reply.menu.options]
    assert values[0].startswith("story:") and "entity:torkham" in values and "theme:border-trade" in values
    assert "theme" in reply.menu.placeholder
    assert (await runner.act(EDITOR, "mute", crossing, "theme:militant-attacks")).error  # not this alert's
    assert (await runner.act(READER, "mute", crossing, "theme:border-trade")).error  # needs the right


async def test_a_muted_theme_stops_alerting_this_channel_for_24_hours(db, matcher, store, clock):
    runner, _ = store
    crossing = add_item(db, matcher, "crossing", title=CROSSING[0], summary=CROSSING[1])
    reply = await runner.act(EDITOR, "mute", crossing, "theme:border-trade")
    assert not reply.error and reply.ephemeral
    assert reply.title.startswith("Muted Border") and reply.title.endswith("in this channel for 24 hours")
    with db.conn:
        subscribe(db, platform="discord", channel_id="42", target_type="theme", target_id="border-trade",
                  created_by="u-editor", now=NOW)
    queue = add_item(db, matcher, "queue", title=QUEUE[0], summary=QUEUE[1])
    assert alerted(db, queue, (TRADE_HERE, TRADE_THERE), clock()) == {"99"}  # muted here only
    clock.moment = NOW + timedelta(hours=24, minutes=1)
    later = add_item(db, matcher, "later", title="Chaman border trade halted again over new permit rules",
                     summary="Goods vehicles were turned back at the crossing, traders said.")
    assert alerted(db, later, (TRADE_HERE, TRADE_THERE), clock()) == {"42", "99"}
