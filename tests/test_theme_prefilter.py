"""The theme screen: literal prefixes of cue patterns, and scores identical to running every pattern."""

from __future__ import annotations

import random
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot.feeds.parse import parse_feed
from bot.matching.catalog import _cue, load_catalog
from bot.matching.matcher import Matcher
from bot.matching.prefilter import RegexScreen, literal_prefixes
from bot.matching.themes import ThemeScorer
from bot.samples import SAMPLE_FEEDS, sample_body

FETCHED = datetime(2026, 11, 20, tzinfo=timezone.utc)


# ---------------------------------------------------------------- literal prefixes

@pytest.mark.parametrize("pattern, expected", [
    ("earthquake", {"earthquake"}),
    ("(ceasefire|cease fire|truce)", {"ceasefire", "cease fire", "truce"}),
    ("elections?", {"election"}),  # "elections" begins with "election": one is enough
    ("air ?strikes?", {"airstrike", "air strike"}),
    ("fired? on", {"fire on", "fired on"}),
    ("(us|u s) drone", {"us drone", "u s drone"}),
    ("designat\\w+", {"designat"}),
    ("skirmish\\w*", {"skirmish"}),
    ("(exchange\\w* (of )?fire|firing)", {"exchange", "firing"}),  # not "exchange of fire": "exchange" says it
    ("(bomb|bombs|bombing|car bomb)", {"bomb", "car bomb"}),
    ("traded [a-z ]*fire", {"traded "}),
    ("organi[sz]ation", {"organisation", "organization"}),
    ("railway(?! station)", {"railway"}),
    ("(returns? (of|from)|returned)", {"return of", "return from", "returns of", "returns from", "returned"}),
    ("(abc){2,3}d", {"abc"}),  # stopped after one repetition
    ("(abc)\\1", {"abc"}),
    ("abc(?i:def)", {"abc"}),
    ("abc.def", {"abc"}),
    ("abc(?:x{0})def", {"abcdef"}),
])
def test_prefixes_of_a_pattern(pattern, expected):
    assert literal_prefixes(pattern) == expected


@pytest.mark.parametrize("pattern", [
    "[a-z]+ fire",  # a class of many letters first
    "\\w+ed",  # any word character first
    ".bomb",
    "[^x]bomb",
    "(a|ban)",  # a prefix too short to screen with
    "(bomb)?",  # may match the empty string
    "x?y?z?",
    "(?i)bomb",  # case ignored: the letters are not literal
    "(a|b|c|d)(a|b|c|d)(a|b|c|d)(a|b|c|d)(a|b|c|d)",  # more beginnings than the limit
])
def test_patterns_without_usable_prefixes_are_always_run(pattern):
    assert literal_prefixes(pattern) is None


def test_ignore_case_flag_and_limits():
    assert literal_prefixes(re.compile("bomb", re.IGNORECASE)) is None
    assert literal_prefixes("ab", min_length=2) == {"ab"}
    assert literal_prefixes("ab") is None
    assert literal_prefixes("(a|b)(c|d)xyz", limit=3) is None
    assert literal_prefixes("(a|b)(c|d)xyz", limit=4) == {"acxyz", "adxyz", "bcxyz", "bdxyz"}


def test_catalog_cue_wrapping_is_seen_through():
    """The word-boundary lookarounds of a cue read nothing; a top-level | splits the whole pattern."""
    assert literal_prefixes(_cue("cross-border (raid|attack)s?", 1.0, "test").regex) == \
        {"cross border raid", "cross border attack"}
    assert literal_prefixes(_cue("truce|cease fire", 1.0, "test").regex) == {"truce", "cease fire"}


def test_every_match_of_every_catalog_pattern_starts_with_one_of_its_prefixes():
    patterns = {cue.regex for theme in load_catalog().themes.values()
                for cue in (*theme.veto, *theme.requires, *theme.cues)}
    texts = [text.lower() for title, summary in _corpus() for text in (title, summary)]
    checked = 0
    for regex in patterns:
        prefixes = literal_prefixes(regex)
        assert prefixes is not None, regex.pattern
        for text in texts:
            for found in regex.finditer(text):
                assert any(found.group().startswith(prefix) for prefix in prefixes), (regex.pattern, found.group())
                checked += 1
    assert checked > 500


def test_screen_rules_out_only_what_cannot_match():
    regexes = [re.compile(r"\bbomb\w*"), re.compile("cease ?fire"), re.compile(r"\w+ed fire"), re.compile("truce")]
    screen = RegexScreen(regexes)

    def candidates(screen, text):
        return screen.always.union(screen.starts(text))

    assert screen.always == {2}
    assert candidates(screen, "a ceasefire held") == {1, 2}
    assert candidates(screen, "the bombers left") == {0, 2}
    assert candidates(screen, "trucelike bombastic cease fire") == {0, 1, 2, 3}  # a prefix inside a word counts
    assert screen.starts("ceasefire, bomb, cease fire and truce; bombs") == {0: [11, 39], 1: [0, 17], 3: [32]}
    assert candidates(RegexScreen([]), "anything") == frozenset()


@pytest.mark.parametrize("text", [
    "border posts posts", "bombbomb bomb bombs bombing", "clash clashes clashed", "posts\nborder post",
    "air strike airstrikes air  strike", "", "border", "after border clashes since posts",
    "a big bomb attack", "bomb\nbig bomb attack",  # "bomb" is found before the longer prefix that starts earlier
])
def test_matches_tried_at_the_screened_places_are_finditer_matches(text):
    from bot.matching.themes import _matches

    regexes = [_cue(pattern, 1.0, "test").regex for pattern in (
        "(border (clash\\w*|posts?)|posts?)", "bomb\\w*", "(clash|clashes|clashed)", "air ?strikes?", "border", "(big bomb attack|bomb)")]
    screen = RegexScreen(regexes)
    starts = screen.starts(text)
    title, _, body = text.partition("\n")
    for number, regex in enumerate(regexes):
        expected = [(in_title, found.span(), found.group())
                    for part, in_title in ((title, True), (body, False)) for found in regex.finditer(part)]
        got = [(in_title, found.span(), found.group())
               for _, in_title, found in _matches(regex, title, body, starts.get(number, []))]
        assert got == expected, regex.pattern


# ---------------------------------------------------------------- same scores as every pattern run

_SENTENCES = [
    ("Pakistani jets strike TTP hideouts in Khost", "Pakistani aircraft struck hideouts in Afghanistan's Khost "
     "province; the Taliban said civilians died."),
    ("Taliban and Pakistani forces clash near Spin Boldak as civilians flee Chaman", "Heavy fighting broke out "
     "between Pakistani troops and Taliban forces near Spin Boldak, with each side claiming to have destroyed "
     "the other's posts."),
    ("Torkham crossing reopens for trade after week-long closure", "Trucks and cargo moved again after the border "
     "was shut since clashes last week."),
    ("UN chief urges Kabul to lift ban on girls' education", "Women and girls are barred from secondary schools."),
    ("ISKP claims suicide bombing at Shia mosque in Mazar-i-Sharif", "Worshippers were killed; the Hazara "
     "community mourned."),
    ("Pakistan hands Kabul list of wanted TTP commanders", "Security officials pressed the Taliban to act against "
     "militants using Afghan soil."),
    ("Earthquake kills dozens near the border", "Drone strikes were not involved, officials said."),
    ("Trade talks resume in Tashkent", "Russia and China hosted Afghan diplomats; the Taliban seek recognition."),
    ("US designates group as Foreign Terrorist Organization", "The State Department offered a reward for justice."),
    ("Refugees deported from Pakistan", "Returnees living in tents at Torkham need blankets and shelter."),
    ("Ceasefire collapses as talks break down", "Mediators from Qatar said the truce ended after border skirmishes."),
    ("Pakistan's cricket team wins in Lahore", "A crowd cheered the border-town hero."),
    ("FBI charges man over plot", "Prosecutors said the affidavit described intent to attack; US drone strikes."),
    ("Bombastic ceasefires and truceless borderlands", "clashing, bombinations, refugeedom, designatory"),
    ("After border clashes, traders wait", "Since the ceasefire, following shelling, trade resumed."),
    ("", ""),
]


def _corpus() -> list[tuple[str, str]]:
    """Sample feed items, theme descriptions, written sentences, their ALL-CAPS forms and cue words."""
    items = []
    for feed_id in SAMPLE_FEEDS:
        parsed = parse_feed(sample_body(feed_id), feed_id=feed_id, fetched_at=FETCHED)
        items.extend((item.title, item.summary) for item in parsed.items)
    catalog = load_catalog()
    items.extend((theme.name, theme.description) for theme in catalog.themes.values())
    items.extend(_SENTENCES)
    items.extend((title.upper(), summary) for title, summary in list(items))
    rng = random.Random(5)
    words = [prefix for theme in catalog.themes.values() for cue in (*theme.cues, *theme.veto, *theme.requires)
             for prefix in sorted(literal_prefixes(cue.regex) or ())]
    names = [entity.name for entity in catalog.entities.values()]
    for _ in range(150):
        title = " ".join(rng.sample(words, 3) + rng.sample(names, 1))
        body = " ".join(rng.choice([*words, *names, "after", "since", "the", "x"]) + rng.choice(["", "s", "ing"])
                        for _ in range(25))
        items.append((title, body))
    dev = Path(__file__).parents[2] / "shared" / "eval" / "dev.jsonl"
    if dev.exists():
        import json

        for line in dev.read_text().splitlines():
            record = json.loads(line)
            items.append((record["title"], record.get("summary") or ""))
    return items


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def corpus():
    return _corpus()


def _differences(screened: ThemeScorer, reference: ThemeScorer, corpus, catalog):
    """Items whose themes differ between the two scorers, under several entity and similarity sets."""
    rng = random.Random(11)
    finder = Matcher(catalog, theme_scorer=False)
    gated = tuple(entity for theme in catalog.themes.values() for group in theme.entities for entity in group)
    for title, summary in corpus:
        found = finder.match(title, summary).entities
        for entities in (found, (), tuple(dict.fromkeys(gated))):
            similar = {theme: rng.choice([0.0, 0.3, 0.5, 0.7, 0.9, 1.2]) for theme in catalog.themes}
            for similarities in ({}, similar):
                expected = reference.score(title, summary, entities, similarities)
                got = screened.score(title, summary, entities, similarities)
                if got != expected:
                    yield title, summary, entities, similarities, got, expected


def test_screened_scores_are_the_scores_of_every_pattern(catalog, corpus):
    assert list(_differences(ThemeScorer(catalog), ThemeScorer(catalog, screened=False), corpus, catalog)) == []


def test_the_comparison_catches_a_screen_that_drops_a_pattern(catalog, corpus):
    """The test above can fail: a screen that loses one cue's pattern gives other scores."""
    broken = ThemeScorer(catalog)
    regexes = broken._screen.regexes
    lost = next(number for number, regex in enumerate(regexes.regexes) if "ceasefire" in regex.pattern)
    starts = regexes.starts

    def losing(text):
        found = starts(text)
        found.pop(lost, None)
        return found

    regexes.starts = losing
    assert next(_differences(broken, ThemeScorer(catalog, screened=False), corpus, catalog), None) is not None


def test_match_results_are_the_same_with_and_without_the_screen(catalog, corpus):
    screened = Matcher(catalog, ThemeScorer(catalog))
    reference = Matcher(catalog, ThemeScorer(catalog, screened=False))
    assert screened.match_many(corpus) == reference.match_many(corpus)
    assert sum(len(result.themes) for result in screened.match_many(corpus)) > 50


def test_explain_reports_every_theme_the_same_way(catalog):
    """`theme_score` still runs every pattern: it explains why a theme did not fire too."""
    from bot.matching.normalize import fold_phrase

    scorer = ThemeScorer(catalog)
    title, summary = "Earthquake near the border", "Pakistani drone strikes; ceasefire holds"
    total, hits, blocked = scorer.theme_score(catalog.themes["cross-border-attacks"], fold_phrase(title),
                                              fold_phrase(summary), ())
    assert (total, hits, blocked) == (0.0, [], "veto 'earthquake'")


def test_unusual_themes_score_the_same(corpus):
    """Negative weights, a pattern only ever run, shared and repeated patterns, low thresholds, requires."""
    catalog = load_catalog({"themes": {
        "odd-one": {"description": "x", "threshold": 0.5,
                    "cues": {"\\w+ed fire": 1.0, "ceasefire": -2.0, "truce": 0.4, "border": 0.2, "border-x": 1},
                    "veto": ["cricket", "[a-z]+ball"]},
        "odd-two": {"description": "y", "threshold": 1.0, "requires": ["(talks|truce)", "\\w+"],
                    "cues": {"(talks|dialogue)": 0.7, "border x": 0.3, "truce": 0.4},
                    "entities": ["pakistan", "kabul"]},
        "odd-three": {"description": "z", "threshold": 1e-9, "cues": {"bomb\\w*": 0.1, "(?!x)\\w*strike": 5}},
    }})
    corpus = corpus[::2] + [("Border x truce talks", "after a border x ceasefire"), ("Cricket ball", "fired fire"),
                            ("Airstrike on Kabul", "Pakistan said talks go on")]
    screened, reference = ThemeScorer(catalog), ThemeScorer(catalog, screened=False)
    assert list(_differences(screened, reference, corpus, catalog)) == []
    kept = {score.theme for title, summary in corpus for score in screened.score(title, summary, ("pakistan",), {})}
    assert {"odd-one", "odd-two", "odd-three"} <= kept
