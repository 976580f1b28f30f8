"""Filing an item's incidents: reports of one incident from several outlets join one incident.

A report joins a stored incident when they agree on everything a different incident would differ
in: the same type; the same day (first reports within `JOIN_HOURS`); the same place, or one of them
names only the region the other's place is in (or no place), or a place the catalog puts inside the
other ("Mir Ali" and "North Waziristan", a district and its province); no two different
perpetrators; and casualties that agree — equal, a report raising the toll, or a lagging figure no
less than half the stored one.

A bombing and an armed attack can be one incident told two ways ("attack on a checkpoint", "blast
at the checkpoint"): they join when both name the place (the same, or one inside the other) and
their figures are close (the lower at least two thirds of the higher); the incident then takes the
more specific type, bombing. Two towns the catalog folds into one district ("Mir Ali", "Miranshah")
stay two places. The incident keeps the highest firm killed and injured figures and every report.
Called inside the transaction that stores the item's matches.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from store import incidents as incident_store

JOIN_HOURS = 24


@dataclass(frozen=True)
class Filed:
    """What filing one report did: the incident it went to, and how that incident changed."""

    incident_id: int
    created: bool
    raised: bool  # the report raised the incident's killed or injured figure
    killed: int | None
    injured: int | None


@lru_cache(maxsize=8192)  # place names repeat: a batch folds the same few many times
def _fold(text: str | None) -> str | None:
    if text is None:
        return None
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold().strip()


def _region_name(region: str | None) -> str | None:
    return region.replace("-", " ") if region else None


ATTACKS = ("armed-attack", "bombing")  # one incident may be told as either


def _nested(mine: str, theirs: str, lineage: dict) -> bool:
    """Whether one place is a catalog place the other lies in (or is)."""
    my_names, my_places = lineage.get(mine, (set(), set()))
    their_names, their_places = lineage.get(theirs, (set(), set()))
    return bool(my_names & their_places or their_names & my_places)


def agrees(incident: dict, record: dict, lineage: dict | None = None) -> bool:
    """Whether a report (an Incident.record()) describes a stored incident. `lineage` is
    store.incidents.place_lineage of both places, for places inside others."""
    lineage = lineage or {}
    crossed = incident["type"] != record["type"]
    if crossed and not (incident["type"] in ATTACKS and record["type"] in ATTACKS):
        return False
    mine, theirs = _fold(incident["place"]), _fold(record["place"])
    if incident["region"] and record["region"] and incident["region"] != record["region"]:
        return False
    if crossed and not (mine and theirs):
        return False  # told two ways: only when both say where
    if mine and theirs and mine != theirs:
        regions = {_region_name(incident["region"]), _region_name(record["region"])} - {None}
        if mine not in regions and theirs not in regions and not _nested(mine, theirs, lineage):
            return False  # two different named places: two incidents
    if mine is None and theirs is None and not (incident["region"] and record["region"]):
        return False  # nothing places either: too little to join on
    if incident["actor"] and record["actor"] and incident["actor"] != record["actor"]:
        return False
    for name in ("killed", "injured"):
        stored, reported = incident[name], record[name]
        if stored is None or reported is None:
            continue
        if reported * 2 < stored:
            return False  # far fewer dead than already reported: another incident (a slower outlet's
            # figure may lag a little, but tolls rise, they do not halve)
        if crossed and min(stored, reported) * 3 < max(stored, reported) * 2:
            return False  # told two ways, the figures must be close
    return True


def _merge(incident: dict, record: dict) -> dict:
    merged = dict(incident)
    if incident["type"] != record["type"]:
        merged["type"] = "bombing"  # an attack whose means a report states: a bomb
    for name in ("killed", "injured"):
        figures = [f for f in (incident[name], record[name]) if f is not None]
        merged[name] = max(figures) if figures else None
    merged["actor"] = incident["actor"] or record["actor"]
    merged["claimed"] = bool(incident["claimed"] or record["claimed"])
    if incident["place"] is None or _fold(incident["place"]) == _fold(_region_name(incident["region"])):
        merged["place"] = record["place"] or incident["place"]  # a named place beats a region's name
    merged["region"] = incident["region"] or record["region"]
    return merged


def file_incidents(db, item_id: str, seen_at: str, incidents) -> list[Filed]:
    """Store an item's incidents (bot.incidents.Incident), each joining an agreeing incident or starting one."""
    filer = IncidentFiler(db)
    filed = filer.file(item_id, seen_at, incidents)
    filer.flush()
    return filed


@lru_cache(maxsize=4096)  # items of one feed or hour share their times
def _join_window(seen_at: str) -> tuple[str, str]:
    """The times a report seen at `seen_at` may join incidents within."""
    when = datetime.fromisoformat(seen_at)
    return (when - timedelta(hours=JOIN_HOURS)).isoformat(), (when + timedelta(hours=JOIN_HOURS)).isoformat()


class IncidentFiler:
    """Files the incidents of a batch of items in one transaction, as `file_incidents` would one
    item after another, with fewer statements.

    The incidents a report may join (same kind, time spans meeting its window) are read once for
    a window and then kept here, with the changes the batch makes to them; the place lineages once
    per name. New incidents are inserted at once (for their ids); the reports and the changed
    incidents are written by `flush()`, which must run before the transaction ends.
    """

    CANDIDATES = 50  # the newest agreeing-kind incidents of its window a report is tried against

    def __init__(self, db):
        self.db = db
        self._held: dict[tuple, dict[int, dict]] = {}  # kinds -> incident id -> the incident as it now stands
        self._windows: dict[tuple, list[tuple[str, str]]] = {}  # kinds -> windows read from the store
        self._lineage: dict = {}
        self._reported: set[str] = set()  # items known to have their incidents stored
        self._checked: set[str] = set()  # items whose stored reports were looked up
        self._reports: list[tuple] = []
        self._added: dict[int, int] = {}  # incident id -> reports added in this batch
        self._changed: dict[int, dict] = {}

    def stored_now(self, item_ids) -> None:
        """Items stored in this transaction: they have no incidents stored yet (no query needed)."""
        self._checked.update(item_ids)

    def check_reported(self, item_ids) -> None:
        """Look up in one query which of these items have their incidents stored already."""
        ids = set(item_ids) - self._checked
        self._reported |= incident_store.reported_among(self.db, ids)
        self._checked |= ids

    def _candidates(self, kinds: tuple, low: str, high: str) -> list[dict]:
        held = self._held.setdefault(kinds, {})
        windows = self._windows.setdefault(kinds, [])
        if not any(start <= low and high <= end for start, end in windows):
            for incident in incident_store.overlapping(self.db, kinds, low, high):
                held.setdefault(incident["id"], incident)  # one changed here already is newer than the store's
            windows.append((low, high))
        found = [c for c in held.values() if c["last_seen_at"] >= low and c["first_seen_at"] <= high]
        found.sort(key=lambda c: (c["first_seen_at"], c["id"]), reverse=True)
        return found[:self.CANDIDATES]

    def _lineages(self, names) -> dict:
        missing = [name for name in {n.casefold() for n in names if n} if name not in self._lineage]
        if missing:
            self._lineage.update(incident_store.place_lineage(self.db, missing))
        return self._lineage

    def file(self, item_id: str, seen_at: str, incidents) -> list[Filed]:
        """File one item's incidents (bot.incidents.Incident); nothing if it has them stored already."""
        if not incidents:
            return []
        if item_id not in self._checked:
            self.check_reported([item_id])
        if item_id in self._reported:
            return []
        self._reported.add(item_id)
        low, high = _join_window(seen_at)
        filed = []
        taken: set[int] = set()
        for ordinal, incident in enumerate(incidents):
            record = incident.record()
            kinds = ATTACKS if record["type"] in ATTACKS else (record["type"],)
            found = [c for c in self._candidates(kinds, low, high) if c["id"] not in taken]
            lineage = self._lineages([_fold(record["place"]), *(_fold(c["place"]) for c in found)])
            # a report of the same type is tried first: it is the likelier reading of the same incident
            found.sort(key=lambda c: c["type"] != record["type"])
            match = next((c for c in found if agrees(c, record, lineage)), None)
            if match is None:
                incident_id = incident_store.create(self.db, record, item_id, seen_at)
                stored = {"id": incident_id, **{name: record[name] for name in incident_store.FIELDS},
                          "first_seen_at": seen_at, "last_seen_at": seen_at, "first_item_id": item_id, "reports": 0}
                stored["claimed"] = bool(stored["claimed"])
                filed.append(Filed(incident_id, True, False, record["killed"], record["injured"]))
            else:
                incident_id = match["id"]
                stored = _merge(match, record)
                stored["first_seen_at"] = min(match["first_seen_at"], seen_at)
                stored["last_seen_at"] = max(match["last_seen_at"], seen_at)
                raised = any(stored[name] is not None and stored[name] != match[name] for name in ("killed", "injured"))
                filed.append(Filed(incident_id, False, raised, stored["killed"], stored["injured"]))
            self._held.setdefault(kinds, {})[incident_id] = stored
            self._changed[incident_id] = stored
            taken.add(incident_id)
            self._added[incident_id] = self._added.get(incident_id, 0) + 1
            self._reports.append(incident_store.report_row(incident_id, item_id, ordinal, record, incident.spans,
                                                           seen_at))
        return filed

    def flush(self) -> None:
        """Write the reports filed and the incidents they changed."""
        if self._reports:
            incident_store.add_reports(self.db, self._reports)
        if self._changed:
            incident_store.write_incidents(self.db, self._changed.values(), self._added)
        self._reports, self._added, self._changed = [], {}, {}


_TIER_RANK = {"routine": 0, "urgent": 1, "flash": 2}
_TYPE_NAMES = {"armed-attack": "Armed attack", "bombing": "Bombing", "targeted-killing": "Targeted killing",
               "cross-border-fire": "Cross-border fire", "air-strike": "Air strike",
               "security-operation": "Security operation", "arrest": "Arrest", "abduction": "Abduction"}


def tier(incident: dict, tiers) -> str:
    """flash, urgent or routine, by the desk's `incident_tiers` (bot.config.IncidentTiers)."""
    killed = incident.get("killed") or 0
    place = re.sub(r"[^a-z0-9]+", "-", _fold(incident.get("place")) or "").strip("-")
    if killed >= tiers.flash_killed or (place and place in tiers.flash_places):
        return "flash"
    if killed >= tiers.urgent_killed or incident.get("type") in tiers.urgent_types:
        return "urgent"
    return "routine"


def at_least(level: str, minimum: str | None) -> bool:
    """Whether a tier is at least `minimum` (None: any)."""
    return minimum is None or _TIER_RANK[level] >= _TIER_RANK[minimum]


def _name(entity_id: str | None, names: dict) -> str | None:
    if not entity_id:
        return None
    if entity_id in names:
        return names[entity_id]
    return entity_id.upper() if len(entity_id) <= 4 else entity_id.replace("-", " ").title()


def casualties(incident: dict) -> str:
    """"4 killed, 2 injured" (or "" when no figure was given)."""
    parts = [f"{incident[name]} {name}" for name in ("killed", "injured") if incident.get(name) is not None]
    return ", ".join(parts)


def summary_line(incident: dict, names: dict, level: str | None = None) -> str:
    """One line: [tier] type · place, region · actor · killed/injured · claimed."""
    place, region = incident.get("place"), _name(incident.get("region"), names)
    where = f"{place}, {region}" if place and region and _fold(place) != _fold(region) else place or region
    parts = [_TYPE_NAMES.get(incident["type"], incident["type"])]
    parts.append(where or "place not given")
    actor = _name(incident.get("actor"), names)
    if actor:
        parts.append(actor)
    figures = casualties(incident)
    if figures:
        parts.append(figures)
    if incident.get("claimed"):
        parts.append("claimed")
    line = " · ".join(parts)
    return f"[{level.upper()}] {line}" if level else line
