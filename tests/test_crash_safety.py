"""Outbox crash safety: a delivering process killed mid-queue loses and repeats nothing.

A child process delivers a queue of alerts through the real discord.py client to the fake
Discord. The fake answers four messages, records the fifth and never answers it, and the test
kills the child with SIGKILL while it waits: the fifth row is left `sending` although the
message exists. A second child resumes the queue; every alert must be in the channel once,
also when the fake ignores nonces (as Discord does once it has forgotten them), so that only
reading the channel's history can tell the fifth message went out.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import textwrap
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot.models import Reply, Section, reply_to_dict
from store import open_db, outbox
from tests.fakes.discord_fake import FakeDiscord

ROOT = Path(__file__).resolve().parents[1]
ALERTS = 12
CHILD = textwrap.dedent("""
    import asyncio, sys
    from bot.config import DiscordSettings
    from bot.delivery import DeliveryWorker
    from bot.platforms.discord_bot import DiscordAdapter
    from store import open_db, outbox

    async def main(db_path, api_base, gateway_url, token):
        db = open_db(db_path)
        adapter = DiscordAdapter(DiscordSettings(token=token, api_base=api_base, gateway_url=gateway_url),
                                 runner=None, guild_ready_timeout=0.1, ready_timeout=20)
        await adapter.start()
        worker = DeliveryWorker(db, {"discord": adapter}, channel_spacing=0)
        while outbox.queue_depth(db):
            await worker.deliver_due()
        await adapter.stop()

    asyncio.run(main(*sys.argv[1:]))
""")


async def _child(fake: FakeDiscord, db_path: Path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-c", CHILD, str(db_path), fake.api_base, fake.gateway_url, fake.token,
        cwd=ROOT, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)


def _posts(fake: FakeDiscord) -> int:
    return sum(r.method == "POST" and r.path.startswith("/channels/") for r in fake.requests)


@pytest.mark.parametrize("ignore_nonces", [False, True], ids=["nonces-kept", "nonces-ignored"])
async def test_killed_delivery_resumes_without_losing_or_repeating(tmp_path, ignore_nonces):
    db_path = tmp_path / "watchdesk.db"
    db = open_db(db_path)
    now = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)
    async with FakeDiscord() as fake:
        fake.ignore_nonces = ignore_nonces
        with db.conn:
            for number in range(ALERTS):
                outbox.enqueue(db, idem_key=f"alert:discord:{fake.channel_id}:story-{number}", kind="alert",
                               platform="discord", channel_id=str(fake.channel_id), now=now,
                               payload=reply_to_dict(Reply(title=f"alert {number}")))
        fake.hang_after_messages = 5
        first = await _child(fake, db_path)
        await fake.wait_for(lambda: _posts(fake) >= 5, timeout=60)
        first.send_signal(signal.SIGKILL)
        await first.wait()
        statuses = Counter(row[0] for row in db.execute("SELECT status FROM outbox"))
        assert statuses == {"sent": 4, "sending": 1, "pending": ALERTS - 5}

        fake.hang_after_messages = None
        second = await _child(fake, db_path)
        _, errors = await asyncio.wait_for(second.communicate(), timeout=120)
        assert second.returncode == 0, errors.decode()[-2000:]
        assert _posts(fake) == ALERTS  # the fifth was found in the channel's history, not posted again
        assert any(r.method == "GET" and r.path.endswith("/messages") for r in fake.requests)

    titles = Counter(embed["title"] for message in fake.messages.values() for embed in message["embeds"])
    assert titles == {f"alert {number}": 1 for number in range(ALERTS)}
    rows = db.execute("SELECT status, message_id FROM outbox").fetchall()
    assert all(status == "sent" and message_id for status, message_id in rows)
    db.close()


@pytest.mark.parametrize("ignore_nonces", [False, True], ids=["nonces-kept", "nonces-ignored"])
async def test_a_long_alert_killed_after_its_first_part_is_completed_once(tmp_path, ignore_nonces):
    db_path = tmp_path / "watchdesk.db"
    db = open_db(db_path)
    now = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)
    sections = tuple(Section(title=f"long alert part {n}", text="x" * 4000) for n in range(1, 3))
    async with FakeDiscord() as fake:
        fake.ignore_nonces = ignore_nonces
        with db.conn:  # three messages: the title with part 0's text, then parts 1 and 2
            outbox.enqueue(db, idem_key=f"alert:discord:{fake.channel_id}:story-long", kind="alert",
                           platform="discord", channel_id=str(fake.channel_id), now=now,
                           payload=reply_to_dict(Reply(title="long alert part 0", text="x" * 4000,
                                                       sections=sections)))
        fake.hang_after_messages = 1  # part 0 is posted and never answered; no later part is sent
        first = await _child(fake, db_path)
        await fake.wait_for(lambda: _posts(fake) >= 1, timeout=60)
        first.send_signal(signal.SIGKILL)
        await first.wait()
        assert db.execute("SELECT status FROM outbox").fetchone() == ("sending",)
        assert len(fake.messages) == 1

        fake.hang_after_messages = None
        second = await _child(fake, db_path)
        _, errors = await asyncio.wait_for(second.communicate(), timeout=120)
        assert second.returncode == 0, errors.decode()[-2000:]
        assert _posts(fake) == 3  # part 0 was found in the channel's history, parts 1 and 2 followed

    titles = [embed["title"] for _, message in sorted(fake.messages.items()) for embed in message["embeds"]]
    assert titles == [f"long alert part {n}" for n in range(3)]
    status, message_id = db.execute("SELECT status, message_id FROM outbox").fetchone()
    assert status == "sent" and int(message_id) == min(fake.messages)
    db.close()


async def test_slack_message_sent_before_a_crash_is_found_not_reposted(tmp_path, monkeypatch):
    from bot.config import SlackSettings
    from bot.delivery import DeliveryWorker
    from bot.platforms.slack_bot import SlackAdapter
    from tests.fakes.slack_fake import BOT_TOKEN, FakeSlack

    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    fake = FakeSlack()
    await fake.start()
    db = open_db(tmp_path / "watchdesk.db")
    now = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)
    adapter = SlackAdapter(SlackSettings(bot_token=BOT_TOKEN, mode="http", signing_secret="s", http_host="127.0.0.1",
                                         http_port=0, api_base=fake.api_base), runner=None)
    try:
        with db.conn:
            for number in range(2):
                outbox.enqueue(db, idem_key=f"alert:slack:C0GENERAL:story-{number}", kind="alert", platform="slack",
                               channel_id="C0GENERAL", now=now, payload=reply_to_dict(Reply(title=f"alert {number}")))
        # The crash: the first row was marked sending and posted, then the process died.
        row = outbox.due(db, now)[0]
        with db.conn:
            outbox.mark_sending(db, row["id"])
        await adapter.send("C0GENERAL", Reply(title="alert 0"), idempotency_key=row["idem_key"])
        worker = DeliveryWorker(db, {"slack": adapter}, now=lambda: now, channel_spacing=0)
        assert await worker.deliver_due() == 2
        texts = sorted(message["text"] for message in fake.messages.values())
        assert texts == ["alert 0", "alert 1"]
        assert {status for (status,) in db.execute("SELECT status FROM outbox")} == {"sent"}
    finally:
        db.close()
        await fake.stop()
