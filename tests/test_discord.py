"""The Discord adapter, end to end: the real discord.py client against a fake Discord on loopback."""

from __future__ import annotations

import asyncio
import logging

import discord
import pytest

from bot.config import DiscordSettings
from bot.errors import CommandError, DeliveryError, PermanentDeliveryError
from bot.models import CommandContext, Field, Reply, Section
from bot.platforms.base import SUBCOMMANDS
from bot.platforms.discord_bot import DiscordAdapter
from bot.platforms.discord_render import clip, plain, render_messages, render_reply
from tests.fakes.discord_fake import SEND_MESSAGES, FakeDiscord, message_problems

NO_PINGS = {"parse": []}
RED = 0xE74C3C
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class RecordingRunner:
    """A CommandRunner that records calls and answers with fixed replies."""

    def __init__(self) -> None:
        self.calls: list[tuple[CommandContext, str, dict]] = []
        self.completions: list[tuple[CommandContext, str, str]] = []
        self.choices: list[tuple[str, str]] = []
        self.reply: Reply | None = None
        self.gate: asyncio.Event | None = None  # when set, run() waits for it (a slow command)
        self.failure: Exception | None = None

    async def run(self, ctx: CommandContext, name: str, args: dict[str, str]) -> Reply:
        """Record the call; wait for the gate if any; answer or raise."""
        self.calls.append((ctx, name, args))
        if self.gate is not None:
            await self.gate.wait()
        if self.failure is not None:
            raise self.failure
        return self.reply or Reply(title=f"{name} result", text="Plain *text* @everyone",
                                   url="https://example.org/result")

    async def complete(self, ctx: CommandContext, argument: str, prefix: str) -> list[tuple[str, str]]:
        """Record the call and return the configured choices."""
        self.completions.append((ctx, argument, prefix))
        return list(self.choices)


@pytest.fixture
async def fake():
    async with FakeDiscord() as server:
        yield server


@pytest.fixture
def runner():
    return RecordingRunner()


@pytest.fixture
async def connect(fake, runner):
    """Start adapters against the fake; stop them at the end of the test."""
    started: list[DiscordAdapter] = []

    async def start(*, token: str = fake.token, guild_ids: tuple[int, ...] = (fake.guild_id,),
                    **options) -> DiscordAdapter:
        settings = DiscordSettings(token=token, guild_ids=guild_ids, api_base=fake.api_base,
                                   gateway_url=fake.gateway_url, manage_role=fake.manage_role_name)
        adapter = DiscordAdapter(settings, runner, guild_ready_timeout=0.05, **options)
        await adapter.start()
        started.append(adapter)
        return adapter

    yield start
    for adapter in started:
        await adapter.stop()


@pytest.fixture
async def adapter(connect):
    return await connect()


async def callback_of(fake: FakeDiscord, interaction: dict):
    """Wait for the interaction's callback request."""
    path = f"/interactions/{interaction['id']}/{interaction['token']}/callback"
    return await fake.wait_for_request("POST", path)


def embed(title: str, description: str | None = None, url: str | None = None, **extra) -> dict:
    """An embed as discord.py serialises it."""
    body = {"flags": 0, "type": "rich", "title": title, **extra}
    if description is not None:
        body["description"] = description
    if url is not None:
        body["url"] = url
    return body


def default_embed(name: str) -> dict:
    return embed(f"{name} result", "Plain \\*text\\* @\u200beveryone", "https://example.org/result")


# ---------------------------------------------------------------- start and commands


async def test_start_registers_watch_per_guild_with_guild_intent_only(fake, adapter):
    path = f"/applications/{fake.application_id}/guilds/{fake.guild_id}/commands"
    registered = await fake.wait_for_request("PUT", path)
    watch, menu = registered.json  # /watch, and the message context menu "Track in watchdesk…"
    assert watch["name"] == "watch"
    assert (menu["name"], menu["type"]) == ("Track in watchdesk…", 3)
    assert [option["name"] for option in watch["options"]] == list(SUBCOMMANDS)
    for option in watch["options"]:
        assert option["type"] == 1
        assert tuple(argument["name"] for argument in option["options"]) == SUBCOMMANDS[option["name"]]
        completed = [argument["name"] for argument in option["options"] if argument.get("autocomplete")]
        assert completed == [name for name in SUBCOMMANDS[option["name"]] if name in ("entity", "target")]
    identify = await fake.wait_for_gateway(2)
    assert identify["d"]["intents"] == discord.Intents(guilds=True).value == 1
    assert adapter.client.is_ready()


async def test_without_guild_ids_watch_is_registered_globally(fake, runner, connect):
    await connect(guild_ids=())
    registered = await fake.wait_for_request("PUT", f"/applications/{fake.application_id}/commands")
    assert [command["name"] for command in registered.json] == ["watch", "Track in watchdesk…"]
    assert not [r for r in fake.requests if "/guilds/" in r.path]
    interaction = await fake.send_interaction("lookup", {"entity": "ISKP"})
    assert "guild_id" not in interaction["data"]
    assert (await callback_of(fake, interaction)).json["data"]["embeds"] == [default_embed("lookup")]


async def test_start_with_a_bad_token_fails_permanently(fake, connect):
    with pytest.raises(PermanentDeliveryError, match="token"):
        await connect(token="not-the-token")
    assert not fake.gateway_received


CASES = [
    ("lookup", {"entity": "TTP"}, {"entity": "TTP"}),
    ("search", {"query": "spin boldak", "since": "7d"}, {"query": "spin boldak", "since": "7d"}),
    ("search", {"query": "torkham"}, {"query": "torkham"}),
    ("digest", {"period": "week"}, {"period": "week"}),
    ("digest", {}, {}),
    ("track", {"target": "ttp"}, {"target": "ttp"}),
    ("untrack", {"target": "theme:border"}, {"target": "theme:border"}),
    ("tracking", {}, {}),
    ("feeds", {}, {}),
    ("why", {"item": "a1b2c3d4"}, {"item": "a1b2c3d4"}),
    ("status", {}, {}),
    ("trend", {"entity": "TTP", "days": 30}, {"entity": "TTP", "days": "30"}),
    ("trend", {"entity": "TTP"}, {"entity": "TTP"}),
]


@pytest.mark.parametrize("name, options, expected_args", CASES)
async def test_each_subcommand_reaches_the_runner_and_answers(fake, runner, adapter, name, options,
                                                               expected_args):
    interaction = await fake.send_interaction(name, options)
    callback = await callback_of(fake, interaction)
    assert callback.query == {"with_response": "1"}
    assert callback.json == {"type": 4, "data": {"tts": False, "embeds": [default_embed(name)],
                                                 "content": None, "allowed_mentions": NO_PINGS}}
    ctx = CommandContext(platform="discord", channel_id=str(fake.channel_id), user_id=str(fake.user_id),
                         can_manage=True)
    assert runner.calls == [(ctx, name, expected_args)]


async def test_ephemeral_and_error_replies_carry_flag_64(fake, runner, adapter):
    runner.reply = Reply(title="Only you", text="see this", ephemeral=True)
    callback = await callback_of(fake, await fake.send_interaction("status"))
    assert callback.json == {"type": 4, "data": {"tts": False, "embeds": [embed("Only you", "see this")],
                                                 "content": None, "flags": 64,
                                                 "allowed_mentions": NO_PINGS}}
    runner.reply = Reply(title="Unknown entity", text="No entity called 'xyz'", error=True)
    callback = await callback_of(fake, await fake.send_interaction("lookup", {"entity": "xyz"}))
    assert callback.json["data"]["flags"] == 64
    assert callback.json["data"]["embeds"] == [embed("Unknown entity", "No entity called 'xyz'", color=RED)]


async def test_interaction_reply_attaches_the_file(fake, runner, adapter, tmp_path):
    chart = tmp_path / "trend.png"
    chart.write_bytes(PNG)
    runner.reply = Reply(title="TTP, 30 days", file=chart)
    callback = await callback_of(fake, await fake.send_interaction("trend", {"entity": "TTP", "days": 30}))
    [attached] = callback.files
    assert (attached["filename"], attached["data"]) == ("trend.png", PNG)
    assert callback.json["data"]["attachments"] == [{"id": 0, "filename": "trend.png"}]
    assert callback.json["data"]["allowed_mentions"] == NO_PINGS


async def test_interaction_reply_pings_only_the_replys_roles(fake, runner, adapter):
    runner.reply = Reply(title="Alert", text="@here look", mentions=(str(fake.alert_role_id),))
    callback = await callback_of(fake, await fake.send_interaction("status"))
    assert callback.json["data"]["content"] == f"<@&{fake.alert_role_id}>"
    assert callback.json["data"]["allowed_mentions"] == {"parse": [], "roles": [fake.alert_role_id]}
    assert callback.json["data"]["embeds"] == [embed("Alert", "@\u200bhere look")]


async def test_autocomplete_returns_at_most_25_short_choices(fake, runner, adapter):
    runner.choices = [(f"Group {number} " + "x" * 120, f"group-{number}") for number in range(30)]
    interaction = await fake.send_interaction("track", {"target": "gro"}, focused="target")
    callback = await callback_of(fake, interaction)
    assert callback.json["type"] == 8
    choices = callback.json["data"]["choices"]
    assert [choice["value"] for choice in choices] == [f"group-{number}" for number in range(25)]
    assert all(len(choice["name"]) <= 100 and choice["name"].endswith("…") for choice in choices)
    [(ctx, argument, prefix)] = runner.completions
    assert (ctx.channel_id, argument, prefix) == (str(fake.channel_id), "target", "gro")
    assert runner.calls == []

    runner.choices = [("Tehrik-i-Taliban Pakistan", "ttp")]
    interaction = await fake.send_interaction("lookup", {"entity": "teh"}, focused="entity")
    callback = await callback_of(fake, interaction)
    choice = {"name": "Tehrik-i-Taliban Pakistan", "value": "ttp"}
    assert callback.json == {"type": 8, "data": {"choices": [choice]}}
    assert runner.completions[-1][1:] == ("entity", "teh")


async def test_slow_command_is_deferred_then_followed_up(fake, runner, connect):
    await connect(defer_after=0.2)
    runner.gate = asyncio.Event()
    interaction = await fake.send_interaction("search", {"query": "quetta"})
    deferred = await callback_of(fake, interaction)
    assert deferred.json == {"type": 5}
    assert runner.calls[0][1:] == ("search", {"query": "quetta"})
    runner.gate.set()
    path = f"/webhooks/{fake.application_id}/{interaction['token']}"
    followup = await fake.wait_for_request("POST", path)
    assert followup.json == {"tts": False, "embeds": [default_embed("search")],
                             "allowed_mentions": NO_PINGS}


async def test_slow_private_reply_replaces_the_public_thinking_message(fake, runner, connect):
    await connect(defer_after=0.2)
    runner.gate = asyncio.Event()
    runner.reply = Reply(title="No results", text="Nothing matched", error=True)
    interaction = await fake.send_interaction("search", {"query": "nothing"})
    assert (await callback_of(fake, interaction)).json == {"type": 5}
    runner.gate.set()
    token_path = f"/webhooks/{fake.application_id}/{interaction['token']}"
    deleted = await fake.wait_for_request("DELETE", token_path + "/messages/@original")
    followup = await fake.wait_for_request("POST", token_path, after=fake.requests.index(deleted))
    assert followup.json["flags"] == 64
    assert followup.json["embeds"] == [embed("No results", "Nothing matched", color=RED)]


async def test_track_without_manage_server_is_refused_privately(fake, runner, adapter):
    interaction = await fake.send_interaction("track", {"target": "ttp"}, permissions=SEND_MESSAGES)
    callback = await callback_of(fake, interaction)
    text = "/watch track needs the Manage Server permission or the Desk Editors role."
    refusal = embed("Not allowed", text, color=RED)
    assert callback.json == {"type": 4, "data": {"tts": False, "embeds": [refusal], "content": None,
                                                 "flags": 64, "allowed_mentions": NO_PINGS}}
    assert runner.calls == []


async def test_manage_role_may_track_and_others_run_read_commands(fake, runner, adapter):
    interaction = await fake.send_interaction("untrack", {"target": "ttp"}, permissions=SEND_MESSAGES,
                                              roles=(fake.manage_role_id,))
    assert (await callback_of(fake, interaction)).json["type"] == 4
    interaction = await fake.send_interaction("tracking", permissions=SEND_MESSAGES)
    assert (await callback_of(fake, interaction)).json["data"]["embeds"] == [default_embed("tracking")]
    calls = [(ctx.can_manage, name) for ctx, name, _ in runner.calls]
    assert calls == [(True, "untrack"), (False, "tracking")]


async def test_command_failure_is_logged_once_and_the_user_told(fake, runner, adapter, caplog):
    runner.failure = RuntimeError("database is locked")
    with caplog.at_level(logging.ERROR, logger="bot.platforms.discord_bot"):
        callback = await callback_of(fake, await fake.send_interaction("feeds"))
    assert callback.json["data"]["flags"] == 64
    assert callback.json["data"]["embeds"][0]["title"] == "Something went wrong"
    [record] = [r for r in caplog.records if r.name == "bot.platforms.discord_bot"]
    assert record.levelno == logging.ERROR and "database is locked" in str(record.exc_info[1])

    runner.failure = CommandError("No feed called 'dawn'")
    callback = await callback_of(fake, await fake.send_interaction("feeds"))
    assert callback.json["data"]["embeds"] == [embed("Cannot do that", "No feed called 'dawn'",
                                                     color=RED)]


async def test_gateway_drop_resumes_and_still_answers(fake, runner, adapter):
    last_sequence = fake.sequence
    await fake.drop_connection()
    await fake.wait_for(lambda: fake.resumes)
    resume = await fake.wait_for_gateway(6)
    assert resume["d"] == {"seq": last_sequence, "session_id": fake.session_id, "token": fake.token}
    assert [message["op"] for message in fake.gateway_received].count(2) == 1  # no second IDENTIFY
    callback = await callback_of(fake, await fake.send_interaction("status"))
    assert callback.json["data"]["embeds"] == [default_embed("status")]


# ---------------------------------------------------------------- outbox delivery


def channel_posts(fake: FakeDiscord, after: int = 0):
    path = f"/channels/{fake.channel_id}/messages"
    return [request for request in fake.requests[after:]
            if (request.method, request.path) == ("POST", path)]


def without_nonce(payload: dict) -> dict:
    assert payload.pop("nonce") and payload.pop("enforce_nonce") is True
    return payload


async def test_send_posts_one_message_without_pings(fake, adapter):
    reply = Reply(title="TTP claims attack", text="**Breaking** <@&1234567890123456789> _now_",
                  url="https://example.org/story", footer="Dawn · 2 outlets")
    message_id = await adapter.send(str(fake.channel_id), reply)
    [post] = channel_posts(fake)
    assert without_nonce(post.json) == {
        "embeds": [embed("TTP claims attack",
                         "\\*\\*Breaking\\*\\* \\<@&1234567890123456789> \\_now\\_",
                         "https://example.org/story", footer={"text": "Dawn · 2 outlets"})],
        "content": None, "components": [], "tts": False, "allowed_mentions": NO_PINGS}
    assert int(message_id) in fake.messages


async def test_send_splits_a_long_reply_within_limits_and_keeps_urls(fake, adapter):
    sentence = "Security forces reported an exchange of fire near the crossing at dawn. "
    fields = (Field("Source", "Dawn", inline=True), Field("Entities", "TTP, ISKP"))
    sections = tuple(Section(f"Story {number}", sentence * 12, f"https://example.org/story/{number}",
                             fields) for number in range(30))
    reply = Reply(title="Daily digest", text="Thirty stories", sections=sections, footer="watchdesk",
                  url="https://example.org/digest")
    message_id = await adapter.send(str(fake.channel_id), reply)
    posts = channel_posts(fake)
    assert len(posts) > 1
    for post in posts:
        assert message_problems(post.json, []) == {}
        assert len(post.json["embeds"]) <= 10 and post.json["allowed_mentions"] == NO_PINGS
    embeds = [item for post in posts for item in post.json["embeds"]]
    assert (embeds[0]["title"], embeds[0]["url"]) == ("Daily digest", "https://example.org/digest")
    assert [(item["title"], item["url"]) for item in embeds[1:]] == [
        (f"Story {number}", f"https://example.org/story/{number}") for number in range(30)]
    assert embeds[-1]["footer"] == {"text": "watchdesk"}
    first = next(message for message in fake.messages.values()
                 if message["embeds"][0]["title"] == "Daily digest")
    assert message_id == first["id"]


async def test_send_with_mentions_allows_only_that_role(fake, adapter):
    alert = Reply(title="Alert", text="@everyone border closed", mentions=("123",))
    await adapter.send(str(fake.channel_id), alert)
    [post] = channel_posts(fake)
    assert post.json["content"] == "<@&123>"
    assert post.json["allowed_mentions"] == {"parse": [], "roles": [123]}
    assert post.json["embeds"] == [embed("Alert", "@\u200beveryone border closed")]


async def test_send_to_unknown_or_forbidden_channel_is_permanent(fake, adapter):
    with pytest.raises(PermanentDeliveryError, match="Unknown Channel"):
        await adapter.send("1300000000000000000", Reply(title="lost"))
    fake.forbidden_channels.add(fake.channel_id)
    with pytest.raises(PermanentDeliveryError, match="Missing Access"):
        await adapter.send(str(fake.channel_id), Reply(title="hidden"))


async def test_rate_limit_and_server_error_are_retryable(fake, adapter):
    fake.fail_next(429, retry_after=45.0)
    with pytest.raises(DeliveryError) as caught:
        await adapter.send(str(fake.channel_id), Reply(title="later"))
    assert not isinstance(caught.value, PermanentDeliveryError) and caught.value.retry_after == 45.0
    fake.fail_next(503)
    with pytest.raises(DeliveryError) as caught:
        await adapter.send(str(fake.channel_id), Reply(title="later"))
    assert not isinstance(caught.value, PermanentDeliveryError) and caught.value.retry_after is None
    assert len(channel_posts(fake)) == 2


async def test_fake_rejects_over_limit_messages_like_discord(fake, adapter):
    channel = adapter.client.get_partial_messageable(fake.channel_id)
    with pytest.raises(discord.HTTPException) as caught:
        await channel.send("x" * 2001)
    assert (caught.value.status, caught.value.code) == (400, 50035)
    with pytest.raises(discord.HTTPException):
        await channel.send(embeds=[discord.Embed(description="y" * 4000) for _ in range(2)])


async def test_edit_patches_the_message(fake, adapter):
    message_id = await adapter.send(str(fake.channel_id), Reply(title="Digest (partial)"))
    await adapter.edit(str(fake.channel_id), message_id, Reply(title="Digest", text="complete"))
    patch = await fake.wait_for_request("PATCH", f"/channels/{fake.channel_id}/messages/{message_id}")
    assert patch.json == {"embeds": [embed("Digest", "complete")], "content": None, "tts": False,
                          "allowed_mentions": NO_PINGS}
    assert fake.messages[int(message_id)]["embeds"][0]["description"] == "complete"
    with pytest.raises(PermanentDeliveryError, match="Unknown Message"):
        await adapter.edit(str(fake.channel_id), "1300000000000000001", Reply(title="gone"))


async def test_file_is_sent_as_multipart_attachment(fake, adapter, tmp_path):
    chart = tmp_path / "trend.png"
    chart.write_bytes(PNG)
    await adapter.send(str(fake.channel_id), Reply(title="TTP, 14 days", file=chart))
    [post] = channel_posts(fake)
    assert post.headers["Content-Type"].startswith("multipart/form-data")
    [attached] = post.files
    assert (attached["field"], attached["filename"], attached["data"]) == ("files[0]", "trend.png", PNG)
    assert post.json["attachments"] == [{"id": 0, "filename": "trend.png"}]
    assert post.json["allowed_mentions"] == NO_PINGS


# ---------------------------------------------------------------- rendering


def test_clip_cuts_at_a_word_boundary():
    assert clip("short", 10) == "short"
    assert clip("one two three four", 12) == "one two…"
    assert clip("a" * 20, 10) == "a" * 9 + "…"
    assert clip("abcdefg\\*hij", 9) == "abcdefg…"  # never half an escape


def test_plain_escapes_markdown_and_mentions():
    assert plain("*bold* @here `x`") == "\\*bold\\* @\u200bhere \\`x\\`"


def test_render_respects_every_limit_on_an_oversized_reply():
    huge = "word " * 3000
    fields = tuple(Field("n" * 300, huge) for _ in range(40))
    sections = (Section("S", huge, "https://example.org", fields),) * 3
    reply = Reply(title="T" * 400, text=huge, sections=sections, footer="f" * 3000,
                  url="https://example.org/x", mentions=("5",))
    messages = render_messages(reply)
    for message in messages:
        payload = {"content": message["content"], "embeds": [item.to_dict() for item in message["embeds"]]}
        assert message_problems(payload, []) == {}
    assert messages[0]["content"] == "<@&5>" and all(message["content"] is None for message in messages[1:])
    assert messages[0]["embeds"][0].url == "https://example.org/x"
    assert messages[-1]["embeds"][-1].footer.text.endswith("…")
    assert render_reply(reply) == messages[0]
