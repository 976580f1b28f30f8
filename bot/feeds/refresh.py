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
import pickle
import threading
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
from bot.feeds.stage import BrokenProcessPool, StagePool, StageRequest, Staged, incidents_of, stage_feed, worker_count
from bot.feeds.writer import GroupWriter
from bot.incident_log import IncidentFiler
from bot.models import Feed, MatchResult
from store import begin_immediate, file_path, open_reader
from store import feeds as feed_store
from store import items as item_store
from store import matches as match_store
from store import outbox

log = logging.getLogger(__name__)

WRITE_GATHER, WRITE_LINGER = 8, 0.1  # feeds a write waits for, and how long at most
QUEUE_BOUND = 16  # feeds fetched and waiting for the CPU stage or the writer, beyond those being fetched


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
    staged: Staged | None = None
    baseline: bool = False
    error: Exception | None = None


class Refresher:
    """Refreshes feeds into the store with one fetcher, one matcher and one clock.

    A feed's refresh is a pipeline: fetch (the event loop), stage (parse, drop known items,
    prepare, match, read incidents: CPU work, in a worker process once `start()` has started one,
    else on a thread here) and write (SQL only, on one dedicated thread, so transactions never
    interleave and the event loop never waits on SQLite). At most `concurrency + QUEUE_BOUND`
    feeds are between fetch and write at once, so fetching slows down when staging or writing
    falls behind. A baseline (a new feed's first poll) raises no alert; its items are matched
    in the pass like any others, and wait to be matched after it (`match_queued`) only when
    matching them failed.
    """

    def __init__(self, db, fetcher: Fetcher, *, settings: FetchSettings | None = None, matcher=None,
                 now: Callable[[], datetime] = utc_now, jitter: Callable[[], float] | None = None):
        self.db, self.fetcher, self.matcher, self.now = db, fetcher, matcher, now
        self.settings = settings or FetchSettings()
        self.decide = Decider(self.settings, jitter)
        self._store_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="watchdesk-store")
        # While other feeds are being fetched or staged, a write of new items waits up to 0.1 s for
        # 8 feeds to share its transaction (a pass otherwise writes ~2 feeds a commit; see
        # bot/feeds/writer.py); 304s and unchanged bodies are written as they come.
        self._coming = 0  # feeds being fetched or staged, not yet handed to the writer
        self._writer = GroupWriter(self._store_thread, self._write_group, gather=WRITE_GATHER,
                                   linger=WRITE_LINGER, coming=lambda: self._coming,
                                   worth_gathering=lambda job: job.outcome == "stored")
        self._recent = item_store.RecentStories()  # used on the store thread only
        self._matching = asyncio.Lock()
        self._store_path = file_path(db)
        # Staging here: one thread, with its own read-only connection to check known items.
        self._stage_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="watchdesk-stage")
        self._stage_local = threading.local()
        self._pool: StagePool | None = None

    async def start(self) -> None:
        """Start the staging worker processes (`fetch.workers`) and wait until they are warm.

        Without it (or with `workers: 0`, or a matcher that cannot be sent to another process)
        every body is staged in this process. Calling it again does nothing.
        """
        workers = worker_count(self.settings.workers)
        if workers <= 0:
            return
        if self._pool is None:
            try:
                recipe = pickle.dumps(self.matcher)
            except Exception as exc:  # noqa: BLE001 - a matcher of its own: stage here
                log.info("the matcher cannot be sent to a worker process (%s); staging in this process", exc)
                return
            self._pool = StagePool(workers, recipe, self._store_path)
        try:
            await self._pool.start()
        except Exception:  # noqa: BLE001 - staging here still works
            log.exception("the staging workers could not start; staging in this process")
            self._pool.close()
            self._pool = None

    async def _in_store(self, function, *args, **kwargs):
        """Run a store function on the store thread."""
        call = functools.partial(function, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._store_thread, call)

    def close(self) -> None:
        """Stop the staging workers and the store thread once their queued work is done."""
        if self._pool is not None:
            self._pool.close()
            self._pool = None
        self._stage_thread.shutdown(wait=True)
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
        in_flight = asyncio.Semaphore(self.settings.concurrency + QUEUE_BOUND)

        async def refresh(feed: Feed) -> RefreshResult:
            nonlocal finished
            async with in_flight:
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
            filer = IncidentFiler(self.db)
            filer.check_reported(item_id for item_id in (incidents or {}) if published.get(item_id))
            for item_id, found in (incidents or {}).items():
                if published.get(item_id):
                    filer.file(item_id, published[item_id], found)
            filer.flush()

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
        self._coming += 1  # a job the writer may wait a moment for
        try:
            job = await self._job(feed, row)
        finally:
            self._coming -= 1
        try:
            return await self._writer.submit(job)
        except Exception as exc:  # noqa: BLE001 - the store refused it: this feed fails, not the pass
            if job.outcome == "error":
                raise
            log.exception("unexpected error refreshing %s", feed.id)
            return await self._writer.submit(_Write(feed, job.started, "error", error=exc))

    async def _job(self, feed: Feed, row: dict) -> _Write:
        """Fetch and stage one feed: what the writer is to write for it."""
        started = self.now()
        request = FetchRequest(url=feed.url, etag=row.get("etag"), last_modified=row.get("last_modified"),
                               timeout=feed.timeout, max_bytes=feed.max_bytes)
        try:
            response = await self.fetcher.fetch(request)
            if response.status == 304:
                return _Write(feed, started, "not_modified", response)
            body_hash = hashlib.sha256(response.body).hexdigest()
            if body_hash == row.get("body_hash"):
                return _Write(feed, started, "unchanged", response)
            baseline = not row.get("baseline_done")
            staged = await self._stage(StageRequest(
                response.body, feed.id, started, response.content_type, response.url,
                known_guid_reuse=bool(row.get("guid_reuse")), baseline=baseline))
            return _Write(feed, started, "stored", response, body_hash, staged, baseline)
        except (FetchError, ParseError) as exc:
            return _Write(feed, started, "error", error=exc)
        except Exception as exc:  # noqa: BLE001 - one feed's bug must not stop the pass
            log.exception("unexpected error refreshing %s", feed.id)
            return _Write(feed, started, "error", error=exc)

    async def _stage(self, request: StageRequest) -> Staged:
        """Stage a body in a worker process when one is up, else here; a worker that dies costs
        nothing: its feeds are staged here and the pool is replaced."""
        pool = self._pool
        if pool is not None and pool.ready:
            generation = pool.generation
            try:
                return await asyncio.wrap_future(pool.submit(request))
            except BrokenProcessPool:
                pool.restart(generation)
        return await asyncio.get_running_loop().run_in_executor(self._stage_thread, self._stage_here, request)

    def _stage_here(self, request: StageRequest) -> Staged:
        """Stage on the stage thread, which checks known items on its own read-only connection."""
        local = self._stage_local
        if not hasattr(local, "reader"):
            local.reader = open_reader(self._store_path) if self._store_path else None
        return stage_feed(request, self.matcher, local.reader)

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
            if job.outcome == "stored" and job.staged.new:
                new = job.staged.new
                known = item_store.known_keys(self.db, job.feed.id, [entry.dedup_key for entry in new])
                unknown = [entry for entry in new if entry.dedup_key not in known]
                repeated = item_store.reposts(self.db, job.feed.id, unknown)
                for entry in unknown:
                    if entry.item_id not in repeated:
                        fresh.append(entry)
                        owners.append(number)
        placed = item_store.insert_items(self.db, fresh, self._recent)
        self._write_matches(jobs, fresh, owners)
        outbox.await_alerting(self.db, [entry.item_id for entry, owner in zip(fresh, owners)
                                        if not jobs[owner].baseline])
        stored: dict[int, list] = {}
        for entry, owner, (_, joined) in zip(fresh, owners, placed):
            stored.setdefault(owner, []).append((entry.item_id, joined))
        return [self._write_job(job, stored.get(number, [])) for number, job in enumerate(jobs)]

    def _write_matches(self, jobs: list[_Write], fresh: list, owners: list[int]) -> None:
        """Store the staged matches and incidents of the items just stored; queue the unmatched."""
        published = {entry.item_id: entry.times[0] for entry in fresh}
        matched_ids, unmatched, entity_rows, theme_rows = [], [], [], []
        for number in sorted(set(owners)):
            staged = jobs[number].staged
            ids = [entry.item_id for entry in staged.new if entry.item_id in published]
            if not staged.matched:
                unmatched.extend(ids)
                continue
            matched_ids.extend(ids)
            entity_rows.extend(row for row in staged.entity_rows if row[0] in published)
            theme_rows.extend(row for row in staged.theme_rows if row[0] in published)
        if matched_ids:
            match_store.write_matches(self.db, matched_ids, entity_rows, theme_rows, replace=False, stored_now=True)
        reports = [(item_id, rows) for number in sorted(set(owners))
                   for item_id, rows in jobs[number].staged.incidents if item_id in published]
        if reports:
            filer = IncidentFiler(self.db)
            filer.stored_now(item_id for item_id, _ in reports)  # just stored: nothing filed for them yet
            for item_id, rows in reports:
                filer.file(item_id, published[item_id], incidents_of(rows))
            filer.flush()
        if unmatched:
            match_store.queue_for_matching(self.db, unmatched)

    def _write_job(self, job: _Write, stored: list[tuple[str, bool]]) -> RefreshResult:
        feed, response = job.feed, job.response
        if job.outcome == "error":
            return self._fail(feed, job.started, job.error)
        if job.outcome != "stored":
            previous = self._record_ok(feed, job.started, response, None, None, 0, job.outcome)
            return RefreshResult(feed_id=feed.id, outcome=job.outcome, previous_state=previous)
        staged = job.staged
        if job.baseline:
            feed_store.mark_baseline_done(self.db, feed.id)
        outcome = "new" if staged.item_count else "empty"
        previous = self._record_ok(feed, job.started, response, job.body_hash, staged.guid_reuse, len(stored),
                                   "ok" if staged.item_count else "empty",
                                   None if staged.item_count else "the feed has no entries with a link or guid")
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
