"""Quiet hours: alerts wait for the end of a channel's quiet window (urgency: tests/test_quiet_urgency.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta, timezone

import pytest

from bot.config import load_settings
from bot.errors import ConfigError
from bot.quiet import QuietHours, quiet_until
from store import outbox
from tests.test_alerts import DESK, add, enqueue, queued, store  # noqa: F401 - fixtures

KARACHI = QuietHours(start=time(23, 0), end=time(7, 0), timezone="Asia/Karachi")  # UTC+5
TITLE = "TTP claims raid on checkpost in Tank district"


def at(hour: int, minute: int = 0, day: int = 20) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=timezone.utc)


def test_a_window_over_midnight_in_the_channels_zone():
    assert quiet_until(KARACHI, at(20, 0)) == at(2, 0, day=21)  # 01:00 in Karachi: until 07:00
    assert quiet_until(KARACHI, at(1, 30)) == at(2, 0)  # 06:30 in Karachi
    assert quiet_until(KARACHI, at(2, 0)) is None  # 07:00: over
    assert quiet_until(KARACHI, at(17, 59)) is None  # 22:59
    assert quiet_until(KARACHI, at(18, 0)) == at(2, 0, day=21)  # 23:00
    lunch = QuietHours(start=time(12, 0), end=time(13, 0))
    assert quiet_until(lunch, at(12, 30)) == at(13, 0) and quiet_until(lunch, at(13, 0)) is None


def test_quiet_is_read_from_an_alert_rule(tmp_path):
    def load(quiet: str):
        path = tmp_path / "feeds.yml"
        path.write_text("timezone: Asia/Karachi\n"
                        f"alerts:\n  - {{platform: console, channel: desk, entities: [ttp], quiet: {quiet}}}\n")
        return load_settings(path, environ={})

    [rule] = load('{from: "23:00", to: "07:00"}').alerts
    assert rule.quiet == KARACHI  # the desk's zone unless the window names one
    assert load('{from: "22:00", to: "06:00", timezone: UTC}').alerts[0].quiet.timezone == "UTC"
    with pytest.raises(ConfigError, match=r"quiet.from: must be a time like 23:00"):
        load('{from: "11pm", to: "07:00"}')
    with pytest.raises(ConfigError, match="quiet.timezone"):
        load('{from: "23:00", to: "07:00", timezone: Mars/Olympus}')


def test_an_alert_in_quiet_hours_waits_for_the_end_of_the_window(store, matcher):  # noqa: F811
    quiet_desk = replace(DESK, quiet=KARACHI)
    night = at(20, 0)
    enqueue(store, [add(store, matcher, "dawn", TITLE)], rules=(quiet_desk,), now=night)
    assert outbox.due(store, night) == []
    assert outbox.due(store, at(1, 59, day=21)) == []
    [row] = outbox.due(store, at(2, 0, day=21))
    assert row["kind"] == "alert"


def test_a_second_outlet_after_the_hour_does_not_wake_anyone(store, matcher):  # noqa: F811
    quiet_desk = replace(DESK, quiet=KARACHI)
    night = at(19, 0)
    enqueue(store, [add(store, matcher, "dawn", TITLE)], rules=(quiet_desk,), now=night)
    enqueue(store, [add(store, matcher, "tolo", TITLE, minutes=90)], rules=(quiet_desk,),
            now=night + timedelta(minutes=90))
    assert outbox.due(store, night + timedelta(minutes=90)) == []
    assert len(queued(store)) == 1 and "Tolo News" in queued(store)[0]["payload"]


def test_outside_quiet_hours_nothing_waits(store, matcher):  # noqa: F811
    enqueue(store, [add(store, matcher, "dawn", TITLE)], rules=(replace(DESK, quiet=KARACHI),), now=at(10, 0))
    assert len(outbox.due(store, at(10, 0))) == 1


def test_held_alerts_follow_the_window_in_force_after_a_restart(store, matcher):  # noqa: F811
    from bot.service import retime_held_alerts

    quiet_desk = replace(DESK, quiet=KARACHI)
    enqueue(store, [add(store, matcher, "dawn", TITLE)], rules=(quiet_desk,), now=at(20, 0))
    # the same feeds.yml: nothing moves, the alert still waits for 07:00 Karachi
    assert retime_held_alerts(store, (quiet_desk,), at(21, 0)) == 0
    assert outbox.due(store, at(1, 59, day=21)) == []
    # the window now ends at 05:00: the alert goes then, not at 07:00
    earlier = replace(DESK, quiet=replace(KARACHI, end=time(5, 0)))
    assert retime_held_alerts(store, (earlier,), at(21, 0)) == 1
    assert outbox.due(store, at(23, 59)) == []
    assert len(outbox.due(store, at(0, 0, day=21))) == 1
    # quiet hours removed from feeds.yml: it goes at once
    assert retime_held_alerts(store, (DESK,), at(22, 0)) == 1
    assert len(outbox.due(store, at(22, 0))) == 1


def test_a_window_set_from_chat_still_holds_when_feeds_yml_has_none(store, matcher):  # noqa: F811
    from bot.service import retime_held_alerts
    from store.quiet import set_quiet

    quiet_desk = replace(DESK, quiet=KARACHI)
    enqueue(store, [add(store, matcher, "dawn", TITLE)], rules=(quiet_desk,), now=at(20, 0))
    with store.conn:
        set_quiet(store, platform=DESK.platform, channel_id=DESK.channel, start="22:00", end="06:00",
                  timezone="Asia/Karachi", set_by="u1", now=at(20, 0))
        assert retime_held_alerts(store, (DESK,), at(21, 0)) == 1
    assert outbox.due(store, at(0, 59, day=21)) == []
    assert len(outbox.due(store, at(1, 0, day=21))) == 1
