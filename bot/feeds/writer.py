"""Write on one thread in group transactions: what queued during a write goes in the next one."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor


class GroupWriter:
    """Write jobs on one thread, in group transactions: what queued during a write goes in the next.

    While a pass still has feeds on their way, a write may wait a moment for a few more jobs
    (`gather`, `linger`): each transaction then rewrites fewer of the pages that every batch
    touches.

    Feeds that finish one at a time are written one per transaction; when they finish faster
    than they are written, those that queued meanwhile share a commit (and a segment of the
    search index). When a group fails, each of its jobs is written alone, so one feed's bad
    data costs no other feed.
    """

    def __init__(self, executor: ThreadPoolExecutor, write: Callable[[list], list], max_group: int = 64, *,
                 gather: int = 1, linger: float = 0.0, coming: Callable[[], int] | None = None,
                 worth_gathering: Callable[[object], bool] | None = None):
        """`gather`, `linger`, `coming`: while `coming()` says more jobs are on their way (feeds of a
        pass not yet handed over), a write waits up to `linger` seconds for `gather` jobs to share
        its transaction; with nothing coming it starts at once. `worth_gathering(job)`: only a group
        whose first job is one of those waits (the others are cheap to write as they come)."""
        self.executor, self.write, self.max_group = executor, write, max_group
        self.gather, self.linger, self.coming, self.worth_gathering = gather, linger, coming, worth_gathering
        self._pending: list = []
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._draining = False

    async def submit(self, job):
        """Queue a job; return what writing it returned (or raise what it raised)."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        with self._lock:
            self._pending.append((job, future, loop))
            start, self._draining = not self._draining, True
            self._arrived.notify()
        if start:
            loop.run_in_executor(self.executor, self._drain)
        return await future

    def _drain(self) -> None:
        while True:
            with self._lock:
                self._gather()
                batch = self._pending[:self.max_group]
                del self._pending[:self.max_group]
                if not batch:
                    self._draining = False
                    return
            try:
                outcomes = self._write([job for job, _, _ in batch])
            except BaseException as exc:  # noqa: BLE001 - every waiter must hear of it
                outcomes = [exc] * len(batch)
            for (_, future, loop), outcome in zip(batch, outcomes):
                try:
                    loop.call_soon_threadsafe(_settle, future, outcome)
                except RuntimeError:  # the loop closed: no waiter is left, and the write is committed
                    pass

    def _gather(self) -> None:
        """Wait (the lock held, released while waiting) for a fuller group, if more jobs are coming."""
        if self.linger <= 0 or self.coming is None or not self._pending:
            return
        if self.worth_gathering is not None and not self.worth_gathering(self._pending[0][0]):
            return
        deadline = time.monotonic() + self.linger
        while 0 < len(self._pending) < self.gather and self.coming() > 0:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            self._arrived.wait(remaining)

    def _write(self, jobs: list) -> list:
        """Write jobs together; if that fails, each alone. Return each job's result or error."""
        try:
            return self.write(jobs)
        except Exception as exc:  # noqa: BLE001 - reported to the job's waiter
            if len(jobs) == 1:
                return [exc]
        return [self._write([job])[0] for job in jobs]


def _settle(future: asyncio.Future, outcome) -> None:
    if future.done():  # the waiter was cancelled; the write itself is committed
        return
    if isinstance(outcome, BaseException):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)
