"""`/watch quiet`: quiet hours set from chat, for a channel (with the right) or for oneself (no rights),
stored, shown by `tracking`, and applied to the alerts already waiting."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from bot.alerts import enqueue_alerts
from bot.config import AlertLimits, AlertRule
from bot.models import CommandContext
from bot.platforms.base import parse_command_text
from bot.platforms.slack_bot import SlackAdapter
from store import outbox
from store.quiet import quiet_window
from tests.alert_store import add_item, build
from tests.fakes.discord_fake import SEND_MESSAGES
from tests.fakes.slack_fake import FakeSlack
from tests.test_personal_watchlists import discord_on_fake
from tests.test_slack import MEMBER, http_settings, post_command, response_for

NIGHT = datetime(2026, 11, 20, 20, 0, tzinfo=timezone.utc)  # 01:00 in Karachi
READER = CommandContext(platform="discord", channel_id="42", user_id="777", can_manage=False)
EDITOR = CommandContext(platform="discord", channel_id="42", user_id="100", can_manage=True)


class Clock:
    def __init__(self, moment=NIGHT):
        self.moment = moment

    def __call__(self):
        return self.moment


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def store(db, matcher, clock):
    return build(db, matcher, clock)


def test_quiet_is_read_from_typed_text():
    assert parse_command_text("/watch quiet 23:00-07:00 Asia/Karachi personal") == (
        "quiet", {"window": "23:00-07:00", "timezone": "Asia/Karachi", "scope": "personal"})
    assert parse_command_text("quiet 22:30-06:00") == ("quiet", {"window": "22:30-06:00"})
    assert parse_command_text("quiet off personal") == ("quiet", {"window": "off", "scope": "personal"})
    assert parse_command_text("quiet") == ("quiet", {})


async def test_anyone_sets_their_own_quiet_hours_and_tracking_personal_shows_them(db, store):
    runner, _ = store
    done = await runner.run(READER, "quiet", {"window": "23:00-07:00", "timezone": "Asia/Karachi",
                                              "scope": "personal"})
    assert not done.error and done.ephemeral and done.title == "Quiet hours (your): 23:00–07:00 Asia/Karachi"
    assert "tier flash or above" in done.text and "3 or more outlets" in done.text
    assert {k: v for k, v in quiet_window(db, "discord", "@777").items() if k != "set_at"} == {
        "start": "23:00", "end": "07:00", "timezone": "Asia/Karachi", "set_by": "777"}
    listed = await runner.run(READER, "tracking", {"scope": "personal"})
    quiet = next(section for section in listed.sections if section.title == "Quiet hours")
    assert quiet.text.startswith("23:00–07:00 Asia/Karachi (set from chat)")
    assert listed.data["quiet"] == {"window": "23:00–07:00 Asia/Karachi", "source": "chat"}
    channel = await runner.run(READER, "tracking", {})
    assert next(s for s in channel.sections if s.title == "Quiet hours").text.startswith("none")


async def test_a_channels_quiet_hours_need_the_right_and_mistakes_change_nothing(db, store):
    runner, _ = store
    assert (await runner.run(READER, "quiet", {"window": "23:00-07:00"})).error
    for wrong, reason in ((({"window": "11pm-7am"}), "use e.g. 23:00-07:00"),
                          ({"window": "23:00-07:00", "timezone": "Mars/Olympus"}, "unknown time zone 'Mars/Olympus'")):
        reply = await runner.run(EDITOR, "quiet", wrong)
        assert reply.error and reason in reply.title
    assert quiet_window(db, "discord", "42") is None
    done = await runner.run(EDITOR, "quiet", {"window": "22:00-06:00"})
    assert done.title == "Quiet hours (this channel's): 22:00–06:00 UTC"  # the desk's zone
    assert (await runner.run(EDITOR, "quiet", {})).title == "Quiet hours (this channel's): 22:00–06:00 UTC"
    shown = await runner.run(READER, "tracking", {})  # anyone sees them
    assert next(s for s in shown.sections if s.title == "Quiet hours").text.startswith("22:00–06:00 UTC (set from chat)")
    assert (await runner.run(EDITOR, "quiet", {"window": "off"})).title == "Quiet hours off (this channel's)"
    assert (await runner.run(EDITOR, "quiet", {"window": "off"})).error  # nothing left to turn off


async def test_turning_quiet_hours_off_or_moving_them_moves_the_alerts_that_wait(db, matcher, store, clock):
    runner, ids = store
    await runner.run(READER, "track", {"target": "ttp", "scope": "personal"})
    await runner.run(READER, "quiet", {"window": "23:00-07:00", "timezone": "Asia/Karachi", "scope": "personal"})
    item = add_item(db, matcher, "night", title="TTP fighters ambush convoy in North Waziristan",
                    summary="Tehrik-e-Taliban Pakistan said its fighters attacked the convoy.", published=NIGHT)
    with db.conn:
        enqueue_alerts(db, [item], rules=(), limits=AlertLimits(), now=NIGHT)
    [row] = [r for r in db.query("SELECT * FROM outbox WHERE channel_id = '@777'")]
    assert row["next_attempt_at"] == "2026-11-21T02:00:00+00:00" and outbox.due(db, NIGHT) == []
    moved = await runner.run(READER, "quiet", {"window": "19:00-05:00", "timezone": "UTC", "scope": "personal"})
    assert moved.text.endswith(" 1 held alert now waits for this window.")
    assert outbox.get(db, row["idem_key"])["next_attempt_at"] == "2026-11-21T05:00:00+00:00"
    clock.moment = NIGHT + timedelta(minutes=10)
    off = await runner.run(READER, "quiet", {"window": "off", "scope": "personal"})
    assert off.text == "1 held alert goes out now."
    [due] = outbox.due(db, clock.moment)
    assert due["idem_key"] == row["idem_key"] and "quiet_until" not in json.loads(due["payload"])


async def test_discord_quiet_personal_needs_no_rights(db, store):
    runner, _ = store
    async with discord_on_fake(runner) as (fake, adapter):
        interaction = await fake.send_interaction(
            "quiet", {"window": "23:00-07:00", "timezone": "Asia/Karachi", "scope": "personal"},
            permissions=SEND_MESSAGES)
        callback = await fake.wait_for_request(
            "POST", f"/interactions/{interaction['id']}/{interaction['token']}/callback")
        assert callback.json["data"]["flags"] == 64
        assert callback.json["data"]["embeds"][0]["title"] == "Quiet hours (your): 23:00–07:00 Asia/Karachi"
        refused = await fake.send_interaction("quiet", {"window": "23:00-07:00"}, permissions=SEND_MESSAGES)
        answer = await fake.wait_for_request(
            "POST", f"/interactions/{refused['id']}/{refused['token']}/callback")
        assert answer.json["data"]["flags"] == 64
    assert quiet_window(db, "discord", f"@{fake.user_id}")["timezone"] == "Asia/Karachi"
    assert quiet_window(db, "discord", str(fake.channel_id)) is None


async def test_slack_quiet_personal_by_a_member(db, store, monkeypatch):
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(name, raising=False)
    runner, _ = store
    fake = FakeSlack(users={MEMBER: {"is_admin": False}})
    await fake.start()
    adapter = SlackAdapter(http_settings(fake), runner)
    await adapter.start()
    try:
        assert (await post_command(adapter, fake, "quiet 22:00-06:30 Asia/Kabul personal", user=MEMBER,
                                   name="q"))[0] == 200
        answer = await response_for(fake, "q")
        assert answer["response_type"] == "ephemeral" and answer["text"] == "Quiet hours (your): 22:00–06:30 Asia/Kabul"
    finally:
        await adapter.stop()
        await fake.stop()
    assert quiet_window(db, "slack", f"@{MEMBER}")["end"] == "06:30"


async def test_the_app_home_shows_the_users_quiet_hours(db, store):
    runner, _ = store
    member = CommandContext(platform="slack", channel_id="", user_id="U0MEMBER")
    before = await runner.home(member)
    assert next(s.text for s in before.sections if s.title == "Your quiet hours").startswith("none")
    await runner.run(replace(member, channel_id="C1"), "quiet",
                     {"window": "22:00-06:00", "timezone": "Asia/Kabul", "scope": "personal"})
    after = await runner.home(member)
    assert next(s.text for s in after.sections if s.title == "Your quiet hours") == "22:00–06:00 Asia/Kabul"


async def test_a_burst_in_quiet_hours_waits_as_one_summary_that_quiet_off_releases(db, matcher, store, clock):
    runner, _ = store
    await runner.run(EDITOR, "quiet", {"window": "19:00-05:00"})
    titles = ["TTP fighters ambush convoy in North Waziristan", "TTP claims rocket fire on Bannu cantonment",
              "Police repel TTP raid on Lakki Marwat station", "TTP commander surrenders in Swat valley"]
    ids = [add_item(db, matcher, f"burst{n}", title=title, summary="Tehrik-e-Taliban Pakistan claimed it.",
                    published=NIGHT) for n, title in enumerate(titles)]
    rule = AlertRule(platform="discord", channel="42", entities=("ttp",))
    with db.conn:
        enqueue_alerts(db, ids, rules=(rule,), limits=AlertLimits(batch_threshold=2, batch_window=600), now=NIGHT)
    [batch] = list(db.query("SELECT * FROM outbox WHERE kind = 'batch'"))
    assert batch["next_attempt_at"] == "2026-11-21T05:00:00+00:00" and outbox.due(db, NIGHT) == []
    assert len(json.loads(batch["payload"])["lines"]) == 2
    off = await runner.run(EDITOR, "quiet", {"window": "off"})
    assert off.text == "3 held alerts go out now."  # the two alerts and the summary
    assert {row["kind"] for row in outbox.due(db, NIGHT)} == {"alert", "batch"}
