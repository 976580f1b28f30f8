"""Composition root: settings -> store -> fetcher -> matcher -> refresher -> commands -> adapters,
delivery worker and scheduler.

The one place that wires modules together, so every other module takes its dependencies as
arguments and every test is a function call. `watchdesk run` (bot.service), the demo and the
one-shot CLI commands all build here; bot.service only starts, waits, drains and stops.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from bot import __version__
from bot.config import Settings
from bot.feeds.fetch import Fetcher
from bot.clock import utc_now
from bot.feeds.refresh import PassSummary, Refresher
from store import open_db
from store.feeds import sync_feeds

log = logging.getLogger(__name__)


def user_agent(settings: Settings) -> str:
    """The User-Agent watchdesk sends: name, version and the desk's contact."""
    return f"watchdesk/{__version__} (+{settings.user_agent_contact})"


def open_store(settings: Settings, now: datetime | None = None):
    """Open the store and mirror the configured feeds into it."""
    db = open_db(settings.store, check_same_thread=False)
    sync_feeds(db, settings.feeds, now or utc_now())
    return db


def build_matcher(settings: Settings, db=None):
    """Load the catalog (with the `watch:` extensions), compile the matcher, sync the catalog tables."""
    from bot.matching.loader import load_matcher
    from store.catalog import sync_catalog

    if settings.watch and settings.catalog is not None:  # loaded and checked with the config
        from bot.matching.loader import load_semantic
        from bot.matching.matcher import Matcher
        from bot.matching.themes import ThemeScorer

        matcher = Matcher(settings.catalog, ThemeScorer(settings.catalog, semantic=load_semantic()))
    else:
        matcher = load_matcher(settings.watch or None)
    if db is not None:
        with db.conn:
            sync_catalog(db, matcher.catalog)
    return matcher


def make_fetcher(settings: Settings) -> Fetcher:
    """A polite fetcher configured from the settings."""
    return Fetcher(user_agent=user_agent(settings), concurrency=settings.fetch.concurrency,
                   host_spacing=settings.fetch.host_spacing,
                   max_redirects=settings.fetch.max_redirects,
                   allow_private=settings.fetch.allow_private)


@dataclass
class Pipeline:
    """Everything a poll needs, built once."""

    settings: Settings
    db: object
    fetcher: Fetcher
    matcher: object
    refresher: Refresher
    now: Callable[[], datetime] = field(default=utc_now)

    async def poll(self, *, force: bool = False, progress=None) -> PassSummary:
        """Refresh due feeds, match what waits (items whose matching failed), then queue alerts and notices."""
        await self.refresher.start()  # the staging workers, once: later passes find them warm
        summary = await self.refresher.poll(self.settings.feeds, force=force, progress=progress)
        summary = replace(summary, matched=await self.refresher.match_queued())
        self.queue_awaiting_alerts()
        if summary.state_changes:
            self.queue_feed_notices(summary)
        return summary

    def queue_alerts(self, item_ids: list[str]) -> int:
        """Queue an alert per channel that tracks what these items match."""
        from bot.alerts import enqueue_alerts

        with self.db.conn:
            return enqueue_alerts(self.db, item_ids, rules=self.settings.alerts,
                                  limits=self.settings.alert_limits, now=self.now(),
                                  zone=self.settings.timezone, tiers=self.settings.incident_tiers,
                                  urgency=self.settings.urgency)

    def queue_awaiting_alerts(self) -> int:
        """Queue alerts for the items the write path recorded as awaiting them, including any a
        crash left behind, and forget those items in the same transaction."""
        from bot.alerts import enqueue_alerts
        from store import outbox

        queued = 0
        while item_ids := outbox.awaiting_alerting(self.db):
            with self.db.conn:
                queued += enqueue_alerts(self.db, item_ids, rules=self.settings.alerts,
                                         limits=self.settings.alert_limits, now=self.now(),
                                         zone=self.settings.timezone, tiers=self.settings.incident_tiers,
                                         urgency=self.settings.urgency)
                outbox.alerting_done(self.db, item_ids)
        return queued

    def queue_feed_notices(self, summary: PassSummary) -> None:
        """Tell the admin channels which feeds changed state (failing, failed, recovered)."""
        if not self.settings.admin_channels:
            return
        from bot.feeds.notices import enqueue_feed_notices

        with self.db.conn:
            enqueue_feed_notices(self.db, summary.state_changes, self.settings.admin_channels,
                                 now=self.now())

    async def close(self) -> None:
        """Close the fetcher's connections, the refresher's workers and thread, and both store connections."""
        await self.fetcher.close()
        self.refresher.close()
        self.refresher.db.close()
        self.db.close()


def build_pipeline(settings: Settings, *, now: Callable[[], datetime] = utc_now, db=None,
                   with_matcher: bool = True) -> Pipeline:
    """Wire store, fetcher, matcher and refresher for these settings."""
    db = db or open_store(settings, now())
    matcher = build_matcher(settings, db) if with_matcher else None
    fetcher = make_fetcher(settings)
    # The refresher writes from its own thread, on its own connection.
    refresher = Refresher(open_db(settings.store), fetcher, settings=settings.fetch, matcher=matcher,
                          now=now)
    return Pipeline(settings=settings, db=db, fetcher=fetcher, matcher=matcher, refresher=refresher,
                    now=now)


def chart_directory(settings: Settings) -> Path:
    """Where trend charts are written, whoever asks: next to the store."""
    return settings.store.parent


def build_commands(settings: Settings, db, *, now: Callable[[], datetime] = utc_now,
                   started_at: datetime | None = None, catalog=None):
    """The /watch command runner over this store; its Deps are built here and nowhere else."""
    from bot.commands import Commands, Deps

    catalog = catalog or settings.catalog
    if catalog is None:
        from bot.matching.catalog import load_catalog

        catalog = load_catalog(settings.watch or None)
    return Commands(Deps(db=db, now=now, started_at=started_at or now(), chart_dir=chart_directory(settings),
                         catalog=catalog, rules=settings.alerts, timezone=settings.timezone,
                         urgency=settings.urgency))


def build_adapters(settings: Settings, runner, output=None) -> dict:
    """Create an adapter per platform with a token, plus the console for console channels."""
    from bot.platforms.console import ConsoleAdapter

    adapters = {"console": ConsoleAdapter(output=output)}  # None: sys.stdout as it is at each message
    if settings.discord:
        from bot.platforms.discord_bot import DiscordAdapter

        adapters["discord"] = DiscordAdapter(settings.discord, runner)
    if settings.slack:
        from bot.platforms.slack_bot import SlackAdapter

        adapters["slack"] = SlackAdapter(settings.slack, runner)
    return adapters


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


@dataclass
class Service:
    """Everything `watchdesk run` runs, wired and not yet started."""

    settings: Settings
    pipeline: Pipeline
    commands: object
    adapters: dict
    worker: object
    jobs: object
    scheduler: object
    metrics: object
    started_at: datetime
    tasks: list = field(default_factory=list)  # the delivery worker and console, once started

    async def poll_and_deliver(self) -> PassSummary:
        """One scheduled poll: refresh due feeds, record the figures, wake the delivery worker."""
        summary = await self.pipeline.poll()
        if self.metrics is not None:
            self.metrics.poll(summary)
        self.worker.wake.set()
        return summary


def build_service(settings: Settings, *, tick: float = 30.0, now: Callable[[], datetime] = utc_now,
                  started_at: datetime | None = None, output=None, channel_spacing: float | None = None) -> Service:
    """Wire pipeline, commands, adapters, delivery worker and scheduler for these settings."""
    from bot.delivery import CHANNEL_SPACING, DeliveryWorker
    from bot.scheduler import JobRunner, build_scheduler

    pipeline = build_pipeline(settings, now=now)
    started_at = started_at or now()
    commands = build_commands(settings, pipeline.db, now=now, started_at=started_at,
                              catalog=pipeline.matcher.catalog if pipeline.matcher else None)
    metrics = None
    if settings.metrics.enabled:
        from bot.metrics import Metrics

        metrics = Metrics(pipeline.db)
    adapters = build_adapters(settings, commands, output)
    worker = DeliveryWorker(pipeline.db, adapters, now=now, metrics=metrics,
                            channel_spacing=CHANNEL_SPACING if channel_spacing is None else channel_spacing)
    jobs = JobRunner()
    service = Service(settings=settings, pipeline=pipeline, commands=commands, adapters=adapters, worker=worker,
                      jobs=jobs, scheduler=None, metrics=metrics, started_at=started_at)
    service.scheduler = build_scheduler(jobs, poll=service.poll_and_deliver, tick=tick,
                                        digests=digest_jobs(pipeline, worker))
    return service
