"""Incidents and the reports that joined them. Callers hold the transaction (`with db.conn:`).

The joining rule lives in bot/incident_log.py; these are its queries.
"""

from __future__ import annotations

import json

from store.catalog import places_containing

FIELDS = ("type", "actor", "claimed", "place", "region", "killed", "injured")
_COLUMNS = ("id", *FIELDS, "first_seen_at", "last_seen_at", "first_item_id", "reports")


def _row(row) -> dict:
    record = dict(zip(_COLUMNS, row))
    record["claimed"] = bool(record["claimed"])
    return record


def reported(db, item_id: str) -> bool:
    """Whether the item's incidents are stored already."""
    return db.execute("SELECT 1 FROM incident_reports WHERE item_id = ? LIMIT 1", [item_id]).fetchone() is not None


def overlapping(db, kinds, low: str, high: str) -> list[dict]:
    """Every incident of these types whose reports span the time window [low, high] (no limit:
    what a batch of reports with windows inside this one may join)."""
    marks = ", ".join("?" for _ in kinds)
    rows = db.execute(
        f"SELECT {', '.join(_COLUMNS)} FROM incidents WHERE type IN ({marks}) AND last_seen_at >= ? "
        "AND first_seen_at <= ?", [*kinds, low, high]).fetchall()
    return [_row(row) for row in rows]


def reported_among(db, item_ids) -> set[str]:
    """Those of these items whose incidents are stored already (one query)."""
    ids = sorted(set(item_ids))
    if not ids:
        return set()
    return {row[0] for row in db.execute(
        "SELECT DISTINCT item_id FROM incident_reports WHERE item_id IN (SELECT value FROM json_each(?))",
        [json.dumps(ids)])}


def place_lineage(db, names) -> dict[str, tuple[set[str], set[str]]]:
    """For each place name (case-folded): the catalog places it is the name of, and the places it
    names (by name or alias) with every place they lie in. Unknown names get two empty sets."""
    found: dict[str, tuple[set[str], set[str]]] = {}
    for name in {n.casefold() for n in names if n}:
        named = {row[0] for row in db.execute(
            "SELECT id FROM entities WHERE type = 'place' AND lower(name) = ?", [name])}
        named |= {row[0] for row in db.execute(
            "SELECT aliases.entity_id FROM aliases JOIN entities ON entities.id = aliases.entity_id "
            "WHERE entities.type = 'place' AND lower(aliases.alias) IN (?, ?, ?, ?)",
            [f"{name} district", f"{name} province", f"{name} agency", f"{name} tribal district"])}
        aliased = {row[0] for row in db.execute(
            "SELECT aliases.entity_id FROM aliases JOIN entities ON entities.id = aliases.entity_id "
            "WHERE entities.type = 'place' AND lower(aliases.alias) = ?", [name])} | named
        within = set(aliased)
        for parents in places_containing(db, aliased).values():
            within |= parents
        found[name] = (named, within)
    return found


def create(db, record: dict, item_id: str, seen_at: str) -> int:
    """A new incident from its first report; returns its id."""
    cursor = db.conn.execute(
        "INSERT INTO incidents (type, actor, claimed, place, region, killed, injured, first_seen_at, last_seen_at, "
        "first_item_id, reports) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
        [*(record[name] for name in FIELDS), seen_at, seen_at, item_id])
    return cursor.lastrowid


def report_row(incident_id: int, item_id: str, ordinal: int, record: dict, spans: dict, seen_at: str) -> tuple:
    """An incident_reports row (for add_reports)."""
    return (item_id, ordinal, incident_id, *(record[name] for name in FIELDS),
            json.dumps({name: list(span) for name, span in spans.items()}), seen_at)


def add_reports(db, rows) -> None:
    """Write report rows (report_row); the incidents' report counts are the caller's (write_incidents)."""
    db.conn.executemany(
        "INSERT INTO incident_reports (item_id, ordinal, incident_id, type, actor, claimed, place, region, killed, "
        "injured, spans, seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def write_incidents(db, incidents, added: dict[int, int]) -> None:
    """Write incidents as they now stand (dicts with every column), each with `added[id]` reports more."""
    db.conn.executemany(
        "UPDATE incidents SET type = ?, actor = ?, claimed = ?, place = ?, region = ?, killed = ?, injured = ?, "
        "first_seen_at = ?, last_seen_at = ?, reports = reports + ? WHERE id = ?",
        [(*(incident[name] for name in FIELDS), incident["first_seen_at"], incident["last_seen_at"],
          added.get(incident["id"], 0), incident["id"]) for incident in incidents])


def incident(db, incident_id: int) -> dict | None:
    """One incident by id."""
    row = db.execute(f"SELECT {', '.join(_COLUMNS)} FROM incidents WHERE id = ?", [incident_id]).fetchone()
    return _row(row) if row else None


def reports(db, incident_id: int) -> list[dict]:
    """An incident's reports, first first: item, feed, title, link, fields, spans and time."""
    rows = db.execute(
        """SELECT incident_reports.item_id, items.feed_id, items.title, items.link, incident_reports.killed,
                  incident_reports.injured, incident_reports.actor, incident_reports.place, incident_reports.spans,
                  incident_reports.seen_at, coalesce(feeds.name, items.feed_id)
           FROM incident_reports JOIN items ON items.id = incident_reports.item_id
           LEFT JOIN feeds ON feeds.id = items.feed_id
           WHERE incident_id = ? ORDER BY incident_reports.seen_at, incident_reports.item_id""",
        [incident_id]).fetchall()
    names = ("item_id", "feed_id", "title", "link", "killed", "injured", "actor", "place", "spans", "seen_at", "outlet")
    result = []
    for row in rows:
        record = dict(zip(names, row))
        record["spans"] = json.loads(record["spans"])
        result.append(record)
    return result


def item_incident_ids(db, item_id: str) -> list[int]:
    """The incidents an item reported, in its own order."""
    return [row[0] for row in db.execute(
        "SELECT incident_id FROM incident_reports WHERE item_id = ? ORDER BY ordinal", [item_id])]


def recent(db, since: str, *, place: str | None = None, actor: str | None = None, region: str | None = None,
           limit: int = 100) -> list[dict]:
    """Incidents first reported since a time, newest first; optionally at a place/region or by an actor."""
    where, args = _filters(["first_seen_at >= ?"], [since], place, actor, region)
    rows = db.execute(f"SELECT {', '.join(_COLUMNS)} FROM incidents WHERE {' AND '.join(where)} "
                      "ORDER BY first_seen_at DESC, id DESC LIMIT ?", [*args, limit]).fetchall()
    return [_row(row) for row in rows]


def _filters(where: list[str], args: list, place: str | None, actor: str | None,
             region: str | None) -> tuple[list[str], list]:
    """WHERE conditions and their arguments, with the optional place (its name or region), actor, region."""
    if place is not None:
        where.append("(lower(place) = lower(?) OR region = ?)")
        args.extend([place, place])
    if region is not None:
        where.append("region = ?")
        args.append(region)
    if actor is not None:
        where.append("actor = ?")
        args.append(actor)
    return where, args


def entity_names(db, ids) -> dict[str, str]:
    """Catalog names of these entity ids (actors, regions), for incident summaries."""
    ids = [i for i in set(ids) if i]
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    return dict(db.execute(f"SELECT id, name FROM entities WHERE id IN ({marks})", ids).fetchall())


def between(db, start: str, end: str) -> list[dict]:
    """Incidents first reported in [start, end), oldest first."""
    rows = db.execute(f"SELECT {', '.join(_COLUMNS)} FROM incidents WHERE first_seen_at >= ? AND first_seen_at < ? "
                      "ORDER BY first_seen_at, id", [start, end]).fetchall()
    return [_row(row) for row in rows]


def daily(db, first_day: str, last_day: str, *, place: str | None = None, actor: str | None = None,
          region: str | None = None) -> dict[str, tuple[int, int, int]]:
    """(incidents, killed, injured) per UTC day of first report, for the days [first_day, last_day];
    optionally at a place/region or by an actor. Days with none are left out."""
    where, args = _filters(["substr(first_seen_at, 1, 10) >= ?", "substr(first_seen_at, 1, 10) <= ?"],
                           [first_day, last_day], place, actor, region)
    rows = db.execute(f"SELECT substr(first_seen_at, 1, 10) AS day, count(*), coalesce(sum(killed), 0), "
                      f"coalesce(sum(injured), 0) FROM incidents WHERE {' AND '.join(where)} GROUP BY day", args)
    return {day: (count, killed, injured) for day, count, killed, injured in rows}
