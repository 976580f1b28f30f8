"""The desk's whole map and cast: every province and district, towns from GeoNames, the cabinets and spokesmen."""

from __future__ import annotations

import pytest

from bot.errors import CatalogError
from bot.matching.catalog import load_catalog
from bot.resolve import Resolver

AFGHAN_PROVINCES = ("Badakhshan Badghis Baghlan Balkh Bamyan Daykundi Farah Faryab Ghazni Ghor Helmand Herat Jowzjan "
                    "Kabul Kandahar Kapisa Khost Kunar Kunduz Laghman Logar Nangarhar Nimroz Nuristan Paktia Paktika "
                    "Panjshir Parwan Samangan Sar-e-Pul Takhar Uruzgan Wardak Zabul").split()
BALOCHISTAN_DISTRICTS = ("Awaran, Barkhan, Chagai, Chaman, Dera Bugti, Duki, Gwadar, Harnai, Hub district, Jaffarabad, "
                         "Jhal Magsi, Kachhi, Kalat, Kech, Kharan, Khuzdar, Killa Abdullah, Killa Saifullah, Kohlu, "
                         "Lasbela, Lehri, Loralai, Mastung, Musakhel, Naseerabad, Nushki, Panjgur, Pishin, Quetta, "
                         "Shaheed Sikandarabad, Sherani, Sibi, Sohbatpur, Usta Muhammad, Washuk, Zhob, Ziarat").split(", ")


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def located_up_to(catalog, entity_id: str) -> list[str]:
    chain, current = [entity_id], entity_id
    while True:
        parents = [t for r, t in catalog.entities[current].relations if r == "located-in"]
        if not parents:
            return chain
        current = parents[0]
        assert current not in chain, f"located-in loops at {current}"
        chain.append(current)


def test_all_34_afghan_provinces_are_places_in_afghanistan(matcher, catalog):
    for province in AFGHAN_PROVINCES:
        found = [m.entity for m in matcher.match(f"Floods hit {province} province").matches]
        assert found, province
        assert located_up_to(catalog, found[0])[-1] == "afghanistan", province
    assert len(AFGHAN_PROVINCES) == 34


def test_every_balochistan_district_is_named_and_located_in_the_province(matcher, catalog):
    for district in BALOCHISTAN_DISTRICTS:
        found = [m.entity for m in matcher.match(f"Curfew in {district}, Balochistan officials said").matches]
        assert found and found[0] != "balochistan", district
        assert located_up_to(catalog, found[0])[-2:] == ["balochistan", "pakistan"], district


def test_every_place_is_located_up_to_a_country(catalog):
    countries = {e.id for e in catalog.entities.values() if e.type == "place" and not any(
        r == "located-in" for r, _ in e.relations)}
    for entity in catalog.entities.values():
        if entity.type == "place":
            assert located_up_to(catalog, entity.id)[-1] in countries
    assert {"pakistan", "afghanistan"} <= countries


def test_towns_from_geonames_have_coordinates_and_script_names(catalog):
    resolver = Resolver(catalog)
    assert catalog.entities["tordher"].coordinates == (33.99, 72.29)
    assert resolver.resolve("پشاور") == ("entity", "peshawar")  # Urdu script name added from GeoNames
    assert resolver.resolve("حویلیان") == ("entity", "havelian")
    assert ("located-in", "swabi") in catalog.entities["tordher"].relations
    assert sum(e.type == "place" for e in catalog.entities.values()) >= 200


def test_town_names_that_are_words_need_the_region(matcher):
    assert "hub" not in {e for e in matcher.match("Airlines add flights to their hub in Dubai").entities}
    assert "hub" not in {e for e in matcher.match("Hub of the network grows in Dubai").entities}
    assert "hub" in matcher.match("Factories shut in Hub, next to Karachi").entities
    assert "topi" not in matcher.match("A Topi seller in Lahore").entities


@pytest.mark.parametrize("typed, expected", [
    ("zabihullah mujahid", "zabihullah-mujahid"), ("hassan akhund", "mohammad-hassan-akhund"),
    ("dg ispr", "ahmed-sharif-chaudhry"), ("ispr", "ispr"), ("zardari", "asif-ali-zardari"),
    ("muhammad khurasani", "muhammad-khurasani"), ("masood azhar", "masood-azhar"), ("kabul province", "kabul-province"),
])
def test_the_cast_resolves(typed, expected, catalog):
    assert Resolver(catalog).resolve(typed) == ("entity", expected)


def test_office_holders_carry_their_dates(catalog):
    assert "since March 2024" in catalog.entities["mohsin-naqvi"].description
    assert "Former" in catalog.entities["rana-sanaullah"].description
    assert ("leader-of", "ispr") in catalog.entities["ahmed-sharif-chaudhry"].relations


def test_no_sports_people_or_teams_are_tracked(catalog):
    names = " ".join(e.name for e in catalog.entities.values())
    for team in ("Gladiators", "Zalmi", "Qalandars", "Kings", "cricket"):
        assert team not in names


def test_a_key_given_twice_in_a_catalog_file_is_an_error(tmp_path):
    path = tmp_path / "catalog.yml"
    path.write_text("entities:\n  x:\n    type: group\n    name: X\n    aliases: [X group]\n    aliases: [Y]\n",
                    encoding="utf-8")
    with pytest.raises(CatalogError, match="key 'aliases' given twice"):
        load_catalog(path=path)


def test_every_name_of_a_labelled_id_still_gives_that_id(matcher, catalog):
    """New places, people and outlets never take a span that names a labelled entity (labels.yml's ids)."""
    import yaml
    from pathlib import Path

    labels = Path(__file__).parents[2] / "shared" / "eval" / "labels.yml"
    if not labels.exists():
        pytest.skip("../shared/eval/labels.yml is not beside this checkout")
    labelled = set(yaml.safe_load(labels.read_text())["entities"])
    names = {(rule.entity, rule.alias) for rule in catalog.rules
             if rule.entity in labelled and rule.kind in ("alias", "acronym", "script", "title")}
    lost = [(entity, alias) for entity, alias in sorted(names)
            if entity not in matcher.match(f"Officials said {alias} was in the news").entities]
    assert lost == []
