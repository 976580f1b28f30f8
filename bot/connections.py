"""Chat connections that heal: a platform that fails to start or loses its connection is retried
with backoff, forever, and its state is recorded for `status`, `doctor` and `status --health`.

    Connection.run(stop)
        connecting -> adapter.start() -- fails --> down, wait (backoff) -> connecting ...
                          |
                          ok --> connected -- adapter.connected False --> reconnecting
                                     |            (the library resumes by itself)
                                     +-- adapter.wait_closed() returns --> down, wait, connecting ...

Messages for a platform that is not connected stay in the outbox (the delivery worker skips
them); `on_connected` wakes the worker when the platform is back, so they go out at once.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from datetime import datetime, timedelta

from store.connections import CONNECTED, CONNECTING, DOWN, RECONNECTING, record_connection

log = logging.getLogger(__name__)

BASE_DELAY = 5.0  # seconds before the first retry; doubled after each failure
MAX_DELAY = 300.0
CHECK_INTERVAL = 5.0  # how often a connected platform's state is looked at


class Connection:
    """Keeps one platform's adapter connected and records its state in the store."""

    def __init__(self, platform: str, adapter, db, *, now: Callable[[], datetime],
                 on_connected: Callable[[], None] = lambda: None, base_delay: float = BASE_DELAY,
                 max_delay: float = MAX_DELAY, check_interval: float = CHECK_INTERVAL):
        self.platform, self.adapter, self.db, self.now = platform, adapter, db, now
        self.on_connected = on_connected
        self.base_delay, self.max_delay, self.check_interval = base_delay, max_delay, check_interval
        self.state = CONNECTING
        self.failures = 0  # failed attempts in a row
        self.first_attempt = asyncio.Event()  # set once the first start has succeeded or failed

    @property
    def is_up(self) -> bool:
        """True while the platform can take messages."""
        return self.state == CONNECTED

    async def run(self, stop: asyncio.Event) -> None:
        """Connect, stay connected, reconnect with backoff; until `stop` is set."""
        try:
            while not stop.is_set():
                self._record(CONNECTING)
                try:
                    await self.adapter.start()
                except Exception as exc:  # noqa: BLE001 - any failure to start is retried
                    await self._failed(f"could not connect: {exc}", stop)
                    continue
                self.failures = 0
                self._record(CONNECTED)
                log.info("%s connected", self.platform)
                self.first_attempt.set()
                self.on_connected()
                reason = await self._watch(stop)
                if stop.is_set():
                    return
                await _quietly(self.adapter.stop())
                await self._failed(f"connection lost: {reason}", stop)
        finally:
            self.first_attempt.set()

    async def _watch(self, stop: asyncio.Event) -> str:
        """Wait while connected; record reconnecting and back; return why the connection ended."""
        closed = asyncio.ensure_future(self.adapter.wait_closed())
        stopping = asyncio.ensure_future(stop.wait())
        try:
            while True:
                done, _ = await asyncio.wait({closed, stopping}, timeout=self.check_interval,
                                             return_when=asyncio.FIRST_COMPLETED)
                if closed in done:
                    return str(closed.result() or "closed")
                if stopping in done:
                    return "stopping"
                state = CONNECTED if getattr(self.adapter, "connected", True) else RECONNECTING
                if state != self.state:
                    log.warning("%s %s", self.platform, "is back" if state == CONNECTED else "lost its connection; "
                                "reconnecting")
                    self._record(state)
                    if state == CONNECTED:
                        self.on_connected()
        finally:
            closed.cancel()
            stopping.cancel()

    async def _failed(self, error: str, stop: asyncio.Event) -> None:
        """Record the failure and wait out the backoff (or until stopped)."""
        self.failures += 1
        delay = min(self.max_delay, self.base_delay * 2 ** (self.failures - 1))
        delay *= random.uniform(0.8, 1.2)
        log.error("%s %s; retrying in %.0f s (attempt %d); its messages stay queued", self.platform, error,
                  delay, self.failures + 1)
        self._record(DOWN, error=error, retry_in=delay)
        self.first_attempt.set()
        try:
            await asyncio.wait_for(stop.wait(), timeout=delay)
        except asyncio.TimeoutError:
            pass

    def _record(self, state: str, *, error: str | None = None, retry_in: float | None = None) -> None:
        self.state = state
        now = self.now()
        try:
            record_connection(self.db, self.platform, state, now, attempts=self.failures, error=error,
                              next_attempt_at=now + timedelta(seconds=retry_in) if retry_in is not None else None)
        except Exception:  # noqa: BLE001 - a busy store must not stop the connection
            log.exception("could not record the %s connection state", self.platform)


async def _quietly(awaitable) -> None:
    try:
        await awaitable
    except Exception:  # noqa: BLE001 - cleaning up after a lost connection
        log.warning("error while closing a lost connection", exc_info=True)


def configured_platforms(settings) -> list[str]:
    """The chat platforms feeds.yml and the environment configure."""
    return [name for name in ("discord", "slack") if getattr(settings, name, None)]


def describe(state: dict, now: datetime) -> str:
    """"connected since 2026-11-20 08:00" or "down for 12m (attempt 4): <error>"."""
    since = datetime.fromisoformat(state["since"])
    if state["state"] == CONNECTED:
        return f"connected since {state['since'][:16].replace('T', ' ')}"
    text = f"{state['state']} for {_human(now - since)}"
    if state["attempts"]:
        text += f" ({state['attempts']} failed attempts)"
    if state["last_error"]:
        text += f": {state['last_error'][:200]}"
    return text


def down_too_long(states: dict[str, dict], configured: list[str], now: datetime, limit: float) -> list[str]:
    """A line for each configured platform that has not been connected for more than `limit` seconds."""
    problems = []
    for platform in configured:
        state = states.get(platform)
        if state is None or state["state"] == CONNECTED:
            continue
        down = (now - datetime.fromisoformat(state["since"])).total_seconds()
        if down > limit:
            problems.append(f"{platform} {describe(state, now)} (limit {_human(timedelta(seconds=limit))})")
    return problems


def _human(delta: timedelta) -> str:
    seconds = max(int(delta.total_seconds()), 0)
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m"
    return f"{seconds // 3600}h {seconds % 3600 // 60}m"
