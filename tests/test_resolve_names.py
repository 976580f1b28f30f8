"""Names resolve as a person types them; typos get the nearest names; unknown names say how to add them."""

from __future__ import annotations

import pytest

from bot.errors import CommandError
from bot.matching.catalog import load_catalog
from bot.resolve import Resolver


@pytest.fixture(scope="module")
def resolver():
    return Resolver(load_catalog())


def failure(resolver, typed) -> CommandError:
    with pytest.raises(CommandError) as caught:
        resolver.resolve(typed)
    return caught.value


@pytest.mark.parametrize("typed, expected", [
    ("hibatullah", "hibatullah-akhundzada"), ("akhundzada", "hibatullah-akhundzada"), ("munir", "asim-munir"),
    ("lakki", "lakki-marwat"), ("Asim Munir", "asim-munir"), ("عاصم منیر", "asim-munir"), ("zardari", "asif-ali-zardari"),
    ("muttaqi", "amir-khan-muttaqi"), ("gandapur", "ali-amin-gandapur"), ("torkham", "torkham"),
    # a name that is one entity's own beats others' context rules ("Taliban" is the TTP only in a frontier story)
    ("taliban", "afghan-taliban"), ("the Taliban", "afghan-taliban"), ("isis", "islamic-state"), ("daesh", "islamic-state"),
    # names the desk reads daily, spelt the way outlets spell them
    ("Baloch Liberation Army", "balochistan-liberation-army"), ("Lashkar-i-Islam", "lashkar-e-islam"),
    ("Mangal Bagh", "mangal-bagh"), ("Ittehad-ul-Mujahideen Pakistan", "ittehad-ul-mujahideen-pakistan"),
    ("Tehrik-e-Jihad Pakistan", "tehreek-e-jihad-pakistan"), ("Mullah Omar", "mullah-omar"), ("durand line", "durand-line"),
])
def test_names_aliases_script_names_and_unique_prefixes_resolve(resolver, typed, expected):
    assert resolver.resolve(typed) == ("entity", expected)


def test_a_word_shared_by_several_entities_lists_them(resolver):
    error = failure(resolver, "mujahid")
    assert "could mean several things" in error.reason
    assert set(error.suggestions) == {"Mohammad Yaqoob Mujahid [mohammad-yaqoob]", "Zabihullah Mujahid [zabihullah-mujahid]"}


def test_typos_suggest_the_names_fewest_edits_away(resolver):
    assert failure(resolver, "asim munr").suggestions == ("asim-munir",)  # not the other Asims
    assert failure(resolver, "hibatulah").suggestions[0] == "hibatullah-akhundzada"
    assert failure(resolver, "peshwar").suggestions[0] == "peshawar"
    assert failure(resolver, "kandhar").suggestions[0] == "kandahar"
    assert "iran" not in failure(resolver, "tehrik").suggestions  # names starting with it come first


def test_an_unknown_name_says_how_to_add_it(resolver):
    error = failure(resolver, "qwertyuiop")
    assert error.suggestions == ()
    assert "`watch:` in feeds.yml" in error.reason and "watchdesk catalog suggest DIR" in error.reason
