"""What digests read and record: a period's items with their matches, baselines, sent periods.

Imported documents (source `corpus`) are background, not news: no digest query reads them.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from bot.clock import iso


def period_items(db, start: datetime, end: datetime) -> list[tuple]:
    """Feed items published in [start, end): (id, story id, title, link, published_at, outlet)."""
    return db.execute(
        """SELECT items.id, coalesce(items.story_id, items.id), items.title, items.link,
                  items.published_at, coalesce(feeds.name, items.feed_id)
           FROM items LEFT JOIN feeds ON feeds.id = items.feed_id
           WHERE items.published_at >= ? AND items.published_at < ? AND items.source != 'corpus'""",
        [iso(start), iso(end)]).fetchall()


def period_entities(db, start: datetime, end: datetime) -> dict[str, set[str]]:
    """The entities of each item published in [start, end): item id -> entity ids."""
    item_entities: dict[str, set[str]] = defaultdict(set)
    for item_id, entity_id in db.execute(
            """SELECT item_entities.item_id, item_entities.entity_id FROM items
               JOIN item_entities ON item_entities.item_id = items.id
               WHERE items.published_at >= ? AND items.published_at < ?""", [iso(start), iso(end)]):
        item_entities[item_id].add(entity_id)
    return item_entities


def period_themes(db, start: datetime, end: datetime) -> dict[str, dict[str, float]]:
    """The themes of each item published in [start, end): item id -> {theme id: score}."""
    item_themes: dict[str, dict[str, float]] = defaultdict(dict)
    for item_id, theme_id, score in db.execute(
            """SELECT item_themes.item_id, item_themes.theme_id, item_themes.score FROM items
               JOIN item_themes ON item_themes.item_id = items.id
               WHERE items.published_at >= ? AND items.published_at < ?""", [iso(start), iso(end)]):
        item_themes[item_id][theme_id] = score
    return item_themes


def catalog_names(db) -> tuple[dict[str, str], dict[str, str]]:
    """Display names from the catalog tables: (entity id -> name, theme id -> name)."""
    return (dict(db.execute("SELECT id, name FROM entities").fetchall()),
            dict(db.execute("SELECT id, name FROM themes").fetchall()))


def latest_period_end(db, target_id: str) -> datetime | None:
    """Where the last recorded digest of a target ended; None before the first."""
    row = db.execute("SELECT max(period_end) FROM digests WHERE target_id = ?", [target_id]).fetchone()
    return datetime.fromisoformat(row[0]) if row and row[0] else None


def record_digest(db, target_id: str, *, start: datetime, end: datetime, created_at: datetime,
                  story_count: int) -> None:
    """Remember that a target's digest of [start, end) was queued (once per period)."""
    db.execute("INSERT OR IGNORE INTO digests (target_id, period_start, period_end, created_at, story_count) "
               "VALUES (?, ?, ?, ?, ?)", [target_id, iso(start), iso(end), iso(created_at), story_count])


def rolled_up_story_counts(db, groups: dict[str, list[str]], start: datetime, end: datetime) -> dict[str, int]:
    """Stories naming any member of each group (an entity and the places in it) among feed items in [start, end).

    The mentions' own copy of the time bounds the scan: each member's mentions in the period are
    one range of item_entities_entity_time, not every item of the period probed per member.
    """
    pairs = [(top, member) for top, members in groups.items() for member in dict.fromkeys([top, *members])]
    if not pairs:
        return {}
    values = ",".join("(?, ?)" for _ in pairs)
    return dict(db.execute(
        f"""WITH grp(top, member) AS (VALUES {values})
            SELECT grp.top, count(DISTINCT coalesce(items.story_id, items.id)) FROM grp
            JOIN item_entities ON item_entities.entity_id = grp.member
            JOIN items ON items.id = item_entities.item_id
            WHERE item_entities.published_at >= ? AND item_entities.published_at < ?
            AND items.published_at >= ? AND items.published_at < ? AND items.source != 'corpus'
            GROUP BY grp.top""", [value for pair in pairs for value in pair] + [iso(start), iso(end)] * 2).fetchall())
