"""The outbox: every alert, digest and notice is a row here before it is a message.

A row moves pending -> sending -> sent, or back to pending with a later `next_attempt_at` after
a failure that may pass, or to failed (unknown channel, missing permission). `idem_key` is unique:
the same alert (target and story) or digest (target and period) can be queued only once.
A row left in `sending` by a crash is retried with the same key, which the adapters pass on to
the platform so that a message that did go out is not posted twice.
Callers hold the transaction (`with db.conn:`) unless a function says otherwise.
"""

from __future__ import annotations

import json
from datetime import datetime

from bot.clock import iso

PENDING, SENDING, SENT, FAILED, MERGED, CAPPED = "pending", "sending", "sent", "failed", "merged", "capped"


def enqueue(db, *, idem_key: str, kind: str, platform: str, channel_id: str, payload: dict,
            now: datetime, story_id: str | None = None, status: str = PENDING,
            not_before: datetime | None = None) -> bool:
    """Queue a message unless its key is already queued; return whether a row was added.

    `not_before` holds the message back until then (a burst summary collects items meanwhile).
    """
    cursor = db.execute(
        """INSERT OR IGNORE INTO outbox (idem_key, kind, platform, channel_id, story_id, payload, status,
                                         attempts, next_attempt_at, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)""",
        [idem_key, kind, platform, channel_id, story_id, json.dumps(payload, ensure_ascii=False), status,
         iso(not_before or now), iso(now)])
    return cursor.rowcount == 1


def get(db, idem_key: str) -> dict | None:
    """Return the row with this key, or None."""
    rows = list(db.query("SELECT * FROM outbox WHERE idem_key = ?", [idem_key]))
    return rows[0] if rows else None


def update_payload(db, row_id: int, payload: dict) -> None:
    """Replace the payload of a row that has not been sent yet."""
    db.execute("UPDATE outbox SET payload = ? WHERE id = ?", [json.dumps(payload, ensure_ascii=False), row_id])


def pending_batch(db, platform: str, channel_id: str) -> dict | None:
    """The burst summary still collecting items for a channel, if any."""
    rows = list(db.query("SELECT * FROM outbox WHERE platform = ? AND channel_id = ? AND kind = 'batch' "
                         "AND status = 'pending' ORDER BY id DESC LIMIT 1", [platform, channel_id]))
    return rows[0] if rows else None


def due(db, now: datetime, limit: int = 50, platforms: list[str] | None = None) -> list[dict]:
    """Rows to deliver now, oldest first: pending ones whose time has come, and interrupted sends
    (only those for `platforms`, when given: the ones connected)."""
    only = f"AND platform IN ({', '.join('?' * len(platforms))})" if platforms is not None else ""
    return list(db.query(
        f"""SELECT * FROM outbox WHERE status IN ('pending', 'sending') AND next_attempt_at <= ? {only}
            ORDER BY next_attempt_at, id LIMIT ?""", [iso(now), *(platforms or ()), limit]))


def mark_sending(db, row_id: int, *, was: str = PENDING) -> bool:
    """Record that a send is about to start, if the row is still in status `was`; return whether it was.

    A compare-and-set: of two senders reading the same due row, only one moves it on.
    """
    cursor = db.execute("UPDATE outbox SET status = 'sending', attempts = attempts + 1 WHERE id = ? AND status = ?",
                        [row_id, was])
    return cursor.rowcount == 1


def await_alerting(db, item_ids) -> None:
    """Record stored items that still need their alerts queued (in the transaction that stores them)."""
    db.conn.executemany("INSERT OR IGNORE INTO alert_queue (item_id) VALUES (?)", [(i,) for i in item_ids])


def awaiting_alerting(db, limit: int = 5000) -> list[str]:
    """Items waiting for their alerts, leaving out those still waiting for the matcher."""
    return [row[0] for row in db.execute(
        "SELECT item_id FROM alert_queue WHERE item_id NOT IN (SELECT item_id FROM match_queue) LIMIT ?",
        [limit]).fetchall()]


def alerting_done(db, item_ids) -> None:
    """Forget items whose alerts are queued (in the transaction that queues them)."""
    db.conn.executemany("DELETE FROM alert_queue WHERE item_id = ?", [(i,) for i in item_ids])


def mark_sent(db, row_id: int, message_id: str | None, now: datetime) -> None:
    """Record a delivered message and its platform id."""
    db.execute("UPDATE outbox SET status = 'sent', message_id = COALESCE(?, message_id), sent_at = ?, "
               "last_error = NULL WHERE id = ?", [message_id, iso(now), row_id])


def mark_retry(db, row_id: int, error: str, next_attempt_at: datetime) -> None:
    """Put a row back in the queue for a later attempt."""
    db.execute("UPDATE outbox SET status = 'pending', last_error = ?, next_attempt_at = ? WHERE id = ?",
               [error[:500], iso(next_attempt_at), row_id])


def release(db, row_id: int, now: datetime) -> None:
    """Make a held pending row due now (an alert held for quiet hours that turned urgent)."""
    db.execute("UPDATE outbox SET next_attempt_at = ? WHERE id = ? AND status = 'pending'", [iso(now), row_id])


def mark_failed(db, row_id: int, error: str) -> None:
    """Give up on a row for good; `status` and `feeds` show it."""
    db.execute("UPDATE outbox SET status = 'failed', last_error = ? WHERE id = ?", [error[:500], row_id])


def count_since(db, platform: str, channel_id: str, kinds: tuple[str, ...], since: datetime,
                statuses: tuple[str, ...] = (PENDING, SENDING, SENT, FAILED)) -> int:
    """How many rows of these kinds were queued for a channel since a time."""
    kind_marks, status_marks = ",".join("?" * len(kinds)), ",".join("?" * len(statuses))
    return db.execute(
        f"""SELECT COUNT(*) FROM outbox WHERE platform = ? AND channel_id = ? AND kind IN ({kind_marks})
            AND status IN ({status_marks}) AND created_at >= ?""",
        [platform, channel_id, *kinds, *statuses, iso(since)]).fetchone()[0]


def queue_depth(db) -> int:
    """Messages waiting to go out."""
    return db.execute("SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')").fetchone()[0]


def failures(db, limit: int = 10) -> list[dict]:
    """The latest permanent delivery failures, newest first."""
    return list(db.query("SELECT kind, platform, channel_id, last_error, created_at FROM outbox "
                         "WHERE status = 'failed' ORDER BY id DESC LIMIT ?", [limit]))


def failed_count(db) -> int:
    """Messages given up on for good."""
    return db.execute("SELECT COUNT(*) FROM outbox WHERE status = 'failed'").fetchone()[0]
