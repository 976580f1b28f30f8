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
    with each mention, saving the trigger's lookup of it.
    """
    published = published or {}
    ids = [(item_id,) for item_id, _ in results]
    if replace:
        db.conn.executemany("DELETE FROM item_entities WHERE item_id = ?", ids)
        db.conn.executemany("DELETE FROM item_themes WHERE item_id = ?", ids)
    entity_rows, theme_rows = [], []
    for item_id, result in results:
        when = published.get(item_id)
        rows = {(m.entity, m.start): (item_id, m.entity, m.alias, m.start, m.end, m.rule, when)
                for m in result.matches}
        named = {m.entity for m in result.matches}
        for entity_id in result.entities:
            if entity_id not in named:
                rows[(entity_id, IMPLIED_START)] = (item_id, entity_id, "", IMPLIED_START, IMPLIED_START, "implied",
                                                    when)
        entity_rows.extend(rows.values())
        theme_rows.extend((item_id, t.theme, t.score, json.dumps(list(t.cues), ensure_ascii=False))
                          for t in result.themes)
    db.conn.executemany(
        'INSERT INTO item_entities (item_id, entity_id, alias, start, "end", rule, published_at) '
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        entity_rows)
    db.conn.executemany("INSERT INTO item_themes (item_id, theme_id, score, cues) VALUES (?, ?, ?, ?)", theme_rows)
    db.conn.executemany("DELETE FROM match_queue WHERE item_id = ?", ids)


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
    """The id of the item whose entity match was stored first, or None."""
    row = db.execute("SELECT item_id FROM item_entities ORDER BY rowid LIMIT 1").fetchone()
    return row[0] if row else None
