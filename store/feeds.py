"""Feed rows: configuration mirrored from feeds.yml, health, cache validators, the fetch log."""

from __future__ import annotations

import json
from datetime import datetime

from bot.clock import iso
from bot.models import Feed


def sync_feeds(db, feeds: tuple[Feed, ...], now: datetime) -> None:
    """Insert new feeds, update changed ones, disable feeds no longer configured."""
    configured = {feed.id for feed in feeds}
    with db.conn:
        for feed in feeds:
            db.execute(
                """INSERT INTO feeds (id, url, name, tags, enabled, created_at, next_check_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT(id) DO UPDATE SET url = excluded.url, name = excluded.name,
                       tags = excluded.tags, enabled = excluded.enabled""",
                [feed.id, feed.url, feed.name, json.dumps(list(feed.tags)), int(feed.enabled),
                 iso(now), iso(now)],
            )
        for (feed_id,) in db.execute("SELECT id FROM feeds WHERE enabled = 1").fetchall():
            if feed_id not in configured:
                db.execute("UPDATE feeds SET enabled = 0 WHERE id = ?", [feed_id])


def feed_row(db, feed_id: str) -> dict:
    """Return a feed's row as a dict."""
    cursor = db.execute("SELECT * FROM feeds WHERE id = ?", [feed_id])
    columns = [column[0] for column in cursor.description]
    row = cursor.fetchone()
    return dict(zip(columns, row)) if row else {}


def feed_rows(db, feed_ids) -> dict[str, dict]:
    """Return several feeds' rows, by id, in one query per 500 ids."""
    ids, rows = list(feed_ids), {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        cursor = db.execute(f"SELECT * FROM feeds WHERE id IN ({','.join('?' * len(chunk))})", chunk)
        columns = [column[0] for column in cursor.description]
        for row in cursor:
            record = dict(zip(columns, row))
            rows[record["id"]] = record
    return rows


def due_feed_ids(db, now: datetime) -> list[str]:
    """Ids of enabled feeds whose next check time has come, most overdue first."""
    rows = db.execute(
        """SELECT id FROM feeds WHERE enabled = 1 AND (next_check_at IS NULL OR next_check_at <= ?)
           AND (retry_after_until IS NULL OR retry_after_until <= ?)
           ORDER BY next_check_at""",
        [iso(now), iso(now)],
    ).fetchall()
    return [row[0] for row in rows]


def log_fetch(db, feed_id: str, *, started_at: datetime, duration: float, outcome: str,
              http_status: int | None = None, size: int = 0, error: str | None = None,
              new_items: int = 0) -> None:
    """Append one poll to the fetch log."""
    db.execute(
        """INSERT INTO fetches (feed_id, started_at, duration_ms, http_status, bytes, outcome, error,
           new_items) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        [feed_id, iso(started_at), int(duration * 1000), http_status, size, outcome, error, new_items],
    )


def record_success(db, feed_id: str, *, now: datetime, next_check_at: datetime,
                   retry_after_until: datetime | None = None, etag: str | None = None,
                   last_modified: str | None = None, body_hash: str | None = None,
                   guid_reuse: bool | None = None) -> str:
    """Mark a feed healthy after a good poll; return its previous state."""
    previous = feed_row(db, feed_id).get("state", "new")
    db.execute(
        """UPDATE feeds SET state = 'ok', error_count = 0, last_success_at = ?, last_polled_at = ?,
               next_check_at = ?, retry_after_until = ?, etag = coalesce(?, etag),
               last_modified = coalesce(?, last_modified), body_hash = coalesce(?, body_hash),
               guid_reuse = coalesce(?, guid_reuse)
           WHERE id = ?""",
        [iso(now), iso(now), iso(next_check_at), iso(retry_after_until), etag, last_modified,
         body_hash, None if guid_reuse is None else int(guid_reuse), feed_id],
    )
    return previous


def record_failure(db, feed_id: str, *, now: datetime, error: str, next_check_at: datetime,
                   state: str, count_error: bool = True,
                   retry_after_until: datetime | None = None) -> str:
    """Record a failed poll: error text, count, state and next check; return the previous state."""
    previous = feed_row(db, feed_id).get("state", "new")
    db.execute(
        """UPDATE feeds SET state = ?, error_count = error_count + ?, last_error = ?,
               last_error_at = ?, last_polled_at = ?, next_check_at = ?, retry_after_until = ?
           WHERE id = ?""",
        [state, int(count_error), error, iso(now), iso(now), iso(next_check_at),
         iso(retry_after_until), feed_id],
    )
    return previous


def mark_baseline_done(db, feed_id: str) -> None:
    """Note that a feed's first poll has been stored, so later items count as new."""
    db.execute("UPDATE feeds SET baseline_done = 1 WHERE id = ?", [feed_id])


def record_outage(db, *, now: datetime, feeds_failed: int, feeds_total: int, error: str) -> None:
    """Record a pass in which nearly every feed failed: the network, not the feeds."""
    db.execute(
        "INSERT INTO outages (started_at, feeds_failed, feeds_total, error) VALUES (?, ?, ?, ?)",
        [iso(now), feeds_failed, feeds_total, error],
    )


def set_meta(db, key: str, value: str) -> None:
    """Store a key/value fact about the store."""
    db.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = "
               "excluded.value", [key, value])


def get_meta(db, key: str) -> str | None:
    """Read a key/value fact about the store."""
    row = db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


def feed_exists(db, feed_id: str) -> bool:
    """Whether the store has a row for this feed, enabled or not."""
    return db.execute("SELECT 1 FROM feeds WHERE id = ?", [feed_id]).fetchone() is not None


def disable_feed(db, feed_id: str) -> None:
    """Keep a feed's row and items but never poll it."""
    db.execute("UPDATE feeds SET enabled = 0 WHERE id = ?", [feed_id])
