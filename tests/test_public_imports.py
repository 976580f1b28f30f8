"""Import paths that scripts outside the package rely on keep working."""

from bot.matching import cli as matching_cli
from bot.matching import loader


def test_load_matcher_under_its_older_path_is_the_loader():
    assert matching_cli.load_matcher is loader.load_matcher


def test_load_matcher_under_its_older_path_matches():
    matcher = matching_cli.load_matcher(semantic=False)
    result = matcher.match("TTP claims attack on police post in Bannu", "")
    assert "ttp" in result.entities
