"""What the store knows about one entity: its catalog row, mention counts, latest items, company.

Mentions are distinct items (an item naming an entity twice counts once), timed by the item's
published_at, which item_entities keeps beside each mention (migration m003).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from bot.clock import as_utc, iso

log = logging.getLogger(__name__)

CO_MENTION_SAMPLE = 500


def entity_row(db, entity_id: str) -> dict | None:
    """Return the catalog row of an entity (id, type, name, description), or None."""
    cursor = db.execute("SELECT id, type, name, description FROM entities WHERE id = ?", [entity_id])
    row = cursor.fetchone()
    return dict(zip(("id", "type", "name", "description"), row)) if row else None


def entity_aliases(db, entity_id: str) -> list[str]:
    """Return every name an entity is known by, alphabetically."""
    rows = db.execute("SELECT alias FROM aliases WHERE entity_id = ? ORDER BY alias COLLATE NOCASE",
                      [entity_id])
    return [row[0] for row in rows]


def entity_relations(db, entity_id: str) -> list[tuple[str, str, str]]:
    """Return (relation, target id, target name or id) for each relation of an entity."""
    rows = db.execute(
        """SELECT relations.relation, relations.target_id, coalesce(entities.name, relations.target_id)
           FROM relations LEFT JOIN entities ON entities.id = relations.target_id
           WHERE relations.entity_id = ? ORDER BY relations.relation, relations.target_id""", [entity_id])
    return [tuple(row) for row in rows]


def mention_counts(db, entity_id: str, now: datetime) -> dict[str, int]:
    """Count the distinct items naming an entity since the start of the UTC day 7 (and 30) days ago."""
    today = as_utc(now).date()
    row = db.execute(
        """SELECT coalesce(sum(mentions), 0), coalesce(sum(CASE WHEN day >= ? THEN mentions END), 0)
           FROM entity_days WHERE entity_id = ? AND day >= ? AND day <= ?""",
        [(today - timedelta(days=7)).isoformat(), entity_id, (today - timedelta(days=30)).isoformat(),
         today.isoformat()]).fetchone()
    return {"7d": row[1], "30d": row[0]}


def latest_items(db, entity_id: str, limit: int = 5) -> list[dict]:
    """Return the newest items naming an entity (id, title, link, feed_name, published_at)."""
    rows = db.execute(
        """SELECT items.id, items.title, items.link, feeds.name, items.published_at
           FROM (SELECT DISTINCT item_id FROM
                   (SELECT item_id FROM item_entities WHERE entity_id = ? ORDER BY published_at DESC LIMIT ?))
                AS recent
           JOIN items ON items.id = recent.item_id LEFT JOIN feeds ON feeds.id = items.feed_id
           ORDER BY items.published_at DESC, items.id LIMIT ?""", [entity_id, limit * 8, limit])
    return [dict(zip(("id", "title", "link", "feed_name", "published_at"), row)) for row in rows]


def co_mentioned(db, entity_id: str, *, now: datetime, days: int = 30,
                 limit: int = 5) -> list[tuple[str, str, int]]:
    """Return (entity id, name, shared items) for the entities named most often alongside this one.

    Counted over the entity's latest CO_MENTION_SAMPLE mentions within the window, so a lookup
    stays fast however often an entity is named.
    """
    now = as_utc(now)
    rows = db.execute(
        f"""WITH recent AS MATERIALIZED (
               SELECT DISTINCT item_id FROM (
                   SELECT item_id FROM item_entities WHERE entity_id = ? AND published_at >= ? AND published_at <= ?
                   ORDER BY published_at DESC LIMIT {CO_MENTION_SAMPLE}))
           SELECT others.entity_id, coalesce(entities.name, others.entity_id),
                  count(DISTINCT others.item_id) AS shared
           FROM recent JOIN item_entities AS others
                ON others.item_id = recent.item_id AND others.entity_id != ?
           LEFT JOIN entities ON entities.id = others.entity_id
           GROUP BY others.entity_id ORDER BY shared DESC, others.entity_id LIMIT ?""",
        [entity_id, iso(now - timedelta(days=days)), iso(now), entity_id, limit])
    return [tuple(row) for row in rows]


def daily_mentions(db, entity_id: str, *, days: int, now: datetime) -> list[tuple[date, int]]:
    """Return (UTC day, distinct items naming the entity) for the last `days` days, oldest first."""
    today = as_utc(now).date()
    first = today - timedelta(days=days - 1)
    rows = db.execute("SELECT day, mentions FROM entity_days WHERE entity_id = ? AND day >= ? AND day <= ?",
                      [entity_id, first.isoformat(), today.isoformat()])
    counts = {date.fromisoformat(day): count for day, count in rows}
    return [(first + timedelta(days=offset), counts.get(first + timedelta(days=offset), 0))
            for offset in range(days)]


def daily_theme_mentions(db, theme_id: str, *, days: int, now: datetime) -> list[tuple[date, int]]:
    """Return (UTC day, distinct items about the theme) for the last `days` days, oldest first."""
    today = as_utc(now).date()
    first = today - timedelta(days=days - 1)
    rows = db.execute(
        """SELECT substr(items.published_at, 1, 10) AS day, count(DISTINCT items.id) FROM item_themes
           JOIN items ON items.id = item_themes.item_id
           WHERE item_themes.theme_id = ? AND items.published_at >= ? AND items.published_at < ?
           GROUP BY day""", [theme_id, first.isoformat(), (today + timedelta(days=1)).isoformat()])
    counts = {date.fromisoformat(day): count for day, count in rows}
    return [(first + timedelta(days=offset), counts.get(first + timedelta(days=offset), 0))
            for offset in range(days)]


def mentions_of_each(db, entity_ids, now: datetime, days: int = 30) -> dict[str, int]:
    """Distinct items naming each of these entities since the start of the UTC day `days` days ago."""
    ids = list(entity_ids)
    if not ids:
        return {}
    today = as_utc(now).date()
    marks = ",".join("?" * len(ids))
    rows = db.execute(f"""SELECT entity_id, sum(mentions) FROM entity_days
                          WHERE entity_id IN ({marks}) AND day >= ? AND day <= ? GROUP BY entity_id""",
                      [*ids, (today - timedelta(days=days)).isoformat(), today.isoformat()])
    return {entity_id: count for entity_id, count in rows if count}


def mention_counts_any(db, entity_ids, now: datetime) -> dict[str, int]:
    """Distinct items naming any of these entities since the start of the UTC day 7 (and 30) days ago."""
    ids = list(entity_ids)
    today = as_utc(now).date()
    marks = ",".join("?" * len(ids))
    row = db.execute(
        f"""SELECT count(DISTINCT item_id), count(DISTINCT CASE WHEN published_at >= ? THEN item_id END)
            FROM item_entities WHERE entity_id IN ({marks}) AND published_at >= ?""",
        [(today - timedelta(days=7)).isoformat(), *ids, (today - timedelta(days=30)).isoformat()]).fetchone()
    return {"7d": row[1], "30d": row[0]}


def latest_items_any(db, entity_ids, limit: int = 5) -> list[dict]:
    """The newest items naming any of these entities (id, title, link, feed_name, published_at)."""
    ids = list(entity_ids)
    marks = ",".join("?" * len(ids))
    rows = db.execute(
        f"""SELECT items.id, items.title, items.link, feeds.name, items.published_at
            FROM (SELECT DISTINCT item_id FROM
                    (SELECT item_id, published_at FROM item_entities WHERE entity_id IN ({marks})
                     ORDER BY published_at DESC LIMIT ?)) AS recent
            JOIN items ON items.id = recent.item_id LEFT JOIN feeds ON feeds.id = items.feed_id
            ORDER BY items.published_at DESC, items.id LIMIT ?""", [*ids, limit * 8, limit])
    return [dict(zip(("id", "title", "link", "feed_name", "published_at"), row)) for row in rows]
