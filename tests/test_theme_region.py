"""The region step: themes only for items about Pakistan, Afghanistan and their frontier."""

from bot.matching.catalog import load_catalog
from bot.matching.matcher import Matcher
from bot.matching.normalize import fold_phrase
from bot.matching.themes import about_region

MATCHER = Matcher(load_catalog())


def test_world_story_with_a_cue_word_gets_no_theme():
    for title, summary in [
        ("Winter storm shuts schools in Tokyo", "Snow and high winds closed roads across the capital."),
        ("Japan storms back into the chip wars", "Tokyo pledges billions for a new semiconductor plant."),
        ("Dock workers strike over pay in Rotterdam", "Unions say the strike will last a week."),
        ("Film bombs at the box office", "The sequel was a costly flop."),
    ]:
        result = MATCHER.match(title, summary)
        assert result.themes == (), (title, result.themes)
        region = about_region(fold_phrase(title), fold_phrase(summary), result.entities)
        assert not region.regional and region.explain().startswith("not regional")


def test_regional_item_keeps_its_theme_and_says_why():
    title = "Suicide bomber kills six policemen in Bannu"
    summary = "The Pakistani Taliban claimed the attack on the police station in Khyber Pakhtunkhwa."
    result = MATCHER.match(title, summary)
    assert "militant-attacks" in {score.theme for score in result.themes}
    region = about_region(fold_phrase(title), fold_phrase(summary), result.entities)
    assert region.regional and "bannu" in region.explain()


def test_world_body_alone_is_not_regional():
    region = about_region("un security council votes on sudan", "", ["united-nations"])
    assert not region.regional and "united-nations" in region.explain()
