"""Slack's re-send check: the outbox key in message metadata, read back with include_all_metadata.

Real slack_bolt / slack_sdk against the fake Slack on loopback.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.delivery import DeliveryWorker
from bot.errors import DeliveryError
from bot.models import Reply, Section, reply_to_dict
from bot.platforms.slack_bot import HISTORY_PAGE, OUTBOX_EVENT, SlackAdapter
from store import open_db, outbox
from tests.fakes.slack_fake import FakeSlack
from tests.test_slack import CHANNEL, RecordingRunner, http_settings

KEY = "alert:slack:C0GENERAL:story-1"


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
async def setup():
    fake = FakeSlack(channels={CHANNEL, "G0PRIVATE"}, private={"G0PRIVATE"})
    await fake.start()
    adapter = SlackAdapter(http_settings(fake), RecordingRunner())
    await adapter.start()
    try:
        yield fake, adapter
    finally:
        await adapter.stop()
        await fake.stop()


def _post_by_hand(fake: FakeSlack, channel: str, text: str, metadata: dict | None = None) -> str:
    ts = f"{1600000000 + len(fake.messages)}.000200"
    message = {"text": text, "blocks": [], "ts": ts}
    if metadata:
        message["metadata"] = metadata
    fake.messages[(channel, ts)] = message
    return ts


async def test_send_puts_the_key_in_metadata_and_find_sent_reads_it_back(setup):
    fake, adapter = setup
    ts = await adapter.send(CHANNEL, Reply(title="TTP claims attack", text="Bannu"), idempotency_key=KEY)
    assert fake.messages[(CHANNEL, ts)]["metadata"] == {"event_type": OUTBOX_EVENT,
                                                       "event_payload": {"key": KEY, "part": 0, "parts": 1}}
    assert await adapter.find_sent(CHANNEL, KEY) == ts
    assert await adapter.find_sent(CHANNEL, KEY + "-other") is None
    history = [call for call in fake.calls if call.method == "conversations.history"]
    assert history[-1].args["include_all_metadata"] == "1"  # slack_sdk's form of True in a query


async def test_a_message_that_only_quotes_the_key_in_its_text_is_not_taken_for_ours(setup):
    fake, adapter = setup
    _post_by_hand(fake, CHANNEL, f"was {KEY} delivered? event_type {OUTBOX_EVENT}")
    _post_by_hand(fake, CHANNEL, "other app", {"event_type": "task_created", "event_payload": {"key": KEY}})
    assert await adapter.find_sent(CHANNEL, KEY) is None


async def test_only_the_first_part_of_a_long_reply_is_the_one_found(setup):
    fake, adapter = setup
    sections = tuple(Section(title=f"Story {n}") for n in range(120))
    first = await adapter.send(CHANNEL, Reply(title="Digest", sections=sections), idempotency_key=KEY)
    parts = sorted(message["metadata"]["event_payload"]["part"] for message in fake.messages.values())
    assert len(parts) > 1 and parts == list(range(len(parts)))
    assert await adapter.find_sent(CHANNEL, KEY) == first


async def test_a_long_reply_cut_short_by_a_crash_gets_only_its_missing_parts(setup):
    fake, adapter = setup
    reply = Reply(title="Digest", sections=tuple(Section(title=f"Story {n}") for n in range(120)))
    first = await adapter.send(CHANNEL, reply, idempotency_key=KEY)
    posted = {message["metadata"]["event_payload"]["part"]: ts for (_, ts), message in fake.messages.items()}
    assert len(posted) >= 3
    last = max(posted)
    del fake.messages[(CHANNEL, posted[last])]  # the process died before the last part went out
    assert await adapter.find_sent(CHANNEL, KEY) is None
    assert await adapter.send(CHANNEL, reply, idempotency_key=KEY) == first
    parts = sorted(message["metadata"]["event_payload"]["part"] for message in fake.messages.values())
    assert parts == list(range(last + 1))  # every part once: none posted twice, none missing
    assert await adapter.find_sent(CHANNEL, KEY) == first


async def test_the_check_pages_back_through_a_busy_channel(setup):
    fake, adapter = setup
    ts = await adapter.send(CHANNEL, Reply(title="alert 1"), idempotency_key=KEY)
    for number in range(HISTORY_PAGE * 2):  # newer chatter pushes it to the third page
        fake.messages[(CHANNEL, f"{1800000000 + number}.000300")] = {"text": f"chat {number}", "blocks": [],
                                                                      "ts": f"{1800000000 + number}.000300"}
    assert await adapter.find_sent(CHANNEL, KEY) == ts
    pages = [call for call in fake.calls if call.method == "conversations.history"]
    assert len(pages) == 3 and "cursor" not in pages[0].args and pages[2].args["cursor"] == str(HISTORY_PAGE * 2)


async def test_without_a_history_scope_the_check_is_a_delivery_error_naming_it(setup):
    fake, adapter = setup
    fake.scopes = tuple(scope for scope in fake.scopes if scope != "groups:history")
    assert await adapter.find_sent(CHANNEL, KEY) is None  # a public channel still reads
    with pytest.raises(DeliveryError, match="missing_scope"):
        await adapter.find_sent("G0PRIVATE", KEY)


async def test_a_row_left_sending_by_a_crash_is_found_in_slack_not_sent_twice(setup, tmp_path):
    fake, adapter = setup
    clock = [datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)]
    db = open_db(tmp_path / "watchdesk.db")
    try:
        with db.conn:
            outbox.enqueue(db, idem_key=KEY, kind="alert", platform="slack", channel_id=CHANNEL,
                           now=clock[0], payload=reply_to_dict(Reply(title="alert 1")))
        # The process posted the message, then was killed before recording it: the row stays `sending`.
        with db.conn:
            assert outbox.mark_sending(db, outbox.get(db, KEY)["id"])
        ts = await adapter.send(CHANNEL, Reply(title="alert 1"), idempotency_key=KEY)
        clock[0] += timedelta(minutes=30)
        worker = DeliveryWorker(db, {"slack": adapter}, now=lambda: clock[0], channel_spacing=0)
        assert await worker.deliver_due() == 1
        assert db.execute("SELECT status, message_id FROM outbox").fetchone() == ("sent", ts)
        assert [message["ts"] for message in fake.messages.values()] == [ts]
    finally:
        db.close()
