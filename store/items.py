"""Items and the stories they belong to. Callers hold the transaction (`with db.conn:`).

Items are written in batches: a batch of any size costs a handful of statements, whatever
the number of feeds it comes from. `prepare` computes an item's story keys (canonical URL,
title words) and is pure, so it runs off the store thread.
"""

from __future__ import annotations

import bisect
import json
import sys
from collections import deque
from collections.abc import Iterable, Sequence
from typing import NamedTuple
from datetime import timedelta

from bot.models import Item
from bot.stories import (STORY_WINDOW_HOURS, TITLE_SIMILARITY, canonical_url, title_prefix,
                         title_similarity, title_tokens)
from bot.clock import iso

CANDIDATES = 8  # stories read per title word, newest first
_CHUNK = 500  # bound parameters per IN (...) list
_WINDOW = timedelta(hours=STORY_WINDOW_HOURS)


class NewItem(NamedTuple):
    """An item ready to be stored: its story keys computed, its row built, and whether it is a baseline.

    Plain strings and tuples, so that a batch of them is cheap to send from a worker process.
    """

    item_id: str
    feed_id: str
    dedup_key: str
    title: str
    summary: str
    canonical: str | None
    tokens: tuple[str, ...]  # significant title words, sorted
    prefix: tuple[str, ...]  # the words indexed and probed for near-identical titles
    times: tuple[str, str, str, str]  # published, fetched, story window start and end, as stored
    row: tuple  # the items row but its story: id, feed_id, dedup_key, guid, link, canonical_url, title,
    # summary, author, published_at, fetched_at, is_baseline, source
    baseline: bool = False


def prepare(item: Item, *, baseline: bool = False) -> NewItem:
    """Compute an item's id, story keys and stored row (pure: call it anywhere)."""
    tokens = title_tokens(item.title)
    published = item.published_at
    times = (iso(published), iso(item.fetched_at), iso(published - _WINDOW), iso(published + _WINDOW))
    item_id, canonical = item.id, canonical_url(item.link)
    row = (item_id, item.feed_id, item.dedup_key, item.guid, item.link, canonical, item.title, item.summary,
           item.author, times[0], times[1], int(baseline), item.source)
    return NewItem(item_id, item.feed_id, item.dedup_key, item.title, item.summary, canonical, tokens,
                   title_prefix(tokens), times, row, baseline)


def known_keys(db, feed_id: str, keys: list[str]) -> set[str]:
    """Return which of these dedup keys a feed already has."""
    found: set[str] = set()
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start:start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        rows = db.execute(f"SELECT dedup_key FROM items WHERE feed_id = ? AND dedup_key IN ({marks})",
                          [feed_id, *chunk]).fetchall()
        found.update(row[0] for row in rows)
    return found


def reposts(db, feed_id: str, new: Sequence[NewItem]) -> set[str]:
    """Ids of the entries that re-post an item of the same feed (or of this batch).

    A re-post has a new guid but the same canonical URL (tracking parameters differ) and the same
    or a near-identical title. It is not a second report of the story: it is not stored.
    """
    with_url = [entry for entry in new if entry.canonical]
    earlier: dict[str, list[tuple[str, ...]]] = {}
    urls = sorted({entry.canonical for entry in with_url})
    for start in range(0, len(urls), _CHUNK):
        chunk = urls[start:start + _CHUNK]
        rows = db.execute(f"SELECT canonical_url, title FROM items WHERE feed_id = ? AND canonical_url IN "
                          f"({','.join('?' * len(chunk))})", [feed_id, *chunk]).fetchall()
        for url, title in rows:
            earlier.setdefault(url, []).append(title_tokens(title or ""))
    found = set()
    for entry in with_url:
        seen = earlier.setdefault(entry.canonical, [])
        if any(tokens == entry.tokens or title_similarity(entry.tokens, tokens) >= TITLE_SIMILARITY
               for tokens in seen):
            found.add(entry.item_id)
        else:
            seen.append(entry.tokens)
    return found


def insert_item(db, item: Item, *, baseline: bool) -> tuple[str, bool]:
    """Store one new item with its story; return (story_id, joined an existing story)."""
    return insert_items(db, [prepare(item, baseline=baseline)])[0]


class RecentStories:
    """The title words of recent stories, in memory, so the story join reads no index per item.

    Complete for every story first seen after `boundary`: the newest `limit` stories are loaded
    on first use, stories other connections add are read on each sync (by rowid), and the
    owner's own are added once its transaction commits. An item whose window reaches back past
    the boundary is probed in the store instead. Only the thread that writes items may use it.
    """

    def __init__(self, limit: int = 150_000):  # two days of a thousand busy feeds' stories (memory: README)
        self.limit = limit
        self.boundary: str | None = None  # None: not loaded yet; "": complete for all time
        self._by_token: dict[str, tuple[list[str], list[str]]] = {}  # token -> (first_seen times, stories), by time
        self._words: dict[str, tuple[str, ...]] = {}
        self._first_seen: dict[str, str] = {}
        self._max_rowid = 0
        self._staged: list[tuple[str, str, tuple[str, ...], tuple[str, ...]]] = []
        self._staged_rowid = 0

    def sync(self, db) -> None:
        """Load on first use; then read the stories other connections stored since the last sync."""
        if self.boundary is None:
            rows = db.execute("SELECT id, first_seen_at, title_tokens FROM stories ORDER BY first_seen_at DESC "
                              "LIMIT ?", [self.limit]).fetchall()
            self._by_token, self._words, self._first_seen = {}, {}, {}
            self.boundary = rows[-1][1] if len(rows) == self.limit else ""
            self._max_rowid = db.execute("SELECT coalesce(max(rowid), 0) FROM stories").fetchone()[0]
        else:
            rows = db.execute("SELECT id, first_seen_at, title_tokens FROM stories WHERE rowid > ?",
                              [self._max_rowid]).fetchall()
            if rows:
                self._max_rowid = db.execute("SELECT max(rowid) FROM stories").fetchone()[0]
        for story_id, first_seen, stored in rows:
            tokens = tuple(stored.split())
            self._add(story_id, first_seen, tokens, title_prefix(tokens))

    def covers(self, low: str) -> bool:
        """Whether every stored story first seen at or after `low` is here."""
        return self.boundary is not None and low > self.boundary

    def candidates(self, prefix: tuple[str, ...], low: str, high: str) -> dict[str, tuple[str, ...]]:
        """The newest CANDIDATES stories per word first seen within [low, high], as the store probe."""
        found, words = {}, self._words
        for token in prefix:
            seen = self._by_token.get(token)
            if seen is None:
                continue
            times, stories = seen
            end = bisect.bisect_right(times, high)
            start = bisect.bisect_left(times, low, max(0, end - CANDIDATES), end)
            for story_id in stories[start:end]:
                found[story_id] = words[story_id]
        return found

    def stage(self, story_id: str, first_seen: str, tokens: tuple[str, ...], prefix: tuple[str, ...]) -> None:
        """Remember a story written in the open transaction."""
        self._staged.append((story_id, first_seen, tokens, prefix))

    def stage_rowid(self, db) -> None:
        """After writing stories (the write lock held): note the newest rowid, so sync skips them."""
        self._staged_rowid = db.execute("SELECT coalesce(max(rowid), 0) FROM stories").fetchone()[0]

    def commit(self) -> None:
        """The transaction committed: its stories are stored, so they join the index."""
        for story in self._staged:
            self._add(*story)
        self._max_rowid = max(self._max_rowid, self._staged_rowid)
        self._staged = []
        if len(self._words) > self.limit:
            self._prune()

    def rollback(self) -> None:
        """The transaction rolled back: forget what it wrote."""
        self._staged = []

    def _add(self, story_id: str, first_seen: str, tokens: tuple[str, ...], prefix: tuple[str, ...]) -> None:
        if story_id in self._words:
            return
        # Words recur across titles: keep one copy of each.
        self._words[story_id], self._first_seen[story_id] = tuple(map(sys.intern, tokens)), first_seen
        for token in prefix:
            times, stories = self._by_token.setdefault(token, ([], []))
            position = bisect.bisect_right(times, first_seen)  # mostly the end: stories come in time order
            times.insert(position, first_seen)
            stories.insert(position, story_id)

    def _prune(self) -> None:
        """Keep the newest three quarters of the limit; the boundary moves up to the newest story dropped."""
        times = sorted(self._first_seen.values())
        cutoff = times[-(self.limit * 3 // 4) - 1]
        kept: dict[str, tuple[list[str], list[str]]] = {}
        for token, (seen, stories) in self._by_token.items():
            start = bisect.bisect_right(seen, cutoff)
            if start < len(seen):
                kept[token] = (seen[start:], stories[start:])
        self._by_token = kept
        self._first_seen = {story: first_seen for story, first_seen in self._first_seen.items() if first_seen > cutoff}
        self._words = {story: self._words[story] for story in self._first_seen}
        self.boundary = max(self.boundary or "", cutoff)


def insert_items(db, new: Sequence[NewItem], recent: RecentStories | None = None) -> list[tuple[str, bool]]:
    """Store new items, in order, each in its story; return (story_id, joined) for each.

    An item joins the story of an item with the same canonical URL, else the story whose title
    is most similar (at least TITLE_SIMILARITY) among those first seen within the window around
    it, stored or earlier in this batch; otherwise it starts a story. The items' text goes into
    the search index in the same transaction. With `recent`, stories are looked up in memory
    where it covers the item's window; the caller commits or rolls `recent` back with its
    transaction.
    """
    if not new:
        return []
    by_url = _stories_by_url(db, {entry.canonical for entry in new if entry.canonical})
    if recent is not None:
        recent.sync(db)
    in_memory = [recent is not None and recent.covers(entry.times[2]) for entry in new]
    candidates = _title_candidates(db, [None if entry.canonical in by_url or remembered else entry
                                        for entry, remembered in zip(new, in_memory)])
    batch_tokens: dict[str, deque] = {}  # token -> the newest stories of this batch with it
    stories, story_tokens, item_rows, joined_ids, placed = [], [], [], {}, []
    for index, entry in enumerate(new):
        item_id = entry.item_id
        published, fetched = entry.times[0], entry.times[1]
        story_id = by_url.get(entry.canonical) if entry.canonical else None
        if story_id is None and entry.prefix:
            known = candidates.get(index, ())
            if in_memory[index]:
                known = recent.candidates(entry.prefix, entry.times[2], entry.times[3]).items()
            story_id = _similar_story(entry, known, batch_tokens)
        joined = story_id is not None
        if story_id is None:
            story_id, first_seen = item_id, published
            stories.append((story_id, entry.title, entry.canonical, item_id, first_seen, fetched,
                            " ".join(entry.tokens)))
            if recent is not None:
                recent.stage(story_id, first_seen, entry.tokens, entry.prefix)
            for token in entry.prefix:
                story_tokens.append((token, story_id, first_seen))
                batch_tokens.setdefault(token, deque(maxlen=CANDIDATES)).append((story_id, first_seen, entry.tokens))
        else:
            joined_ids[story_id] = fetched
        if entry.canonical:
            by_url.setdefault(entry.canonical, story_id)
        item_rows.append((*entry.row, story_id))
        placed.append((story_id, joined))
    write_rows(db, stories, story_tokens, item_rows, joined_ids)
    if recent is not None:
        recent.stage_rowid(db)
    return placed


def write_rows(db, stories: Sequence[tuple], story_tokens: Sequence[tuple], item_rows: Sequence[tuple],
               joined: dict[str, str]) -> None:
    """Write placed items: new stories and their words, the items and their search entries, and
    the stories items joined (an outlet more for each feed new to the story, last seen). A
    statement or two each, whatever the size.

    Rows: stories (id, title, canonical_url, first_item_id, first_seen_at, last_seen_at,
    title_tokens); story_tokens (token, story_id, first_seen_at); items (id, feed_id, dedup_key,
    guid, link, canonical_url, title, summary, author, published_at, fetched_at, is_baseline,
    source, story_id); joined {story_id: last_seen_at}.
    """
    conn = db.conn
    outlets = _new_outlets(db, stories, item_rows, joined)
    conn.executemany(
        """INSERT INTO stories (id, title, canonical_url, first_item_id, first_seen_at, last_seen_at,
           outlet_count, title_tokens) VALUES (?, ?, ?, ?, ?, ?, 1, ?)""", stories)
    conn.executemany("INSERT OR IGNORE INTO story_tokens (token, story_id, first_seen_at) VALUES (?, ?, ?)",
                     story_tokens)
    last_rowid = conn.execute("SELECT coalesce(max(rowid), 0) FROM items").fetchone()[0]
    conn.executemany(
        """INSERT INTO items (id, feed_id, dedup_key, guid, link, canonical_url, title, summary, author,
           published_at, fetched_at, is_baseline, source, story_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
        item_rows)
    index_items(db, after_rowid=last_rowid)
    conn.executemany("UPDATE stories SET last_seen_at = ?, outlet_count = outlet_count + ? WHERE id = ?",
                     [(seen, outlets.get(story_id, 0), story_id) for story_id, seen in joined.items()])


def _new_outlets(db, stories: Sequence[tuple], item_rows: Sequence[tuple], joined) -> dict[str, int]:
    """How many feeds each joined story gains: those of the joining items that have no item in
    it yet (stored, or the item that starts it in this batch). Read before the items are written."""
    pairs = {(row[13], row[1]) for row in item_rows if row[13] in joined}
    if not pairs:
        return {}
    feed_of = {row[0]: row[1] for row in item_rows}
    started = {story[0]: feed_of.get(story[3]) for story in stories}
    pairs -= {(story_id, feed_id) for story_id, feed_id in started.items()}
    stored = sorted(pair for pair in pairs if pair[0] not in started)
    for start in range(0, len(stored), _CHUNK * 4):
        chunk = stored[start:start + _CHUNK * 4]
        pairs -= set(map(tuple, db.execute(
            """SELECT p.value ->> 0, p.value ->> 1 FROM json_each(?) p WHERE EXISTS
               (SELECT 1 FROM items WHERE story_id = p.value ->> 0 AND feed_id = p.value ->> 1)""",
            [json.dumps(chunk)])))
    gained: dict[str, int] = {}
    for story_id, _ in pairs:
        gained[story_id] = gained.get(story_id, 0) + 1
    return gained


def index_items(db, *, after_rowid: int) -> None:
    """Add the text of items stored after `after_rowid` to the search index (items_fts).

    The store's write path calls it; edits and deletions reach the index by triggers. Adding
    rows in one statement, not a trigger per row, keeps the index's segments few and large.
    """
    db.conn.execute("INSERT INTO items_fts (rowid, title, summary) SELECT rowid, title, summary FROM items "
                    "WHERE rowid > ?", [after_rowid])


def _stories_by_url(db, urls: Iterable[str]) -> dict[str, str]:
    """The story already holding each canonical URL, for those that have one."""
    urls, found = list(urls), {}
    for start in range(0, len(urls), _CHUNK):
        chunk = urls[start:start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        for url, story_id in db.execute(
                f"SELECT canonical_url, story_id FROM items WHERE canonical_url IN ({marks}) "
                "AND story_id IS NOT NULL", chunk):
            found.setdefault(url, story_id)
    return found


def _title_candidates(db, new: Sequence[NewItem | None]) -> dict[int, list[tuple[str, tuple[str, ...]]]]:
    """Stored stories that share a title word with each item, within its window: one query in all.

    Each (item, word) probe reads at most CANDIDATES stories, newest first, from one index range,
    so a common word costs a short scan, not a scan of every story.
    """
    probes = []
    for index, entry in enumerate(new):
        if entry is not None and entry.prefix:
            low, high = entry.times[2], entry.times[3]
            probes.extend((index, token, low, high) for token in entry.prefix)
    found: dict[int, dict[str, tuple[str, ...]]] = {}
    for start in range(0, len(probes), _CHUNK * 4):
        chunk = probes[start:start + _CHUNK * 4]
        rows = db.execute(
            f"""SELECT p.value ->> 0, s.id, s.title_tokens FROM json_each(?) p JOIN stories s ON s.id IN (
                SELECT story_id FROM story_tokens WHERE token = p.value ->> 1
                AND first_seen_at BETWEEN p.value ->> 2 AND p.value ->> 3
                ORDER BY first_seen_at DESC LIMIT {CANDIDATES})""",
            [json.dumps(chunk)])
        for index, story_id, stored in rows:
            found.setdefault(index, {})[story_id] = tuple(stored.split())
    return {index: list(stories.items()) for index, stories in found.items()}


def _similar_story(entry: NewItem, stored, batch_tokens) -> str | None:
    """The story whose title is most like this item's, stored or new in this batch, if near-identical."""
    low, high = entry.times[2], entry.times[3]
    options = dict(stored)
    for token in entry.prefix:
        for story_id, first_seen, tokens in batch_tokens.get(token, ()):
            if low <= first_seen <= high:
                options[story_id] = tokens
    best, best_score, words = None, 0.0, frozenset(entry.tokens)
    for story_id, tokens in options.items():
        score = title_similarity(words, tokens)
        if score >= TITLE_SIMILARITY and score > best_score:
            best, best_score = story_id, score
    return best


def item_count(db, feed_id: str | None = None) -> int:
    """Count stored items, for one feed or all."""
    if feed_id is None:
        return db.execute("SELECT count(*) FROM items").fetchone()[0]
    return db.execute("SELECT count(*) FROM items WHERE feed_id = ?", [feed_id]).fetchone()[0]


def items_by_prefix(db, prefix: str, limit: int = 2) -> list[tuple[str, str, str]]:
    """Items whose id starts with `prefix`: (id, title, summary), at most `limit`."""
    return db.execute("SELECT id, title, summary FROM items WHERE id LIKE ? LIMIT ?", [prefix + "%", limit]).fetchall()


def item_text(db, item_id: str) -> tuple[str, str] | None:
    """(title, summary) of the item with this id, or else the first whose id starts with it."""
    return db.execute("SELECT title, summary FROM items WHERE id = ? OR id LIKE ? LIMIT 1",
                      [item_id, item_id + "%"]).fetchone()


def title_and_feed(db, item_id: str) -> tuple[str, str] | None:
    """(title, feed id) of an item."""
    return db.execute("SELECT title, feed_id FROM items WHERE id = ?", [item_id]).fetchone()


def alert_item_row(db, item_id: str) -> dict | None:
    """An item with its outlet's name, as alerts show it; None for an unknown id."""
    rows = list(db.query(
        """SELECT items.id, items.story_id, items.title, items.summary, items.link, items.published_at,
                  items.is_baseline, feeds.name AS outlet
           FROM items LEFT JOIN feeds ON feeds.id = items.feed_id WHERE items.id = ?""", [item_id]))
    return rows[0] if rows else None
