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
