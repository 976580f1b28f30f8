"""Refresh feeds: fetch, parse, dedup, match, store — one transaction per feed — and schedule.

A poll pass refreshes every due feed concurrently, then judges the failures together: when
nearly every feed fails with a network error in one pass, the network is down, not the
feeds, and no feed is penalised. Otherwise a failing feed backs off exponentially up to a cap
and is never dropped.
"""

from __future__ import annotations

import asyncio
import hashlib
import functools
import logging
import random
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from bot.config import FetchSettings
from bot.errors import FetchError, FetchTimeout, HTTPStatusError, NetworkError, ParseError
from bot.feeds.fetch import FetchRequest, Fetcher
from bot.feeds.parse import parse_feed
from bot.models import Feed
from store import feeds as feed_store
from store import items as item_store

log = logging.getLogger(__name__)

FAILED_AFTER = 5  # consecutive errors before a feed is "failed" (still retried at the cap)
MIN_FEEDS_FOR_OUTAGE = 3


@dataclass(frozen=True)
class RefreshResult:
    """What one feed's refresh did."""

    feed_id: str
    outcome: str  # new | empty | not_modified | unchanged | error
    new_item_ids: tuple[str, ...] = ()  # stored and not a baseline: candidates for alerts
    stored: int = 0  # every item stored, baseline included
    new_stories: int = 0
    joined: int = 0  # items that joined a story another outlet carried first
    error: str | None = None
    retry_after: float | None = None
    network_error: bool = False
    previous_state: str | None = None  # the feed's state before this good poll


@dataclass(frozen=True)
class PassSummary:
    """What a poll pass did, for the CLI and the logs."""

    results: tuple[RefreshResult, ...]
    outage: bool = False
    state_changes: tuple[tuple[str, str, str], ...] = field(default=())  # (feed, before, after)

    @property
    def ok(self) -> int:
        """Feeds that answered."""
        return sum(result.outcome != "error" for result in self.results)

    @property
    def failing(self) -> int:
        """Feeds that failed."""
        return sum(result.outcome == "error" for result in self.results)

    @property
    def new_items(self) -> int:
        """New (non-baseline) items across the pass."""
        return sum(len(result.new_item_ids) for result in self.results)

    @property
    def new_stories(self) -> int:
        """Stories first seen in this pass."""
        return sum(result.new_stories for result in self.results)

    @property
    def stored(self) -> int:
        """Items stored in this pass, baseline included."""
        return sum(result.stored for result in self.results)


def utc_now() -> datetime:
    """The current time in UTC."""
    return datetime.now(timezone.utc)


class Refresher:
    """Refreshes feeds into the store with one fetcher, one matcher and one clock.

    Every store access runs on one dedicated thread, so transactions never interleave and the
    event loop never waits on SQLite; parsing and matching run on the default thread pool.
    """

    def __init__(self, db, fetcher: Fetcher, *, settings: FetchSettings | None = None, matcher=None,
                 now: Callable[[], datetime] = utc_now, jitter: Callable[[], float] | None = None,
                 save_matches: Callable | None = None):
        self.db, self.fetcher, self.matcher, self.now = db, fetcher, matcher, now
        self.settings = settings or FetchSettings()
        self.jitter = jitter or (lambda: random.uniform(0.9, 1.1))
        self.save_matches = save_matches
        self._store_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="watchdesk-store")
        if matcher is not None and save_matches is None:
            from store.matches import save_matches as default_save

            self.save_matches = default_save

    async def _in_store(self, function, *args, **kwargs):
        """Run a store function on the store thread."""
        call = functools.partial(function, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._store_thread, call)

    def close(self) -> None:
        """Stop the store thread once its queued work is done."""
        self._store_thread.shutdown(wait=True)

    async def poll(self, feeds: Sequence[Feed], *, force: bool = False) -> PassSummary:
        """Refresh the due feeds (all enabled ones with force) and judge their failures together."""
        now = self.now()
        if force:
            due = [feed for feed in feeds if feed.enabled]
        else:
            due_ids = set(await self._in_store(feed_store.due_feed_ids, self.db, now))
            due = [feed for feed in feeds if feed.id in due_ids]
        results = await asyncio.gather(*(self.refresh_feed(feed) for feed in due))
        outage = self._is_outage(results)
        changes = await self._in_store(self._apply_failures, due, results, outage)
        changes += [(result.feed_id, result.previous_state, "ok") for result in results
                    if result.previous_state in ("failing", "failed")]
        await self._in_store(self._mark_polled)
        return PassSummary(results=tuple(results), outage=outage, state_changes=tuple(changes))

    def _mark_polled(self) -> None:
        with self.db.conn:
            feed_store.set_meta(self.db, "last_poll_at", feed_store.iso(self.now()))

    def _is_outage(self, results: Sequence[RefreshResult]) -> bool:
        if len(results) < MIN_FEEDS_FOR_OUTAGE:
            return False
        network_failures = sum(result.network_error for result in results)
        return network_failures >= self.settings.outage_ratio * len(results)

    def _apply_failures(self, feeds, results, outage: bool) -> list[tuple[str, str, str]]:
        now, changes = self.now(), []
        by_id = {feed.id: feed for feed in feeds}
        failures = [result for result in results if result.outcome == "error"]
        with self.db.conn:
            if outage:
                feed_store.record_outage(self.db, now=now, feeds_failed=len(failures),
                                         feeds_total=len(results), error=failures[0].error or "")
                log.warning("network outage: %d of %d feeds failed; no feed is penalised",
                            len(failures), len(results))
            for result in failures:
                row = feed_store.feed_row(self.db, result.feed_id)
                changes.extend(self._record_failure(by_id[result.feed_id], row, result, now, outage))
        return changes

    def _record_failure(self, feed: Feed, row: dict, result: RefreshResult, now: datetime,
                        outage: bool) -> list[tuple[str, str, str]]:
        errors = row.get("error_count", 0) + (0 if outage else 1)
        delay = self.backoff_delay(errors if not outage else 1)
        retry_until = None
        if result.retry_after:
            retry_until = now + timedelta(seconds=result.retry_after)
            delay = max(delay, result.retry_after)
        if outage:
            state = row.get("state", "new")
        else:
            state = "failed" if errors >= FAILED_AFTER else "failing"
        previous = feed_store.record_failure(
            self.db, feed.id, now=now, error=result.error or "error", state=state,
            next_check_at=now + timedelta(seconds=delay), count_error=not outage,
            retry_after_until=retry_until)
        return [(feed.id, previous, state)] if previous != state else []

    def backoff_delay(self, errors: int) -> float:
        """Seconds to wait after `errors` consecutive failures: doubling, capped, jittered."""
        base = self.settings.backoff_base * (2 ** max(0, errors - 1))
        return min(self.settings.backoff_cap, base) * self.jitter()

    async def refresh_feed(self, feed: Feed) -> RefreshResult:
        """Fetch one feed and store what is new; errors come back as a result, not raised."""
        row = await self._in_store(feed_store.feed_row, self.db, feed.id)
        started = self.now()
        request = FetchRequest(url=feed.url, etag=row.get("etag"), last_modified=row.get("last_modified"),
                               timeout=feed.timeout, max_bytes=feed.max_bytes)
        try:
            response = await self.fetcher.fetch(request)
            if response.status == 304:
                return await self._in_store(self._finish, feed, started, "not_modified", response)
            body_hash = hashlib.sha256(response.body).hexdigest()
            if body_hash == row.get("body_hash"):
                return await self._in_store(self._finish, feed, started, "unchanged", response)
            parsed, matches = await asyncio.to_thread(self._parse_and_match, feed, row, response,
                                                      started)
            return await self._in_store(self._store, feed, row, started, response, body_hash, parsed,
                                        matches)
        except (FetchError, ParseError) as exc:
            return await self._in_store(self._fail, feed, started, exc)
        except Exception as exc:  # noqa: BLE001 - one feed's bug must not stop the pass
            log.exception("unexpected error refreshing %s", feed.id)
            return await self._in_store(self._fail, feed, started, exc)

    def _parse_and_match(self, feed: Feed, row: dict, response, started: datetime):
        parsed = parse_feed(response.body, feed_id=feed.id, fetched_at=started,
                            content_type=response.content_type, base_url=response.url,
                            known_guid_reuse=bool(row.get("guid_reuse")))
        if self.matcher is None:
            return parsed, {}
        results = self.matcher.match_many([(item.title, item.summary) for item in parsed.items])
        return parsed, {item.id: result for item, result in zip(parsed.items, results)}

    def _store(self, feed, row, started, response, body_hash, parsed, matches) -> RefreshResult:
        baseline = not row.get("baseline_done")
        keys = [item.dedup_key for item in parsed.items]
        new_ids, new_stories, joined = [], 0, 0
        with self.db.conn:
            known = item_store.known_keys(self.db, feed.id, keys)
            for item in parsed.items:
                if item.dedup_key in known:
                    continue
                _, was_joined = item_store.insert_item(self.db, item, baseline=baseline)
                joined += was_joined
                new_stories += not was_joined
                new_ids.append(item.id)
                if item.id in matches:
                    self.save_matches(self.db, item.id, matches[item.id], replace=False)
            if baseline:
                feed_store.mark_baseline_done(self.db, feed.id)
            previous = self._record_ok(feed, started, response, body_hash, parsed.guid_reuse, len(new_ids),
                            "ok" if parsed.items else "empty",
                            None if parsed.items else "the feed has no entries with a link or guid")
        outcome_ids = () if baseline else tuple(new_ids)
        return RefreshResult(feed_id=feed.id, outcome="new" if parsed.items else "empty", new_item_ids=outcome_ids,
                             stored=len(new_ids), new_stories=new_stories, joined=joined,
                             previous_state=previous)

    def _record_ok(self, feed, started, response, body_hash, guid_reuse, new_items, outcome,
                   note=None) -> str:
        now = self.now()
        interval = feed.interval * self.jitter()
        if response.max_age and response.max_age > interval:
            interval = min(response.max_age, 24 * 3600)
        previous = feed_store.record_success(
            self.db, feed.id, now=now, next_check_at=now + timedelta(seconds=interval),
            etag=response.etag, last_modified=response.last_modified, body_hash=body_hash,
            guid_reuse=guid_reuse)
        feed_store.log_fetch(self.db, feed.id, started_at=started, duration=response.duration,
                             outcome=outcome, http_status=response.status, size=response.bytes_read,
                             new_items=new_items, error=note)
        return previous

    def _finish(self, feed, started, outcome, response) -> RefreshResult:
        with self.db.conn:
            previous = self._record_ok(feed, started, response, None, None, 0, outcome)
        return RefreshResult(feed_id=feed.id, outcome=outcome, previous_state=previous)

    def _fail(self, feed: Feed, started: datetime, exc: Exception) -> RefreshResult:
        message = str(exc) or type(exc).__name__
        status = exc.status if isinstance(exc, HTTPStatusError) else None
        retry_after = getattr(exc, "retry_after", None)
        duration = (self.now() - started).total_seconds()
        with self.db.conn:
            feed_store.log_fetch(self.db, feed.id, started_at=started, duration=duration,
                                 outcome="error", http_status=status, error=message)
        log.warning("feed %s failed: %s", feed.id, message)
        return RefreshResult(feed_id=feed.id, outcome="error", error=message, retry_after=retry_after,
                             network_error=isinstance(exc, (NetworkError, FetchTimeout)))
