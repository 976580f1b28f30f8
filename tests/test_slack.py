"""The Slack adapter end to end: real slack_bolt and slack_sdk against a fake Slack on loopback."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from urllib.parse import urlencode

import aiohttp
import pytest

from bot.config import SlackSettings
from bot.errors import ConfigError, DeliveryError, PermanentDeliveryError
from bot.models import CommandContext, Field, Reply, Section
from bot.platforms.slack_bot import SlackAdapter
from bot.platforms.slack_render import MAX_BLOCKS, render_blocks, render_messages, truncate
from tests.fakes.slack_fake import APP_TOKEN, BOT_TOKEN, TEAM_ID, FakeSlack

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
CHANNEL = "C0GENERAL"
ADMIN, MEMBER, STRANGER = "U0ADMIN", "U0MEMBER", "U0GONE"

LOOKUP_REPLY = Reply(
    title="TTP",
    text="Tehrik-i-Taliban Pakistan: 3 mentions this week.",
    url="https://example.org/ttp",
    sections=(Section(title="Attack near Tank", text="Police said...", url="https://news.example/a?x=1&y=2",
                      fields=(Field("Feed", "Dawn"),)),),
    footer="watchdesk",
)
LOOKUP_BLOCKS = [
    {"type": "header", "text": {"type": "plain_text", "text": "TTP"}},
    {"type": "context", "elements": [{"type": "mrkdwn",
                                      "text": ":link: <https://example.org/ttp|example.org>"}]},
    {"type": "section", "text": {"type": "mrkdwn",
                                 "text": "Tehrik-i-Taliban Pakistan: 3 mentions this week."}},
    {"type": "section",
     "text": {"type": "mrkdwn", "text": "*<https://news.example/a?x=1&amp;y=2|Attack near Tank>*\nPolice said..."},
     "fields": [{"type": "mrkdwn", "text": "*Feed*\nDawn"}]},
    {"type": "context", "elements": [{"type": "mrkdwn", "text": "watchdesk"}]},
]


class RecordingRunner:
    """A CommandRunner that records each call and answers with a fixed Reply (or raises)."""

    def __init__(self, reply: Reply | Exception = LOOKUP_REPLY):
        self.reply = reply
        self.calls: list[tuple[CommandContext, str, dict]] = []

    async def run(self, ctx: CommandContext, name: str, args: dict[str, str]) -> Reply:
        self.calls.append((ctx, name, args))
        if isinstance(self.reply, Exception):
            raise self.reply
        return self.reply

    async def complete(self, ctx, argument, prefix):
        return []


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    """slack_sdk reads proxy variables; loopback tests must not go through one."""
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
async def fake():
    slack = FakeSlack(users={ADMIN: {"is_admin": True}, MEMBER: {"is_admin": False, "is_owner": False}})
    await slack.start()
    yield slack
    await slack.stop()


@pytest.fixture
def runner():
    return RecordingRunner()


def http_settings(fake: FakeSlack) -> SlackSettings:
    return SlackSettings(bot_token=BOT_TOKEN, mode="http", signing_secret=SECRET,
                         http_host="127.0.0.1", http_port=0, api_base=fake.api_base)


@pytest.fixture
async def adapter(fake, runner):
    slack = SlackAdapter(http_settings(fake), runner)
    await slack.start()
    yield slack
    await slack.stop()


def command_payload(fake: FakeSlack, text: str, user: str, name: str = "r1") -> dict:
    return {"token": "legacy", "team_id": TEAM_ID, "team_domain": "fake", "channel_id": CHANNEL,
            "channel_name": "general", "user_id": user, "user_name": "someone", "command": "/watch",
            "text": text, "api_app_id": "A0FAKE", "response_url": fake.response_url(name),
            "trigger_id": "1.2.3"}


def sign(body: str, timestamp: str, secret: str = SECRET) -> str:
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return f"v0={digest}"


async def post_command(adapter: SlackAdapter, fake: FakeSlack, text: str, *, user: str = MEMBER,
                       name: str = "r1", secret: str = SECRET, age: int = 0) -> tuple[int, str]:
    body = urlencode(command_payload(fake, text, user, name))
    timestamp = str(int(time.time()) - age)
    headers = {"Content-Type": "application/x-www-form-urlencoded",
               "X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": sign(body, timestamp, secret)}
    url = f"http://127.0.0.1:{adapter.bound_port}/slack/events"
    async with aiohttp.ClientSession() as session:
        async with session.post(url, data=body, headers=headers) as response:
            return response.status, await response.text()


async def response_for(fake: FakeSlack, name: str) -> dict:
    return await fake.wait_for(lambda: next((item for item in fake.responses if item["name"] == name), None))


# HTTP mode: slash commands


async def test_signed_command_is_acked_and_answered_at_the_response_url(adapter, fake, runner):
    status, body = await post_command(adapter, fake, "lookup TTP")
    assert (status, body) == (200, "")
    response = await response_for(fake, "r1")
    assert response == {"name": "r1", "text": "TTP", "blocks": LOOKUP_BLOCKS, "response_type": "in_channel"}
    assert runner.calls == [(CommandContext(platform="slack", channel_id=CHANNEL, user_id=MEMBER,
                                            can_manage=False), "lookup", {"entity": "TTP"})]


async def test_bad_or_stale_signature_is_refused_and_nothing_runs(adapter, fake, runner):
    assert (await post_command(adapter, fake, "lookup TTP", secret="not-the-secret"))[0] == 401
    assert (await post_command(adapter, fake, "lookup TTP", age=600))[0] == 401
    assert runner.calls == []
    assert fake.responses == []


async def test_unknown_subcommand_gets_an_ephemeral_error(adapter, fake, runner):
    status, _ = await post_command(adapter, fake, "frobnicate now")
    assert status == 200
    response = await response_for(fake, "r1")
    assert response["response_type"] == "ephemeral"
    assert response["blocks"][0]["text"]["text"].startswith(":warning: unknown subcommand 'frobnicate'")
    assert runner.calls == []


async def test_track_is_refused_for_a_member_and_for_an_unknown_role(adapter, fake, runner):
    await post_command(adapter, fake, "track TTP", user=MEMBER, name="member")
    await post_command(adapter, fake, "untrack TTP", user=STRANGER, name="stranger")
    member, stranger = await response_for(fake, "member"), await response_for(fake, "stranger")
    assert member["response_type"] == stranger["response_type"] == "ephemeral"
    assert member["blocks"][0]["text"]["text"] == (
        ":warning: Only workspace admins and owners can use ˋ/watch trackˋ.")
    assert "user_not_found" in stranger["blocks"][0]["text"]["text"]
    assert sorted(call.args["user"] for call in fake.calls_to("users.info")) == sorted([MEMBER, STRANGER])
    assert runner.calls == []


async def test_track_runs_for_an_admin_with_can_manage(adapter, fake, runner):
    await post_command(adapter, fake, "track TTP", user=ADMIN)
    response = await response_for(fake, "r1")
    assert response["response_type"] == "in_channel"
    assert runner.calls == [(CommandContext(platform="slack", channel_id=CHANNEL, user_id=ADMIN,
                                            can_manage=True), "track", {"target": "TTP"})]


async def test_error_reply_is_ephemeral(fake):
    runner = RecordingRunner(Reply(title="Not found", text="No entity called xyz.", error=True))
    slack = SlackAdapter(http_settings(fake), runner)
    await slack.start()
    try:
        await post_command(slack, fake, "lookup xyz")
        response = await response_for(fake, "r1")
    finally:
        await slack.stop()
    assert response["response_type"] == "ephemeral"
    assert response["blocks"] == [{"type": "section", "text": {
        "type": "mrkdwn", "text": ":warning: *Not found*\nNo entity called xyz."}}]


async def test_a_failing_command_reaches_the_error_handler_and_the_user(fake):
    runner = RecordingRunner(RuntimeError("store is locked"))
    slack = SlackAdapter(http_settings(fake), runner)
    await slack.start()
    try:
        status, _ = await post_command(slack, fake, "status")
        response = await response_for(fake, "r1")
    finally:
        await slack.stop()
    assert status == 200
    assert response["response_type"] == "ephemeral"
    assert response["text"] == "Sorry, something went wrong; the error was logged."


async def test_feed_text_is_escaped_and_only_chosen_groups_are_mentioned(adapter, fake):
    reply = Reply(title="<!channel> Rates & taxes", text="Hi <@U123> @here & @everyone <!here>",
                  sections=(Section(title="<https://evil.example|click>", text="a > b"),),
                  mentions=("S0123ABC", "<!channel>"))
    await adapter.send(CHANNEL, reply)
    (call,) = fake.calls_to("chat.postMessage")
    posted = json.dumps({"text": call.args["text"], "blocks": call.args["blocks"]}, ensure_ascii=False)
    assert "&lt;!channel&gt; Rates &amp; taxes" in posted
    assert "Hi &lt;@U123&gt; @\u200bhere &amp; @\u200beveryone &lt;!here&gt;" in posted
    assert "&lt;https://evil.example|click&gt;" in posted and "a &gt; b" in posted
    assert "<!subteam^S0123ABC>" in call.args["text"]
    assert posted.count("<") == posted.count("<!subteam^S0123ABC>") == 2  # fallback and first block


async def test_command_with_a_file_uploads_it_to_the_channel(fake, tmp_path):
    chart = tmp_path / "trend.png"
    chart.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    runner = RecordingRunner(Reply(title="Trend: TTP", text="30 days", file=chart))
    slack = SlackAdapter(http_settings(fake), runner)
    await slack.start()
    try:
        await post_command(slack, fake, "trend TTP 30")
        await fake.wait_for(lambda: fake.calls_to("files.completeUploadExternal"))
    finally:
        await slack.stop()
    (upload,) = fake.uploads.values()
    assert upload["data"] == chart.read_bytes() and upload["channel"] == CHANNEL
    assert (await response_for(fake, "r1"))["text"] == "Trend: TTP"


# Delivery: send, edit, upload, errors


async def test_send_splits_a_long_reply_within_limits_and_keeps_links(adapter, fake):
    sections = tuple(Section(title=f"Story {index}", text="word " * 900, url=f"https://news.example/{index}")
                     for index in range(70))
    reply = Reply(title="Daily digest", text="lead " * 2000, sections=sections)
    first_ts = await adapter.send(CHANNEL, reply)
    posts = fake.calls_to("chat.postMessage")
    assert len(posts) >= 2
    assert first_ts == sorted(ts for _, ts in fake.messages)[0]
    stored = [fake.messages[(CHANNEL, ts)] for ts in sorted(ts for _, ts in fake.messages)]
    assert [message["blocks"] for message in stored] == [post.args["blocks"] for post in posts]
    assert all(len(post.args["blocks"]) <= MAX_BLOCKS for post in posts)
    assert posts[0].args["blocks"][0] == {"type": "header", "text": {"type": "plain_text", "text": "Daily digest"}}
    everything = json.dumps([post.args["blocks"] for post in posts])
    for index in range(70):
        assert f"<https://news.example/{index}|Story {index}>" in everything
    story = next(block for block in posts[0].args["blocks"] if "Story 0" in json.dumps(block))
    assert story["text"]["text"].endswith("word…") and len(story["text"]["text"]) <= 3000


async def test_channel_not_found_and_archived_are_permanent(adapter, fake):
    fake.archived.add("C0OLD")
    fake.channels.add("C0OLD")
    with pytest.raises(PermanentDeliveryError, match="channel_not_found"):
        await adapter.send("C0NOWHERE", LOOKUP_REPLY)
    with pytest.raises(PermanentDeliveryError, match="is_archived"):
        await adapter.send("C0OLD", LOOKUP_REPLY)


async def test_ratelimited_is_retryable_with_retry_after(adapter, fake):
    fake.rate_limit("chat.postMessage", retry_after=7)
    with pytest.raises(DeliveryError) as caught:
        await adapter.send(CHANNEL, LOOKUP_REPLY)
    assert not isinstance(caught.value, PermanentDeliveryError)
    assert caught.value.retry_after == 7.0
    assert await adapter.send(CHANNEL, LOOKUP_REPLY)


async def test_server_errors_and_refused_connections_are_retryable(adapter, fake):
    fake.fail("chat.postMessage", status=503)
    with pytest.raises(DeliveryError) as caught:
        await adapter.send(CHANNEL, LOOKUP_REPLY)
    assert type(caught.value) is DeliveryError and "HTTP 503" in str(caught.value)
    gone = FakeSlack()
    await gone.start()
    await gone.stop()
    orphan = SlackAdapter(SlackSettings(bot_token=BOT_TOKEN, mode="http", signing_secret=SECRET,
                                        api_base=gone.api_base), RecordingRunner())
    with pytest.raises(DeliveryError, match="cannot reach Slack") as caught:
        await orphan.send(CHANNEL, LOOKUP_REPLY)
    assert type(caught.value) is DeliveryError


async def test_edit_calls_chat_update(adapter, fake):
    ts = await adapter.send(CHANNEL, LOOKUP_REPLY)
    await adapter.edit(CHANNEL, ts, Reply(title="TTP (updated)", text="4 mentions"))
    (update,) = fake.calls_to("chat.update")
    assert (update.args["channel"], update.args["ts"], update.args["text"]) == (CHANNEL, ts, "TTP (updated)")
    assert fake.messages[(CHANNEL, ts)]["blocks"] == [
        {"type": "header", "text": {"type": "plain_text", "text": "TTP (updated)"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "4 mentions"}},
    ]


async def test_send_with_a_file_runs_the_three_step_upload(adapter, fake, tmp_path):
    chart = tmp_path / "chart.png"
    chart.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    await adapter.send(CHANNEL, Reply(title="Trend", file=chart))
    steps = [call.method for call in fake.calls if call.method != "auth.test"]
    assert steps == ["chat.postMessage", "files.getUploadURLExternal", "upload",
                     "files.completeUploadExternal"]
    get_url = fake.calls_to("files.getUploadURLExternal")[0]
    assert (get_url.args["filename"], int(get_url.args["length"])) == ("chart.png", 108)
    complete = fake.calls_to("files.completeUploadExternal")[0]
    assert complete.args["channel_id"] == CHANNEL
    assert json.loads(complete.args["files"])[0]["title"] == "Trend"
    (upload,) = fake.uploads.values()
    assert upload["data"] == chart.read_bytes()


async def test_start_refuses_wrong_tokens(fake):
    wrong_bot = SlackSettings(bot_token="xoxb-wrong", mode="http", signing_secret=SECRET,
                              http_port=0, api_base=fake.api_base)
    with pytest.raises(ConfigError, match="bot token: invalid_auth"):
        await SlackAdapter(wrong_bot, RecordingRunner()).start()
    wrong_app = SlackSettings(bot_token=BOT_TOKEN, app_token="xapp-wrong", api_base=fake.api_base)
    with pytest.raises(ConfigError, match="app token: invalid_auth"):
        await SlackAdapter(wrong_app, RecordingRunner()).start()
    assert fake.acks == [] and [call.method for call in fake.calls][-1] == "apps.connections.open"


# Rendering limits


def test_truncate_cuts_at_a_word_and_never_inside_an_entity():
    assert truncate("alpha beta gamma", 12) == "alpha beta…"
    assert truncate("x" * 10 + "&amp;&amp;", 13) == "x" * 10 + "…"
    assert truncate("short", 10) == "short"


def test_long_title_many_fields_and_a_huge_reply_stay_within_limits():
    title = "Attack " * 40
    fields = tuple(Field(f"name {index}", "value " * 500) for index in range(23))
    text, blocks = render_blocks(Reply(title=title, sections=(Section(title="s", fields=fields),)))
    header = blocks[0]["text"]["text"]
    assert len(header) <= 150 and header.endswith("Attack…")
    field_blocks = [block["fields"] for block in blocks if "fields" in block]
    assert [len(group) for group in field_blocks] == [10, 10, 3]
    assert all(len(item["text"]) <= 2000 for group in field_blocks for item in group)
    assert len(text) <= 300
    huge = Reply(title="Huge", sections=tuple(Section(title=str(index)) for index in range(400)))
    messages = render_messages(huge)
    assert len(messages) == 5 and all(len(blocks) <= MAX_BLOCKS for _, blocks in messages)
    assert messages[-1][1][-1]["elements"][0]["text"].startswith("… the rest")
    assert [text for text, _ in messages[1:3]] == ["Huge (2/5)", "Huge (3/5)"]


# Socket Mode


async def test_socket_mode_round_trip(fake, runner):
    settings = SlackSettings(bot_token=BOT_TOKEN, app_token=APP_TOKEN, mode="socket", api_base=fake.api_base)
    slack = SlackAdapter(settings, runner)
    await slack.start()
    try:
        (opened,) = fake.calls_to("apps.connections.open")
        assert opened.token == APP_TOKEN
        envelope_id = await fake.push_slash_command(command_payload(fake, "lookup TTP", MEMBER, "socket"))
        ack = await fake.wait_for(lambda: next((item for item in fake.acks
                                                if item.get("envelope_id") == envelope_id), None))
        response = await response_for(fake, "socket")
    finally:
        await slack.stop()
    assert ack == {"envelope_id": envelope_id}
    assert response == {"name": "socket", "text": "TTP", "blocks": LOOKUP_BLOCKS, "response_type": "in_channel"}
    assert runner.calls[0][1:] == ("lookup", {"entity": "TTP"})
