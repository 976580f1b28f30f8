"""Fold text for matching: one character for one character, so spans need no offset map.

Folding keeps letters and digits (accents removed) and turns everything else — spaces, hyphens,
dashes, quotes, apostrophes, dots, brackets — into a space. Names are folded the same way, so
"Tehrik-e-Taliban" is "tehrik e taliban", "Qa'ida" is "qa ida", "U.S." is "U S" and the
possessive "Pakistan's" is "pakistan s": a name is always found as whole words between spaces.
URLs and e-mail addresses are blanked so nothing inside them is ever matched.
ASCII text (most news, once curly quotes and dashes are replaced) takes a bytes fast path.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_ZWNJ = "\u200c"
_URLS = re.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+\.\w[\w.]*", re.IGNORECASE)
_COMMON = (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"'), ("\u2013", "-"),
           ("\u2014", "-"), ("\u00a0", " "))


def _ascii_table() -> bytes:
    return bytes(code if chr(code).isalnum() else 32 for code in range(256))


_ASCII_FOLD = _ascii_table()


class _FoldTable(dict):
    """A str.translate table built lazily: each character to one folded character, case kept."""

    def __missing__(self, code: int) -> int:
        char = chr(code)
        if char.isalnum() or char == _ZWNJ or unicodedata.category(char) == "Mn":
            decomposed = unicodedata.normalize("NFKD", char)
            base = [c for c in decomposed if not unicodedata.combining(c)]
            keep_script = "ARABIC" in unicodedata.name(char, "")  # Urdu, Pashto, Dari letters stay as written
            folded = base[0] if len(base) == 1 and not keep_script and base[0].isalnum() else char
        else:
            folded = " "
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
    """Folded text as written (case kept) and in lower case; same length as the original."""

    cased: str
    lower: str


def fold(text: str) -> Folded:
    """Fold `text` for matching: URLs blanked, accents, punctuation and case folded, length kept."""
    if "://" in text or "www." in text or "@" in text:
        text = _URLS.sub(lambda found: " " * len(found.group()), text)
    if not text.isascii():
        for before, after in _COMMON:
            if before in text:
                text = text.replace(before, after)
    if text.isascii():
        cased_bytes = text.encode("ascii").translate(_ASCII_FOLD)
        return Folded(cased_bytes.decode("ascii"), cased_bytes.lower().decode("ascii"))
    cased = text.translate(_FOLD)
    return Folded(cased, cased.translate(_LOWER))


def fold_phrase(text: str) -> str:
    """Fold a name or a phrase (lower case, single spaces) the way texts are folded."""
    return " ".join(fold(text).lower.split())
