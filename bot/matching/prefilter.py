"""Which of many regexes can match a text, found with one pass of an Aho-Corasick automaton.

Most cue patterns begin with a few fixed letters: every match of `cross border (attack|raid)`
starts with "cross border ", every match of `(refugees?|asylum)` with "refugee" or "asylum".
`literal_prefixes` reads those beginnings from the parsed pattern (alternatives and optional
pieces expanded, each prefix stopped at the first piece that is not a fixed letter). A regex can
only match a text that contains one of its prefixes, and only where one occurs, so one automaton
over all prefixes tells which regexes are worth running and where they need to be tried; a regex
without usable prefixes (it may begin with any letter, or has too many beginnings) is always run.
The screen only ever rules out a regex, or a place, where it cannot match, so it never changes
what is found.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from re import _constants as sre
from re import _parser

import ahocorasick_rs

MIN_PREFIX = 3  # shorter prefixes occur in nearly every text: such a regex is always run
MAX_PREFIXES = 256  # more beginnings than this and the regex is always run
MAX_CLASS = 8  # a character class of at most this many letters is expanded like an alternation

_ZERO_WIDTH = {sre.AT, sre.ASSERT, sre.ASSERT_NOT}
_REPEATS = {sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT}


class _TooMany(Exception):
    """More beginnings than MAX_PREFIXES."""


def literal_prefixes(regex: re.Pattern | str, *, min_length: int = MIN_PREFIX,
                     limit: int = MAX_PREFIXES) -> frozenset[str] | None:
    """Strings one of which every match of `regex` starts with, or None when there are none to use.

    The pattern is read as the standard library parses it (`re._parser`). Only the shortest
    strings are kept: none begins with another. None when a match may start with a shorter string
    than `min_length` (or with any character), when the pattern has more than `limit` beginnings,
    or when it ignores case.
    """
    if isinstance(regex, str):
        regex = re.compile(regex)
    if not isinstance(regex.pattern, str) or regex.flags & re.IGNORECASE:
        return None
    parsed = _parser.parse(regex.pattern, regex.flags)
    if parsed.state.flags & re.IGNORECASE:
        return None
    try:
        heads, stopped = _extend(parsed, {""}, limit)
    except _TooMany:
        return None
    prefixes = _shortest(heads | stopped)
    if not prefixes or min(map(len, prefixes)) < min_length:
        return None
    return frozenset(prefixes)


def _shortest(prefixes: set[str]) -> list[str]:
    """The prefixes that do not begin with another one ("exchange" makes "exchange fire" useless)."""
    kept: list[str] = []
    for prefix in sorted(prefixes):  # the extensions of a string sort right after it
        if not (kept and prefix.startswith(kept[-1])):
            kept.append(prefix)
    return kept


def _extend(items, heads: set[str], limit: int) -> tuple[set[str], set[str]]:
    """Extend each head through the parsed `items`; return (heads still open, heads stopped).

    An open head is everything a match has read so far; a stopped one met a piece that is not a
    fixed string, so it is as far as the match is known.
    """
    stopped: set[str] = set()
    for op, value in items:
        if not heads:
            break
        if op is sre.LITERAL:
            heads = {head + chr(value) for head in heads}
        elif op in _ZERO_WIDTH:
            continue  # reads nothing: what it requires only narrows the matches further
        elif op is sre.IN and (letters := _class_letters(value)) is not None:
            heads = {head + letter for head in heads for letter in letters}
        elif op is sre.SUBPATTERN and not value[1] & re.IGNORECASE:
            heads, more = _extend(value[3], heads, limit)
            stopped |= more
        elif op is sre.ATOMIC_GROUP:
            heads, more = _extend(value, heads, limit)
            stopped |= more
        elif op is sre.BRANCH:
            branches: set[str] = set()
            for branch in value[1]:
                more_heads, more = _extend(branch, heads, limit)
                branches |= more_heads
                stopped |= more
            heads = branches
        elif op in _REPEATS:
            low, high, item = value
            if high == 0:
                continue
            once, more = _extend(item, heads, limit)
            stopped |= more
            skipped = heads if low == 0 else set()
            if high == 1:
                heads = skipped | once
            else:  # after the first repetition the match may go on with the item again or not
                stopped |= once
                heads = skipped
        else:  # any character, a class, a back-reference...: the match is known this far
            stopped |= heads
            heads = set()
        if len(heads) + len(stopped) > limit:
            raise _TooMany
    return heads, stopped


def _class_letters(value) -> list[str] | None:
    """The letters of a small character class like `[sz]`, or None for a negated or larger one."""
    letters = []
    for op, item in value:
        if op is sre.LITERAL:
            letters.append(chr(item))
        elif op is sre.RANGE and item[1] - item[0] < MAX_CLASS:
            letters.extend(map(chr, range(item[0], item[1] + 1)))
        else:
            return None
        if len(letters) > MAX_CLASS:
            return None
    return list(dict.fromkeys(letters))


class RegexScreen:
    """Numbered regexes, and where in a text each of them may match (one automaton pass)."""

    def __init__(self, regexes: Iterable[re.Pattern]):
        self.regexes = tuple(regexes)
        always, owners = set(), {}
        for number, regex in enumerate(self.regexes):
            prefixes = literal_prefixes(regex)
            if prefixes is None:
                always.add(number)
                continue
            for prefix in prefixes:
                owners.setdefault(prefix, set()).add(number)
        self.always = frozenset(always)
        self.prefixes = tuple(owners)
        self._owners = tuple(tuple(sorted(owners[prefix])) for prefix in self.prefixes)
        self._automaton = ahocorasick_rs.AhoCorasick(self.prefixes) if self.prefixes else None

    def starts(self, text: str) -> dict[int, list[int]]:
        """Where in `text` a match of each screened regex may start, in order: where one of its
        prefixes occurs. A regex not listed cannot match, unless it is one of `always`.

        Every prefix has MIN_PREFIX characters or more, so no regex listed matches the empty string.
        """
        found: dict[int, list[int]] = {}
        if self._automaton is None:
            return found
        owners = self._owners
        for index, start, _ in self._automaton.find_matches_as_indexes(text, overlapping=True):
            for number in owners[index]:
                found.setdefault(number, []).append(start)
        for places in found.values():
            places.sort()  # hits come in the order they end
        return found
