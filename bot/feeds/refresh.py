"""Refresh feeds: fetch, parse, dedup, match, store — each feed all or nothing — and schedule.

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
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from bot.clock import iso, utc_now
from bot.config import FetchSettings
from bot.feeds.decide import Decider, FeedState, FetchOutcome, Outcome, WriteOutcome
from bot.errors import FetchError, FetchTimeout, HTTPStatusError, NetworkError, ParseError
from bot.feeds.fetch import FetchRequest, Fetcher
from bot.feeds.parse import parse_feed
from bot.feeds.writer import GroupWriter
from bot.incident_log import file_incidents
from bot.models import Feed, MatchResult
from store import begin_immediate
from store import feeds as feed_store
from store import items as item_store
from store import matches as match_store
from store import outbox

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class RefreshResult:
    """What one feed's refresh did."""

    feed_id: str
    outcome: Outcome
    new_item_ids: tuple[str, ...] = ()  # stored and not a baseline: candidates for alerts
    stored: int = 0  # every item stored, baseline included
    new_stories: int = 0
    joined: int = 0  # items that joined a story another outlet carried first
    error: str | None = None
    retry_after: float | None = None
    network_error: bool = False
    previous_state: FeedState | None = None  # the feed's state before this good poll


@dataclass(frozen=True)
class PassSummary:
    """What a poll pass did, for the CLI and the logs."""

    results: tuple[RefreshResult, ...]
    outage: bool = False
    state_changes: tuple[tuple[str, FeedState, FeedState], ...] = field(default=())  # (feed, before, after)
    matched: int = 0  # stored items matched after the pass (new feeds' baselines)

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


def parse_and_prepare(body: bytes, *, feed_id: str, fetched_at: datetime, content_type: str | None,
                      base_url: str | None, known_guid_reuse: bool, baseline: bool):
    """Parse a body; for a baseline (every item new) prepare its items for the store too.

    Pure CPU work, run off the event loop. Returns (ParsedFeed, prepared items or None).
    """
    parsed = parse_feed(body, feed_id=feed_id, fetched_at=fetched_at, content_type=content_type,
                        base_url=base_url, known_guid_reuse=known_guid_reuse)
    if not baseline:
        return parsed, None
    return parsed, [item_store.prepare(item, baseline=True) for item in parsed.items]


@dataclass
class _Write:
    """What one feed's refresh hands to the store writer."""

    feed: Feed
    started: datetime
    outcome: WriteOutcome
    response: object = None
    body_hash: str | None = None
    parsed: object = None  # ParsedFeed
    new: list = field(default_factory=list)  # store.items.NewItem, in feed order
    matches: dict = field(default_factory=dict)  # item id -> MatchResult
    baseline: bool = False
    incidents: dict = field(default_factory=dict)  # item id -> [bot.incidents.Incident]
    error: Exception | None = None


class Refresher:
    """Refreshes feeds into the store with one fetcher, one matcher and one clock.

    Every store access runs on one dedicated thread, so transactions never interleave and the
    event loop never waits on SQLite; parsing and matching run on the default thread pool.
    A new feed's first poll (its baseline) raises no alert, so its items are stored at once and
    matched after the pass (`match_queued`); later items are matched before they are stored, in
    the same transaction, because alerts wait on them.
    """

    def __init__(self, db, fetcher: Fetcher, *, settings: FetchSettings | None = None, matcher=None,
                 now: Callable[[], datetime] = utc_now, jitter: Callable[[], float] | None = None):
        self.db, self.fetcher, self.matcher, self.now = db, fetcher, matcher, now
        self.settings = settings or FetchSettings()
        self.decide = Decider(self.settings, jitter)
        self._store_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="watchdesk-store")
        self._writer = GroupWriter(self._store_thread, self._write_group)
        self._recent = item_store.RecentStories()  # used on the store thread only
        self._matching = asyncio.Lock()

    async def _in_store(self, function, *args, **kwargs):
        """Run a store function on the store thread."""
        call = functools.partial(function, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._store_thread, call)

    def close(self) -> None:
        """Stop the store thread once its queued work is done."""
        self._store_thread.shutdown(wait=True)

    async def poll(self, feeds: Sequence[Feed], *, force: bool = False, progress=None) -> PassSummary:
        """Refresh the due feeds (all enabled ones with force) and judge their failures together.

        `progress(done, total, feed_id)` is called as each feed finishes, for a progress line.
        """
        now = self.now()
        if force:
            due = [feed for feed in feeds if feed.enabled]
        else:
            due_ids = set(await self._in_store(feed_store.due_feed_ids, self.db, now))
            due = [feed for feed in feeds if feed.id in due_ids]
        rows = await self._in_store(feed_store.feed_rows, self.db, [feed.id for feed in due])
        finished = 0

        async def refresh(feed: Feed) -> RefreshResult:
            nonlocal finished
            result = await self.refresh_feed(feed, rows.get(feed.id, {}))
            finished += 1
            if progress is not None:
                progress(finished, len(due), feed.id)
            return result

        results = await asyncio.gather(*(refresh(feed) for feed in due))
        outage = self.decide.is_outage(sum(result.network_error for result in results), len(results))
        changes = await self._in_store(self._apply_failures, due, results, outage)
        changes += [(result.feed_id, result.previous_state, "ok") for result in results
                    if result.previous_state in ("failing", "failed")]
        await self._in_store(self._mark_polled)
        return PassSummary(results=tuple(results), outage=outage, state_changes=tuple(changes))

    async def match_queued(self, *, batch: int = 500) -> int:
        """Match the stored items that wait for it (mostly new feeds' baselines); return how many."""
        if self.matcher is None:
            return 0
        done = 0
        async with self._matching:
            while True:
                rows = await self._in_store(match_store.queued_items, self.db, batch)
                if not rows:
                    return done
                results = await asyncio.to_thread(self._match_texts, rows)
                incidents = await asyncio.to_thread(self._incidents_of, [row[:3] for row in rows],
                                                    {row[0]: result for row, result in zip(rows, results)})
                await self._in_store(self._save_queued, [(row[0], result) for row, result in zip(rows, results)],
                                     {row[0]: row[3] for row in rows}, incidents)
                done += len(rows)

    def _match_texts(self, rows) -> list:
        """Match queued (id, title, summary, published) rows; one the matcher fails on gets no matches."""
        try:
            return self.matcher.match_many([(title, summary) for _, title, summary, _ in rows])
        except Exception:  # noqa: BLE001 - a matcher bug must not stop the queue
            log.exception("matching %d waiting items failed; matching them one by one", len(rows))
        results = []
        for item_id, title, summary, _ in rows:
            try:
                results.append(self.matcher.match(title, summary))
            except Exception:  # noqa: BLE001
                log.exception("item %s could not be matched; it is kept without matches", item_id)
                results.append(MatchResult(entities=(), themes=(), matches=()))
        return results

    def _save_queued(self, pairs, published: dict[str, str], incidents: dict | None = None) -> None:
        with self.db.conn:
            match_store.save_many(self.db, pairs, replace=True, published=published)
            for item_id, found in (incidents or {}).items():
                if published.get(item_id):
                    file_incidents(self.db, item_id, published[item_id], found)

    def _mark_polled(self) -> None:
        with self.db.conn:
            feed_store.set_meta(self.db, "last_poll_at", iso(self.now()))

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
                        outage: bool) -> list[tuple[str, FeedState, FeedState]]:
        failure = self.decide.after_failure(errors_before=row.get("error_count", 0),
                                            state_before=row.get("state", "new"), outage=outage,
                                            retry_after=result.retry_after, now=now)
        previous = feed_store.record_failure(
            self.db, feed.id, now=now, error=result.error or "error", state=failure.state,
            next_check_at=failure.next_check_at, count_error=failure.count_error,
            retry_after_until=failure.retry_after_until)
        return [(feed.id, previous, failure.state)] if previous != failure.state else []

    def backoff_delay(self, errors: int) -> float:
        """Seconds to wait after `errors` consecutive failures (the decider's rule)."""
        return self.decide.backoff_delay(errors)

    async def refresh_feed(self, feed: Feed, row: dict | None = None) -> RefreshResult:
        """Fetch one feed and store what is new; errors come back as a result, not raised."""
        if row is None:
            row = await self._in_store(feed_store.feed_row, self.db, feed.id)
        started = self.now()
        request = FetchRequest(url=feed.url, etag=row.get("etag"), last_modified=row.get("last_modified"),
                               timeout=feed.timeout, max_bytes=feed.max_bytes)
        try:
            response = await self.fetcher.fetch(request)
            if response.status == 304:
                return await self._writer.submit(_Write(feed, started, "not_modified", response))
            body_hash = hashlib.sha256(response.body).hexdigest()
            if body_hash == row.get("body_hash"):
                return await self._writer.submit(_Write(feed, started, "unchanged", response))
            baseline = not row.get("baseline_done")
            parsed, new = await self._parse(feed, row, response, started, baseline)
            matches, incidents = {}, {}
            if not baseline:  # only new items are prepared and matched; the write checks again, under the lock
                items = parsed.items
                known = await self._in_store(item_store.known_keys, self.db, feed.id,
                                             [item.dedup_key for item in items]) if items else set()
                new, matches = await asyncio.to_thread(self._prepare_and_match, feed,
                                                       [item for item in items if item.dedup_key not in known])
                incidents = await asyncio.to_thread(self._incidents_of, [
                    (entry.item_id, entry.item.title, entry.item.summary) for entry in new], matches)
            return await self._writer.submit(_Write(feed, started, "stored", response, body_hash, parsed,
                                                    new, matches, baseline, incidents=incidents))
        except (FetchError, ParseError) as exc:
            return await self._writer.submit(_Write(feed, started, "error", error=exc))
        except Exception as exc:  # noqa: BLE001 - one feed's bug must not stop the pass
            log.exception("unexpected error refreshing %s", feed.id)
            return await self._writer.submit(_Write(feed, started, "error", error=exc))

    async def _parse(self, feed: Feed, row: dict, response, started: datetime, baseline: bool):
        """Parse a body and prepare its items, on a worker thread."""
        return await asyncio.to_thread(parse_and_prepare, response.body, feed_id=feed.id, fetched_at=started,
                                       content_type=response.content_type, base_url=response.url,
                                       known_guid_reuse=bool(row.get("guid_reuse")), baseline=baseline)

    def _incidents_of(self, rows, matches: dict) -> dict:
        """The incidents of matched (id, title, summary) rows; a failure costs that item its incidents only."""
        from bot.incidents import item_incidents

        found = {}
        for item_id, title, summary in rows:
            if item_id not in matches:
                continue
            try:
                incidents = item_incidents(self.matcher, {"title": title, "summary": summary}, matches[item_id])
            except Exception:  # noqa: BLE001 - an extractor bug must not lose the item
                log.exception("incidents of item %s could not be read", item_id)
                continue
            if incidents:
                found[item_id] = incidents
        return found

    def _prepare_and_match(self, feed: Feed, items) -> tuple[list, dict]:
        """Prepare new items for the store and match them; if matching fails they wait to be matched."""
        new = [item_store.prepare(item) for item in items]
        if self.matcher is None or not new:
            return new, {}
        try:
            results = self.matcher.match_many([(entry.item.title, entry.item.summary) for entry in new])
        except Exception:  # noqa: BLE001 - store them anyway; they are matched one by one later
            log.exception("matching new items of %s failed; they are stored and wait", feed.id)
            return new, {}
        return new, {entry.item_id: result for entry, result in zip(new, results)}

    # ------------------------------------------------------------ the store thread

    def _write_group(self, jobs: list[_Write]) -> list[RefreshResult]:
        """Write feeds' outcomes in one transaction: their new items in one batch, then each feed's row."""
        try:
            with self.db.conn:
                # Take the write lock first: what is read here (known items, other writers' new
                # stories) cannot change before this transaction writes.
                begin_immediate(self.db)
                results = self._write_jobs(jobs)
        except BaseException:
            self._recent.rollback()
            raise
        self._recent.commit()
        return results

    def _write_jobs(self, jobs: list[_Write]) -> list[RefreshResult]:
        fresh, owners = [], []
        for number, job in enumerate(jobs):
            if job.outcome == "stored" and job.new:
                known = item_store.known_keys(self.db, job.feed.id, [entry.item.dedup_key for entry in job.new])
                unknown = [entry for entry in job.new if entry.item.dedup_key not in known]
                repeated = item_store.reposts(self.db, job.feed.id, unknown)
                for entry in unknown:
                    if entry.item_id not in repeated:
                        fresh.append(entry)
                        owners.append(number)
        placed = item_store.insert_items(self.db, fresh, self._recent)
        matched = [(entry.item_id, jobs[owner].matches[entry.item_id]) for entry, owner in zip(fresh, owners)
                   if entry.item_id in jobs[owner].matches]
        if matched:
            match_store.save_many(self.db, matched, replace=False,
                                  published={entry.item_id: entry.times[0] for entry in fresh})
        for entry, owner in zip(fresh, owners):
            if entry.item_id in jobs[owner].incidents:
                file_incidents(self.db, entry.item_id, entry.times[0], jobs[owner].incidents[entry.item_id])
        if len(matched) < len(fresh):
            match_store.queue_for_matching(self.db, [entry.item_id for entry, owner in zip(fresh, owners)
                                                     if entry.item_id not in jobs[owner].matches])
        outbox.await_alerting(self.db, [entry.item_id for entry, owner in zip(fresh, owners)
                                        if not jobs[owner].baseline])
        stored: dict[int, list] = {}
        for entry, owner, (_, joined) in zip(fresh, owners, placed):
            stored.setdefault(owner, []).append((entry.item_id, joined))
        return [self._write_job(job, stored.get(number, [])) for number, job in enumerate(jobs)]

    def _write_job(self, job: _Write, stored: list[tuple[str, bool]]) -> RefreshResult:
        feed, response = job.feed, job.response
        if job.outcome == "error":
            return self._fail(feed, job.started, job.error)
        if job.outcome != "stored":
            previous = self._record_ok(feed, job.started, response, None, None, 0, job.outcome)
            return RefreshResult(feed_id=feed.id, outcome=job.outcome, previous_state=previous)
        parsed = job.parsed
        if job.baseline:
            feed_store.mark_baseline_done(self.db, feed.id)
        outcome = "new" if parsed.items else "empty"
        previous = self._record_ok(feed, job.started, response, job.body_hash, parsed.guid_reuse, len(stored),
                                   "ok" if parsed.items else "empty",
                                   None if parsed.items else "the feed has no entries with a link or guid")
        joined = sum(was_joined for _, was_joined in stored)
        return RefreshResult(feed_id=feed.id, outcome=outcome,
                             new_item_ids=() if job.baseline else tuple(item_id for item_id, _ in stored),
                             stored=len(stored), new_stories=len(stored) - joined, joined=joined,
                             previous_state=previous)

    def _record_ok(self, feed, started, response, body_hash, guid_reuse, new_items, outcome: FetchOutcome,
                   note=None) -> FeedState:
        now = self.now()
        next_check_at = self.decide.next_check_after_success(interval=feed.interval, max_age=response.max_age, now=now)
        previous = feed_store.record_success(
            self.db, feed.id, now=now, next_check_at=next_check_at,
            etag=response.etag, last_modified=response.last_modified, body_hash=body_hash,
            guid_reuse=guid_reuse)
        feed_store.log_fetch(self.db, feed.id, started_at=started, duration=response.duration,
                             outcome=outcome, http_status=response.status, size=response.bytes_read,
                             new_items=new_items, error=note)
        return previous

    def _fail(self, feed: Feed, started: datetime, exc: Exception) -> RefreshResult:
        message = str(exc) or type(exc).__name__
        status = exc.status if isinstance(exc, HTTPStatusError) else None
        retry_after = getattr(exc, "retry_after", None)
        duration = (self.now() - started).total_seconds()
        feed_store.log_fetch(self.db, feed.id, started_at=started, duration=duration,
                             outcome="error", http_status=status, error=message)
        log.warning("feed %s failed: %s", feed.id, message)
        return RefreshResult(feed_id=feed.id, outcome="error", error=message, retry_after=retry_after,
                             network_error=isinstance(exc, (NetworkError, FetchTimeout)))
