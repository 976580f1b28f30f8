"""Discord's re-send check: the key reference a message carries, and finding it in the channel."""

from __future__ import annotations

import pytest

from bot.config import DiscordSettings
from bot.errors import DeliveryError
from bot.models import Reply, Section
from bot.platforms.discord_bot import DiscordAdapter, message_nonce, reference
from tests.fakes.discord_fake import FakeDiscord, _user

KEY = "alert:discord:1100000000000000004:story-1"


@pytest.fixture
async def setup():
    async with FakeDiscord() as fake:
        fake.ignore_nonces = True
        adapter = DiscordAdapter(DiscordSettings(token=fake.token, api_base=fake.api_base,
                                                 gateway_url=fake.gateway_url),
                                 runner=None, guild_ready_timeout=0.05)
        await adapter.start()
        try:
            yield fake, adapter
        finally:
            await adapter.stop()


async def test_the_first_message_keeps_its_footer_and_ends_with_the_reference(setup):
    fake, adapter = setup
    reply = Reply(title="TTP claims attack", text="Bannu", url="https://example.org/story",
                  footer="Dawn · 08:00")
    message_id = await adapter.send(str(fake.channel_id), reply, idempotency_key=KEY)
    footer = fake.messages[int(message_id)]["embeds"][-1]["footer"]["text"]
    assert footer == f"Dawn · 08:00 · ref {message_nonce(KEY, 0)}"
    assert await adapter.find_sent(str(fake.channel_id), KEY) == message_id
    assert await adapter.find_sent(str(fake.channel_id), KEY + "-other") is None


async def test_only_the_first_part_of_a_long_reply_carries_it(setup):
    fake, adapter = setup
    sections = tuple(Section(title=f"Story {n}", text="x" * 3000) for n in range(6))
    reply = Reply(title="Daily digest", text="Many stories", sections=sections, footer="watchdesk")
    first = await adapter.send(str(fake.channel_id), reply, idempotency_key=KEY)
    footers = [embed.get("footer", {}).get("text", "") for message in fake.messages.values()
               for embed in message["embeds"]]
    assert len(fake.messages) > 1
    assert sum(reference(KEY) in footer for footer in footers) == 1
    assert reference(KEY) in fake.messages[int(first)]["embeds"][-1]["footer"]["text"]
    assert await adapter.find_sent(str(fake.channel_id), KEY) == first


async def test_a_message_by_someone_else_quoting_the_reference_is_not_taken_for_ours(setup):
    fake, adapter = setup
    message_id = next(fake.snowflakes)
    fake.messages[message_id] = {
        "id": str(message_id), "channel_id": str(fake.channel_id), "type": 0, "content": "",
        "embeds": [{"type": "rich", "title": "copy", "footer": {"text": reference(KEY)}}],
        "author": _user(fake.user_id, "analyst"), "attachments": [], "mentions": [], "mention_roles": [],
        "mention_everyone": False, "pinned": False, "tts": False, "timestamp": "2025-01-01T00:00:00+00:00",
        "edited_timestamp": None, "flags": 0, "components": []}
    assert await adapter.find_sent(str(fake.channel_id), KEY) is None


async def test_a_channel_it_cannot_read_is_a_delivery_error(setup):
    fake, adapter = setup
    fake.forbidden_channels.add(fake.channel_id)
    with pytest.raises(DeliveryError, match="403"):
        await adapter.find_sent(str(fake.channel_id), KEY)


async def test_a_message_posted_before_a_5xx_is_found_on_the_retry_not_posted_again(setup, tmp_path):
    from datetime import datetime, timedelta, timezone

    from bot.delivery import DeliveryWorker
    from bot.models import reply_to_dict
    from store import open_db, outbox

    fake, adapter = setup
    clock = [datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)]
    db = open_db(tmp_path / "watchdesk.db")
    try:
        with db.conn:
            outbox.enqueue(db, idem_key=KEY, kind="alert", platform="discord", channel_id=str(fake.channel_id),
                           now=clock[0], payload=reply_to_dict(Reply(title="alert 1")))
        fake.fail_after_posting = 1  # Discord posts the message, then the answer is lost in a 503
        worker = DeliveryWorker(db, {"discord": adapter}, now=lambda: clock[0], channel_spacing=0)
        assert await worker.deliver_due() == 0
        assert db.execute("SELECT status, attempts FROM outbox").fetchone() == ("pending", 1)
        clock[0] += timedelta(hours=1)
        assert await worker.deliver_due() == 1
        status, message_id = db.execute("SELECT status, message_id FROM outbox").fetchone()
        assert status == "sent" and int(message_id) in fake.messages
        assert len(fake.messages) == 1
    finally:
        db.close()
