"""What each item matched: entity mentions with spans and rules, and theme scores.

Written in the caller's transaction, together with the item (`with db.conn:`).
"""

from __future__ import annotations

import json

IMPLIED_START = -1  # an entity implied by another ("State Department" -> United States) has no span


def save_matches(db, item_id: str, result, *, replace: bool = True) -> None:
    """Store a MatchResult for an item, replacing what was stored for it before (unless it is new)."""
    if replace:
        db.execute("DELETE FROM item_entities WHERE item_id = ?", [item_id])
        db.execute("DELETE FROM item_themes WHERE item_id = ?", [item_id])
    rows = {(m.entity, m.start): (item_id, m.entity, m.alias, m.start, m.end, m.rule) for m in result.matches}
    named = {m.entity for m in result.matches}
    for entity_id in result.entities:
        if entity_id not in named:
            rows[(entity_id, IMPLIED_START)] = (item_id, entity_id, "", IMPLIED_START, IMPLIED_START, "implied")
    db.conn.executemany(
        'INSERT INTO item_entities (item_id, entity_id, alias, start, "end", rule) VALUES (?, ?, ?, ?, ?, ?)',
        list(rows.values()))
    db.conn.executemany(
        "INSERT INTO item_themes (item_id, theme_id, score, cues) VALUES (?, ?, ?, ?)",
        [(item_id, t.theme, t.score, json.dumps(list(t.cues), ensure_ascii=False)) for t in result.themes])


def item_matches(db, item_id: str) -> dict:
    """The stored matches of an item: {"entities": [...rows], "themes": [...rows]}."""
    entities = [dict(zip(("entity_id", "alias", "start", "end", "rule"), row)) for row in db.execute(
        'SELECT entity_id, alias, start, "end", rule FROM item_entities WHERE item_id = ? ORDER BY start',
        [item_id])]
    themes = [{"theme_id": row[0], "score": row[1], "cues": json.loads(row[2])} for row in db.execute(
        "SELECT theme_id, score, cues FROM item_themes WHERE item_id = ? ORDER BY score DESC", [item_id])]
    return {"entities": entities, "themes": themes}
