"""Reports of one incident told two ways (an attack, a bombing) or at two levels of place (a town,
its district, its province) join one incident; different attacks on one day in one district do not."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.incident_log import agrees
from store import incidents as incident_store
from store.catalog import sync_catalog
from tests.test_incident_log import START, _file

# One convoy attack in North Waziristan, as five outlets told it over a morning.
CONVOY = [
    ("Three soldiers martyred in attack on convoy in Mir Ali",
     "Three soldiers were martyred when terrorists attacked a security forces convoy in Mir Ali on Monday "
     "morning, the ISPR said."),
    ("IED blast hits army convoy in North Waziristan",
     "An improvised explosive device struck a military convoy in North Waziristan district on Monday, killing "
     "three soldiers, officials said."),
    ("Militants target security convoy in Khyber Pakhtunkhwa, four troops killed",
     "Four soldiers were killed in an attack on a security convoy in Khyber Pakhtunkhwa, security sources said."),
    ("Roadside bomb kills four soldiers in North Waziristan's Mir Ali",
     "A roadside bomb tore through a vehicle of a military convoy in Mir Ali, killing four soldiers and wounding "
     "two, police said."),
    ("TTP claims convoy bombing in Mir Ali",
     "The Tehreek-e-Taliban Pakistan claimed responsibility for Monday's bombing of a military convoy in Mir Ali "
     "that killed four soldiers."),
]


@pytest.fixture
def catalogued(db, matcher):
    with db.conn:
        sync_catalog(db, matcher.catalog)
    return db


def _reports(db, matcher, reports, hours=1.0):
    filed = []
    for number, (title, summary) in enumerate(reports):
        when = (START + timedelta(hours=hours * number)).isoformat()
        filed.extend(_file(db, matcher, f"{id(reports)}-{number}", title, summary, when))
    return filed


def test_five_reports_told_as_attack_or_bombing_at_town_district_or_province_are_one(catalogued, matcher):
    filed = _reports(catalogued, matcher, CONVOY)
    assert len(filed) == 5 and len({f.incident_id for f in filed}) == 1
    (stored,) = incident_store.recent(catalogued, (START - timedelta(days=1)).isoformat())
    assert stored["type"] == "bombing"  # a report that states the means names the type
    assert (stored["place"], stored["region"]) == ("Mir Ali", "khyber-pakhtunkhwa")
    assert (stored["killed"], stored["injured"], stored["actor"], stored["claimed"]) == (4, 2, "ttp", True)
    assert stored["reports"] == 5


def test_two_attacks_on_one_day_in_one_district_stay_two(catalogued, matcher):
    _reports(catalogued, matcher, CONVOY)
    other = _reports(catalogued, matcher, [
        ("Gunmen kill two policemen at checkpoint in Mir Ali",
         "Gunmen opened fire on a police checkpoint in Mir Ali on Monday, killing two policemen."),
        ("Bomb kills two policemen in Miranshah bazaar",
         "A bomb planted on a motorcycle exploded near a police van in Miranshah on Monday, killing two "
         "policemen.")], hours=6)
    stored = incident_store.recent(catalogued, (START - timedelta(days=1)).isoformat())
    assert len(stored) == 3  # the convoy; the checkpoint (a toll too far from the convoy's); Miranshah
    assert len({f.incident_id for f in other}) == 2
    # Mir Ali and Miranshah are both North Waziristan to the catalog, but two towns: two places
    assert {(s["place"], s["killed"]) for s in stored} == {("Mir Ali", 4), ("Mir Ali", 2), ("Miranshah", 2)}


def _record(**fields):
    record = {"type": "armed-attack", "actor": None, "claimed": False, "place": None, "region": "khyber-pakhtunkhwa",
              "killed": None, "injured": None}
    record.update(fields)
    return record


def test_the_joining_rule_for_types_and_places(catalogued):
    lineage = incident_store.place_lineage(catalogued, ["mir ali", "north waziristan", "miranshah", "bannu",
                                                        "khyber pakhtunkhwa"])
    attack = _record(place="Mir Ali", killed=3)
    assert agrees(attack, _record(type="bombing", place="North Waziristan", killed=3), lineage)
    assert agrees(attack, _record(place="North Waziristan", killed=4), lineage)
    assert not agrees(attack, _record(place="Miranshah", killed=3), lineage)  # two towns of one district
    assert not agrees(attack, _record(place="Bannu", killed=3), lineage)
    assert not agrees(attack, _record(type="bombing", place="Mir Ali", killed=9), lineage)  # told two ways: close
    assert not agrees(attack, _record(type="bombing", place=None, killed=3), lineage)  # ...and both placed
    assert not agrees(attack, _record(type="arrest", place="Mir Ali"), lineage)
    assert not agrees(attack, _record(place="North Waziristan", killed=3), {})  # without the catalog: two places
    assert agrees(attack, _record(place="Khyber Pakhtunkhwa", killed=3), {})  # the province is the region
