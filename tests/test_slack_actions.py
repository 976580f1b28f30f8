"""An alert's buttons on Slack: real slack_bolt, block_actions signed over HTTP and over Socket Mode."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import aiohttp
import pytest

from bot.config import SlackSettings
from bot.platforms.slack_bot import SlackAdapter
from tests.alert_store import build, the_alert
from tests.fakes.slack_fake import APP_TOKEN, BOT_TOKEN, FakeSlack, block_actions, message_error
from tests.test_slack import ADMIN, CHANNEL, MEMBER, http_settings, sign


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def store(db, matcher):
    return build(db, matcher)


@pytest.fixture
async def fake():
    slack = FakeSlack(users={ADMIN: {"is_admin": True}, MEMBER: {"is_admin": False, "is_owner": False}})
    await slack.start()
    yield slack
    await slack.stop()


@pytest.fixture
async def adapter(fake, store):
    slack = SlackAdapter(http_settings(fake), store[0])
    await slack.start()
    yield slack
    await slack.stop()


async def post_alert(fake, adapter, db, item_id: str) -> tuple[str, list]:
    ts = await adapter.send(CHANNEL, the_alert(db, item_id), idempotency_key=f"alert:{item_id}")
    return ts, fake.messages[(CHANNEL, ts)]["blocks"]


async def click(adapter, payload: dict) -> int:
    """POST a block_actions payload to the app as Slack does: form-encoded `payload`, signed."""
    body = urlencode({"payload": json.dumps(payload)})
    timestamp = str(int(time.time()))
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": timestamp,
               "X-Slack-Signature": sign(body, timestamp)}
    async with aiohttp.ClientSession() as session:
        async with session.post(f"http://127.0.0.1:{adapter.bound_port}/slack/events", data=body,
                                headers=headers) as response:
            return response.status


async def response_for(fake: FakeSlack, name: str) -> dict:
    return await fake.wait_for(lambda: next((item for item in fake.responses if item["name"] == name), None))


def button(blocks: list, word: str) -> str:
    [actions] = [block for block in blocks if block["type"] == "actions"]
    return next(element["action_id"] for element in actions["elements"] if word in element["text"]["text"])


async def test_the_buttons_are_an_actions_block_on_the_alert(fake, adapter, db, store):
    _, ids = store
    _, blocks = await post_alert(fake, adapter, db, ids["attack"])
    [actions] = [block for block in blocks if block["type"] == "actions"]
    assert blocks[-1] is actions
    assert [(element["type"], element["text"]["text"], element["action_id"]) for element in actions["elements"]] == [
        ("button", "Why", f"watchdesk:why:{ids['attack']}"), ("button", "Track", f"watchdesk:track:{ids['attack']}"),
        ("button", "Mute 24h", f"watchdesk:mute:{ids['attack']}"),
        ("button", "Not Relevant", f"watchdesk:irrelevant:{ids['attack']}")]


async def test_signed_why_click_is_acked_and_answered_ephemerally(fake, adapter, db, store):
    _, ids = store
    ts, blocks = await post_alert(fake, adapter, db, ids["kabul"])
    payload = block_actions(blocks, button(blocks, "Why"), channel=CHANNEL, user=MEMBER,
                            response_url=fake.response_url("why"), message_ts=ts)
    assert await click(adapter, payload) == 200
    response = await response_for(fake, "why")
    assert response["response_type"] == "ephemeral" and response["replace_original"] is False
    assert "Islamic State Khorasan Province" in json.dumps(response["blocks"])
    assert "Tehrik" not in json.dumps(response["blocks"])


async def test_an_unsigned_click_is_refused(fake, adapter, db, store):
    _, ids = store
    ts, blocks = await post_alert(fake, adapter, db, ids["kabul"])
    payload = block_actions(blocks, button(blocks, "Relevant"), channel=CHANNEL, user=MEMBER,
                            response_url=fake.response_url("x"), message_ts=ts)
    body = urlencode({"payload": json.dumps(payload)})
    async with aiohttp.ClientSession() as session:
        async with session.post(f"http://127.0.0.1:{adapter.bound_port}/slack/events", data=body, headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=0"}) as response:
            assert response.status == 401
    assert db.execute("SELECT COUNT(*) FROM feedback").fetchone()[0] == 0


async def test_not_relevant_records_feedback_and_its_menu_narrows_it(fake, adapter, db, store):
    _, ids = store
    ts, blocks = await post_alert(fake, adapter, db, ids["attack"])
    payload = block_actions(blocks, button(blocks, "Relevant"), channel=CHANNEL, user=MEMBER,
                            response_url=fake.response_url("nr"), message_ts=ts)
    assert await click(adapter, payload) == 200
    response = await response_for(fake, "nr")
    assert response["response_type"] == "ephemeral"
    story = db.execute("SELECT story_id FROM items WHERE id = ?", [ids["attack"]]).fetchone()[0]
    assert db.execute("SELECT item_id, story_id, platform, channel_id, user_id FROM feedback").fetchall() == [
        (ids["attack"], story, "slack", CHANNEL, MEMBER)]
    menu_id = f"watchdesk:pick:irrelevant:{ids['attack']}"
    pick = block_actions(response["blocks"], menu_id, channel=CHANNEL, user=MEMBER, selected="entity:bannu",
                         response_url=fake.response_url("nr2"))
    assert await click(adapter, pick) == 200
    assert (await response_for(fake, "nr2"))["response_type"] == "ephemeral"
    assert db.execute("SELECT target_type, target_id FROM feedback").fetchall() == [("entity", "bannu")]


async def test_track_refuses_a_member_and_lets_an_admin_pick(fake, adapter, db, store):
    _, ids = store
    ts, blocks = await post_alert(fake, adapter, db, ids["attack"])
    refused = block_actions(blocks, button(blocks, "Track"), channel=CHANNEL, user=MEMBER,
                            response_url=fake.response_url("no"), message_ts=ts)
    assert await click(adapter, refused) == 200
    answer = await response_for(fake, "no")
    assert answer["response_type"] == "ephemeral"
    assert "Only workspace admins and owners can use the Track button" in json.dumps(answer["blocks"])
    offered = block_actions(blocks, button(blocks, "Track"), channel=CHANNEL, user=ADMIN,
                            response_url=fake.response_url("menu"), message_ts=ts)
    assert await click(adapter, offered) == 200
    menu = await response_for(fake, "menu")
    pick = block_actions(menu["blocks"], f"watchdesk:pick:track:{ids['attack']}", channel=CHANNEL, user=ADMIN,
                         selected="theme:militant-attacks", response_url=fake.response_url("done"))
    assert await click(adapter, pick) == 200
    assert "now tracks" in (await response_for(fake, "done"))["text"]
    assert db.execute("SELECT platform, channel_id, target_type, target_id FROM subscriptions").fetchall() == [
        ("slack", CHANNEL, "theme", "militant-attacks")]


async def test_a_click_over_socket_mode_is_acked_and_answered(fake, db, store):
    runner, ids = store
    settings = SlackSettings(bot_token=BOT_TOKEN, app_token=APP_TOKEN, mode="socket", api_base=fake.api_base)
    slack = SlackAdapter(settings, runner)
    await slack.start()
    try:
        ts, blocks = await post_alert(fake, slack, db, ids["attack"])
        payload = block_actions(blocks, button(blocks, "Why"), channel=CHANNEL, user=MEMBER,
                                response_url=fake.response_url("socket"), message_ts=ts)
        envelope_id = await fake.push_interactive(payload)
        ack = await fake.wait_for(lambda: next((item for item in fake.acks
                                                if item.get("envelope_id") == envelope_id), None))
        response = await response_for(fake, "socket")
    finally:
        await slack.stop()
    assert ack == {"envelope_id": envelope_id}
    assert response["response_type"] == "ephemeral"
    assert "Tehrik-e-Taliban Pakistan" in json.dumps(response["blocks"])


def test_the_fake_refuses_actions_slack_refuses():
    def buttons(count: int, action_id: str = "a") -> dict:
        return {"type": "actions", "elements": [{"type": "button", "action_id": f"{action_id}{n}",
                                                 "text": {"type": "plain_text", "text": "b"}} for n in range(count)]}

    assert message_error({"blocks": [buttons(25)]}) is None
    assert message_error({"blocks": [buttons(26)]}) == "invalid_blocks"
    assert message_error({"blocks": [buttons(1, "x" * 255)]}) == "invalid_blocks"
    select = {"type": "static_select", "action_id": "menu",
              "options": [{"text": {"type": "plain_text", "text": str(n)}, "value": str(n)} for n in range(101)]}
    assert message_error({"blocks": [{"type": "actions", "elements": [select]}]}) == "invalid_blocks"
    select["options"] = select["options"][:100]
    assert message_error({"blocks": [{"type": "actions", "elements": [select]}]}) is None


async def test_in_a_dm_a_member_tracks_and_mutes_for_their_own_watchlist(fake, adapter, db, store):
    _, ids = store
    ts = await adapter.send(f"@{MEMBER}", the_alert(db, ids["attack"]), idempotency_key=f"alert:{ids['attack']}:dm")
    [im] = [channel for channel, at in fake.messages if at == ts]
    assert im.startswith("D")  # a personal alert goes by direct message
    blocks = fake.messages[(im, ts)]["blocks"]
    offered = block_actions(blocks, button(blocks, "Track"), channel=im, user=MEMBER,
                            response_url=fake.response_url("menu"), message_ts=ts)
    assert await click(adapter, offered) == 200
    menu = await response_for(fake, "menu")
    assert "Only workspace admins" not in json.dumps(menu)
    pick = block_actions(menu["blocks"], f"watchdesk:pick:track:{ids['attack']}", channel=im, user=MEMBER,
                         selected="theme:militant-attacks", response_url=fake.response_url("done"))
    assert await click(adapter, pick) == 200
    assert (await response_for(fake, "done"))["text"].startswith("You now track")
    mute = block_actions(blocks, button(blocks, "Mute"), channel=im, user=MEMBER,
                         response_url=fake.response_url("mute"), message_ts=ts)
    assert await click(adapter, mute) == 200
    options = await response_for(fake, "mute")
    story = db.execute("SELECT story_id FROM items WHERE id = ?", [ids["attack"]]).fetchone()[0]
    pick = block_actions(options["blocks"], f"watchdesk:pick:mute:{ids['attack']}", channel=im, user=MEMBER,
                         selected=f"story:{story}", response_url=fake.response_url("muted"))
    assert await click(adapter, pick) == 200
    assert "in your personal alerts" in (await response_for(fake, "muted"))["text"]
    personal = f"@{MEMBER}"
    assert db.execute("SELECT platform, channel_id, target_type, target_id FROM subscriptions").fetchall() == [
        ("slack", personal, "theme", "militant-attacks")]
    assert db.execute("SELECT platform, channel_id, target_type FROM mutes").fetchall() == [
        ("slack", personal, "story")]
