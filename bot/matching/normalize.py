"""Fold text for matching, keeping a map from folded offsets back to the original text.

Folding is one character for one character wherever possible (case, accents, quotes, dashes,
hyphens as spaces), so most texts need no offset map at all. Only two edits change the length:
possessive endings ("Pakistan's", "Afghans'") and dots inside acronyms ("U.S.", "U.N.") are
removed; their positions are kept so every match can be mapped back to the reader's text.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass

from bot.text import normalise_spaces

_QUOTES = "\u2018\u2019\u201a\u201b\u2032\u00b4`\u02bc"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
# Possessive endings and acronym dots; each match is deleted from the folded text.
_DELETIONS = re.compile(r"(?<=[^\W\d_])'s?(?![^\W_])|(?<=\b[A-Z])\.(?=[A-Z]\b|[A-Z]\.)|(?<=\b[A-Z]\.[A-Z])\.")
_URLS = re.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+\.\w[\w.]*", re.IGNORECASE)


class _FoldTable(dict):
    """A str.translate table built lazily: each character to one folded character, case kept."""

    def __missing__(self, code: int) -> int:
        char = chr(code)
        if char in _QUOTES:
            folded = "'"
        elif char in _DASHES or char == "-":
            folded = " "
        elif char in "\u00a0\u2007\u202f\t\n\r":
            folded = " "
        else:
            decomposed = unicodedata.normalize("NFKD", char)
            base = [c for c in decomposed if not unicodedata.combining(c)]
            folded = base[0] if len(base) == 1 and code < 0x0600 else char
        self[code] = ord(folded)
        return self[code]


class _LowerTable(dict):
    """A str.translate table mapping each character to one lower-case character."""

    def __missing__(self, code: int) -> int:
        lowered = chr(code).lower()
        self[code] = ord(lowered[0]) if lowered else code
        return self[code]


_FOLD = _FoldTable()
_LOWER = _LowerTable()


@dataclass(frozen=True)
class Folded:
    """Folded text in two cases, and how to find original offsets from folded ones."""

    cased: str
    lower: str
    deleted: tuple[int, ...] = ()  # folded positions after which original characters were removed
    shifts: tuple[int, ...] = ()  # cumulative count of removed characters at each such position

    def original(self, position: int) -> int:
        """Map an offset in the folded text to the offset in the original text."""
        if not self.deleted:
            return position
        index = bisect.bisect_right(self.deleted, position) - 1
        return position + (self.shifts[index] if index >= 0 else 0)

    def original_end(self, position: int) -> int:
        """Map an end offset (exclusive) in the folded text to the original text."""
        if position == 0:
            return 0
        return self.original(position - 1) + 1


def fold_phrase(text: str) -> str:
    """Fold an alias or a cue phrase the same way texts are folded (lower case)."""
    folded = fold(normalise_spaces(text))
    return " ".join(folded.lower.split())


def fold(text: str) -> Folded:
    """Fold `text` for matching: URLs blanked, case, accents, quotes and dashes folded."""
    if "://" in text or "www." in text or "@" in text:
        text = _URLS.sub(lambda found: " " * len(found.group()), text)
    cased = text.translate(_FOLD)
    if "'" not in cased and "." not in cased:
        return Folded(cased, cased.translate(_LOWER))
    pieces, deleted, shifts, removed, last = [], [], [], 0, 0
    for found in _DELETIONS.finditer(cased):
        pieces.append(cased[last:found.start()])
        removed += found.end() - found.start()
        deleted.append(found.start() - (removed - (found.end() - found.start())))
        shifts.append(removed)
        last = found.end()
    if not deleted:
        return Folded(cased, cased.translate(_LOWER))
    pieces.append(cased[last:])
    joined = "".join(pieces)
    return Folded(joined, joined.translate(_LOWER), tuple(deleted), tuple(shifts))
