"""Look-alike vetoes that cover the name only, and titles followed by someone else's name."""

from __future__ import annotations

import pytest

from bot.matching.catalog import load_catalog
from bot.matching.matcher import Matcher

MATCHER = Matcher(load_catalog())


def entities(title, summary=""):
    return set(MATCHER.match(title, summary).entities)


@pytest.mark.parametrize("title", ["Kabul bank bombing kills five", "Gunmen attack a Kabul bank",
                                   "Kabul Bank Bombing Kills Five Guards", "Suicide bomber hits a bank in Kabul"])
def test_a_bank_in_kabul_is_still_kabul(title):
    assert "kabul" in entities(title)


@pytest.mark.parametrize("title", ["Kabul Bank scandal: court jails a former chairman",
                                   "Depositors of Kabul Bank protest outside the central bank"])
def test_kabul_bank_the_bank_is_not_the_city(title):
    assert "kabul" not in entities(title)


def test_a_title_followed_by_another_name_is_not_the_holder():
    assert "noor-wali-mehsud" not in entities("TTP chief Hakimullah vows revenge for the drone strike")
    assert "noor-wali-mehsud" not in entities("Pakistani Taliban chief Baitullah was killed in 2009")
    assert "hakimullah-mehsud" in entities("TTP chief Hakimullah Mehsud killed in a drone strike")


@pytest.mark.parametrize("title", ["The TTP chief said the group would fight on",
                                   "TTP chief Noor Wali Mehsud issues an audio message",
                                   "TTP chief Mufti Noor Wali warns traders",
                                   "TTP Chief Says Talks With Islamabad Are Over"])
def test_the_title_alone_or_with_the_holder_s_name_is_the_holder(title):
    assert "noor-wali-mehsud" in entities(title)
