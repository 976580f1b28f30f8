"""Composition root: settings -> store -> fetcher -> catalog and matcher -> refresher -> alerts.

The one place that wires modules together, so every other module takes its dependencies as
arguments and every test is a function call.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from bot import __version__
from bot.config import Settings
from bot.feeds.fetch import Fetcher
from bot.feeds.refresh import PassSummary, Refresher, utc_now
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
    from bot.matching.cli import load_matcher
    from store.catalog import sync_catalog

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

    async def poll(self, *, force: bool = False) -> PassSummary:
        """Refresh due feeds, match what waits (new feeds' baselines), then queue alerts and notices."""
        summary = await self.refresher.poll(self.settings.feeds, force=force)
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
                                  zone=self.settings.timezone)

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
                                  zone=self.settings.timezone)
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
        """Close the fetcher's connections and the refresher's thread and store connection."""
        await self.fetcher.close()
        self.refresher.close()
        self.refresher.db.close()


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
