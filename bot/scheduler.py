"""APScheduler wiring: the poll job and one digest cron job per target. The only APScheduler user.

Feeds are polled by one job that runs every `tick` seconds and refreshes the feeds whose next
check time has come: each feed's next check is its own interval with jitter, or its backoff
after failures, so every feed keeps its own pace while one pass can still tell a network
outage from failing feeds. The job coalesces missed runs and never overlaps itself.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import utc_now
from bot.config import DigestTarget

log = logging.getLogger(__name__)


class JobRunner:
    """Runs coroutine jobs, remembers the ones in flight, and waits for them on shutdown."""

    def __init__(self) -> None:
        self.running: set[asyncio.Task] = set()

    def wrap(self, name: str, job: Callable[[], Awaitable[object]]) -> Callable[[], Awaitable[None]]:
        """Return a job that logs its failures instead of raising, and is tracked while it runs."""

        async def run() -> None:
            task = asyncio.current_task()
            self.running.add(task)
            try:
                await job()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - a job's failure is logged once, here
                log.exception("job %s failed", name)
            finally:
                self.running.discard(task)

        return run

    async def drain(self, timeout: float) -> None:
        """Wait for running jobs to finish (each writes in whole transactions), then cancel."""
        if not self.running:
            return
        done, pending = await asyncio.wait(set(self.running), timeout=timeout)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)


def build_scheduler(runner: JobRunner, *, poll: Callable[[], Awaitable[object]], tick: float,
                    digests: Sequence[tuple[DigestTarget, Callable[[], Awaitable[object]]]] = (),
                    ) -> AsyncIOScheduler:
    """Create the scheduler with the poll job and a cron job per digest target (not started)."""
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(runner.wrap("poll", poll), IntervalTrigger(seconds=tick, jitter=max(1, tick / 10)),
                      id="poll", name="poll due feeds", coalesce=True, max_instances=1,
                      misfire_grace_time=int(tick * 2), next_run_time=utc_now())
    for target, job in digests:
        hour, minute = (int(part) for part in target.time.split(":"))
        trigger = CronTrigger(hour=hour, minute=minute, timezone=ZoneInfo(target.timezone))
        scheduler.add_job(runner.wrap(f"digest {target.id}", job), trigger, id=f"digest:{target.id}",
                          name=f"digest {target.id}", coalesce=True, max_instances=1,
                          misfire_grace_time=3600)
    return scheduler
