"""A pattern tried from its start words finds, within a window of the text, every match the plain
pattern finds there (one scan of the window serves the whole finditer)."""

import re

import pytest

from bot import incidents
from tests.test_incident_patterns import TEXTS, WRAPPED, sample_texts

STARTED = [name for name in WRAPPED if getattr(incidents, name)._starts is not None]


@pytest.mark.parametrize("name", STARTED)
def test_finditer_in_a_window_finds_what_re_finds(name):
    wrapped = getattr(incidents, name)
    plain = re.compile(wrapped.pattern, wrapped._compiled.flags | (re.I if wrapped.folds else 0))
    for text in TEXTS + sample_texts():
        for start, end in ((0, len(text)), (len(text) // 4, len(text) - 3), (len(text) // 2, len(text) // 2 + 60)):
            found = [m.span() for m in wrapped.finditer(text, start, end)]
            assert found == [m.span() for m in plain.finditer(text, start, end)], (text, start, end)


def test_the_lowercase_of_one_text_is_never_another_texts():
    first, second = "Gunmen ATTACKED a post", "Police ARRESTED two men"
    for text in (first, second, first, second[:6], second):
        assert incidents._lower(text) == text.lower()
