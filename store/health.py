"""The store's own health figures: the feed table, status counts and the doctor's checks."""

from __future__ import annotations

from datetime import datetime

from bot.clock import iso


def feed_health(db) -> list[dict]:
    """Every enabled feed with state, last success, errors, next check and stored items; not-ok first."""
    return list(db.query(
        """SELECT feeds.id, feeds.name, feeds.state, feeds.last_success_at, feeds.error_count, feeds.last_error,
                  feeds.next_check_at, (SELECT COUNT(*) FROM items WHERE items.feed_id = feeds.id) AS items
           FROM feeds WHERE enabled = 1 ORDER BY feeds.state != 'ok', feeds.id"""))


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
