"""Full-text search over items (items_fts), newest first or ranked by relevance.

What a user types is turned into a safe FTS5 query before it reaches SQLite:

    words             each becomes a quoted term; terms are ANDed       taliban border
    "a phrase"        kept as a phrase (an unclosed quote runs to the end)
    a OR b            either term
    -word, -"phrase"  excluded (NOT); at least one term must be left to look for
    pref*             prefix match

Punctuation never reaches FTS5 as syntax, so `AND OR (` or `"unbalanced` cannot raise
sqlite3.OperationalError; a query with nothing to look for raises SearchSyntaxError.

Matches are first counted up to a small cap. A narrow query (few matches) is answered by sorting
all of its matches, by bm25 or by time. A broad one, newest first, reads matches from FTS5 in rowid order
(recent items have recent rowids) and uses the items_published index to know when it may stop:
fast for common words, prefixes and phrases at a million rows (see _newest_by_streaming).
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from bot.clock import as_utc, iso

log = logging.getLogger(__name__)

NARROW = 200  # a query matching at most this many items is narrow: sorted whole (bm25 when ranked=None)
STREAM_CHUNK = 50  # matches read in a first chunk, newest rowid first, for a broad query
SNIPPET_TOKENS = 20
OPERATORS = {"OR", "AND", "NOT"}
COUNT_CAP = 10_000  # matches counted exactly up to this many; beyond, "more than 10,000"
MAX_PAGE = 50


class SearchSyntaxError(ValueError):
    """The search text cannot be turned into a query; the message says why."""


def fts_query(text: str) -> str:
    """Turn what a user typed into a safe FTS5 query string (see the module docstring)."""
    groups: list[list[str]] = []
    excluded: list[str] = []
    want_or = negate_next = last_positive = False
    for negated, term in _terms(text):
        if term in OPERATORS:
            want_or = term == "OR" and last_positive
            negate_next = term == "NOT"
            continue
        last_positive = not (negated or negate_next)
        if not last_positive:
            excluded.append(term)
        elif want_or:
            groups[-1].append(term)
        else:
            groups.append([term])
        want_or = negate_next = False
    if not groups:
        if excluded:
            raise SearchSyntaxError("a search needs at least one word to look for, not only exclusions")
        raise SearchSyntaxError("type at least one word to search for")
    query = " AND ".join(group[0] if len(group) == 1 else f"({' OR '.join(group)})" for group in groups)
    if excluded:
        query = f"({query}) NOT ({' OR '.join(excluded)})"
    return query


def _terms(text: str):
    """Yield (negated, term) pairs: quoted FTS5 strings, or a bare OR/AND/NOT operator."""
    position, length = 0, len(text)
    while position < length:
        if text[position].isspace():
            position += 1
            continue
        negated = text[position] == "-" and position + 1 < length and not text[position + 1].isspace()
        if negated:
            position += 1
        if text[position] == '"':
            closing = text.find('"', position + 1)
            end = length if closing == -1 else closing
            body, position = text[position + 1:end], end + 1
        else:
            end = position
            while end < length and not text[end].isspace() and text[end] != '"':
                end += 1
            body, position = text[position:end], end
            if not negated and body in OPERATORS:
                yield False, body
                continue
        prefix = body.endswith("*") or (position < length and text[position] == "*")
        if position < length and text[position] == "*":
            position += 1
        body = body.rstrip("*")
        if any(character.isalnum() for character in body):
            yield negated, '"' + body.replace('"', '""') + '"' + ("*" if prefix else "")


def search_items(db, query: str, *, since: datetime | None = None, limit: int = 10,
                 ranked: bool | None = None) -> list[dict]:
    """Find items matching `query`, newest first or (ranked, or a narrow query) by relevance."""
    match = fts_query(query)
    if limit <= 0:
        return []
    since_text = iso(as_utc(since)) if since else None
    try:
        matches = db.execute("SELECT count(*) FROM (SELECT rowid FROM items_fts WHERE items_fts MATCH ? "
                             "LIMIT ?)", [match, NARROW + 1]).fetchone()[0]
        if ranked is None:
            ranked = matches <= NARROW
        if ranked:
            rowids = _ranked(db, match, since_text, limit)
        elif matches <= NARROW:
            rowids = _newest_by_sorting(db, match, since_text, limit)
        else:
            rowids = _newest_by_streaming(db, match, since_text, limit)
        return _details(db, match, rowids)
    except sqlite3.OperationalError as exc:
        if _is_query_error(exc):
            raise SearchSyntaxError(f"cannot search for {query!r}: {exc}") from exc
        raise


@dataclass(frozen=True)
class SearchPage:
    """One page of a search: its rows, how many items match in all, and the order used."""

    rows: list[dict]
    total: int  # items matching (at most COUNT_CAP)
    total_capped: bool  # more than COUNT_CAP items match
    ranked: bool  # best match first; otherwise newest first
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """Pages there are to read (at most MAX_PAGE)."""
        return min(MAX_PAGE, max(1, -(-self.total // self.per_page)))


def search_page(db, query: str, *, since: datetime | None = None, page: int = 1, per_page: int = 10,
                ranked: bool | None = None) -> SearchPage:
    """Page `page` of the items matching `query`, with the total; newest first unless ranked.

    `ranked=None` ranks a narrow query (every match fits on one page) and orders the rest newest
    first, so a page never hides a newer match behind an older but better one.
    """
    if not 1 <= page <= MAX_PAGE:
        raise SearchSyntaxError(f"page must be from 1 to {MAX_PAGE}, not {page}")
    total = count_matches(db, query, since=since, cap=COUNT_CAP + 1)
    if ranked is None:
        ranked = total <= per_page
    offset = (page - 1) * per_page
    rows = search_items(db, query, since=since, limit=offset + per_page, ranked=ranked)[offset:] \
        if offset < total else []
    return SearchPage(rows=rows, total=min(total, COUNT_CAP), total_capped=total > COUNT_CAP,
                      ranked=ranked, page=page, per_page=per_page)


def count_matches(db, query: str, *, since: datetime | None = None, cap: int = COUNT_CAP) -> int:
    """How many items match `query` (from `since`), counted up to `cap`."""
    match = fts_query(query)
    clause, parameters = _since_clause(iso(as_utc(since)) if since else None)
    join = " JOIN items ON items.rowid = items_fts.rowid" if clause else ""
    try:
        return db.execute(f"""SELECT count(*) FROM (SELECT 1 FROM items_fts{join}
                              WHERE items_fts MATCH ?{clause} LIMIT ?)""", [match, *parameters, cap]).fetchone()[0]
    except sqlite3.OperationalError as exc:
        if _is_query_error(exc):
            raise SearchSyntaxError(f"cannot search for {query!r}: {exc}") from exc
        raise


def _is_query_error(exc: sqlite3.OperationalError) -> bool:
    message = str(exc).lower()
    return any(marker in message for marker in ("fts5", "syntax error", "no such column", "unterminated"))


def _since_clause(since_text: str | None) -> tuple[str, list]:
    return (" AND items.published_at >= ?", [since_text]) if since_text else ("", [])


def _ranked(db, match: str, since_text: str | None, limit: int) -> list[int]:
    """Rowids of the best matches by bm25 (title counts twice as much as summary)."""
    clause, parameters = _since_clause(since_text)
    if not clause:
        rows = db.execute("SELECT rowid FROM items_fts WHERE items_fts MATCH ? "
                          "ORDER BY bm25(items_fts, 2.0, 1.0) LIMIT ?", [match, limit])
    else:
        rows = db.execute(
            f"""SELECT items_fts.rowid FROM items_fts JOIN items ON items.rowid = items_fts.rowid
                WHERE items_fts MATCH ?{clause} ORDER BY bm25(items_fts, 2.0, 1.0) LIMIT ?""",
            [match, *parameters, limit])
    return [row[0] for row in rows]


def _newest_by_sorting(db, match: str, since_text: str | None, limit: int) -> list[int]:
    """Rowids of the newest matches, from all matches sorted by time (few matches)."""
    clause, parameters = _since_clause(since_text)
    rows = db.execute(
        f"""SELECT items.rowid FROM items_fts JOIN items ON items.rowid = items_fts.rowid
            WHERE items_fts MATCH ?{clause} ORDER BY items.published_at DESC, items.rowid DESC LIMIT ?""",
        [match, *parameters, limit])
    return [row[0] for row in rows]


def _newest_by_streaming(db, match: str, since_text: str | None, limit: int) -> list[int]:
    """Rowids of the newest matches of a broad query, read from FTS5 in rowid order.

    The store clamps published_at to fetched_at, so recent items have recent rowids. Matches are
    read newest rowid first; once `limit` candidates are held, every item at least as recent as the
    last one lies at or above the smallest rowid the time index gives for that time, and one more
    range read completes the answer. Exact whatever the order of rowids; fast when it follows time.
    """
    chunk = max(limit * 4, STREAM_CHUNK)
    rows = _stream(db, match, None, chunk)
    best = _keep([], rows, since_text, limit)
    if len(rows) == chunk:
        upper = rows[-1][1]
        # Without `since`, a full chunk always leaves `limit` candidates.
        threshold = best[-1][0] if len(best) >= limit else since_text
        floor = db.execute("SELECT min(rowid) FROM items INDEXED BY items_published WHERE published_at >= ?",
                           [threshold]).fetchone()[0]
        if floor is not None and floor < upper:
            best = _keep(best, _stream(db, match, upper, None, floor), since_text, limit)
    return [rowid for _, rowid in best]


def _stream(db, match: str, upper: int | None, limit: int | None, floor: int | None = None) -> list[tuple]:
    """(published_at, rowid) of matches below rowid `upper` (and from `floor`), highest rowid first."""
    conditions, parameters = ["items_fts MATCH ?"], [match]
    if upper is not None:
        conditions.append("items_fts.rowid < ?")
        parameters.append(upper)
    if floor is not None:
        conditions.append("items_fts.rowid >= ?")
        parameters.append(floor)
    return db.execute(
        f"""SELECT items.published_at, items_fts.rowid FROM items_fts JOIN items ON items.rowid = items_fts.rowid
            WHERE {' AND '.join(conditions)} ORDER BY items_fts.rowid DESC LIMIT ?""",
        [*parameters, -1 if limit is None else limit]).fetchall()


def _keep(best: list[tuple], rows: list[tuple], since_text: str | None, limit: int) -> list[tuple]:
    """The `limit` newest (published_at, rowid) pairs of both lists, from `since_text` on."""
    fresh = [row for row in rows if since_text is None or row[0] >= since_text]
    return sorted(best + fresh, reverse=True)[:limit]


def _details(db, match: str, rowids: list[int]) -> list[dict]:
    """The result dicts for these rowids, in this order, with highlighted snippets.

    The rowids are a filter within one rowid range, not an IN lookup: FTS5 would run the whole
    query once per rowid (costly for a prefix with many expansions).
    """
    if not rowids:
        return []
    marks = ",".join("?" * len(rowids))
    cursor = db.execute(
        f"""SELECT items.rowid, items.id, items.title, items.summary, items.link, items.feed_id,
                   feeds.name, items.published_at, items.story_id,
                   snippet(items_fts, -1, '«', '»', '…', {SNIPPET_TOKENS})
            FROM items_fts JOIN items ON items.rowid = items_fts.rowid
            LEFT JOIN feeds ON feeds.id = items.feed_id
            WHERE items_fts MATCH ? AND items_fts.rowid BETWEEN ? AND ? AND +items_fts.rowid IN ({marks})""",
        [match, min(rowids), max(rowids), *rowids])
    columns = ("id", "title", "summary", "link", "feed_id", "feed_name", "published_at", "story_id",
               "snippet")
    found = {row[0]: dict(zip(columns, row[1:])) for row in cursor}
    return [found[rowid] for rowid in rowids if rowid in found]
