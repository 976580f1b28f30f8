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


def long_reply(title: str = "Daily digest") -> Reply:
    """A reply that takes three messages: its title and story 0, story 1, story 2."""
    sections = tuple(Section(title=f"{title} story {n}", text="x" * 4000) for n in range(3))
    return Reply(title=title, text="Many stories", sections=sections, footer="watchdesk")


def parts_posted(fake: FakeDiscord) -> list[str]:
    """The section titles of every message in the channel, in posting order."""
    return [embed["title"] for _, message in sorted(fake.messages.items()) for embed in message["embeds"]
            if embed.get("title", "").startswith(("Daily digest story", "alert story"))]


async def test_every_part_of_a_long_reply_carries_its_reference(setup):
    fake, adapter = setup
    first = await adapter.send(str(fake.channel_id), long_reply(), idempotency_key=KEY)
    footers = [message["embeds"][-1].get("footer", {}).get("text", "") for _, message in sorted(fake.messages.items())]
    assert len(footers) == 3
    assert [footer.rsplit(" · ", 1)[-1] for footer in footers] == [reference(KEY, part, 3) for part in range(3)]
    assert footers[-1] == f"watchdesk · ref {message_nonce(KEY, 0)} 3/3"
    nonces = [message["nonce"] for _, message in sorted(fake.messages.items())]
    assert nonces == [message_nonce(KEY, part) for part in range(3)]
    assert await adapter.find_sent(str(fake.channel_id), KEY) == first


@pytest.mark.parametrize("ignore_nonces", [False, True], ids=["nonces-kept", "nonces-ignored"])
async def test_a_long_reply_missing_its_last_part_gets_only_that_part(setup, ignore_nonces):
    fake, adapter = setup
    fake.ignore_nonces = ignore_nonces
    first = await adapter.send(str(fake.channel_id), long_reply(), idempotency_key=KEY)
    del fake.messages[max(fake.messages)]  # the process died before the last part went out
    assert await adapter.find_sent(str(fake.channel_id), KEY) is None
    assert await adapter.send(str(fake.channel_id), long_reply(), idempotency_key=KEY) == first
    assert parts_posted(fake) == [f"Daily digest story {n}" for n in range(3)]
    assert await adapter.find_sent(str(fake.channel_id), KEY) == first


class LosesOneAnswer(FakeDiscord):
    """The fake Discord; it posts the `lose`-th channel message, then answers it with a 503."""

    lose = 2

    async def _channel_message(self, recorded, channel, message_id):
        if message_id is None and recorded.method == "POST" and self.channel_messages + 1 == self.lose:
            self.fail_after_posting = 1
        return await super()._channel_message(recorded, channel, message_id)


@pytest.mark.parametrize("ignore_nonces", [False, True], ids=["nonces-kept", "nonces-ignored"])
async def test_a_long_alert_cut_short_by_a_failure_is_completed_once(tmp_path, ignore_nonces):
    from datetime import datetime, timedelta, timezone

    from bot.delivery import DeliveryWorker
    from bot.models import reply_to_dict
    from store import open_db, outbox

    clock = [datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)]
    db = open_db(tmp_path / "watchdesk.db")
    async with LosesOneAnswer() as fake:
        fake.ignore_nonces = ignore_nonces
        adapter = DiscordAdapter(DiscordSettings(token=fake.token, api_base=fake.api_base,
                                                 gateway_url=fake.gateway_url),
                                 runner=None, guild_ready_timeout=0.05)
        await adapter.start()
        try:
            with db.conn:
                outbox.enqueue(db, idem_key=KEY, kind="alert", platform="discord", channel_id=str(fake.channel_id),
                               now=clock[0], payload=reply_to_dict(long_reply("alert")))
            worker = DeliveryWorker(db, {"discord": adapter}, now=lambda: clock[0], channel_spacing=0)
            assert await worker.deliver_due() == 0  # part 1 answered; part 2 posted, its answer lost
            assert db.execute("SELECT status, attempts FROM outbox").fetchone() == ("pending", 1)
            assert len(fake.messages) == 2
            clock[0] += timedelta(hours=1)
            assert await worker.deliver_due() == 1
            status, message_id = db.execute("SELECT status, message_id FROM outbox").fetchone()
        finally:
            await adapter.stop()
            db.close()
    assert status == "sent" and int(message_id) == min(fake.messages)
    assert parts_posted(fake) == [f"alert story {n}" for n in range(3)]


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
