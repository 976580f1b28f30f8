"""The delivery worker: sends what the outbox holds, once, and keeps what it cannot send yet.

For each due row: mark it `sending` (committed), send it through the platform's adapter with the
row's idempotency key, then mark it `sent` with the platform's message id. A failure that may
pass (a 429, a 5xx, the network) puts the row back with exponential backoff, honouring the
platform's `retry_after`; a permanent one (unknown channel, missing permission) marks it failed,
and `status` and `feeds` show it. A row found in `sending` after a crash, or retried after an error
that may have come after the platform posted it (a 5xx, a timeout), is first looked for on the
platform (the adapter's `find_sent`: the channel's recent messages carry the row's key), and
recorded as sent when found; otherwise it is sent again with the same key, which the adapters
also pass as the platform's own idempotency guard (Discord's nonce).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.errors import DeliveryError, PermanentDeliveryError
from bot.clock import utc_now
from bot.models import reply_from_dict
from store import outbox

log = logging.getLogger(__name__)

BASE_DELAY = 15.0  # seconds before the first retry
MAX_DELAY = 3600.0
CHANNEL_SPACING = 1.0  # seconds between two messages to one channel (Slack allows about 1/s)
NOT_CONNECTED_DELAY = 60.0


class DeliveryWorker:
    """Drains the outbox through the adapters; one per process."""

    def __init__(self, db, adapters: dict, *, now: Callable[[], datetime] = utc_now, metrics=None,
                 idle_wait: float = 2.0, channel_spacing: float = CHANNEL_SPACING):
        self.db, self.adapters, self.now, self.metrics = db, adapters, now, metrics
        self.idle_wait, self.channel_spacing = idle_wait, channel_spacing
        self._next_slot: dict[tuple[str, str], float] = {}
        self.wake = asyncio.Event()
        self.connections: dict = {}  # platform -> bot.connections.Connection, set by the service

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until `stop` is set; wake early when `wake` is set (new rows queued)."""
        while not stop.is_set():
            try:
                delivered = await self.deliver_due()
            except Exception:  # noqa: BLE001 - the worker must outlive any one failure
                log.exception("delivery pass failed")
                delivered = 0
            if delivered:
                continue
            self.wake.clear()
            waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self.wake.wait())]
            await asyncio.wait(waiters, timeout=self.idle_wait, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()

    async def deliver_due(self) -> int:
        """Send every row that is due now (respecting per-channel spacing); return how many were sent."""
        delivered = 0
        loop = asyncio.get_running_loop()
        for row in outbox.due(self.db, self.now(), platforms=self.connected_platforms()):
            slot = (row["platform"], row["channel_id"])
            wait = self._next_slot.get(slot, 0.0) - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            self._next_slot[slot] = loop.time() + self.channel_spacing
            delivered += await self.deliver(row)
        return delivered

    def connected_platforms(self) -> list[str]:
        """The platforms that can take messages now; rows for the others wait, untouched, until
        theirs is back (the connection keeper wakes the worker then)."""
        return [name for name in self.adapters if self.is_up(name)]

    def is_up(self, platform: str) -> bool:
        """Whether the service's connection keeper has `platform` connected (always, without one)."""
        connection = self.connections.get(platform)
        return connection is None or connection.is_up

    async def deliver(self, row: dict) -> int:
        """Send one row; return 1 when it was delivered."""
        adapter = self.adapters.get(row["platform"])
        if adapter is None:
            with self.db.conn:
                outbox.mark_retry(self.db, row["id"], f"platform {row['platform']} is not connected",
                                  self.now() + timedelta(seconds=NOT_CONNECTED_DELAY))
            return 0
        payload = json.loads(row["payload"])
        reply = reply_from_dict(payload)
        # A row left sending, or one whose earlier attempt failed, may have reached the platform.
        if (row["status"] == outbox.SENDING or row["attempts"]) and await self._already_sent(adapter, row):
            return 1
        with self.db.conn:
            if not outbox.mark_sending(self.db, row["id"], was=row["status"]):
                return 0  # another sender moved it on since it was read
        started = asyncio.get_running_loop().time()
        try:
            message_id = await self._send(adapter, row, payload, reply)
        except PermanentDeliveryError as exc:
            log.error("%s %s: %s failed for good: %s", row["platform"], row["channel_id"], row["kind"], exc)
            with self.db.conn:
                outbox.mark_failed(self.db, row["id"], str(exc))
            self._count("failed", row)
            return 0
        except (DeliveryError, OSError, asyncio.TimeoutError) as exc:
            self._retry(row, exc)
            return 0
        except _NotYet as exc:
            self._retry(row, exc, delay=NOT_CONNECTED_DELAY)
            return 0
        with self.db.conn:
            outbox.mark_sent(self.db, row["id"], message_id, self.now())
        self._count("sent", row, asyncio.get_running_loop().time() - started)
        return 1

    async def _already_sent(self, adapter, row: dict) -> bool:
        """After a crash mid-send: ask the platform whether the message went out (when it can tell)."""
        finder = getattr(adapter, "find_sent", None)
        if finder is None or row["kind"] == "edit":
            return False
        where = {}
        if row["kind"] == "followup":  # look in the alert's thread
            parent = self._thread_parent(row)
            if parent is None:
                return False
            where = {"thread": parent}
        try:
            message_id = await finder(row["channel_id"], row["idem_key"], **where)
        except DeliveryError as exc:
            log.warning("cannot check whether %s was sent: %s; sending it", row["idem_key"], exc)
            return False
        if message_id is None:
            return False
        with self.db.conn:
            outbox.mark_sent(self.db, row["id"], message_id, self.now())
        log.info("%s had been sent before a restart; recorded, not sent again", row["idem_key"])
        return True

    async def _send(self, adapter, row: dict, payload: dict, reply) -> str | None:
        if row["kind"] == "edit":
            original = outbox.get(self.db, payload["edit_of"])
            if original is None or original["status"] == outbox.FAILED:
                raise PermanentDeliveryError("the message to update was never delivered")
            if not original["message_id"]:
                raise _NotYet("the message to update has not been sent yet")
            await adapter.edit(row["channel_id"], original["message_id"], reply)
            return original["message_id"]
        if row["kind"] == "followup":
            original = outbox.get(self.db, payload["thread_of"])
            if original is None or original["status"] == outbox.FAILED:
                raise PermanentDeliveryError("the alert to follow up was never delivered")
            if not original["message_id"]:
                raise _NotYet("the alert to follow up has not been sent yet")
            return await adapter.send_followup(row["channel_id"], original["message_id"], reply,
                                               idempotency_key=row["idem_key"],
                                               thread_name=payload.get("thread_name", ""))
        return await adapter.send(row["channel_id"], reply, idempotency_key=row["idem_key"])

    def _thread_parent(self, row: dict) -> str | None:
        """The platform id of the alert a followup row goes under, once that alert is sent."""
        original = outbox.get(self.db, json.loads(row["payload"]).get("thread_of", ""))
        return original["message_id"] if original and original["message_id"] else None

    def _retry(self, row: dict, exc: Exception, delay: float | None = None) -> None:
        attempts = row["attempts"] + 1
        backoff = min(MAX_DELAY, BASE_DELAY * 2 ** (attempts - 1))
        retry_after = getattr(exc, "retry_after", None) or 0.0
        delay = delay if delay is not None else max(backoff, retry_after)
        log.warning("%s %s: %s will be retried in %.0fs: %s", row["platform"], row["channel_id"],
                    row["kind"], delay, exc)
        with self.db.conn:
            outbox.mark_retry(self.db, row["id"], str(exc) or type(exc).__name__,
                              self.now() + timedelta(seconds=delay))
        self._count("retried", row)

    def _count(self, outcome: str, row: dict, latency: float | None = None) -> None:
        if self.metrics is not None:
            self.metrics.delivery(outcome, row["platform"], row["kind"], latency)


class _NotYet(Exception):
    """The row depends on another that has not been delivered yet."""

