"""Chat connections that heal: retried with backoff, never dropped, messages kept until back."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest

from bot.cli import main
from bot.clock import iso
from bot.config import DiscordSettings, SlackSettings
from bot.connections import Connection, down_too_long
from bot.delivery import DeliveryWorker
from bot.models import Reply, reply_to_dict
from bot.platforms.discord_bot import DiscordAdapter
from bot.platforms.slack_bot import SlackAdapter
from store import outbox
from store.connections import CONNECTED, DOWN, connection_states, record_connection
from store.feeds import set_meta
from tests.fakes.discord_fake import FakeDiscord
from tests.fakes.slack_fake import APP_TOKEN, BOT_TOKEN, FakeSlack

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)


class NoRunner:
    async def run(self, *args):
        return Reply(title="unused")


@pytest.fixture
async def fake():
    async with FakeDiscord() as server:
        yield server


def discord_adapter(fake: FakeDiscord) -> DiscordAdapter:
    settings = DiscordSettings(token=fake.token, guild_ids=(fake.guild_id,), api_base=fake.api_base,
                               gateway_url=fake.gateway_url)
    return DiscordAdapter(settings, NoRunner(), guild_ready_timeout=0.05, ready_timeout=10)


def queue_alert(db, channel: int) -> None:
    with db.conn:
        outbox.enqueue(db, idem_key="alert:discord:test", kind="alert", platform="discord", channel_id=str(channel),
                       payload=reply_to_dict(Reply(title="Queued while Discord was down")), now=NOW)


async def eventually(predicate, timeout: float = 10.0) -> None:
    """Wait until predicate() holds, looking every 20 ms (state the fakes cannot signal)."""
    async def poll():
        while not predicate():
            await asyncio.sleep(0.02)

    await asyncio.wait_for(poll(), timeout)


async def stop_all(stop: asyncio.Event, tasks, adapter) -> None:
    stop.set()
    await asyncio.gather(*tasks)
    await adapter.stop()


async def test_a_gateway_that_refuses_three_connections_then_accepts(fake, db):
    fake.refuse_connections = 3
    adapter = discord_adapter(fake)
    queue_alert(db, fake.channel_id)
    stop = asyncio.Event()
    worker = DeliveryWorker(db, {"discord": adapter}, now=lambda: NOW, channel_spacing=0.0)
    keeper = Connection("discord", adapter, db, now=lambda: NOW, on_connected=worker.wake.set,
                        base_delay=0.01, max_delay=0.05, check_interval=0.05)
    worker.connections["discord"] = keeper
    tasks = [asyncio.create_task(keeper.run(stop)), asyncio.create_task(worker.run(stop))]
    try:
        await keeper.first_attempt.wait()
        assert not keeper.is_up and connection_states(db)["discord"]["state"] in (DOWN, "connecting")
        assert outbox.get(db, "alert:discord:test")["status"] == outbox.PENDING  # kept, not tried
        posted = await fake.wait_for(lambda: [m for m in fake.messages.values() if m["type"] == 0], timeout=10)
    finally:
        await stop_all(stop, tasks, adapter)
    assert fake.gateway_attempts == 4
    assert posted[0]["embeds"][0]["title"] == "Queued while Discord was down"
    row = outbox.get(db, "alert:discord:test")
    assert (row["status"], row["attempts"]) == (outbox.SENT, 1)  # sent once it was back, at the first try
    state = connection_states(db)["discord"]
    assert (state["state"], state["attempts"]) == (CONNECTED, 0)
    assert "could not connect" in state["last_error"]


async def test_a_connection_that_ends_for_good_is_opened_again(fake, db):
    adapter = discord_adapter(fake)
    stop = asyncio.Event()
    keeper = Connection("discord", adapter, db, now=lambda: NOW, base_delay=0.01, check_interval=0.05)
    task = asyncio.create_task(keeper.run(stop))
    try:
        await keeper.first_attempt.wait()
        assert keeper.is_up and fake.gateway_attempts == 1
        await fake.drop_connection(code=4004)  # a close discord.py does not resume
        await fake.wait_for(lambda: fake.gateway_attempts == 2, timeout=10)
        await eventually(lambda: adapter.connected and connection_states(db)["discord"]["state"] == CONNECTED)
    finally:
        await stop_all(stop, [task], adapter)
    state = connection_states(db)["discord"]
    assert state["state"] == CONNECTED and "connection lost" in state["last_error"]
    identifies = [message for message in fake.gateway_received if message.get("op") == 2]
    assert len(identifies) == 2


async def test_slack_that_cannot_open_socket_mode_is_retried(db):
    slack = FakeSlack()
    await slack.start()
    slack.fail("apps.connections.open", 500, times=2)
    adapter = SlackAdapter(SlackSettings(bot_token=BOT_TOKEN, app_token=APP_TOKEN, mode="socket",
                                         api_base=slack.api_base), NoRunner())
    stop = asyncio.Event()
    keeper = Connection("slack", adapter, db, now=lambda: NOW, base_delay=0.01, check_interval=0.05)
    task = asyncio.create_task(keeper.run(stop))
    try:
        await eventually(lambda: keeper.is_up and adapter.connected)
    finally:
        stop.set()
        await task
        await adapter.stop()
        await slack.stop()
    assert len(slack.calls_to("apps.connections.open")) == 3
    assert connection_states(db)["slack"]["state"] == CONNECTED


def test_down_too_long_counts_from_when_the_platform_stopped_being_connected(db):
    record_connection(db, "discord", CONNECTED, NOW - timedelta(hours=2))
    record_connection(db, "discord", "reconnecting", NOW - timedelta(minutes=11))
    record_connection(db, "discord", DOWN, NOW - timedelta(minutes=5), attempts=3, error="could not connect: 503")
    states = connection_states(db)
    assert states["discord"]["since"] == iso(NOW - timedelta(minutes=11))
    [problem] = down_too_long(states, ["discord", "slack"], NOW, 600)
    assert problem.startswith("discord down for 11m (3 failed attempts): could not connect: 503")
    assert down_too_long(states, ["discord"], NOW, 900) == []
    assert down_too_long(states, ["slack"], NOW, 600) == []  # not recorded: not judged


def test_status_health_fails_when_a_configured_platform_is_down_too_long(db, tmp_path, capsys, monkeypatch):
    from bot.clock import utc_now

    monkeypatch.setenv("DISCORD_TOKEN", "token")
    config = tmp_path / "feeds.yml"
    config.write_text("feeds:\n  - {id: dawn, url: 'http://127.0.0.1/dawn'}\nplatforms:\n  down_limit: 10m\n")
    store_path = db.execute("PRAGMA database_list").fetchone()[2]
    now = utc_now()
    with db.conn:
        set_meta(db, "last_poll_at", iso(now))
    record_connection(db, "discord", DOWN, now - timedelta(minutes=9), attempts=2, error="could not connect: 503")
    assert main(["--config", str(config), "--db", store_path, "status", "--health"]) == 0
    assert capsys.readouterr().out.startswith("healthy")
    record_connection(db, "discord", CONNECTED, now - timedelta(minutes=30))
    record_connection(db, "discord", DOWN, now - timedelta(minutes=11), attempts=5, error="could not connect: 503")
    assert main(["--config", str(config), "--db", store_path, "status", "--health"]) == 1
    assert capsys.readouterr().out.startswith("unhealthy: discord down for 11m (5 failed attempts)")
    assert main(["--config", str(config), "--db", store_path, "status"]) == 0
    assert "Chat connections: discord down for 11m" in capsys.readouterr().out
