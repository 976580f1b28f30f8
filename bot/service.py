"""`watchdesk run`: scheduler, chat adapters, delivery worker and console in one asyncio process.

bot.app builds the parts; this module only starts them, waits, drains and stops. Start-up:
record the start, connect the platforms whose tokens are set, queue any digest missed while the
bot was down, then poll on schedule. SIGINT/SIGTERM (and Ctrl-C or Ctrl-D at the console) stop it
at once and cleanly: a running poll gets STOP_GRACE seconds, then is cancelled; the store thread
still finishes the transaction it is in (each feed is written whole or not at all), and the queue
stays in the store for next time.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from datetime import datetime

from bot.app import Pipeline, Service, build_service
from bot.clock import utc_now
from bot.config import Settings

log = logging.getLogger(__name__)

POLL_TICK_SECONDS = 30.0
STOP_GRACE = 0.3  # seconds a running poll may take to finish before it is cancelled on stop


def queue_missed_digests(pipeline: Pipeline, now: datetime) -> int:
    """Queue, once, every digest whose time passed while the bot was down."""
    from bot.digest import enqueue_digest, missed_digests

    queued = 0
    for target in missed_digests(pipeline.db, pipeline.settings.digests, now):
        with pipeline.db.conn:
            queued += enqueue_digest(pipeline.db, target, now)
    return queued


def retime_held_alerts(db, rules, now: datetime) -> int:
    """Held alerts follow the quiet windows in force now: after feeds.yml's windows change (or go), an alert
    waits for the new window's end, or goes now if its channel is no longer quiet. Return how many moved."""
    from bot.clock import iso
    from bot.quiet import quiet_until, windows
    from store.quiet import all_quiet_windows, held_ends, retime_held

    current = windows(rules, all_quiet_windows(db))
    moved = 0
    with db.conn:
        for (platform, channel), ends in held_ends(db).items():
            until = quiet_until(current.get((platform, channel)), now)
            if until is not None and ends == {iso(until)}:
                continue
            moved += retime_held(db, platform=platform, channel_id=channel, until=until, now=now)
    return moved


async def run_service(settings: Settings, *, console_input=None, tick: float = POLL_TICK_SECONDS) -> int:
    """Run until SIGINT/SIGTERM (or the console's `quit`); return an exit code."""
    from store.lock import StoreLocked, lock_store

    try:
        store_lock = lock_store(settings.store)
    except StoreLocked as exc:
        print(f"watchdesk run: {exc}", file=sys.stderr)
        return 2
    stop = asyncio.Event()
    _install_signal_handlers(stop)
    service = build_service(settings, tick=tick)
    try:
        await start(service, stop, console_input)
        await stop.wait()
    finally:
        await shutdown(service)
        store_lock.close()
    return 0


async def start(service: Service, stop: asyncio.Event, console_input=None) -> None:
    """Record the start, serve metrics, connect the platforms, queue missed digests, start the jobs."""
    settings, pipeline = service.settings, service.pipeline
    record_start(pipeline.db, service.started_at)
    if service.metrics is not None:
        service.metrics.serve(settings.metrics.host, settings.metrics.port)
        log.info("metrics on http://%s:%d/metrics", settings.metrics.host, settings.metrics.port)
    await connect_platforms(service, stop)
    missed = queue_missed_digests(pipeline, utc_now())
    if missed:
        log.info("queued %d digest(s) missed while the bot was down", missed)
    retimed = retime_held_alerts(pipeline.db, settings.alerts, utc_now())
    if retimed:
        log.info("%d held alert(s) now follow the quiet hours in force", retimed)
    service.scheduler.start()
    service.tasks.append(asyncio.create_task(service.worker.run(stop), name="delivery"))
    if console_input is not None and not (settings.discord or settings.slack):
        service.tasks.append(asyncio.create_task(_console(service.commands, console_input, stop,
                                                          service.adapters.get("console")), name="console"))
    log.info("watchdesk running: %d feeds, platforms: %s", len(settings.feeds), ", ".join(service.adapters))


async def connect_platforms(service: Service, stop: asyncio.Event, *, first_wait: float = 90.0) -> None:
    """Keep every chat platform connected (bot.connections), never dropping one that fails.

    Waits for each platform's first attempt, up to `first_wait` seconds; a platform still down
    goes on being retried with backoff, its messages queued until it is back.
    """
    from bot.connections import Connection
    from store.connections import reset_connections

    reset_connections(service.pipeline.db)
    keepers = []
    for name, adapter in service.adapters.items():
        if name == "console":
            continue
        keeper = Connection(name, adapter, service.pipeline.db, now=service.pipeline.now,
                            on_connected=service.worker.wake.set)
        service.worker.connections[name] = keeper
        service.tasks.append(asyncio.create_task(keeper.run(stop), name=f"connection-{name}"))
        keepers.append(keeper)
    if keepers:
        waiting = [asyncio.ensure_future(keeper.first_attempt.wait()) for keeper in keepers]
        await asyncio.wait(waiting, timeout=first_wait)
        for waiter in waiting:
            waiter.cancel()


async def shutdown(service: Service) -> None:
    """Stop the scheduler, let running jobs finish their transactions, stop tasks and adapters, close."""
    if service.scheduler.running:
        service.scheduler.shutdown(wait=False)
    await service.jobs.drain(timeout=STOP_GRACE)
    for task in service.tasks:
        task.cancel()
    await asyncio.gather(*service.tasks, return_exceptions=True)
    for adapter in service.adapters.values():  # connected or not: stop() cleans up either way
        await _quietly(adapter.stop())
    await service.pipeline.close()


def record_start(db, now: datetime) -> None:
    """Remember when the service started (and first ever started: digests missed before don't count)."""
    from bot.clock import iso
    from store.feeds import get_meta, set_meta

    with db.conn:
        set_meta(db, "started_at", iso(now))
        if get_meta(db, "first_started_at") is None:
            set_meta(db, "first_started_at", iso(now))


async def _console(runner, stream, stop: asyncio.Event, console=None) -> None:
    from bot.platforms.console import run_console

    await run_console(runner, input_stream=stream, output_stream=sys.stdout, console=console)
    stop.set()


async def _quietly(awaitable) -> None:
    try:
        await awaitable
    except Exception:  # noqa: BLE001 - shutting down: log and go on
        log.exception("error while stopping")


def _install_signal_handlers(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, stop.set)
        except (NotImplementedError, RuntimeError):  # not the main thread, or no signals here
            pass
