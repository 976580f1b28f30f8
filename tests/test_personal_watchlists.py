"""Personal watchlists: `/watch track <name> personal` needs no rights and alerts by direct message."""

from __future__ import annotations

import contextlib

import pytest

from bot.alerts import enqueue_alerts
from bot.config import AlertLimits, DiscordSettings
from bot.delivery import DeliveryWorker
from bot.models import CommandContext
from bot.platforms.base import parse_command_text
from bot.platforms.discord_bot import DiscordAdapter
from bot.platforms.slack_bot import SlackAdapter
from tests.alert_store import NOW, build
from tests.fakes.discord_fake import SEND_MESSAGES, FakeDiscord
from tests.fakes.slack_fake import FakeSlack
from tests.test_slack import CHANNEL, MEMBER, http_settings, post_command, response_for

READER = CommandContext(platform="discord", channel_id="42", user_id="777", can_manage=False)


@pytest.fixture
def store(db, matcher):
    return build(db, matcher)


@contextlib.asynccontextmanager
async def discord_on_fake(runner):
    """The real Discord adapter connected to a fresh fake Discord: (fake, adapter)."""
    async with FakeDiscord() as fake:
        settings = DiscordSettings(token=fake.token, guild_ids=(fake.guild_id,), api_base=fake.api_base,
                                   gateway_url=fake.gateway_url)
        adapter = DiscordAdapter(settings, runner, guild_ready_timeout=0.05)
        await adapter.start()
        try:
            yield fake, adapter
        finally:
            await adapter.stop()


def test_personal_is_read_from_typed_text():
    assert parse_command_text("track ttp personal") == ("track", {"target": "ttp", "scope": "personal"})
    assert parse_command_text("tracking personal") == ("tracking", {"scope": "personal"})
    assert parse_command_text("track pakistani taliban") == ("track", {"target": "pakistani taliban"})


async def test_anyone_keeps_a_personal_watchlist_but_not_a_channels(db, store):
    runner, _ = store
    refused = await runner.run(READER, "track", {"target": "ttp"})
    assert refused.error
    done = await runner.run(READER, "track", {"target": "ttp", "scope": "personal"})
    assert done.ephemeral and not done.error and done.title == "You now track Tehrik-e-Taliban Pakistan"
    assert db.execute("SELECT platform, channel_id, target_id FROM subscriptions").fetchall() == [
        ("discord", "@777", "ttp")]
    listed = await runner.run(READER, "tracking", {"scope": "personal"})
    assert listed.ephemeral and "Tehrik-e-Taliban Pakistan" in listed.sections[0].text
    assert "nothing yet" in (await runner.run(READER, "tracking", {})).sections[0].text  # the channel's own
    gone = await runner.run(READER, "untrack", {"target": "ttp", "scope": "personal"})
    assert not gone.error and not list(db.query("SELECT * FROM subscriptions"))
    assert (await runner.run(READER, "untrack", {"target": "ttp", "scope": "personal"})).error


async def test_discord_personal_track_needs_no_rights_and_alerts_arrive_by_dm(db, store):
    runner, ids = store
    async with discord_on_fake(runner) as (fake, adapter):
        interaction = await fake.send_interaction("track", {"target": "ttp", "scope": "personal"},
                                                  permissions=SEND_MESSAGES)
        callback = await fake.wait_for_request(
            "POST", f"/interactions/{interaction['id']}/{interaction['token']}/callback")
        assert callback.json["data"]["flags"] == 64
        assert callback.json["data"]["embeds"][0]["title"] == "You now track Tehrik-e-Taliban Pakistan"
        with db.conn:
            enqueue_alerts(db, [ids["attack"], ids["kabul"]], rules=(), limits=AlertLimits(), now=NOW)
        worker = DeliveryWorker(db, {"discord": adapter}, now=lambda: NOW, channel_spacing=0)
        assert await worker.deliver_due() == 1
    opened = [r for r in fake.requests if r.method == "POST" and r.path == "/users/@me/channels"]
    assert [r.json for r in opened] == [{"recipient_id": fake.user_id}]
    dm = fake.direct_messages[str(fake.user_id)]
    [message] = [m for m in fake.messages.values() if m["channel_id"] == str(dm)]
    assert message["embeds"][0]["title"].startswith("TTP fighters attack")
    assert message["components"]  # the buttons come along


async def test_slack_personal_track_by_a_member_alerts_by_dm(db, store, monkeypatch):
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(name, raising=False)
    runner, ids = store
    fake = FakeSlack(users={MEMBER: {"is_admin": False}})
    await fake.start()
    adapter = SlackAdapter(http_settings(fake), runner)
    await adapter.start()
    try:
        assert (await post_command(adapter, fake, "track ttp personal", user=MEMBER, name="p"))[0] == 200
        answer = await response_for(fake, "p")
        assert answer["response_type"] == "ephemeral" and answer["text"] == "You now track Tehrik-e-Taliban Pakistan"
        assert not fake.calls_to("users.info")  # no rights were checked
        with db.conn:
            enqueue_alerts(db, [ids["attack"]], rules=(), limits=AlertLimits(), now=NOW)
        worker = DeliveryWorker(db, {"slack": adapter}, now=lambda: NOW, channel_spacing=0)
        assert await worker.deliver_due() == 1
    finally:
        await adapter.stop()
        await fake.stop()
    [opened] = fake.calls_to("conversations.open")
    assert opened.args["users"] == MEMBER
    [posted] = fake.calls_to("chat.postMessage")
    assert posted.args["channel"] == f"D{MEMBER}" and CHANNEL not in str(posted.args["channel"])


async def test_slack_app_home_lists_what_the_user_and_the_channels_track(db, store, monkeypatch):
    import json
    import time

    import aiohttp

    from tests.test_slack import sign

    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(name, raising=False)
    runner, _ = store
    slack_member = CommandContext(platform="slack", channel_id=CHANNEL, user_id=MEMBER, can_manage=True)
    await runner.run(slack_member, "track", {"target": "iskp", "scope": "personal"})
    await runner.run(slack_member, "track", {"target": "ttp"})
    fake = FakeSlack()
    await fake.start()
    adapter = SlackAdapter(http_settings(fake), runner)
    await adapter.start()
    try:
        body = json.dumps({"token": "legacy", "team_id": "T0FAKE", "api_app_id": "A0FAKE", "type": "event_callback",
                           "event_id": "Ev1", "event_time": 1700000000,
                           "event": {"type": "app_home_opened", "user": MEMBER, "channel": "D0HOME", "tab": "home"}})
        timestamp = str(int(time.time()))
        headers = {"Content-Type": "application/json", "X-Slack-Request-Timestamp": timestamp,
                   "X-Slack-Signature": sign(body, timestamp)}
        async with aiohttp.ClientSession() as session:
            async with session.post(f"http://127.0.0.1:{adapter.bound_port}/slack/events", data=body,
                                    headers=headers) as response:
                assert response.status == 200
        view = await fake.wait_for(lambda: fake.home_views.get(MEMBER))
    finally:
        await adapter.stop()
        await fake.stop()
    text = json.dumps(view["blocks"])
    assert "You track (alerts by direct message)" in text and "Islamic State Khorasan Province" in text
    assert f"Channel {CHANNEL}" in text and "Tehrik-e-Taliban Pakistan" in text


async def test_discord_track_in_watchdesk_menu_on_an_alert_tracks_for_the_user(db, store):
    from tests.alert_store import the_alert

    runner, ids = store
    async with discord_on_fake(runner) as (fake, adapter):
        sent = await adapter.send(str(fake.channel_id), the_alert(db, ids["attack"]))
        interaction = await fake.message_menu(fake.messages[int(sent)], "Track in watchdesk…")
        offered = await fake.wait_for_request(
            "POST", f"/interactions/{interaction['id']}/{interaction['token']}/callback")
        assert offered.json["data"]["flags"] == 64
        [[menu]] = [row["components"] for row in offered.json["data"]["components"]]
        assert menu["custom_id"] == f"watchdesk:pick:follow:{ids['attack']}"
        original = fake.interactions[interaction["token"]]["original"]
        pick = await fake.click(original, menu["custom_id"], values=["entity:ttp"])
        done = await fake.wait_for_request("POST", f"/interactions/{pick['id']}/{pick['token']}/callback")
    assert done.json["data"]["flags"] == 64
    assert done.json["data"]["embeds"][0]["title"] == "You now track Tehrik-e-Taliban Pakistan"
    assert db.execute("SELECT channel_id, target_id FROM subscriptions").fetchall() == [(f"@{fake.user_id}", "ttp")]


async def test_on_a_personal_alert_by_dm_track_and_mute_need_no_rights_and_act_on_the_watchlist(db, store):
    from tests.test_discord_actions import answer_to, button

    runner, ids = store
    async with discord_on_fake(runner) as (fake, adapter):
        await answer_to(fake, await fake.send_interaction("track", {"target": "ttp", "scope": "personal"},
                                                          permissions=SEND_MESSAGES))
        with db.conn:
            enqueue_alerts(db, [ids["attack"]], rules=(), limits=AlertLimits(), now=NOW)
        assert await DeliveryWorker(db, {"discord": adapter}, now=lambda: NOW, channel_spacing=0).deliver_due() == 1
        dm = str(fake.direct_messages[str(fake.user_id)])
        [alert] = [m for m in fake.messages.values() if m["channel_id"] == dm]
        personal = f"@{fake.user_id}"

        offered = await answer_to(fake, await fake.click(alert, button(alert, "Mute"), dm=True))
        assert offered.json["data"]["flags"] == 64 and "Manage Server" not in str(offered.json)
        [[menu]] = [row["components"] for row in offered.json["data"]["components"]]
        menu_message = fake.interactions[offered.path.split("/")[3]]["original"]
        done = await answer_to(fake, await fake.click(menu_message, menu["custom_id"], dm=True,
                                                      values=[menu["options"][0]["value"]]))
        assert done.json["data"]["embeds"][0]["title"].startswith("Muted this story in your personal alerts")
        assert db.execute("SELECT platform, channel_id, target_type FROM mutes").fetchall() == [
            ("discord", personal, "story")]

        offered = await answer_to(fake, await fake.click(alert, button(alert, "Track"), dm=True))
        [[menu]] = [row["components"] for row in offered.json["data"]["components"]]
        value = next(o["value"] for o in menu["options"] if o["value"] != "entity:ttp")
        menu_message = fake.interactions[offered.path.split("/")[3]]["original"]
        done = await answer_to(fake, await fake.click(menu_message, menu["custom_id"], dm=True, values=[value]))
        assert done.json["data"]["embeds"][0]["title"].startswith("You now track")
        assert ("discord", personal, value.partition(":")[2]) in db.execute(
            "SELECT platform, channel_id, target_id FROM subscriptions").fetchall()

        # the muted story no longer reaches the watchlist: a second report of it alerts nobody
        with db.conn:
            db.execute("DELETE FROM outbox")
            queued = enqueue_alerts(db, [ids["attack"]], rules=(), limits=AlertLimits(), now=NOW)
        assert queued == 0
