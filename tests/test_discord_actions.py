"""An alert's buttons on Discord: the real discord.py client, persistent components, a real store."""

from __future__ import annotations

import asyncio

import pytest

from bot.config import DiscordSettings
from bot.platforms.discord_bot import DiscordAdapter
from tests.alert_store import build, the_alert
from tests.fakes.discord_fake import MANAGE_GUILD, SEND_MESSAGES, FakeDiscord, component_problems

EPHEMERAL = 64


@pytest.fixture
async def fake():
    async with FakeDiscord() as server:
        yield server


@pytest.fixture
def store(db, matcher):
    return build(db, matcher)


class SlowRunner:
    """The real runner, whose button answers wait until the test lets them go."""

    def __init__(self, runner):
        self.runner, self.gate = runner, asyncio.Event()

    async def act(self, *args):
        await self.gate.wait()
        return await self.runner.act(*args)


@pytest.fixture
async def connect(fake):
    started: list[DiscordAdapter] = []

    async def start(runner, **options) -> DiscordAdapter:
        settings = DiscordSettings(token=fake.token, guild_ids=(fake.guild_id,), api_base=fake.api_base,
                                   gateway_url=fake.gateway_url, manage_role=fake.manage_role_name)
        adapter = DiscordAdapter(settings, runner, guild_ready_timeout=0.05, **options)
        await adapter.start()
        started.append(adapter)
        return adapter

    yield start
    for adapter in started:
        await adapter.stop()


async def post_alert(fake, adapter, db, item_id: str) -> dict:
    message_id = await adapter.send(str(fake.channel_id), the_alert(db, item_id), idempotency_key=f"alert:{item_id}")
    return fake.messages[int(message_id)]


async def answer_to(fake: FakeDiscord, interaction: dict):
    path = f"/interactions/{interaction['id']}/{interaction['token']}/callback"
    return await fake.wait_for_request("POST", path)


def button(message: dict, word: str) -> str:
    [row] = message["components"]
    return next(item["custom_id"] for item in row["components"] if word in item["label"])


async def test_the_buttons_sit_on_the_alert_itself_in_one_action_row(fake, connect, db, store):
    runner, ids = store
    adapter = await connect(runner)
    message = await post_alert(fake, adapter, db, ids["attack"])
    [row] = message["components"]
    assert row["type"] == 1
    assert [(item["type"], item["label"], item["custom_id"]) for item in row["components"]] == [
        (2, "Why", f"watchdesk:why:{ids['attack']}"), (2, "Track", f"watchdesk:track:{ids['attack']}"),
        (2, "Mute 24h", f"watchdesk:mute:{ids['attack']}"),
        (2, "Not Relevant", f"watchdesk:irrelevant:{ids['attack']}")]
    assert not component_problems(message["components"])


async def test_why_answers_only_the_clicker_and_names_the_alerts_entities(fake, connect, db, store):
    runner, ids = store
    adapter = await connect(runner)
    message = await post_alert(fake, adapter, db, ids["kabul"])
    callback = await answer_to(fake, await fake.click(message, button(message, "Why")))
    assert callback.json["type"] == 4 and callback.json["data"]["flags"] == EPHEMERAL
    text = str(callback.json["data"]["embeds"])
    assert "Islamic State Khorasan Province" in text and "Tehrik" not in text


async def test_not_relevant_writes_feedback_and_answers_privately(fake, connect, db, store):
    runner, ids = store
    adapter = await connect(runner)
    message = await post_alert(fake, adapter, db, ids["attack"])
    callback = await answer_to(fake, await fake.click(message, button(message, "Relevant")))
    assert callback.json["data"]["flags"] == EPHEMERAL
    assert callback.json["data"]["embeds"][0]["title"] == "Noted: not relevant"
    story = db.execute("SELECT story_id FROM items WHERE id = ?", [ids["attack"]]).fetchone()[0]
    rows = db.execute("SELECT item_id, story_id, platform, channel_id, user_id FROM feedback").fetchall()
    assert rows == [(ids["attack"], story, "discord", str(fake.channel_id), str(fake.user_id))]
    [menu_row] = callback.json["data"]["components"]
    [menu] = menu_row["components"]
    assert menu["type"] == 3 and menu["custom_id"] == f"watchdesk:pick:irrelevant:{ids['attack']}"
    pick = await fake.click(fake.interactions[callback.path.split("/")[3]]["original"], menu["custom_id"],
                            values=["entity:ttp"])
    narrowed = await answer_to(fake, pick)
    assert narrowed.json["data"]["flags"] == EPHEMERAL
    assert db.execute("SELECT target_type, target_id FROM feedback").fetchall() == [("entity", "ttp")]


async def test_track_is_refused_without_the_right_then_offered_and_done(fake, connect, db, store):
    runner, ids = store
    adapter = await connect(runner)
    message = await post_alert(fake, adapter, db, ids["attack"])
    refused = await answer_to(fake, await fake.click(message, button(message, "Track"), permissions=SEND_MESSAGES))
    assert refused.json["data"]["flags"] == EPHEMERAL
    assert "Manage Server" in refused.json["data"]["embeds"][0]["description"]
    offered = await answer_to(fake, await fake.click(message, button(message, "Track"),
                                                     permissions=MANAGE_GUILD | SEND_MESSAGES))
    assert offered.json["data"]["flags"] == EPHEMERAL
    [[menu]] = [row["components"] for row in offered.json["data"]["components"]]
    assert ("Tehrik-e-Taliban Pakistan", "entity:ttp") in [(o["label"], o["value"]) for o in menu["options"]]
    menu_message = fake.interactions[offered.path.split("/")[3]]["original"]
    done = await answer_to(fake, await fake.click(menu_message, menu["custom_id"], values=["entity:ttp"],
                                                  roles=(fake.manage_role_id,)))
    assert done.json["data"]["flags"] == EPHEMERAL
    assert "now tracks" in done.json["data"]["embeds"][0]["title"]
    assert db.execute("SELECT platform, channel_id, target_id FROM subscriptions").fetchall() == [
        ("discord", str(fake.channel_id), "ttp")]


async def test_mute_with_the_role_mutes_the_story_here(fake, connect, db, store):
    runner, ids = store
    adapter = await connect(runner)
    message = await post_alert(fake, adapter, db, ids["attack"])
    offered = await answer_to(fake, await fake.click(message, button(message, "Mute"),
                                                     roles=(fake.manage_role_id,)))
    [[menu]] = [row["components"] for row in offered.json["data"]["components"]]
    assert menu["options"][0]["label"] == "This story"
    menu_message = fake.interactions[offered.path.split("/")[3]]["original"]
    done = await answer_to(fake, await fake.click(menu_message, menu["custom_id"],
                                                  values=[menu["options"][0]["value"]],
                                                  roles=(fake.manage_role_id,)))
    assert "Muted this story" in done.json["data"]["embeds"][0]["title"]
    assert db.execute("SELECT target_type FROM mutes WHERE channel_id = ?", [str(fake.channel_id)]).fetchall() \
        == [("story",)]


async def test_a_slow_answer_is_deferred_privately_first(fake, connect, db, store):
    runner, ids = store
    slow = SlowRunner(runner)
    adapter = await connect(slow, defer_after=0.05)
    message = await post_alert(fake, adapter, db, ids["attack"])
    interaction = await fake.click(message, button(message, "Why"))
    deferred = await answer_to(fake, interaction)
    assert deferred.json == {"type": 5, "data": {"flags": EPHEMERAL}}  # an ephemeral "thinking…"
    assert not slow.gate.is_set()  # the deferral came while the answer was still being worked out
    slow.gate.set()
    followup = await fake.wait_for_request("POST", f"/webhooks/{fake.application_id}/{interaction['token']}")
    assert followup.json["flags"] == EPHEMERAL
    assert "Tehrik-e-Taliban Pakistan" in str(followup.json["embeds"])
    assert not [r for r in fake.requests if r.method == "DELETE"]


async def test_a_click_on_an_alert_from_before_a_restart_is_answered(fake, connect, db, store):
    runner, ids = store
    first = await connect(runner)
    message = await post_alert(fake, first, db, ids["kabul"])
    await first.stop()
    await connect(runner)  # a new process: a new client that never saw the message
    callback = await answer_to(fake, await fake.click(message, button(message, "Why")))
    assert callback.json["data"]["flags"] == EPHEMERAL
    assert "Islamic State Khorasan Province" in str(callback.json["data"]["embeds"])


def _row(count: int, custom_id: str = "x") -> dict:
    return {"type": 1, "components": [{"type": 2, "style": 2, "label": "b", "custom_id": f"{custom_id}{n}"}
                                      for n in range(count)]}


def test_the_fake_refuses_components_discord_refuses():
    assert component_problems([_row(5, f"r{n}-") for n in range(5)]) == {}
    assert "components" in component_problems([_row(1, f"r{n}-") for n in range(6)])
    assert "components.0.components" in component_problems([_row(6)])
    assert "components.0.components.0.custom_id" in component_problems([_row(1, "x" * 100)])
    select = {"type": 3, "custom_id": "menu", "options": [{"label": str(n), "value": str(n)} for n in range(26)]}
    assert "components.0.components.0.options" in component_problems([{"type": 1, "components": [select]}])
    select["options"] = select["options"][:25]
    assert component_problems([{"type": 1, "components": [select]}]) == {}
    assert "components.0.components" in component_problems([{"type": 1, "components": [select, *_row(1)["components"]]}])


async def test_the_fake_answers_400_to_a_message_with_six_action_rows(fake):
    import aiohttp

    body = {"content": "x", "components": [_row(1, f"r{n}-") for n in range(6)]}
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{fake.api_base}/channels/{fake.channel_id}/messages", json=body,
                                headers={"Authorization": f"Bot {fake.token}"}) as response:
            assert response.status == 400
            assert "components" in (await response.json())["errors"]
