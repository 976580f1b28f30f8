"""Items and the stories they belong to. Callers hold the transaction (`with db.conn:`).

Items are written in batches: a batch of any size costs a handful of statements, whatever
the number of feeds it comes from. `prepare` computes an item's story keys (canonical URL,
title words) and is pure, so it runs off the store thread.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from bot.models import Item
from bot.stories import (MIN_TITLE_TOKENS, STORY_WINDOW_HOURS, TITLE_SIMILARITY, canonical_url,
                         title_prefix, title_tokens)
from store.feeds import iso

CANDIDATES = 8  # stories read per title word, newest first
_CHUNK = 500  # bound parameters per IN (...) list
_WINDOW = timedelta(hours=STORY_WINDOW_HOURS)


@dataclass(frozen=True)
class NewItem:
    """An item ready to be stored: its story keys computed, and whether it is a baseline."""

    item: Item
    item_id: str
    canonical: str | None
    tokens: tuple[str, ...]  # significant title words, sorted
    prefix: tuple[str, ...]  # the words indexed and probed for near-identical titles
    times: tuple[str, str, str, str]  # published, fetched, story window start and end, as stored
    baseline: bool = False


def prepare(item: Item, *, baseline: bool = False) -> NewItem:
    """Compute an item's id, story keys and stored times (pure: call it anywhere)."""
    tokens = title_tokens(item.title)
    published = item.published_at
    times = (iso(published), iso(item.fetched_at), iso(published - _WINDOW), iso(published + _WINDOW))
    return NewItem(item, item.id, canonical_url(item.link), tokens, title_prefix(tokens), times, baseline)


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


def insert_item(db, item: Item, *, baseline: bool) -> tuple[str, bool]:
    """Store one new item with its story; return (story_id, joined an existing story)."""
    return insert_items(db, [prepare(item, baseline=baseline)])[0]


def insert_items(db, new: Sequence[NewItem]) -> list[tuple[str, bool]]:
    """Store new items, in order, each in its story; return (story_id, joined) for each.

    An item joins the story of an item with the same canonical URL, else the story whose title
    is most similar (at least TITLE_SIMILARITY) among those first seen within the window around
    it, stored or earlier in this batch; otherwise it starts a story. The items' text goes into
    the search index in the same transaction.
    """
    if not new:
        return []
    by_url = _stories_by_url(db, {entry.canonical for entry in new if entry.canonical})
    candidates = _title_candidates(db, [entry if entry.canonical not in by_url else None for entry in new])
    batch_tokens: dict[str, deque] = {}  # token -> the newest stories of this batch with it
    stories, story_tokens, item_rows, joined_ids, placed = [], [], [], {}, []
    for index, entry in enumerate(new):
        item, item_id = entry.item, entry.item_id
        published, fetched = entry.times[0], entry.times[1]
        story_id = by_url.get(entry.canonical) if entry.canonical else None
        if story_id is None and entry.prefix:
            story_id = _similar_story(entry, candidates.get(index, ()), batch_tokens)
        joined = story_id is not None
        if story_id is None:
            story_id, first_seen = item_id, published
            stories.append((story_id, item.title, entry.canonical, item_id, first_seen, fetched,
                            " ".join(entry.tokens)))
            for token in entry.prefix:
                story_tokens.append((token, story_id, first_seen))
                batch_tokens.setdefault(token, deque(maxlen=CANDIDATES)).append((story_id, first_seen, entry.tokens))
        else:
            joined_ids[story_id] = fetched
        if entry.canonical:
            by_url.setdefault(entry.canonical, story_id)
        item_rows.append((item_id, item.feed_id, item.dedup_key, item.guid, item.link, entry.canonical,
                          item.title, item.summary, item.author, published, fetched, int(entry.baseline),
                          item.source, story_id))
        placed.append((story_id, joined))
    conn = db.conn
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
    conn.executemany(
        """UPDATE stories SET last_seen_at = ?, outlet_count =
           (SELECT count(DISTINCT feed_id) FROM items WHERE story_id = ?) WHERE id = ?""",
        [(seen, story_id, story_id) for story_id, seen in joined_ids.items()])
    return placed


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
    best, best_score = None, 0.0
    if len(entry.tokens) < MIN_TITLE_TOKENS:
        return None
    words, count = frozenset(entry.tokens), len(entry.tokens)
    for story_id, tokens in options.items():
        if len(tokens) < MIN_TITLE_TOKENS:
            continue
        shared = len(words.intersection(tokens))  # Jaccard, as stories.title_similarity, sets built once
        score = shared / (count + len(tokens) - shared)
        if score >= TITLE_SIMILARITY and score > best_score:
            best, best_score = story_id, score
    return best


def item_count(db, feed_id: str | None = None) -> int:
    """Count stored items, for one feed or all."""
    if feed_id is None:
        return db.execute("SELECT count(*) FROM items").fetchone()[0]
    return db.execute("SELECT count(*) FROM items WHERE feed_id = ?", [feed_id]).fetchone()[0]
