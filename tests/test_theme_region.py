"""The region step: themes only for items about Pakistan, Afghanistan and their frontier."""

from bot.matching.catalog import load_catalog
from bot.matching.matcher import Matcher
from bot.matching.normalize import fold_phrase
from bot.matching.themes import about_region

CATALOG = load_catalog()
MATCHER = Matcher(CATALOG)
FAR = CATALOG.not_regional()


def test_world_story_with_a_cue_word_gets_no_theme():
    for title, summary in [
        ("Winter storm shuts schools in Tokyo", "Snow and high winds closed roads across the capital."),
        ("Japan storms back into the chip wars", "Tokyo pledges billions for a new semiconductor plant."),
        ("Dock workers strike over pay in Rotterdam", "Unions say the strike will last a week."),
        ("Film bombs at the box office", "The sequel was a costly flop."),
    ]:
        result = MATCHER.match(title, summary)
        assert result.themes == (), (title, result.themes)
        region = about_region(fold_phrase(title), fold_phrase(summary), result.entities, FAR)
        assert not region.regional and region.explain().startswith("not regional")


def test_regional_item_keeps_its_theme_and_says_why():
    title = "Suicide bomber kills six policemen in Bannu"
    summary = "The Pakistani Taliban claimed the attack on the police station in Khyber Pakhtunkhwa."
    result = MATCHER.match(title, summary)
    assert "militant-attacks" in {score.theme for score in result.themes}
    region = about_region(fold_phrase(title), fold_phrase(summary), result.entities, FAR)
    assert region.regional and "bannu" in region.explain()


def test_world_body_alone_is_not_regional():
    region = about_region("un security council votes on sudan", "", ["united-nations"], FAR)
    assert not region.regional and "united-nations" in region.explain()


def test_regional_false_is_a_catalog_flag():
    catalog = load_catalog({"entities": {
        "ruritania": {"type": "place", "name": "Ruritania", "aliases": ["Ruritania"], "regional": False},
        "zenda": {"type": "place", "name": "Zenda", "aliases": ["Zenda"]}}})
    far = catalog.not_regional()
    assert "ruritania" in far and "zenda" not in far and "united-nations" in far and "pakistan" not in far
    matcher = Matcher(catalog)
    assert matcher.match("Suicide bomber kills six policemen in Ruritania", "").themes == ()
    assert "militant-attacks" in {s.theme for s in matcher.match("Suicide bomber kills six policemen in Zenda", "").themes}


def test_regional_must_be_true_or_false():
    import pytest

    from bot.errors import CatalogError

    with pytest.raises(CatalogError, match=r"watch\.entities\.ruritania\.regional: must be true or false"):
        load_catalog({"entities": {"ruritania": {"type": "place", "name": "Ruritania", "regional": "no"}}})
