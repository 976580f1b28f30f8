"""Items and the stories they belong to. Callers hold the transaction (`with db.conn:`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.models import Item
from bot.stories import (STORY_WINDOW_HOURS, TITLE_SIMILARITY, canonical_url, title_prefix,
                         title_similarity, title_tokens)
from store.feeds import iso

CANDIDATES = 8


def known_keys(db, feed_id: str, keys: list[str]) -> set[str]:
    """Return which of these dedup keys a feed already has."""
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        marks = ",".join("?" * len(chunk))
        rows = db.execute(f"SELECT dedup_key FROM items WHERE feed_id = ? AND dedup_key IN ({marks})",
                          [feed_id, *chunk]).fetchall()
        found.update(row[0] for row in rows)
    return found


def find_story(db, canonical: str | None, tokens: tuple[str, ...], published_at: datetime) -> str | None:
    """Find the story an item belongs to: same canonical URL, or a near-identical recent title."""
    if canonical:
        row = db.execute("SELECT story_id FROM items WHERE canonical_url = ? AND story_id IS NOT NULL "
                         "LIMIT 1", [canonical]).fetchone()
        if row:
            return row[0]
    prefix = title_prefix(tokens)
    if not prefix:
        return None
    window = [iso(published_at - timedelta(hours=STORY_WINDOW_HOURS)),
              iso(published_at + timedelta(hours=STORY_WINDOW_HOURS))]
    candidates: dict[str, None] = {}
    for token in prefix:  # one index range per token, newest first, so LIMIT stops the scan early
        for (story_id,) in db.execute(
                f"""SELECT story_id FROM story_tokens WHERE token = ? AND first_seen_at BETWEEN ? AND ?
                    ORDER BY first_seen_at DESC LIMIT {CANDIDATES}""", [token, *window]):
            candidates[story_id] = None
    if not candidates:
        return None
    marks = ",".join("?" * len(candidates))
    rows = db.execute(f"SELECT id, title_tokens FROM stories WHERE id IN ({marks})", list(candidates)).fetchall()
    for story_id, stored in rows:
        if title_similarity(tokens, tuple(stored.split())) >= TITLE_SIMILARITY:
            return story_id
    return None


def _create_story(db, item: Item, canonical: str | None, tokens: tuple[str, ...]) -> str:
    first_seen = iso(item.published_at)
    db.execute(
        """INSERT INTO stories (id, title, canonical_url, first_item_id, first_seen_at, last_seen_at,
           outlet_count, title_tokens) VALUES (?, ?, ?, ?, ?, ?, 1, ?)""",
        [item.id, item.title, canonical, item.id, first_seen, iso(item.fetched_at), " ".join(tokens)],
    )
    db.conn.executemany("INSERT OR IGNORE INTO story_tokens (token, story_id, first_seen_at) VALUES (?, ?, ?)",
                        [(token, item.id, first_seen) for token in title_prefix(tokens)])
    return item.id


def insert_item(db, item: Item, *, baseline: bool) -> tuple[str, bool]:
    """Store a new item and attach it to its story; return (story_id, joined an existing story)."""
    canonical = canonical_url(item.link)
    tokens = title_tokens(item.title)
    story_id = find_story(db, canonical, tokens, item.published_at)
    joined = story_id is not None
    if story_id is None:
        story_id = _create_story(db, item, canonical, tokens)
    db.execute(
        """INSERT INTO items (id, feed_id, dedup_key, guid, link, canonical_url, title, summary, author,
           published_at, fetched_at, is_baseline, source, story_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
        [item.id, item.feed_id, item.dedup_key, item.guid, item.link, canonical, item.title,
         item.summary, item.author, iso(item.published_at), iso(item.fetched_at), int(baseline),
         item.source, story_id],
    )
    if joined:
        db.execute(
            """UPDATE stories SET last_seen_at = ?, outlet_count =
               (SELECT count(DISTINCT feed_id) FROM items WHERE story_id = ?) WHERE id = ?""",
            [iso(item.fetched_at), story_id, story_id],
        )
    return story_id, joined


def item_count(db, feed_id: str | None = None) -> int:
    """Count stored items, for one feed or all."""
    if feed_id is None:
        return db.execute("SELECT count(*) FROM items").fetchone()[0]
    return db.execute("SELECT count(*) FROM items WHERE feed_id = ?", [feed_id]).fetchone()[0]
