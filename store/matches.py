"""What each item matched: entity mentions with spans and rules, and theme scores.

Written in the caller's transaction, together with the item (`with db.conn:`).
"""

from __future__ import annotations

import json

IMPLIED_START = -1  # an entity implied by another ("State Department" -> United States) has no span


def save_matches(db, item_id: str, result, *, replace: bool = True) -> None:
    """Store a MatchResult for an item, replacing what was stored for it before (unless it is new)."""
    save_many(db, [(item_id, result)], replace=replace)


def save_many(db, results, *, replace: bool = True, published: dict[str, str] | None = None) -> None:
    """Store (item_id, MatchResult) pairs in a few statements; the items leave the match queue.

    `published` (item id -> the item's stored published_at), when the caller has it, is written
    with each mention; the others are read from the items.
    """
    published = published or {}
    entity_rows, theme_rows = [], []
    for item_id, result in results:
        entities, themes = match_rows(item_id, result, published.get(item_id))
        entity_rows.extend(entities)
        theme_rows.extend(themes)
    write_matches(db, [item_id for item_id, _ in results], entity_rows, theme_rows, replace=replace)


def match_rows(item_id: str, result, published: str | None) -> tuple[list[tuple], list[tuple]]:
    """An item's item_entities and item_themes rows (pure: call it anywhere, e.g. in a worker).

    Entity rows: (item_id, entity_id, alias, start, end, rule, published_at); an entity implied by
    another has no span. Theme rows: (item_id, theme_id, score, cues as JSON).
    """
    rows = {(m.entity, m.start): (item_id, m.entity, m.alias, m.start, m.end, m.rule, published)
            for m in result.matches}
    named = {m.entity for m in result.matches}
    for entity_id in result.entities:
        if entity_id not in named:
            rows[(entity_id, IMPLIED_START)] = (item_id, entity_id, "", IMPLIED_START, IMPLIED_START, "implied",
                                                published)
    themes = [(item_id, t.theme, t.score, json.dumps(list(t.cues), ensure_ascii=False)) for t in result.themes]
    return list(rows.values()), themes


def write_matches(db, item_ids, entity_rows, theme_rows, *, replace: bool = True, stored_now: bool = False) -> None:
    """Write prepared match rows (see `match_rows`) for these items.

    With `replace`, what the items had is deleted first (and they leave the match queue); without
    it the items are new and have nothing stored yet. A statement or two per table, whatever
    the number of rows: mentions without a time get their item's, read in one query, and the
    per-day counts (entity_days: each item once per entity and day, unless it already named that
    entity) are counted from the rows themselves and upserted in one statement. `stored_now`:
    the items were inserted in this transaction, so they name nothing yet (no query for it).
    """
    ids = [(item_id,) for item_id in item_ids]
    conn = db.conn
    if replace:
        conn.executemany("DELETE FROM item_entities WHERE item_id = ?", ids)
        conn.executemany("DELETE FROM item_themes WHERE item_id = ?", ids)
    if entity_rows:
        untimed = {row[0] for row in entity_rows if row[6] is None}
        if untimed:
            times = dict(conn.execute("SELECT id, published_at FROM items WHERE id IN (SELECT value FROM json_each(?))",
                                      [json.dumps(sorted(untimed))]))
            entity_rows = [row if row[6] is not None else (*row[:6], times.get(row[0])) for row in entity_rows]
        named = set()
        if not replace and not stored_now:  # an item may already name an entity (stored before): counted then
            named = set(conn.execute(
                "SELECT DISTINCT item_id, entity_id FROM item_entities WHERE item_id IN (SELECT value FROM json_each(?))",
                [json.dumps(sorted({row[0] for row in entity_rows}))]))
        counted, days = set(), {}
        for item_id, entity_id, *_, published in entity_rows:
            if published is None or (item_id, entity_id) in named or (item_id, entity_id) in counted:
                continue
            counted.add((item_id, entity_id))
            key = (entity_id, published[:10])
            days[key] = days.get(key, 0) + 1
        conn.executemany('INSERT INTO item_entities (item_id, entity_id, alias, start, "end", rule, published_at) '
                         "VALUES (?, ?, ?, ?, ?, ?, ?)", entity_rows)
        conn.executemany("""INSERT INTO entity_days (entity_id, day, mentions) VALUES (?, ?, ?)
                            ON CONFLICT (entity_id, day) DO UPDATE SET mentions = mentions + excluded.mentions""",
                         [(entity_id, day, count) for (entity_id, day), count in sorted(days.items())])
    conn.executemany("INSERT INTO item_themes (item_id, theme_id, score, cues) VALUES (?, ?, ?, ?)", theme_rows)
    if replace:  # new items were never queued
        conn.executemany("DELETE FROM match_queue WHERE item_id = ?", ids)


def queue_for_matching(db, item_ids) -> None:
    """Queue stored items that have not been matched yet."""
    db.conn.executemany("INSERT OR IGNORE INTO match_queue (item_id) VALUES (?)", [(i,) for i in item_ids])


def queued_items(db, limit: int) -> list[tuple[str, str, str, str]]:
    """Up to `limit` queued items: (item_id, title, summary, published_at)."""
    return db.execute(
        """SELECT items.id, items.title, items.summary, items.published_at FROM match_queue JOIN items ON items.id = match_queue.item_id
           LIMIT ?""", [limit]).fetchall()


def queue_length(db) -> int:
    """How many stored items wait to be matched."""
    return db.execute("SELECT count(*) FROM match_queue").fetchone()[0]


def item_matches(db, item_id: str) -> dict:
    """The stored matches of an item: {"entities": [...rows], "themes": [...rows]}."""
    entities = [dict(zip(("entity_id", "alias", "start", "end", "rule"), row)) for row in db.execute(
        'SELECT entity_id, alias, start, "end", rule FROM item_entities WHERE item_id = ? ORDER BY start',
        [item_id])]
    themes = [{"theme_id": row[0], "score": row[1], "cues": json.loads(row[2])} for row in db.execute(
        "SELECT theme_id, score, cues FROM item_themes WHERE item_id = ? ORDER BY score DESC", [item_id])]
    return {"entities": entities, "themes": themes}


def named_entity_matches(db, item_id: str) -> list[tuple[str, str, str | None]]:
    """An item's entity matches in text order: (entity id, alias, the entity's name)."""
    return db.execute(
        """SELECT item_entities.entity_id, item_entities.alias, entities.name FROM item_entities
           LEFT JOIN entities ON entities.id = item_entities.entity_id
           WHERE item_id = ? ORDER BY start""", [item_id]).fetchall()


def named_theme_matches(db, item_id: str) -> list[tuple[str, float, str | None]]:
    """An item's themes, best first: (theme id, score, the theme's name)."""
    return db.execute(
        """SELECT item_themes.theme_id, item_themes.score, themes.name FROM item_themes
           LEFT JOIN themes ON themes.id = item_themes.theme_id WHERE item_id = ?
           ORDER BY score DESC""", [item_id]).fetchall()


def entity_ids(db, item_id: str) -> list[str]:
    """The distinct entities an item names."""
    return [row[0] for row in db.execute("SELECT DISTINCT entity_id FROM item_entities WHERE item_id = ?", [item_id])]


def theme_ids(db, item_id: str) -> list[str]:
    """An item's themes, best first."""
    return [row[0] for row in db.execute(
        "SELECT theme_id FROM item_themes WHERE item_id = ? ORDER BY score DESC", [item_id])]


def first_matched_item(db) -> str | None:
    """The id of the first stored item that has an entity match, or None."""
    row = db.execute("SELECT items.id FROM items WHERE EXISTS (SELECT 1 FROM item_entities WHERE item_id = items.id) "
                     "ORDER BY items.rowid LIMIT 1").fetchone()
    return row[0] if row else None
