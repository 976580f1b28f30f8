"""What analysts say about alerts with its buttons: "Not relevant" feedback and 24-hour mutes.

Feedback is one row per user, channel and item. A row with no target counts against every
entity and theme the item matched; a row with a target (the user said which cue misfired)
counts against that one. Callers hold the transaction (`with db.conn:`) for writes.
"""

from __future__ import annotations

from datetime import datetime

from bot.clock import iso


def item_story(db, item_id: str) -> dict | None:
    """The item's id, story, title and matched entity and theme ids (None for an unknown item)."""
    row = db.execute("SELECT id, story_id, title FROM items WHERE id = ?", [item_id]).fetchone()
    if row is None:
        return None
    entities = [entity for (entity,) in db.execute(
        "SELECT entity_id FROM item_entities WHERE item_id = ? GROUP BY entity_id ORDER BY MAX(start) < 0, MIN(start)",
        [item_id])]
    themes = [theme for (theme,) in db.execute(
        "SELECT theme_id FROM item_themes WHERE item_id = ? ORDER BY score DESC", [item_id])]
    return {"item_id": row[0], "story_id": row[1] or row[0], "title": row[2], "entities": entities,
            "themes": themes}


def record_feedback(db, *, item_id: str, story_id: str, platform: str, channel_id: str, user_id: str,
                    now: datetime) -> bool:
    """Record that a user found an item not relevant here; False if they had said so already."""
    cursor = db.execute(
        """INSERT OR IGNORE INTO feedback (item_id, story_id, platform, channel_id, user_id, created_at)
           VALUES (?, ?, ?, ?, ?, ?)""", [item_id, story_id, platform, channel_id, user_id, iso(now)])
    return cursor.rowcount == 1


def narrow_feedback(db, *, item_id: str, platform: str, channel_id: str, user_id: str,
                    target_type: str, target_id: str) -> bool:
    """Name the entity or theme a user's feedback on an item is about; False without such feedback."""
    cursor = db.execute(
        """UPDATE feedback SET target_type = ?, target_id = ?
           WHERE item_id = ? AND platform = ? AND channel_id = ? AND user_id = ?""",
        [target_type, target_id, item_id, platform, channel_id, user_id])
    return cursor.rowcount > 0


def feedback_counts(db, since: datetime | None = None) -> list[dict]:
    """"Not relevant" counts per entity and theme, most first: {kind, id, name, count}."""
    return list(db.query(
        """WITH chosen AS (SELECT * FROM feedback WHERE created_at >= :since),
                blamed AS (
                    SELECT target_type AS kind, target_id AS id, chosen.id AS feedback_id
                    FROM chosen WHERE target_id IS NOT NULL
                    UNION
                    SELECT 'entity', item_entities.entity_id, chosen.id FROM chosen
                    JOIN item_entities ON item_entities.item_id = chosen.item_id WHERE chosen.target_id IS NULL
                    UNION
                    SELECT 'theme', item_themes.theme_id, chosen.id FROM chosen
                    JOIN item_themes ON item_themes.item_id = chosen.item_id WHERE chosen.target_id IS NULL)
           SELECT kind, blamed.id AS id,
                  COALESCE(entities.name, themes.name, blamed.id) AS name, COUNT(*) AS count
           FROM blamed
           LEFT JOIN entities ON kind = 'entity' AND entities.id = blamed.id
           LEFT JOIN themes ON kind = 'theme' AND themes.id = blamed.id
           GROUP BY kind, blamed.id ORDER BY count DESC, kind, blamed.id""",
        {"since": iso(since) if since else ""}))


def feedback_total(db) -> int:
    """How many "Not relevant" answers are recorded."""
    return db.execute("SELECT COUNT(*) FROM feedback").fetchone()[0]


def latest_feedback(db, limit: int = 10) -> list[dict]:
    """The newest feedback rows with their item's title."""
    return list(db.query(
        """SELECT feedback.*, items.title FROM feedback LEFT JOIN items ON items.id = feedback.item_id
           ORDER BY feedback.created_at DESC, feedback.id DESC LIMIT ?""", [limit]))


def mute(db, *, platform: str, channel_id: str, target_type: str, target_id: str, until: datetime,
         user_id: str, now: datetime) -> None:
    """Mute a story or an entity in a channel until `until` (a later mute replaces an earlier one)."""
    db.execute(
        """INSERT OR REPLACE INTO mutes (platform, channel_id, target_type, target_id, until, created_by,
                                         created_at) VALUES (?, ?, ?, ?, ?, ?, ?)""",
        [platform, channel_id, target_type, target_id, iso(until), user_id, iso(now)])


def active_mutes(db, now: datetime) -> dict[tuple[str, str], set[tuple[str, str]]]:
    """{(platform, channel): {(target_type, target_id)}} for the mutes still running at `now`."""
    muted: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for platform, channel, kind, target in db.execute(
            "SELECT platform, channel_id, target_type, target_id FROM mutes WHERE until > ?", [iso(now)]):
        muted.setdefault((platform, channel), set()).add((kind, target))
    return muted
