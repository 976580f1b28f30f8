"""The catalog and the matcher: names under any spelling, never where only the letters occur."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bot.errors import CatalogError
from bot.matching.catalog import load_catalog
from bot.matching.loader import load_matcher
from bot.matching.normalize import fold


def entities(matcher, title, summary=""):
    return set(matcher.match(title, summary).entities)


def test_catalog_holds_every_labelled_id():
    import yaml
    from pathlib import Path

    labels = Path(__file__).parents[2] / "shared" / "eval" / "labels.yml"
    if not labels.exists():
        pytest.skip("../shared/eval/labels.yml is not beside this checkout")
    data = yaml.safe_load(labels.read_text())
    catalog = load_catalog()
    assert set(data["entities"]) <= set(catalog.entities)
    assert set(data["themes"]) <= set(catalog.themes)


@pytest.mark.parametrize("text", [
    "Tehreek-e-Taliban Pakistan claims raid", "Tehrik-i-Taliban fighters killed", "Tahrik e Taliban Pakistan",
    "The Pakistani Taliban's new chief", "a TTP commander", "the TTP’s spokesman",
    "کالعدم تحریک طالبان پاکستان نے ذمہ داری قبول کر لی",
])
def test_ttp_under_any_spelling(matcher, text):
    assert "ttp" in entities(matcher, text)


@pytest.mark.parametrize("text", [
    "HTTP/3 now carries most traffic", "the ttp protocol", "see https://example.org/TTP/report",
    "Pakistan's TTPX index", "write to TTP@example.org",
])
def test_ttp_letters_alone_are_not_the_ttp(matcher, text):
    assert "ttp" not in entities(matcher, text)


def test_leftmost_longest_country_inside_group_name(matcher):
    found = entities(matcher, "Pakistani Taliban attack post; Afghan Taliban deny role")
    assert found == {"ttp", "afghan-taliban"}


def test_khorasan_alone_is_not_iskp(matcher):
    assert entities(matcher, "Quake hits Iran's Razavi Khorasan province") == {"iran"}
    assert entities(matcher, "US struck al-Qaeda's Khorasan Group in Syria") == {"united-states", "al-qaeda"}
    assert "iskp" in entities(matcher, "Islamic State's Khorasan branch claims killing")
    assert "iskp" in entities(matcher, "ISIS-K suspects held")
    assert entities(matcher, "Islamic State's Khorasan branch claims killing") == {"iskp"}


def test_negative_contexts(matcher):
    assert entities(matcher, "Quetta Gladiators beat Islamabad United") == set()
    assert entities(matcher, "Flood alert as Kabul River swells") == set()
    assert "suhail-shaheen" not in entities(matcher, "Shaheen Afridi takes four wickets")
    assert entities(matcher, "Fine china service sells for record price") == set()
    assert entities(matcher, "Ceremony for AQ Khan in Karachi") == {"karachi"}


def test_ambiguous_people_need_their_full_name(matcher):
    assert "noor-wali-mehsud" not in entities(matcher, "Mehsud tribe elders hold jirga")
    found = entities(matcher, "Noor Wali Mehsud speaks", "Later Mehsud said he was alive.")
    assert "noor-wali-mehsud" in found
    assert "mohammad-yaqoob" not in entities(matcher, "Mohammad Yaqoob, a fruit trader in Peshawar, said")
    assert "mohammad-yaqoob" in entities(matcher, "The Taliban's defence minister warned Pakistan")
    assert "sirajuddin-haqqani" not in entities(matcher, "Husain Haqqani told a panel")


def test_titles_keep_the_names_inside_them(matcher):
    assert {"antonio-guterres", "united-nations"} <= entities(matcher, "UN chief urges restraint")
    assert {"us-state-department", "united-states"} <= entities(matcher, "State Department lists group")


def test_acronyms_are_case_sensitive_and_not_trusted_in_shouting_headlines(matcher):
    assert "united-states" in entities(matcher, "US and Pakistan hold talks")
    assert "united-states" in entities(matcher, "U.S. envoy visits Kabul")
    assert "united-states" not in entities(matcher, "Let us talk about the weather")
    assert "united-states" not in entities(matcher, "TALIBAN TELL US NOTHING NEW, SAYS ENVOY")
    assert "afghan-taliban" in entities(matcher, "TALIBAN TELL US NOTHING NEW, SAYS ENVOY")


def test_acronym_defined_as_something_else_is_not_the_entity(matcher):
    assert "isi" not in entities(matcher, "Indian Statistical Institute (ISI) opens campus")
    assert "isi" in entities(matcher, "Inter-Services Intelligence (ISI) chief meets envoy")


def test_spans_point_into_the_original_text(matcher):
    title = "Afghans' anger at U.S. drone strike"
    summary = "Pakistan\u00ads envoy met the Taliban\u2019s foreign minister in Kabul."
    result = matcher.match(title, summary)
    text = f"{title}\n{summary}"
    for match in result.matches:
        assert text[match.start:match.end] == match.alias
    aliases = {m.alias for m in result.matches}
    assert {"Afghans", "U.S", "Kabul"} <= aliases or {"Afghans", "U.S.", "Kabul"} <= aliases


def test_fold_keeps_length_and_makes_every_non_letter_a_space():
    text = "Pakistan’s U.S.-backed plan: Tehrik-e-Taliban—Qa'ida"
    folded = fold(text)
    assert len(folded.lower) == len(text) == len(folded.cased)
    assert folded.lower.split() == ["pakistan", "s", "u", "s", "backed", "plan", "tehrik", "e", "taliban",
                                    "qa", "ida"]


def test_soft_hyphens_inside_names_are_ignored_and_spans_still_point_at_the_text(matcher):
    text = "Pakis­tan and Tor­kham"
    result = matcher.match(text)
    assert set(result.entities) == {"pakistan", "torkham"}
    assert [text[m.start:m.end] for m in result.matches] == ["Pakis­tan", "Tor­kham"]


def test_themes_fire_on_subject_not_passing_words(matcher):
    result = matcher.match("Pakistani jets strike TTP hideouts in Khost",
                           "Pakistani aircraft struck hideouts in Afghanistan's Khost province; the Taliban "
                           "said civilians died.")
    assert {"cross-border-attacks", "militant-sanctuaries"} <= set(result.theme_ids)
    quiet = matcher.match("Pakistan's cricket team wins in Lahore", "A crowd cheered the border-town hero.")
    assert quiet.theme_ids == ()


def test_bad_catalog_entries_name_their_place(tmp_path):
    with pytest.raises(CatalogError, match=r"watch.aliases.ttpp: unknown entity id 'ttpp' \(did you mean ttp"):
        load_catalog({"aliases": {"ttpp": ["Tehrik"]}})
    with pytest.raises(CatalogError, match=r"watch.entities.jua: alias 'TTP' is already a name of 'ttp'"):
        load_catalog({"entities": {"jua": {"type": "group", "name": "JuA", "acronyms": ["TTP"]}}})
    with pytest.raises(CatalogError, match=r"watch.entities.Bad_Id: bad id"):
        load_catalog({"entities": {"Bad_Id": {"type": "group", "name": "x"}}})
    with pytest.raises(CatalogError, match=r"themes.new-theme.cues: bad pattern"):
        load_catalog({"themes": {"new-theme": {"description": "x", "cues": {"(unclosed": 2}}}})


def test_watch_extensions_add_names_and_entities():
    extended = load_matcher({"aliases": {"ttp": ["Fitna al-Hindustan"]},
                             "entities": {"hizb-ul-ahrar": {"type": "group", "name": "Hizb-ul-Ahrar",
                                                              "aliases": ["Hizb-ul-Ahrar"]}}})
    assert "ttp" in extended.match("Fitna al Hindustan fighters killed").entities
    assert "hizb-ul-ahrar" in extended.match("Hizb ul Ahrar commander held").entities


def test_match_command_contract_needs_no_config(tmp_path):
    lines = [json.dumps({"id": "a", "title": "TTP attack near Torkham", "summary": "Police said."}),
             "not json",
             json.dumps({"id": "b", "title": "Nothing here", "summary": ""})]
    done = subprocess.run([sys.executable, "-m", "bot", "match"], input="\n".join(lines), text=True,
                          capture_output=True, cwd=tmp_path, timeout=60)
    outputs = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o["id"] for o in outputs] == ["a", "b"]
    assert set(outputs[0]) == {"id", "entities", "themes", "matches", "events"}
    assert set(outputs[0]["entities"]) >= {"ttp", "torkham"}
    assert {"entity": "ttp", "alias": "TTP", "start": 0, "end": 3} in outputs[0]["matches"]
    assert outputs[1]["entities"] == [] and outputs[1]["matches"] == []
    assert "line 2" in done.stderr and done.returncode == 1


def test_bare_islamic_state_is_the_khorasan_branch_only_in_an_afpak_story(matcher):
    assert entities(matcher, "Daesh claims attack on mosque", "The blast hit the Afghan city of Kandahar.") == \
        {"iskp", "afghanistan", "kandahar"}
    assert entities(matcher, "Islamic State claims ambush in Syria") == {"islamic-state"}
    assert entities(matcher, "Islamic State cell in Iraq linked to Pakistan network") == {"islamic-state", "pakistan"}
    assert "islamic-state" in entities(matcher, "The IS group claimed the attack in Raqqa")
    assert "islamic-state" not in entities(matcher, "This IS the moment, says coach")


@pytest.mark.parametrize("text, expected", [
    ("UN Secretary-General António Guterres spoke", {"antonio-guterres", "united-nations"}),
    ("Ayman al-Ẓawāhirī was killed in Kabul", {"ayman-al-zawahiri", "kabul"}),
    ("Spin-Boldak and Spin Boldak and Spinboldak", {"spin-boldak"}),
    ("Khyber–Pakhtunkhwa police said", {"khyber-pakhtunkhwa"}),
    ("AL-QAEDA CHIEF KILLED IN KABUL DRONE STRIKE", {"al-qaeda", "kabul"}),
])
def test_diacritics_dashes_and_capitals_fold_away(matcher, text, expected):
    assert entities(matcher, text) == expected


def _shouting_letter_by_letter(title):
    letters = [char for char in title if char.isalpha()]
    return len(letters) >= 12 and sum(char.isupper() for char in letters) / len(letters) > 0.8


def test_shouting_headline_test_counts_letters_like_str_isalpha_and_isupper():
    import random

    from bot.matching.matcher import _is_shouting

    titles = ["PAKISTANI TALIBAN CLAIM ATTACK ON POLICE POST", "Pakistani Taliban claim attack on police post",
              "AL-QAEDA CHIEF KILLED IN KABUL DRONE STRIKE", "TTP ISKP BLA 2024", "ABCDEFGHIJK", "ABCDEFGHIJKL",
              "ABCDEFGHIJklm", "ABCDEFGHIJkl", "AFGHANISTAN’S TALIBAN REJECT ‘BASELESS’ CLAIMS", "ÉÉÉÉÉÉÉÉÉÉÉÉ",
              "کالعدم تحریک طالبان پاکستان نے ذمہ داری قبول کر لی", "کالعدم تحریک طالبان TTP پاکستان نے ذمہ داری",
              "ⅫⅫⅫⅫⅫⅫⅫⅫⅫⅫⅫⅫⅫ ABC", "ǅǅǅǅǅǅǅǅǅǅǅǅ", "ΣΣΣΣΣΣΣΣΣΣΣσ", "", "   ", "1234567890123"]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123 .,'-’ÉéÄßǅⅫⅻ١پاکİıΣσϒ_\u00ad"
    rng = random.Random(2)
    titles += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(3000)]
    titles += [frame.replace("?", chr(code)) for code in range(0, 0x110000, 37)
               for frame in ("ABCDEFGHIJK?", "ABCDEFGHIJ?a", "????????????", "ABCDEFGHIJKL???")]
    for title in titles:
        assert _is_shouting(title) == _shouting_letter_by_letter(title), title


def test_a_bare_surname_is_someone_else_when_the_item_names_another_bearer(matcher):
    assert "amir-khan-muttaqi" not in entities(
        matcher, "Muttaqi seminary teacher named Kabul University chancellor",
        "Mawlawi Abdul Rahman Muttaqi, a cleric, replaced the previous head, the ministry said.")
    assert "amir-khan-muttaqi" in entities(matcher, "Muttaqi meets Chinese envoy in Kabul",
                                           "Foreign Minister Amir Khan Muttaqi said ties were growing.")


def test_lower_case_khwarij_is_the_ttp(matcher):
    assert "ttp" in entities(matcher, "Army chief warns Kabul",
                             "He said Kabul must choose between Pakistan and the khwarij.")


@pytest.mark.parametrize("title, summary, group", [
    ("FBI arrests Pakistani man over plot in New York", "He planned a mass shooting in the name of the Islamic State.",
     "islamic-state"),
    ("UN adds TTP deputy to sanctions list", "The Security Council's ISIL and al-Qaida committee agreed to Pakistan's "
     "request.", "islamic-state"),
    ("Islamic State claims blast at a rally in Peshawar", "Police said the group claimed the attack.", "iskp"),
    ("Daesh gunmen storm a shrine in Nangarhar", "", "iskp"),
])
def test_islamic_state_is_the_khorasan_branch_only_in_its_own_theatre(matcher, title, summary, group):
    other = {"iskp": "islamic-state", "islamic-state": "iskp"}[group]
    found = entities(matcher, title, summary)
    assert group in found and other not in found
