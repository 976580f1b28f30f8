"""The extractor's patterns are tried only where they can match, the case-insensitive ones over
lowercased text: every one must find exactly what the plain pattern finds."""

import re

import pytest

from bot import incidents
from bot.feeds.parse import parse_feed
from bot.samples import SAMPLES_DIR

TEXTS = [
    "TTP Claims Attack On Police Post In Lakki Marwat, Three Killed",
    "Gunmen opened fire on a polio team in Bajaur; two policemen were martyred, officials said.",
    "Two days after the blast, police ARRESTED four suspects in Quetta.",
    "İSTANBUL talks: the delegation left without a deal; no one was hurt.",  # İ lowercases to two characters
    "Weather: sunny spells over Kabul, with light winds.",
    "",
    "A suicide bomber blew himself up near a convoy; the death toll rose to 12 since Monday.",
    "Following the air strikes, Afghan forces and Pakistani troops exchanged fire at border posts.",
    "Armed men HIJACKED a van and were holding nine labourers hostage; others were taken captive.",
    "Afghan Taliban opened unprovoked fire with mortars and fired rockets at Pakistani checkpoints.",
]


def sample_texts() -> list[str]:
    from datetime import datetime, timezone

    texts = []
    for path in sorted(SAMPLES_DIR.glob("*.*")):
        if path.suffix in (".xml", ".rdf", ".atom"):
            parsed = parse_feed(path.read_bytes(), feed_id="sample", fetched_at=datetime.now(timezone.utc),
                                content_type=None, base_url=None, known_guid_reuse=False)
            texts += [f"{item.title}\n{item.summary}" for item in parsed.items]
    return texts


WRAPPED = sorted(name for name, value in vars(incidents).items() if isinstance(value, incidents._FastPattern))


def test_the_hot_patterns_are_wrapped():
    assert {"_TRIGGER", "_EVIDENCE", "_BACKGROUND", "_MODAL", "_CLAIM"} <= set(WRAPPED)


@pytest.mark.parametrize("name", WRAPPED)
def test_a_wrapped_pattern_finds_what_the_case_insensitive_one_finds(name):
    wrapped = getattr(incidents, name)
    plain = re.compile(wrapped.pattern, wrapped._compiled.flags | (re.I if wrapped.folds else 0))
    for text in TEXTS + sample_texts():
        assert [m.span() for m in wrapped.finditer(text)] == [m.span() for m in plain.finditer(text)], text
        for start in (0, len(text) // 3):
            found, expected = wrapped.search(text, start, len(text) - 2), plain.search(text, start, len(text) - 2)
            assert (found and found.span()) == (expected and expected.span()), (text, start)
            found, expected = wrapped.match(text, start), plain.match(text, start)
            assert (found and found.span()) == (expected and expected.span()), (text, start)


def test_a_gate_names_words_every_match_contains():
    gate = incidents._gate(re._parser.parse(r"\b(?:killed|wounded)\s+(?:a|the)?\s*(?:police|soldiers?)\b"))
    assert gate == {"killed", "wounded"}  # of two sure parts, the one whose shortest word is longer: the first on a tie
    assert incidents._gate(re._parser.parse(r"\b(?:\d+|many) dead")) == {" dead"}
    assert incidents._gate(re._parser.parse(r"(?:after)?x")) == {"x"}
    assert incidents._gate(re._parser.parse(r"[a-z]+")) is None
    assert incidents._gate(re._parser.parse(r"[A-Z]\w+['’]s")) == {"'s", "’s"}  # a class of a few characters


def test_starting_words_are_the_words_every_match_begins_with():
    assert incidents._starts(list(re._parser.parse(r"\b(?:blast|explosion)s?\b"))) == {"blast", "explosion"}
    assert incidents._starts(list(re._parser.parse(r"(?:roadside )?bomb"))) == {"roadside ", "bomb"}
    assert incidents._starts(list(re._parser.parse(r"[A-Z]\w+ attack"))) is None


def test_an_uppercase_letter_in_a_case_insensitive_pattern_is_refused():
    with pytest.raises(ValueError, match="uppercase"):
        incidents._FastPattern(re.compile(r"\bKabul\b", re.I))
