"""Channel subscriptions made with `/watch track`: which channel follows which entity or theme."""

from __future__ import annotations

from datetime import datetime

from bot.clock import iso


def subscribe(db, *, platform: str, channel_id: str, target_type: str, target_id: str, created_by: str,
              now: datetime) -> None:
    """Make a channel track an entity or a theme (again is a no-op)."""
    db.execute("""INSERT OR IGNORE INTO subscriptions (platform, channel_id, target_type, target_id,
                  created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)""",
               [platform, channel_id, target_type, target_id, created_by, iso(now)])


def unsubscribe(db, *, platform: str, channel_id: str, target_id: str) -> int:
    """Stop a channel tracking a target; return how many subscriptions went (0 if it had none)."""
    return db.execute("DELETE FROM subscriptions WHERE platform = ? AND channel_id = ? AND target_id = ?",
                      [platform, channel_id, target_id]).rowcount


def channel_targets(db, platform: str, channel_id: str) -> list[tuple[str, str]]:
    """What one channel tracks: (target type, target id), sorted."""
    return db.execute("SELECT target_type, target_id FROM subscriptions WHERE platform = ? AND channel_id = ? "
                      "ORDER BY target_type, target_id", [platform, channel_id]).fetchall()


def all_targets(db, platform: str) -> list[tuple[str, str, str]]:
    """(channel, target type, target id) of every subscription on a platform, personal ones too."""
    return db.execute("SELECT channel_id, target_type, target_id FROM subscriptions WHERE platform = ? "
                      "ORDER BY channel_id, target_type, target_id", [platform]).fetchall()


def all_subscriptions(db) -> list[dict]:
    """Every subscription as {platform, channel_id, target_id}, for matching alerts to channels."""
    return list(db.query("SELECT platform, channel_id, target_id FROM subscriptions"))
