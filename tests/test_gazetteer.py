"""The desk's map: districts with their province, coordinates, and names that are also common words."""

from __future__ import annotations

import pytest

from bot.errors import CatalogError
from bot.matching.catalog import load_catalog
from bot.resolve import Resolver


def entities(matcher, title, summary=""):
    return set(matcher.match(title, summary).entities)


@pytest.mark.parametrize("typed, expected", [("bannu", "bannu"), ("lakki", "lakki-marwat"),
                                             ("di khan", "dera-ismail-khan"), ("khyber pass", "khyber-pass"),
                                             ("بنوں", "bannu"), ("kalat", "kalat")])
def test_district_names_resolve_to_the_district(typed, expected):
    assert Resolver(load_catalog()).resolve(typed) == ("entity", expected)


def test_every_district_is_located_up_to_the_country():
    catalog = load_catalog()
    for entity in catalog.entities.values():
        if not any(relation == "located-in" and target in ("khyber-pakhtunkhwa", "balochistan")
                   for relation, target in entity.relations):
            continue
        seen, current = set(), entity.id
        while current != "pakistan":
            assert current not in seen, f"{entity.id}: located-in loops at {current}"
            seen.add(current)
            parents = [t for r, t in catalog.entities[current].relations if r == "located-in"]
            assert parents, f"{entity.id}: located-in stops at {current}"
            current = parents[0]


def test_former_tribal_districts_still_name_the_province(matcher):
    for title in ("Army operation in North Waziristan", "Blast in Bajaur market", "Police post attacked in Bannu",
                  "Checkpoint attacked in Lakki Marwat", "Convoy ambushed near Parachinar"):
        assert "khyber-pakhtunkhwa" in entities(matcher, title), title
    assert entities(matcher, "Traders in Peshawar count losses") == {"peshawar"}


@pytest.mark.parametrize("title, absent", [
    ("Russian tank crews retreat as a Tank battalion regroups", "tank"),
    ("SWAT team storms a building in Texas", "swat"),
    ("Dir. John Smith wins an award", "dir"),
    ("Khyber Medical University students protest in Pakistan", "khyber-district"),
    ("Al Karak governor visits Amman", "karak"),
    ("Kalat, the capital of Zabul, Afghan officials said", "kalat"),
    ("Mohmand Dara district of Nangarhar", "mohmand"),
    ("Peshawar Zalmi beat Quetta Gladiators", "peshawar"),
    ("Bolan Medical College students protest in Quetta", "kachhi"),
])
def test_look_alike_words_are_not_the_district(matcher, title, absent):
    assert absent not in entities(matcher, title)


@pytest.mark.parametrize("title, present", [
    ("TTP attack on police in Tank", "tank"),
    ("Police in Swat said militants attacked a checkpoint in Pakistan", "swat"),
    ("Militants attacked a post in Khyber, Pakistani officials said", "khyber-district"),
    ("Karak police attacked by TTP", "karak"),
    ("Kalat district attack in Balochistan", "kalat"),
    ("Gunmen attack a train in Bolan", "kachhi"),
])
def test_ambiguous_district_names_count_in_context(matcher, title, present):
    assert present in entities(matcher, title)


def test_places_carry_coordinates_and_bad_ones_are_refused(tmp_path):
    assert load_catalog().entities["bannu"].coordinates == (32.99, 70.60)
    bad = tmp_path / "catalog.yml"
    bad.write_text("entities:\n  x:\n    type: place\n    name: X\n    coordinates: [120, 5]\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="coordinates: must be"):
        load_catalog(path=bad)


@pytest.mark.parametrize("typed, expected", [("kandahar", "kandahar"), ("khost", "khost"), ("nangarhar", "nangarhar"),
                                             ("ghulam khan", "ghulam-khan"), ("angoor adda", "angoor-adda"),
                                             ("kharlachi", "kharlachi"), ("islam qala", "islam-qala")])
def test_afghan_provinces_and_crossings_resolve(typed, expected):
    assert Resolver(load_catalog()).resolve(typed) == ("entity", expected)


def test_afghan_provinces_are_located_in_afghanistan_and_rivers_are_not_provinces(matcher):
    catalog = load_catalog()
    assert ("located-in", "afghanistan") in catalog.entities["paktika"].relations
    assert ("located-in", "nangarhar") in catalog.entities["jalalabad"].relations
    assert "kunar" in entities(matcher, "Airstrikes in Kunar kill civilians")
    assert "kunar" not in entities(matcher, "Kunar River floods villages")
    assert "helmand" not in entities(matcher, "Helmand River water dispute with Iran")
    assert "farah" not in entities(matcher, "Farah Khan film premieres in Mumbai")
    assert "ghulam-khan" not in entities(matcher, "Ghulam Khan, a shopkeeper, said")
    assert "ghulam-khan" in entities(matcher, "Ghulam Khan border reopens for trade with Afghanistan")


@pytest.mark.parametrize("title, expected", [
    ("BLF claims attack in Kech", "baloch-liberation-front"),
    ("Islamic State Pakistan Province claims attack in Bajaur", "islamic-state-pakistan-province"),
    ("China raises ETIM with the Taliban", "turkistan-islamic-party"),
    ("NRF claims attacks on Taliban in Panjshir", "national-resistance-front"),
    ("Islamic Movement of Uzbekistan fighters regroup", "islamic-movement-of-uzbekistan"),
    ("Pakistan bans Zainabiyoun Brigade", "zainabiyoun-brigade"),
])
def test_frontier_groups_are_named(matcher, title, expected):
    assert expected in entities(matcher, title)


def test_sports_people_are_not_tracked_and_not_mistaken(matcher):
    catalog = load_catalog()
    assert "shaheen-afridi" not in catalog.entities
    assert entities(matcher, "Shaheen Afridi takes four wickets") == set()
    assert "national-resistance-front" not in entities(matcher, "NRF retail sales rose in December")
    assert "turkistan-islamic-party" not in entities(matcher, "TIP of the week: saving on fuel")


def test_suggestions_prefer_names_that_start_with_what_was_typed():
    from bot.errors import CommandError

    resolver = Resolver(load_catalog())
    with pytest.raises(CommandError) as caught:
        resolver.resolve("tehrik")
    assert set(caught.value.suggestions) == {"ttp", "tlp", "tehreek-e-jihad-pakistan"}
    with pytest.raises(CommandError) as caught:
        resolver.resolve("talibn")
    assert caught.value.suggestions[0] == "afghan-taliban"


def test_pakistani_punjab_is_not_the_indian_state_and_teams_are_not_cities(matcher):
    assert "punjab-pakistan" in entities(matcher, "Smog chokes Pakistan's Punjab")
    assert "punjab-pakistan" not in entities(matcher, "Punjab police in Amritsar arrest smugglers, India says")
    assert entities(matcher, "Lahore Qalandars beat Karachi Kings") == set()
    assert "gilgit-baltistan" not in entities(matcher, "The phone ships with 256 GB of storage")
