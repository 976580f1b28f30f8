"""Each chat platform's connection state, as the running service records it for status and health."""

from __future__ import annotations

from datetime import datetime

from bot.clock import iso

CONNECTED, CONNECTING, RECONNECTING, DOWN = "connected", "connecting", "reconnecting", "down"


def record_connection(db, platform: str, state: str, now: datetime, *, attempts: int = 0,
                      error: str | None = None, next_attempt_at: datetime | None = None) -> None:
    """Record a platform's state; `since` moves only when the state changes (commits itself)."""
    with db.conn:
        db.execute(
            """INSERT INTO connections (platform, state, since, attempts, last_error, next_attempt_at, updated_at)
               VALUES (:platform, :state, :now, :attempts, :error, :next, :now)
               ON CONFLICT (platform) DO UPDATE SET
                   since = CASE WHEN connections.state = excluded.state
                                  OR (connections.state != 'connected' AND excluded.state != 'connected')
                                THEN connections.since ELSE excluded.since END,
                   state = excluded.state, attempts = excluded.attempts,
                   last_error = COALESCE(excluded.last_error, connections.last_error),
                   next_attempt_at = excluded.next_attempt_at, updated_at = excluded.updated_at""",
            {"platform": platform, "state": state, "now": iso(now), "attempts": attempts,
             "error": (error or None) and error[:500], "next": iso(next_attempt_at) if next_attempt_at else None})


def connection_states(db) -> dict[str, dict]:
    """{platform: {state, since, attempts, last_error, next_attempt_at, updated_at}}."""
    return {row["platform"]: row for row in db.query("SELECT * FROM connections ORDER BY platform")}


def reset_connections(db) -> None:
    """Forget what an earlier run recorded (at start-up: each platform starts connecting afresh)."""
    with db.conn:
        db.execute("DELETE FROM connections")
