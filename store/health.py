"""The store's own health figures: the feed table, status counts and the doctor's checks."""

from __future__ import annotations

from datetime import datetime

from bot.clock import iso


def _last_poll_failed_sql() -> str:
    return "(feeds.last_error_at IS NOT NULL AND (feeds.last_success_at IS NULL OR feeds.last_error_at > feeds.last_success_at))"


def feed_health(db) -> list[dict]:
    """Enabled feeds with their health, item count and whether their last poll failed; worst first."""
    failed = _last_poll_failed_sql()
    cursor = db.execute(
        f"""SELECT feeds.id, feeds.name, feeds.url, feeds.state, feeds.last_success_at, feeds.last_polled_at,
                   feeds.error_count, feeds.last_error, feeds.last_error_at, feeds.next_check_at,
                   {failed} AS last_poll_failed,
                   (SELECT COUNT(*) FROM items WHERE items.feed_id = feeds.id) AS items
            FROM feeds WHERE enabled = 1
            ORDER BY {failed} DESC, feeds.state = 'ok', feeds.id""")
    columns = [column[0] for column in cursor.description]
    rows = [dict(zip(columns, row)) for row in cursor]
    for row in rows:
        row["last_poll_failed"] = bool(row["last_poll_failed"])
    return rows


def last_poll_failures(db) -> tuple[int, int]:
    """(enabled feeds polled at least once, those whose last poll failed)."""
    row = db.execute(f"""SELECT COUNT(*), coalesce(SUM({_last_poll_failed_sql()}), 0) FROM feeds
                         WHERE enabled = 1 AND last_polled_at IS NOT NULL""").fetchone()
    return row[0], row[1]


def feed_state_counts(db) -> dict[str, int]:
    """How many enabled feeds are in each state."""
    return dict(db.execute("SELECT state, COUNT(*) FROM feeds WHERE enabled = 1 GROUP BY state").fetchall())


def failing_feed_count(db) -> tuple[int, int]:
    """(enabled feeds that failed their last polls, enabled feeds); new feeds are not failing."""
    failing, enabled = db.execute(
        "SELECT COALESCE(SUM(state != 'ok' AND state != 'new'), 0), COUNT(*) "
        "FROM feeds WHERE enabled = 1").fetchone()
    return failing, enabled


def new_items_since(db, since: datetime) -> int:
    """Items fetched since a time, baselines not counted."""
    return db.execute("SELECT COUNT(*) FROM items WHERE fetched_at >= ? AND is_baseline = 0",
                      [iso(since)]).fetchone()[0]


def integrity(db) -> str:
    """SQLite's integrity check: "ok" or the first problem found.

    integrity_check, not quick_check: SQLite 3.40's quick_check reports NULLs in a healthy
    WITHOUT ROWID table whose primary key is ordered differently from its columns.
    """
    return db.execute("PRAGMA integrity_check").fetchone()[0]
