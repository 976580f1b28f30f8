"""`followups: thread`: later outlets go into a thread under the alert, exactly once, crash or not."""

from __future__ import annotations

import pytest

import json

from bot.config import AlertRule, DiscordSettings, SlackSettings, load_settings
from bot.delivery import DeliveryWorker
from bot.errors import ConfigError
from bot.models import reply_from_dict
from bot.platforms.console import ConsoleAdapter
from bot.platforms.discord_bot import DiscordAdapter
from bot.platforms.slack_bot import SlackAdapter
from store import outbox
from tests.fakes.discord_fake import FakeDiscord
from tests.fakes.slack_fake import BOT_TOKEN, FakeSlack
from tests.test_alerts import NOW, _Sink, add, enqueue, queued, store  # noqa: F401 - fixtures

TITLE = "TTP claims raid on checkpost in Tank district"


def rule(platform: str, channel: str, followups: str = "thread") -> AlertRule:
    return AlertRule(platform=platform, channel=channel, entities=("ttp",), followups=followups)


def test_followups_is_edit_or_thread_in_feeds_yml(tmp_path):
    def load(value: str):
        path = tmp_path / "feeds.yml"
        path.write_text(f"alerts:\n  - {{platform: console, channel: desk, entities: [ttp], followups: {value}}}\n")
        return load_settings(path, environ={})

    assert load("thread").alerts[0].followups == "thread"
    with pytest.raises(ConfigError, match="followups.*edit or thread"):
        load("reply")


async def test_a_later_outlet_goes_into_a_thread_not_an_edit(store, matcher):  # noqa: F811
    console = ConsoleAdapter(output=_Sink())
    worker = DeliveryWorker(store, {"console": console}, now=lambda: NOW, channel_spacing=0)
    enqueue(store, [add(store, matcher, "dawn", TITLE)], rules=(rule("console", "#desk"),))
    assert await worker.deliver_due() == 1
    enqueue(store, [add(store, matcher, "tolo", TITLE, minutes=30)], rules=(rule("console", "#desk"),))
    enqueue(store, [add(store, matcher, "voa", TITLE, minutes=40)], rules=(rule("console", "#desk"),))
    assert [row["kind"] for row in queued(store)] == ["alert", "followup", "followup"]
    assert await worker.deliver_due() == 2
    (_, alert_id, alert), (_, _, first), (_, _, second) = console.sent
    assert first.title == f"Also reported by Tolo News: {TITLE}" and second.title.startswith("Also reported by VOA")
    assert not any(reply.sections and "Also reported by" in str(reply.sections) for _, _, reply in console.sent[1:])


async def send_first_alert(store, matcher, adapter, platform: str, channel: str) -> dict:  # noqa: F811
    worker = DeliveryWorker(store, {platform: adapter}, now=lambda: NOW, channel_spacing=0)
    enqueue(store, [add(store, matcher, "dawn", TITLE)], rules=(rule(platform, channel),))
    assert await worker.deliver_due() == 1
    enqueue(store, [add(store, matcher, "tolo", TITLE, minutes=30)], rules=(rule(platform, channel),))
    return next(row for row in outbox.due(store, NOW) if row["kind"] == "followup")


def parent_of(db, followup: dict) -> str:
    """The platform id of the alert a followup row belongs under."""
    return outbox.get(db, json.loads(followup["payload"])["thread_of"])["message_id"]


@pytest.fixture
async def discord():
    async with FakeDiscord() as fake:
        settings = DiscordSettings(token=fake.token, guild_ids=(fake.guild_id,), api_base=fake.api_base,
                                   gateway_url=fake.gateway_url)
        adapter = DiscordAdapter(settings, runner=None, guild_ready_timeout=0.05)
        await adapter.start()
        yield fake, adapter
        await adapter.stop()


async def test_discord_opens_a_thread_from_the_alert_and_posts_there_once(store, matcher, discord):  # noqa: F811
    fake, adapter = discord
    channel = str(fake.channel_id)
    followup = await send_first_alert(store, matcher, adapter, "discord", channel)
    alert_id = parent_of(store, followup)
    worker = DeliveryWorker(store, {"discord": adapter}, now=lambda: NOW, channel_spacing=0)
    assert await worker.deliver_due() == 1
    thread = fake.threads[int(alert_id)]
    assert thread["parent_id"] == channel and thread["name"] == TITLE
    in_thread = [m for m in fake.messages.values() if m["channel_id"] == alert_id]
    assert [m["embeds"][0]["title"] for m in in_thread] == [f"Also reported by Tolo News: {TITLE}"]
    assert outbox.get(store, followup["idem_key"])["status"] == outbox.SENT


async def test_discord_followup_after_a_crash_mid_send_is_not_posted_twice(store, matcher, discord):  # noqa: F811
    fake, adapter = discord
    followup = await send_first_alert(store, matcher, adapter, "discord", str(fake.channel_id))
    parent = parent_of(store, followup)
    # The crash: the row was marked sending, the thread started and the message posted, then the process died.
    with store.conn:
        outbox.mark_sending(store, followup["id"])
    fake.ignore_nonces = True  # long after: only the footer's reference can tell
    await adapter.send_followup(str(fake.channel_id), parent, reply_from_dict(json.loads(followup["payload"])),
                                idempotency_key=followup["idem_key"])
    worker = DeliveryWorker(store, {"discord": adapter}, now=lambda: NOW, channel_spacing=0)
    assert await worker.deliver_due() == 1
    assert len([m for m in fake.messages.values() if m["channel_id"] == parent]) == 1
    assert outbox.get(store, followup["idem_key"])["status"] == outbox.SENT


async def test_discord_crash_after_the_thread_started_still_posts_into_it(store, matcher, discord):  # noqa: F811
    fake, adapter = discord
    followup = await send_first_alert(store, matcher, adapter, "discord", str(fake.channel_id))
    parent = parent_of(store, followup)
    await adapter.client.http.start_thread_with_message(fake.channel_id, int(parent), name="x",
                                                        auto_archive_duration=1440)
    with store.conn:
        outbox.mark_sending(store, followup["id"])
    worker = DeliveryWorker(store, {"discord": adapter}, now=lambda: NOW, channel_spacing=0)
    assert await worker.deliver_due() == 1  # "thread exists" (160004) is not an error
    assert len([m for m in fake.messages.values() if m["channel_id"] == parent]) == 1


@pytest.fixture
async def slack(monkeypatch):
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    fake = FakeSlack()
    await fake.start()
    adapter = SlackAdapter(SlackSettings(bot_token=BOT_TOKEN, mode="http", signing_secret="s",
                                         http_host="127.0.0.1", http_port=0, api_base=fake.api_base), runner=None)
    yield fake, adapter
    await fake.stop()


async def test_slack_followup_goes_in_the_thread_once_even_after_a_crash(store, matcher, slack):  # noqa: F811
    fake, adapter = slack
    followup = await send_first_alert(store, matcher, adapter, "slack", "C0GENERAL")
    parent = parent_of(store, followup)
    with store.conn:
        outbox.mark_sending(store, followup["id"])
    await adapter.send_followup("C0GENERAL", parent, reply_from_dict(json.loads(followup["payload"])),
                                idempotency_key=followup["idem_key"])
    worker = DeliveryWorker(store, {"slack": adapter}, now=lambda: NOW, channel_spacing=0)
    assert await worker.deliver_due() == 1
    replies = [m for m in fake.messages.values() if m.get("thread_ts") == parent]
    assert [m["text"] for m in replies] == [f"Also reported by Tolo News: {TITLE}"]
    assert len(fake.calls_to("conversations.replies")) == 1
    assert outbox.get(store, followup["idem_key"])["status"] == outbox.SENT
