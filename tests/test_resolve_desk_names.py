"""The desk's list of names (bench/probes/names.yml) resolves as `lookup` resolves them."""

from pathlib import Path

import pytest
import yaml

from bot.matching.catalog import load_catalog
from bot.resolve import Resolver

PROBE = Path(__file__).resolve().parent.parent / "bench" / "probes" / "names.yml"
NAMES = [tuple(pair) for pair in yaml.safe_load(PROBE.read_text(encoding="utf-8"))["names"]]
# Too short and too common a word to be a name of its own: "GB" stays unknown.
UNRESOLVED = {"GB"}


@pytest.fixture(scope="module")
def resolver():
    return Resolver(load_catalog())


def test_the_probe_is_the_desks_whole_list():
    assert len(NAMES) >= 120
    assert {expected for _, expected in NAMES} <= set(load_catalog().entities)


@pytest.mark.parametrize("typed, expected", [pair for pair in NAMES if pair[0] not in UNRESOLVED])
def test_each_name_resolves_to_its_entity(resolver, typed, expected):
    assert resolver.resolve(typed, kinds=("entity",)) == ("entity", expected)


def test_a_surname_shared_with_a_place_or_a_dead_namesake_is_the_living_person(resolver):
    assert resolver.resolve("bugti", kinds=("entity",)) == ("entity", "sarfraz-bugti")
    assert resolver.resolve("Dera Bugti", kinds=("entity",)) == ("entity", "dera-bugti")
    assert resolver.resolve("khurasani", kinds=("entity",)) == ("entity", "muhammad-khurasani")
