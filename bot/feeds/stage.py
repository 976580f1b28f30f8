"""The CPU stage of a refresh: a fetched body in, rows ready for the store out.

Parse, drop the items the feed already has, prepare the rest (ids, story keys, rows), match them
and read their incidents: pure CPU work on one feed's body. `StagePool` runs it in a worker
process, so that the event loop and the store writer keep the other core; `stage_feed` runs it
anywhere (a thread of this process: `fetch.workers: 0`, tests with their own matchers, or a feed
whose worker died). What comes back is strings, numbers and tuples, cheap to send between
processes; the writer only runs SQL on it.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import multiprocessing.connection
import os
import pickle
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime

from bot.feeds.parse import parse_feed
from store import items as item_store
from store import matches as match_store

log = logging.getLogger(__name__)

__all__ = ["BrokenProcessPool", "StagePool", "StageRequest", "Staged", "stage_feed", "worker_count"]


@dataclass(frozen=True)
class StageRequest:
    """One fetched body and what staging it needs to know about its feed."""

    body: bytes
    feed_id: str
    fetched_at: datetime
    content_type: str | None
    base_url: str | None
    known_guid_reuse: bool
    baseline: bool
    known: frozenset[str] | None = None  # dedup keys the feed has; None: the stage reads them itself


@dataclass(frozen=True)
class Staged:
    """A staged body: its items not yet stored, prepared, with their match rows and incidents."""

    item_count: int  # usable items in the body, known ones included
    guid_reuse: bool
    new: tuple  # store.items.NewItem, in feed order
    matched: bool  # the items were matched (False: matching failed or there is no matcher; they wait)
    entity_rows: tuple = ()  # store.matches.match_rows, for every item of `new`
    theme_rows: tuple = ()
    incidents: tuple = ()  # (item_id, ((type, actor, claimed, place, region, killed, injured, spans), ...))


def stage_feed(request: StageRequest, matcher, reader=None) -> Staged:
    """Parse a body, prepare its unknown items, match them and read their incidents.

    `reader` is a read-only store connection to check the feed's known items with, when the
    request does not carry them. A matcher that fails leaves the items unmatched (they wait in
    the match queue); an item whose incidents cannot be read loses only those.
    """
    parsed = parse_feed(request.body, feed_id=request.feed_id, fetched_at=request.fetched_at,
                        content_type=request.content_type, base_url=request.base_url,
                        known_guid_reuse=request.known_guid_reuse)
    items = parsed.items
    if not request.baseline and items:
        known = request.known
        if known is None and reader is not None:
            known = item_store.known_keys(reader, request.feed_id, [item.dedup_key for item in items])
        if known:
            items = [item for item in items if item.dedup_key not in known]
    new = tuple(item_store.prepare(item, baseline=request.baseline) for item in items)
    staged = Staged(item_count=len(parsed.items), guid_reuse=parsed.guid_reuse, new=new, matched=False)
    if matcher is None or not new:
        return staged
    try:
        results = matcher.match_many([(entry.title, entry.summary) for entry in new])
    except Exception:  # noqa: BLE001 - store them anyway; they wait and are matched one by one later
        log.exception("matching the new items of %s failed; they are stored and wait", request.feed_id)
        return staged
    entity_rows, theme_rows = [], []
    for entry, result in zip(new, results):
        entities, themes = match_rows_of(entry, result)
        entity_rows.extend(entities)
        theme_rows.extend(themes)
    return Staged(item_count=staged.item_count, guid_reuse=staged.guid_reuse, new=new, matched=True,
                  entity_rows=tuple(entity_rows), theme_rows=tuple(theme_rows),
                  incidents=tuple(_incidents(matcher, new, results)))


def match_rows_of(entry, result) -> tuple[list, list]:
    """A prepared item's match rows, with its stored time."""
    return match_store.match_rows(entry.item_id, result, entry.times[0])


def _incidents(matcher, new, results):
    from bot.incidents import item_incidents

    for entry, result in zip(new, results):
        try:
            found = item_incidents(matcher, {"title": entry.title, "summary": entry.summary}, result)
        except Exception:  # noqa: BLE001 - an extractor bug must not lose the item
            log.exception("incidents of item %s could not be read", entry.item_id)
            continue
        if found:
            yield entry.item_id, tuple((incident.type, incident.actor, incident.claimed, incident.place,
                                        incident.region, incident.killed, incident.injured, incident.spans)
                                       for incident in found)


def incidents_of(rows) -> list:
    """Staged incident rows back as bot.incidents.Incident objects, for filing."""
    from bot.incidents import Incident

    return [Incident(*row) for row in rows]


# ------------------------------------------------------------------ the worker process

_worker: dict = {}  # in a worker process: its matcher and its read-only store connection


def _start_worker(recipe: bytes, store_path: str | None) -> None:
    """A worker's initializer: rebuild the matcher from its pickled recipe and open the store.

    A worker outlives no parent: if the polling process is killed, the worker exits too.
    """
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent.sentinel,), name="watchdesk-parent-watch",
                         daemon=True).start()
    matcher = pickle.loads(recipe)
    if matcher is not None:
        from bot.incidents import incident_context

        incident_context(matcher)  # computed once, not on the first item
    _worker["matcher"] = matcher
    _worker["reader"] = None
    if store_path:
        from store import open_reader

        _worker["reader"] = open_reader(store_path)


def _exit_with(sentinel) -> None:
    multiprocessing.connection.wait([sentinel])
    os._exit(1)


def _stage_in_worker(request: StageRequest) -> Staged:
    return stage_feed(request, _worker.get("matcher"), _worker.get("reader"))


def _ready() -> int:
    """What start() waits for: the worker has run its initializer."""
    return os.getpid()


def worker_count(setting: int | None) -> int:
    """Worker processes for a `fetch.workers` setting: None (auto) is one when there are two CPUs or more."""
    if setting is not None:
        return setting
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return 1 if cpus >= 2 else 0


class StagePool:
    """Worker processes that stage bodies, started fresh (spawn), each with its own matcher.

    `start()` returns once every worker has loaded its matcher, so a pass never waits on that.
    A worker that dies breaks the pool: the feeds it was staging fail with BrokenProcessPool
    (their callers stage them again in this process) and `restart()` replaces the pool.
    """

    def __init__(self, workers: int, recipe: bytes, store_path: str | None):
        # The matcher is pickled once, by the caller, while nothing else uses it: a restart
        # during a pass must not pickle a matcher that the stage thread is using.
        self.workers, self.recipe, self.store_path = workers, recipe, store_path
        self.reads_store = bool(store_path)
        self._executor: ProcessPoolExecutor | None = None
        self._starting: asyncio.Future | None = None
        self.ready = False  # up and warm: staging goes to the workers
        self.generation = 0

    async def start(self) -> None:
        """Start the workers and wait until each has loaded its matcher (no-op when started)."""
        if self._starting is None:
            self._starting = asyncio.ensure_future(self._start())
        await asyncio.shield(self._starting)

    async def _start(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._executor = ProcessPoolExecutor(self.workers, mp_context=context, initializer=_start_worker,
                                             initargs=(self.recipe, self.store_path))
        loop = asyncio.get_running_loop()
        # One call per worker, so that each has run its initializer before the pass.
        await asyncio.gather(*(loop.run_in_executor(self._executor, _ready) for _ in range(self.workers)))
        self.ready = True

    def submit(self, request: StageRequest) -> Future:
        """Stage a body in a worker; the future's result is a Staged."""
        return self._executor.submit(_stage_in_worker, request)

    def restart(self, generation: int) -> None:
        """Replace a broken pool (once per breakage: `generation` is the one that broke)."""
        if generation != self.generation:
            return
        self.generation += 1
        broken, self._executor, self._starting, self.ready = self._executor, None, None, False
        if broken is not None:
            broken.shutdown(wait=False, cancel_futures=True)
        log.warning("a staging worker died; its feeds are staged here and a new worker is started")
        asyncio.get_running_loop().create_task(self._restarted())

    async def _restarted(self) -> None:
        try:
            await self.start()
        except Exception:  # noqa: BLE001 - staging goes on in this process
            log.exception("the staging worker could not be restarted; staging in this process")

    def close(self) -> None:
        """Stop the workers once their work is done."""
        if self._executor is not None:
            self._executor.shutdown(wait=True)
        self._executor, self.ready = None, False
