"""Towns of Punjab and Sindh and the districts of Helmand, Zabul, Kunduz and Kunar the desk reads daily."""

from __future__ import annotations

import pytest

from bot.matching.catalog import load_catalog
from bot.matching.matcher import Matcher
from bot.matching.normalize import fold_phrase
from bot.matching.themes import about_region
from bot.resolve import Resolver

CATALOG = load_catalog()
MATCHER = Matcher(CATALOG)


@pytest.mark.parametrize("typed, expected, province", [
    ("jaranwala", "jaranwala", "punjab-pakistan"), ("sheikhupura", "sheikhupura", "punjab-pakistan"),
    ("shekhupura", "sheikhupura", "punjab-pakistan"), ("rahim yar khan", "rahim-yar-khan", "punjab-pakistan"),
    ("vihari", "vehari", "punjab-pakistan"), ("nawabshah", "nawabshah", "sindh"),
    ("umarkot", "umerkot", "sindh"), ("musa qala", "musa-qala", "helmand"), ("qalat", "qalat", "zabul"),
    ("dasht-e archi", "dasht-e-archi", "kunduz"),
])
def test_new_towns_resolve_and_lie_in_their_province(typed, expected, province):
    assert Resolver(CATALOG).resolve(typed) == ("entity", expected)
    parents = [target for relation, target in CATALOG.entities[expected].relations if relation == "located-in"]
    assert parents == [province]
    assert CATALOG.entities[expected].coordinates is not None


@pytest.mark.parametrize("title, summary, place", [
    ("Mob attacks churches in Jaranwala", "Police said dozens of homes were burnt.", "jaranwala"),
    ("Blast near a police van in Sheikhupura", "Two constables were wounded.", "sheikhupura"),
    ("Bomb kills two at a market in Swat", "Police said the device was planted on a motorcycle.", "swat"),
    ("Gunmen kill a cleric in Nawabshah", "The attackers escaped on foot.", "nawabshah"),
])
def test_a_new_town_alone_makes_the_item_regional(title, summary, place):
    result = MATCHER.match(title, summary)
    assert place in result.entities
    region = about_region(fold_phrase(title), fold_phrase(summary), result.entities, CATALOG.not_regional())
    assert region.regional and place in region.explain()


@pytest.mark.parametrize("title, absent", [
    ("Okara burgers are the new vegan hit", "okara"),
    ("Sheriff's Swat team surrounds a house in Ohio", "swat"),
    ("Police Swat officers detain a gunman in Denver", "swat"),
    ("Leaders Swat Away Questions About the Budget", "swat"),
    ("Dadu and grandchildren: a Bollywood family drama", "dadu"),
])
def test_town_names_that_are_words_need_the_region(title, absent):
    assert absent not in MATCHER.match(title, "").entities


def test_a_name_given_to_two_places_takes_the_one_meant():
    assert CATALOG.entities["sahiwal"].coordinates == (30.67, 73.10)  # the district town, not Sahiwal of Sargodha


def test_okara_counts_with_the_province_named():
    assert "okara" in MATCHER.match("Police raid a hideout in Okara", "Three men were held, police in Pakistan said.").entities
