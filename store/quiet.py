"""Quiet windows set from chat, and what decides whether a held alert is urgent.

A window is stored per platform and channel; a person's window is stored under their personal
watchlist's channel, "@<user id>". Callers hold the transaction (`with db.conn:`) for writes.
"""

from __future__ import annotations

from datetime import datetime

from bot.clock import iso


def set_quiet(db, *, platform: str, channel_id: str, start: str, end: str, timezone: str, set_by: str,
              now: datetime) -> None:
    """Set (or replace) the quiet window of a channel or a person; start and end are local HH:MM."""
    db.execute("""INSERT OR REPLACE INTO quiet_hours (platform, channel_id, start, end, timezone, set_by, set_at)
                  VALUES (?, ?, ?, ?, ?, ?, ?)""", [platform, channel_id, start, end, timezone, set_by, iso(now)])


def clear_quiet(db, *, platform: str, channel_id: str) -> int:
    """Remove a channel's or a person's window; return how many went (0 if there was none)."""
    return db.execute("DELETE FROM quiet_hours WHERE platform = ? AND channel_id = ?",
                      [platform, channel_id]).rowcount


def quiet_window(db, platform: str, channel_id: str) -> dict | None:
    """The window set for one channel or person: {start, end, timezone, set_by, set_at}, or None."""
    rows = list(db.query("SELECT start, end, timezone, set_by, set_at FROM quiet_hours "
                         "WHERE platform = ? AND channel_id = ?", [platform, channel_id]))
    return rows[0] if rows else None


def all_quiet_windows(db) -> dict[tuple[str, str], tuple[str, str, str]]:
    """{(platform, channel): (start, end, timezone)} for every window set from chat."""
    return {(platform, channel): (start, end, zone) for platform, channel, start, end, zone in db.execute(
        "SELECT platform, channel_id, start, end, timezone FROM quiet_hours")}


def story_feeds_since(db, story_id: str, since: datetime) -> list[str]:
    """The feeds (their names) that reported a story at or after `since`, first reporter first.

    An item counts from the earlier of its published and fetched times, so a feed that publishes
    with a clock ahead of ours still counts when we saw it, and an old item fetched late does not.
    """
    return [name for name, in db.execute(
        """SELECT COALESCE(feeds.name, items.feed_id) FROM items LEFT JOIN feeds ON feeds.id = items.feed_id
           WHERE items.story_id = ? AND MIN(items.published_at, items.fetched_at) >= ?
           GROUP BY items.feed_id ORDER BY MIN(MIN(items.published_at, items.fetched_at)), items.feed_id""",
        [story_id, iso(since)])]


def retime_held(db, *, platform: str, channel_id: str, until: datetime | None, now: datetime) -> int:
    """Move the alerts a channel's (or person's) quiet hours hold to a new end (None: release them now).

    Only pending rows that were held for quiet hours move; return how many did.
    """
    moment = until or now
    held = ("platform = ? AND channel_id = ? AND status = 'pending' "
            "AND json_extract(payload, '$.quiet_until') IS NOT NULL")
    if until is None:
        return db.execute(f"UPDATE outbox SET next_attempt_at = ?, payload = json_remove(payload, '$.quiet_until') "
                          f"WHERE {held}", [iso(moment), platform, channel_id]).rowcount
    return db.execute(f"UPDATE outbox SET next_attempt_at = ?, payload = json_set(payload, '$.quiet_until', ?) "
                      f"WHERE {held}", [iso(moment), iso(moment), platform, channel_id]).rowcount


def held_alerts(db, platform: str, channel_id: str) -> int:
    """How many alerts quiet hours hold for a channel or person now (pending, with a quiet end)."""
    return db.execute("SELECT COUNT(*) FROM outbox WHERE platform = ? AND channel_id = ? AND kind = 'alert' "
                      "AND status = 'pending' AND json_extract(payload, '$.quiet_until') IS NOT NULL",
                      [platform, channel_id]).fetchone()[0]


def held_ends(db) -> dict[tuple[str, str], set[str]]:
    """{(platform, channel): the quiet ends its held alerts wait for}, over every channel and person."""
    ends: dict[tuple[str, str], set[str]] = {}
    for platform, channel_id, until in db.execute(
            "SELECT DISTINCT platform, channel_id, json_extract(payload, '$.quiet_until') FROM outbox "
            "WHERE kind = 'alert' AND status = 'pending' AND json_extract(payload, '$.quiet_until') IS NOT NULL"):
        ends.setdefault((platform, channel_id), set()).add(until)
    return ends
