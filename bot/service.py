"""`watchdesk run`: scheduler, chat adapters, delivery worker and console in one asyncio process.

Start-up: open the store, load the catalog, connect the platforms whose tokens are set, queue
any digest missed while the bot was down, then poll on schedule. SIGINT/SIGTERM stop it
cleanly: the running poll finishes its transaction, the queue stays in the store for next time.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from datetime import datetime
from pathlib import Path

from bot.app import Pipeline, build_pipeline
from bot.config import Settings
from bot.feeds.refresh import utc_now
from bot.scheduler import JobRunner, build_scheduler

log = logging.getLogger(__name__)

POLL_TICK_SECONDS = 30.0


def build_adapters(settings: Settings, runner) -> dict:
    """Create an adapter per platform with a token, plus the console for console channels."""
    from bot.platforms.console import ConsoleAdapter

    adapters = {"console": ConsoleAdapter(output=sys.stdout)}
    if settings.discord:
        from bot.platforms.discord_bot import DiscordAdapter

        adapters["discord"] = DiscordAdapter(settings.discord, runner)
    if settings.slack:
        from bot.platforms.slack_bot import SlackAdapter

        adapters["slack"] = SlackAdapter(settings.slack, runner)
    return adapters


def queue_missed_digests(pipeline: Pipeline, now: datetime) -> int:
    """Queue, once, every digest whose time passed while the bot was down."""
    from bot.digest import enqueue_digest, missed_digests

    queued = 0
    for target in missed_digests(pipeline.db, pipeline.settings.digests, now):
        with pipeline.db.conn:
            queued += enqueue_digest(pipeline.db, target, now)
    return queued


def digest_jobs(pipeline: Pipeline, worker=None):
    """A scheduler job per digest target that queues that target's digest."""
    from bot.digest import enqueue_digest

    def job_for(target):
        async def job():
            with pipeline.db.conn:
                enqueue_digest(pipeline.db, target, pipeline.now())
            if worker is not None:
                worker.wake.set()

        return job

    return [(target, job_for(target)) for target in pipeline.settings.digests]


async def run_service(settings: Settings, *, console_input=None, tick: float = POLL_TICK_SECONDS) -> int:
    """Run until SIGINT/SIGTERM (or the console's `quit`); return an exit code."""
    from bot.commands import Commands, Deps
    from bot.delivery import DeliveryWorker

    from store.lock import StoreLocked, lock_store

    try:
        store_lock = lock_store(settings.store)
    except StoreLocked as exc:
        print(f"watchdesk run: {exc}", file=sys.stderr)
        return 2
    stop = asyncio.Event()
    _install_signal_handlers(stop)
    pipeline = build_pipeline(settings)
    started = utc_now()
    record_start(pipeline.db, started)
    metrics = start_metrics(settings, pipeline.db)
    deps = Deps(db=pipeline.db, now=utc_now, started_at=started, chart_dir=settings.store.parent,
                catalog=pipeline.matcher.catalog if pipeline.matcher else None, rules=settings.alerts,
                timezone=settings.timezone)
    runner = Commands(deps)
    adapters = build_adapters(settings, runner)
    worker = DeliveryWorker(pipeline.db, adapters, metrics=metrics)

    async def poll_and_deliver():
        summary = await pipeline.poll()
        if metrics is not None:
            metrics.poll(summary)
        worker.wake.set()
        return summary

    jobs = JobRunner()
    scheduler = build_scheduler(jobs, poll=poll_and_deliver, tick=tick, digests=digest_jobs(pipeline, worker))
    tasks = []
    try:
        for name, adapter in list(adapters.items()):
            try:
                await adapter.start()
                log.info("%s connected", name)
            except Exception as exc:  # noqa: BLE001 - one platform down must not stop the others
                log.error("%s could not start: %s; its messages stay queued until it can", name, exc)
                adapters.pop(name)
        missed = queue_missed_digests(pipeline, utc_now())
        if missed:
            log.info("queued %d digest(s) missed while the bot was down", missed)
        scheduler.start()
        tasks.append(asyncio.create_task(worker.run(stop), name="delivery"))
        if console_input is not None and not (settings.discord or settings.slack):
            tasks.append(asyncio.create_task(_console(runner, console_input, stop), name="console"))
        log.info("watchdesk running: %d feeds, platforms: %s", len(settings.feeds),
                 ", ".join(adapters))
        await stop.wait()
    finally:
        scheduler.shutdown(wait=False)
        await jobs.drain(timeout=30)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for adapter in adapters.values():
            await _quietly(adapter.stop())
        await pipeline.close()
        pipeline.db.close()
        store_lock.close()
    return 0


def record_start(db, now: datetime) -> None:
    """Remember when the service started (and first ever started: digests missed before don't count)."""
    from store.feeds import get_meta, iso, set_meta

    with db.conn:
        set_meta(db, "started_at", iso(now))
        if get_meta(db, "first_started_at") is None:
            set_meta(db, "first_started_at", iso(now))


def start_metrics(settings: Settings, db):
    """Start the Prometheus endpoint when `metrics: {enabled: true}`; return the recorder or None."""
    if not settings.metrics.enabled:
        return None
    from bot.metrics import Metrics

    metrics = Metrics(db)
    metrics.serve(settings.metrics.host, settings.metrics.port)
    log.info("metrics on http://%s:%d/metrics", settings.metrics.host, settings.metrics.port)
    return metrics


async def _console(runner, stream, stop: asyncio.Event) -> None:
    from bot.platforms.console import run_console

    await run_console(runner, input_stream=stream, output_stream=sys.stdout)
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


def chart_directory(settings: Settings) -> Path:
    """Where trend charts are written."""
    return settings.store.parent
