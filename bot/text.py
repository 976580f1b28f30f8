"""Text normalisation for what comes in: feed entries (bot.feeds.parse) and imported documents
(bot.documents).

Feed text arrives as HTML fragments with entities, soft hyphens (Dawn puts them inside
words), zero-width characters and non-breaking spaces. `clean_text` turns it into plain
text before it is stored, so the search index and the matcher (which folds case and
accents itself, in bot.matching.normalize) see it the way a reader does.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

SOFT_HYPHEN = "\u00ad"
ZERO_WIDTH_NON_JOINER = "\u200c"
# Zero-width space, zero-width joiner, word joiner, BOM, left-to-right / right-to-left marks.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200d\u2060\ufeff\u200e\u200f"), None)
_ARABIC_LETTER = r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]"
_STRAY_ZWNJ = re.compile(rf"(?<!{_ARABIC_LETTER})\u200c|\u200c(?!{_ARABIC_LETTER})")
_BLOCK_TAGS = {"p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
               "blockquote", "figcaption", "section", "article", "ul", "ol", "table"}
_TAG_HINT = re.compile(r"<[a-zA-Z/!]")


class _TextExtractor(HTMLParser):
    """Collect the text of an HTML fragment, skipping scripts and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "noscript"):
            self._skip_depth += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "noscript"):
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self._skip_depth:
            self.parts.append(data)


def html_to_text(fragment: str) -> str:
    """Return the visible text of an HTML fragment (entities unescaped)."""
    if not _TAG_HINT.search(fragment):
        return html.unescape(fragment)
    extractor = _TextExtractor()
    extractor.feed(fragment)
    extractor.close()
    return "".join(extractor.parts)


def normalise_spaces(text: str) -> str:
    """Remove invisible characters, keep ZWNJ only inside Arabic-script words, collapse spaces."""
    if not text.isascii():
        text = text.translate(_INVISIBLE)
        if ZERO_WIDTH_NON_JOINER in text:
            text = _STRAY_ZWNJ.sub("", text)
    # str.split() splits on every Unicode space: NBSP, figure and ideographic spaces included.
    return " ".join(text.split())


def clean_text(value: str | None) -> str:
    """Turn feed text (HTML or plain) into the plain, normalised text that is stored."""
    if not value:
        return ""
    text = html_to_text(value)
    # A second unescape catches double-escaped feeds ("&amp;amp;" seen in the wild).
    if "&" in text and re.search(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);", text):
        text = html.unescape(text)
    return normalise_spaces(text)
