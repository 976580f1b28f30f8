"""`followups: thread` and a rising toll: "toll rises to 11" goes into the alert's thread, not an edit,
once, across a crash in the middle of posting it (the fake Discord and the fake Slack on loopback)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from bot.config import DiscordSettings, SlackSettings
from bot.delivery import DeliveryWorker
from bot.models import reply_from_dict
from bot.platforms.console import ConsoleAdapter
from bot.platforms.discord_bot import DiscordAdapter
from bot.platforms.slack_bot import SlackAdapter
from store import outbox
from tests.fakes.discord_fake import FakeDiscord
from tests.fakes.slack_fake import BOT_TOKEN, FakeSlack
from tests.test_quiet_urgency import TANK, URGENT, _Sink, enqueue, report, rows, store  # noqa: F401 - fixtures

THREADED = replace(TANK, quiet=None, followups="thread")  # no quiet hours: these tests are about threads
DAY = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
TOLL = ("Tank police station attack: death toll climbs to 11",
        "The number of policemen killed in the overnight attack on a police station in Tank district rose to 11.")
LATER = DAY + timedelta(hours=2)


async def alert_then_toll(store, matcher, adapter, platform: str, channel: str) -> dict:  # noqa: F811
    """Send the first alert, then store a later report raising the toll; return its follow-up row."""
    rule = replace(THREADED, platform=platform, channel=channel)
    worker = DeliveryWorker(store, {platform: adapter}, now=lambda: DAY, channel_spacing=0)
    enqueue(store, [report(store, matcher, "frontier", *URGENT, at=DAY)], now=DAY, rules=(rule,))
    assert await worker.deliver_due() == 1
    toll = report(store, matcher, "ledger", *TOLL, at=LATER)
    enqueue(store, [toll], now=LATER, rules=(rule,))
    enqueue(store, [toll], now=LATER + timedelta(minutes=5), rules=(rule,))  # the same report again
    assert rows(store, "edit") == []  # a thread, not an edit
    [followup] = rows(store, "followup")
    return followup


def parent_of(db, followup: dict) -> str:
    return outbox.get(db, json.loads(followup["payload"])["thread_of"])["message_id"]


async def test_the_rising_toll_is_posted_in_the_thread_and_the_alert_is_left_alone(store, matcher):  # noqa: F811
    console = ConsoleAdapter(output=_Sink())
    followup = await alert_then_toll(store, matcher, console, "console", "#tank")
    worker = DeliveryWorker(store, {"console": console}, now=lambda: LATER, channel_spacing=0)
    assert await worker.deliver_due() == 1
    (_, alert_id, alert), (_, posted_id, posted) = console.sent  # an edit would re-use the alert's id
    assert posted_id != alert_id and posted.title == f"Toll rises to 11 killed (Kabul Ledger): {TOLL[0]}"
    assert posted.text.startswith("[FLASH] Armed attack · Tank") and "11 killed" in posted.text
    assert "3 killed" in alert.text
    assert await worker.deliver_due() == 0
    stored = json.loads(outbox.get(store, json.loads(followup["payload"])["thread_of"])["payload"])
    assert stored["incident"]["killed"] == 11  # the next rise is measured from 11


@pytest.fixture
async def discord():
    async with FakeDiscord() as fake:
        settings = DiscordSettings(token=fake.token, guild_ids=(fake.guild_id,), api_base=fake.api_base,
                                   gateway_url=fake.gateway_url)
        adapter = DiscordAdapter(settings, runner=None, guild_ready_timeout=0.05)
        await adapter.start()
        yield fake, adapter
        await adapter.stop()


async def test_discord_a_crash_mid_toll_followup_leaves_one_message_in_the_thread(store, matcher, discord):  # noqa: F811
    fake, adapter = discord
    channel = str(fake.channel_id)
    followup = await alert_then_toll(store, matcher, adapter, "discord", channel)
    parent = parent_of(store, followup)
    with store.conn:  # the crash: marked sending, posted in the thread, never marked sent
        outbox.mark_sending(store, followup["id"])
    await adapter.send_followup(channel, parent, reply_from_dict(json.loads(followup["payload"])),
                                idempotency_key=followup["idem_key"], thread_name=URGENT[0])
    fake.ignore_nonces = True
    worker = DeliveryWorker(store, {"discord": adapter}, now=lambda: LATER, channel_spacing=0)
    assert await worker.deliver_due() == 1
    assert await worker.deliver_due() == 0
    in_thread = [m for m in fake.messages.values() if m["channel_id"] == parent]
    assert [m["embeds"][0]["title"] for m in in_thread] == [f"Toll rises to 11 killed (Kabul Ledger): {TOLL[0]}"]
    alert = fake.messages[int(parent)]
    assert "3 killed" in json.dumps(alert["embeds"]) and "toll rises" not in json.dumps(alert["embeds"])
    assert outbox.get(store, followup["idem_key"])["status"] == outbox.SENT


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


async def test_slack_a_crash_mid_toll_followup_leaves_one_reply_in_the_thread(store, matcher, slack):  # noqa: F811
    fake, adapter = slack
    followup = await alert_then_toll(store, matcher, adapter, "slack", "C0GENERAL")
    parent = parent_of(store, followup)
    with store.conn:
        outbox.mark_sending(store, followup["id"])
    await adapter.send_followup("C0GENERAL", parent, reply_from_dict(json.loads(followup["payload"])),
                                idempotency_key=followup["idem_key"])
    worker = DeliveryWorker(store, {"slack": adapter}, now=lambda: LATER, channel_spacing=0)
    assert await worker.deliver_due() == 1
    assert await worker.deliver_due() == 0
    replies = [m for m in fake.messages.values() if m.get("thread_ts") == parent]
    assert [m["text"] for m in replies] == [f"Toll rises to 11 killed (Kabul Ledger): {TOLL[0]}"]
    assert not fake.calls_to("chat.update")
    assert outbox.get(store, followup["idem_key"])["status"] == outbox.SENT
