"""One story, many outlets: the pure rules that say two items are the same story.

Two items are one story when their canonical URLs agree (tracking parameters stripped) or
when their titles are near-identical (Jaccard similarity of significant words) within a
time window. This module only holds those rules (`canonical_url`, `title_tokens`,
`title_similarity`, `title_prefix`, the window and threshold); the join itself runs in the
store's write transaction (`store.items.insert_items` and its `RecentStories`), which applies
them to each new item against the stories already stored.
"""

from __future__ import annotations

import math
import re
import unicodedata
import zlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

STORY_WINDOW_HOURS = 48
TITLE_SIMILARITY = 0.75
MIN_TITLE_TOKENS = 4

_TRACKING_PARAMS = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|maca|ocid|cmpid|cmp|at_\w+|ref|ref_src|"
    r"rss|src|feed|feedtype|ito|spm|igshid|_ga|share|s_cid|smid|partner)$",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_STOPWORDS = frozenset(
    "a an and are as at be but by for from has have he her his in into is it its of on or over says "
    "said say that the their them they this to was were will with after amid new news live update "
    "updates video watch photos".split()
)


def canonical_url(url: str | None) -> str | None:
    """Strip tracking parameters, fragments, www. and default ports, so outlets' links compare."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower()
    host = host[4:] if host.startswith("www.") else host
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    query = ""
    if parts.query:
        query = urlencode(sorted((key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True)
                                 if not _TRACKING_PARAMS.match(key)))
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("https", host, path, query, ""))


def strip_tracking(url: str | None) -> str | None:
    """The same link without tracking parameters (utm_*, fbclid, gclid...); otherwise as it was."""
    if not url or "?" not in url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(key, value) for key, value in pairs if not _TRACKING_PARAMS.match(key)]
    if len(kept) == len(pairs):
        return url
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(kept), parts.fragment))


def title_tokens(title: str) -> tuple[str, ...]:
    """The significant words of a title, folded: lowercase, no accents, no stopwords, sorted."""
    folded = title.casefold()
    if not folded.isascii():
        folded = "".join(char for char in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(char))
    words = {word for word in _WORD.findall(folded) if len(word) > 1 and word not in _STOPWORDS}
    return tuple(sorted(words))


def title_similarity(first, second) -> float:
    """Jaccard similarity of two titles' distinct words (0 when either is too short to judge).

    Both are collections of distinct words (`title_tokens`); pass a frozenset as `first` to
    compare one title with many without building its set each time.
    """
    if len(first) < MIN_TITLE_TOKENS or len(second) < MIN_TITLE_TOKENS:
        return 0.0
    shared = len(frozenset(first).intersection(second))
    return shared / (len(first) + len(second) - shared)


def title_prefix(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """The tokens to index and probe for near-identical titles (prefix filtering).

    Two token sets with Jaccard similarity >= TITLE_SIMILARITY share at least one token among
    the first |x| - ceil(t * |x|) + 1 tokens of each, under any fixed global order: only those
    are indexed, so a common word costs a short index scan, not a scan of every story.
    """
    if len(tokens) < MIN_TITLE_TOKENS:
        return ()
    # Longer words first (they tend to be rarer), then a fixed hash order.
    ordered = sorted(tokens, key=lambda token: (-len(token), zlib.crc32(token.encode()), token))
    length = len(ordered) - math.ceil(TITLE_SIMILARITY * len(ordered)) + 1
    return tuple(ordered[:length])
