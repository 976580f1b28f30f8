"""Entity mistakes seen on real news: misspellings, offices, look-alike outlets, whose "Taliban", a second Muttaqi."""

from __future__ import annotations

import pytest

from bot.errors import CatalogError
from bot.matching.catalog import load_catalog


def entities(matcher, title, summary=""):
    return set(matcher.match(title, summary).entities)


def rule_of(matcher, text, entity):
    return [m.rule for m in matcher.match(text).matches if m.entity == entity]


@pytest.mark.parametrize("text, expected", [
    ("Muttaki meets Chinese envoy on the corridor", "amir-khan-muttaqi"),
    ("Mullah Bradar inspects the port", "abdul-ghani-baradar"),
    ("Sirajudin Haqani meets elders", "sirajuddin-haqqani"),
    ("Zabiullah Mujahid rejects the report", "zabihullah-mujahid"),
    ("Haibatullah Akhundzada issues a decree", "hibatullah-akhundzada"),
])
def test_misspelled_transliterations(matcher, text, expected):
    assert expected in entities(matcher, text)


def test_a_bare_surname_after_another_given_name_is_another_person(matcher):
    assert "amir-khan-muttaqi" not in entities(matcher, "Taliban official Rahmatullah Muttaqi spoke to reporters")
    assert "amir-khan-muttaqi" in entities(matcher, "Taliban envoy meets Minister Muttaqi in Kabul")
    assert "amir-khan-muttaqi" in entities(matcher, "In Kabul, Muttaqi said the border would reopen")
    assert rule_of(matcher, "Talks went well, Muttaqi said", "amir-khan-muttaqi") == ["surname"]
    assert "asif-ali-zardari" not in entities(matcher, "Rally addressed by Aseefa Bhutto Zardari")
    # In a Title Case headline every word has a capital: the surname still counts.
    assert "amir-khan-muttaqi" in entities(matcher, "Pakistan Welcomes Muttaqi To Islamabad")


def test_offices_resolve_to_their_holder_in_context(matcher):
    assert "amir-khan-muttaqi" in entities(matcher, "Afghanistan's foreign minister calls for reserves to be unfrozen")
    found = entities(matcher, "Defence minister says talks with Kabul failed",
                     "Pakistan's defence minister told a channel in Islamabad the dialogue produced nothing.")
    assert "khawaja-asif" in found and "mohammad-yaqoob" not in found
    # The office of another country, or a former holder, is not ours.
    assert "ishaq-dar" not in entities(matcher, "Pakistan hosts Iran's foreign minister",
                                       "The Iranian foreign minister met officials in Islamabad.")
    assert "sohail-afridi" not in entities(matcher, "The former Khyber Pakhtunkhwa chief minister said so")
    assert "sohail-afridi" in entities(matcher, "The Khyber Pakhtunkhwa chief minister said so")


def test_kabul_river_is_not_kabul(matcher):
    for text in ("Floods swell River Kabul near Nowshera", "A dam on the Kabul River", "Darya-e-Kabul floods"):
        assert "kabul" not in entities(matcher, text), text
    assert "kabul" in entities(matcher, "Flash floods in Kabul province kill eight")


@pytest.mark.parametrize("text, outlet, country", [
    ("Pakistan Today: petrol prices cut", "pakistan-today", "pakistan"),
    ("Afghanistan International reports arrests in Ghor", "afghanistan-international", "afghanistan"),
    ("Traders protest, says Afghanistan Times", "afghanistan-times", "afghanistan"),
    ("The Balochistan Post reports an attack in Panjgur", "balochistan-post", "balochistan"),
    ("Voice of America resumes its Pashto service", "voice-of-america", "united-states"),
])
def test_outlets_named_like_countries_are_not_the_country(matcher, text, outlet, country):
    found = entities(matcher, text)
    assert outlet in found and country not in found


def test_pakistan_today_lower_case_is_still_pakistan(matcher):
    assert "pakistan" in entities(matcher, "Talks with Pakistan today ended without a deal")


def test_taliban_in_a_frontier_attack_is_the_ttp_and_why_says_so(matcher):
    result = matcher.match("Three policemen martyred as Taliban storm police station in Lakki Marwat",
                           "Militants attacked the Pezu police station overnight, police said.")
    assert "ttp" in result.entities and "afghan-taliban" not in result.entities
    taliban = [m for m in result.matches if m.alias == "Taliban"]
    assert taliban[0].entity == "ttp" and taliban[0].rule.startswith("needs:")
    found = entities(matcher, "Taliban spokesman Azam Tariq claims checkpost attack")
    assert "ttp" in found and "azam-tariq" in found and "afghan-taliban" not in found


def test_taliban_stays_the_afghan_taliban_when_the_story_is_afghan(matcher):
    assert entities(matcher, "Taliban accuse ISI of letting militants train in Balochistan",
                    "Islamabad rejected the charge.") >= {"afghan-taliban"}
    found = entities(matcher, "Taliban reopen Torkham crossing", "Traders from Khyber district welcomed the move.")
    assert "afghan-taliban" in found and "ttp" not in found


def test_isis_under_the_name_of_khurasan_province_is_iskp(matcher):
    assert "iskp" in entities(matcher, "ISIS loyalists under the name of Khurasan province claim a blast")


def test_within_needs_an_id_the_catalog_knows(tmp_path):
    path = tmp_path / "catalog.yml"
    path.write_text("entities:\n  x:\n    type: group\n    name: X\n    aliases: [X group]\n"
                    "    ambiguous:\n      - {alias: X, needs: ['within:nowhere']}\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"ambiguous\[0\]\.needs: unknown entity id 'within:nowhere'"):
        load_catalog(path=path)


def test_more_offices_in_context(matcher):
    assert "asim-munir" in entities(matcher, "The army chief told officers in Rawalpindi that Pakistan would respond")
    assert "asim-munir" not in entities(matcher, "India's army chief said Pakistan had been warned")
    assert "hibatullah-akhundzada" in entities(matcher, "The supreme leader issued a decree from Kandahar, the Taliban said")
    assert "hibatullah-akhundzada" not in entities(matcher, "Iran's supreme leader met Afghan officials")
    assert "ispr" in entities(matcher, "The military's media wing said militants were killed in Pakistan")
