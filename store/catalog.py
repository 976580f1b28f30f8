"""The catalog in the store: entities, their names, relations and themes, for queries to join on.

The shipped catalog and the `watch:` extensions are the source; the tables are rewritten from
them at start-up (callers hold the transaction: `with db.conn:`).
"""

from __future__ import annotations


def sync_catalog(db, catalog) -> dict[str, int]:
    """Replace the catalog tables with this catalog; return row counts."""
    db.execute("DELETE FROM relations")
    db.execute("DELETE FROM aliases")
    db.execute("DELETE FROM entities")
    db.execute("DELETE FROM themes")
    db.conn.executemany(
        "INSERT INTO entities (id, type, name, description) VALUES (?, ?, ?, ?)",
        [(e.id, e.type, e.name, e.description) for e in catalog.entities.values()])
    aliases = {}
    for entity in catalog.entities.values():
        for name in entity.aliases:
            aliases[(name, entity.id)] = ("en", int(name.isupper() and len(name) <= 6))
    for rule in catalog.rules:
        if rule.kind in ("acronym", "script", "title", "ambiguous") and rule.alias.strip():
            aliases.setdefault((rule.alias, rule.entity), (rule.lang, int(rule.case_sensitive)))
    db.conn.executemany(
        "INSERT INTO aliases (alias, entity_id, lang, case_sensitive) VALUES (?, ?, ?, ?)",
        [(alias, entity_id, lang, cased) for (alias, entity_id), (lang, cased) in aliases.items()])
    db.conn.executemany(
        "INSERT OR IGNORE INTO relations (entity_id, relation, target_id) VALUES (?, ?, ?)",
        [(e.id, relation, target) for e in catalog.entities.values() for relation, target in e.relations])
    db.conn.executemany(
        "INSERT INTO themes (id, name, description) VALUES (?, ?, ?)",
        [(t.id, t.name, t.description) for t in catalog.themes.values()])
    return {"entities": len(catalog.entities), "aliases": len(aliases), "themes": len(catalog.themes)}


def places_inside(db, place_id: str) -> list[tuple[str, str]]:
    """(id, name) of every place located in this one, directly or through others, by name."""
    rows = db.execute(
        """WITH RECURSIVE inside(id) AS (
               SELECT relations.entity_id FROM relations JOIN entities ON entities.id = relations.entity_id
               WHERE relations.relation = 'located-in' AND relations.target_id = ? AND entities.type = 'place'
               UNION
               SELECT relations.entity_id FROM relations JOIN inside ON relations.target_id = inside.id
               JOIN entities ON entities.id = relations.entity_id
               WHERE relations.relation = 'located-in' AND entities.type = 'place')
           SELECT inside.id, entities.name FROM inside JOIN entities ON entities.id = inside.id
           WHERE inside.id != ? ORDER BY entities.name""", [place_id, place_id])
    return [tuple(row) for row in rows]


def places_containing(db, entity_ids) -> dict[str, set[str]]:
    """For each of these places, the places it lies in, up to the country (other entities have none)."""
    ids = list(dict.fromkeys(entity_ids))
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = db.execute(
        f"""WITH RECURSIVE up(entity_id, place) AS (
               SELECT relations.entity_id, relations.target_id FROM relations
               JOIN entities ON entities.id = relations.entity_id
               WHERE relations.relation = 'located-in' AND relations.entity_id IN ({marks}) AND entities.type = 'place'
               UNION
               SELECT up.entity_id, relations.target_id FROM up JOIN relations ON relations.entity_id = up.place
               WHERE relations.relation = 'located-in')
           SELECT up.entity_id, up.place FROM up JOIN entities ON entities.id = up.place
           WHERE entities.type = 'place' AND up.place != up.entity_id""", ids)
    found: dict[str, set[str]] = {}
    for entity_id, place in rows:
        found.setdefault(entity_id, set()).add(place)
    return found
