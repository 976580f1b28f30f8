"""Search and entity lookups against a real SQLite store with fixed rows and times."""

from __future__ import annotations

import random
import sqlite3
from datetime import date, datetime, timedelta, timezone

import pytest

from store import lookup, search
from bot.clock import iso
from store.items import index_items
from store.matches import write_matches
from store.search import SearchSyntaxError, search_items

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=timezone.utc)


# ---------------------------------------------------------------- rows, shared with test_digest and test_trend

def add_feed(db, feed_id: str, name: str) -> None:
    """Insert a feed row."""
    db.execute("INSERT INTO feeds (id, url, name, created_at) VALUES (?, ?, ?, ?)",
               [feed_id, f"https://{feed_id}.example/rss", name, iso(NOW - timedelta(days=90))])


def add_entity(db, entity_id: str, name: str, *, aliases=(), relations=()) -> None:
    """Insert an entity with its aliases and relations."""
    db.execute("INSERT INTO entities (id, type, name) VALUES (?, 'group', ?)", [entity_id, name])
    for alias in aliases:
        db.execute("INSERT INTO aliases (alias, entity_id) VALUES (?, ?)", [alias, entity_id])
    for relation, target in relations:
        db.execute("INSERT INTO relations (entity_id, relation, target_id) VALUES (?, ?, ?)",
                   [entity_id, relation, target])


def add_theme(db, theme_id: str, name: str) -> None:
    """Insert a theme."""
    db.execute("INSERT INTO themes (id, name) VALUES (?, ?)", [theme_id, name])


def add_item(db, item_id: str, *, title: str, published: datetime, feed: str = "dawn", summary: str = "",
             story: str | None = None, entities=(), themes=(), link: str | None = None,
             baseline: bool = False) -> None:
    """Insert an item (and its story if new), its entity matches and its theme scores."""
    story = story or item_id
    if not db.execute("SELECT 1 FROM stories WHERE id = ?", [story]).fetchone():
        db.execute("INSERT INTO stories (id, title, first_item_id, first_seen_at, last_seen_at) "
                   "VALUES (?, ?, ?, ?, ?)", [story, title, item_id, iso(published), iso(published)])
    last_rowid = db.execute("SELECT coalesce(max(rowid), 0) FROM items").fetchone()[0]
    db.execute(
        """INSERT INTO items (id, feed_id, dedup_key, link, title, summary, published_at, fetched_at,
           story_id, is_baseline) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [item_id, feed, item_id, link or f"https://{feed}.example/{item_id}", title, summary,
         iso(published), iso(published), story, int(baseline)])
    index_items(db, after_rowid=last_rowid)
    write_matches(db, [item_id], [(item_id, entity_id, entity_id, position * 10, position * 10 + 3, "alias", None)
                                  for position, entity_id in enumerate(entities)],
                  [(item_id, theme_id, score, "[]") for theme_id, score in themes], replace=False)


@pytest.fixture
def feeds(db):
    """Two feeds."""
    with db.conn:
        add_feed(db, "dawn", "Dawn")
        add_feed(db, "geo", "Geo News")
    return db


# ---------------------------------------------------------------- query text

@pytest.mark.parametrize("text, expected", [
    ("taliban border", '"taliban" AND "border"'),
    ('"cross border" attack', '"cross border" AND "attack"'),
    ("ttp OR taliban attack", '("ttp" OR "taliban") AND "attack"'),
    ("border -clash", '("border") NOT ("clash")'),
    ('border -"trade route"', '("border") NOT ("trade route")'),
    ("bord*", '"bord"*'),
    ('"unbalanced', '"unbalanced"'),
    ("al-Qaeda's", '"al-Qaeda\'s"'),
])
def test_fts_query_quotes_every_term(text, expected):
    assert search.fts_query(text) == expected


@pytest.mark.parametrize("text", ["AND OR (", "", "   ", "-border", '""', "*", "NOT ttp", "((("])
def test_query_without_anything_to_find_is_a_syntax_error(feeds, text):
    with pytest.raises(SearchSyntaxError) as caught:
        search_items(feeds, text)
    assert str(caught.value)


@pytest.mark.parametrize("text", ['"unbalanced', "NEAR(border", "border:", "title:border", "^border",
                                  "border)", "bo\"rder", "{border}", "border AND", "border OR OR",
                                  "border NOT", "-", "border -", "border --clash", "'border'"])
def test_punctuation_never_reaches_sqlite_as_syntax(feeds, text):
    with feeds.conn:
        add_item(feeds, "a", title="Border crossing reopened", summary="unbalanced trade", published=NOW)
    try:
        results = search_items(feeds, text)
    except SearchSyntaxError:
        return
    except sqlite3.OperationalError as exc:  # pragma: no cover - the failure this test exists for
        pytest.fail(f"{text!r} raised {exc}")
    assert isinstance(results, list)


def test_unbalanced_quote_searches_the_rest_as_a_phrase(feeds):
    with feeds.conn:
        add_item(feeds, "a", title="Talks", summary="an unbalanced trade deficit", published=NOW)
        add_item(feeds, "b", title="Other", summary="trade is unbalanced", published=NOW)
    assert [row["id"] for row in search_items(feeds, '"unbalanced trade')] == ["a"]


# ---------------------------------------------------------------- ordering and filters

def test_newest_first_and_ranked_orders(feeds):
    with feeds.conn:
        add_item(feeds, "old", title="Border clash on the border, border posts hit", published=NOW - timedelta(days=3))
        add_item(feeds, "new", title="Wheat prices", summary="trucks wait at the border for days",
                 published=NOW - timedelta(hours=1), feed="geo")
    newest = search_items(feeds, "border", ranked=False)
    ranked = search_items(feeds, "border", ranked=True)
    assert [row["id"] for row in newest] == ["new", "old"]
    assert [row["id"] for row in ranked] == ["old", "new"]
    assert [row["id"] for row in search_items(feeds, "border")] == ["old", "new"]  # narrow: ranked
    first = newest[0]
    assert first["feed_name"] == "Geo News" and first["feed_id"] == "geo"
    assert first["published_at"] == iso(NOW - timedelta(hours=1))
    assert first["story_id"] == "new" and first["link"] == "https://geo.example/new"
    assert "«border»" in first["snippet"]
    assert set(first) == {"id", "title", "summary", "link", "feed_id", "feed_name", "published_at",
                          "story_id", "snippet"}


def test_prefix_exclusion_phrase_or_and_since(feeds):
    with feeds.conn:
        add_item(feeds, "a", title="Border clash near Chaman", published=NOW - timedelta(days=2))
        add_item(feeds, "b", title="Borderlands trade fair", published=NOW - timedelta(days=1))
        add_item(feeds, "c", title="Clash of ministers over budget", published=NOW - timedelta(hours=2))
    ids = lambda text, **options: [row["id"] for row in search_items(feeds, text, ranked=False, **options)]  # noqa: E731
    assert ids("border*") == ["b", "a"]
    assert ids("border") == ["a"]
    assert ids("border* -clash") == ["b"]
    assert ids('"border clash"') == ["a"]
    assert ids('"clash border"') == []
    assert ids("chaman OR budget") == ["c", "a"]
    assert ids("clash", since=NOW - timedelta(days=1)) == ["c"]
    assert ids("border*", limit=1) == ["b"]


def _market_items(db, count: int, seed: int, *, shuffled: bool = True) -> dict[str, datetime]:
    """Insert `count` items about the market, in time order or in an order unrelated to it."""
    rng = random.Random(seed)
    minutes = rng.sample(range(60 * 24 * 30), count)  # distinct times: the expected order is unique
    times = {f"item{number:03d}": NOW - timedelta(minutes=minutes[number]) for number in range(count)}
    order = sorted(times, key=times.get)
    if shuffled:
        rng.shuffle(order)
    with db.conn:
        for index, item_id in enumerate(order):
            add_item(db, item_id, title=f"Market report {index}", summary="wheat prices at the market",
                     published=times[item_id], feed="dawn" if index % 2 else "geo")
    return times


@pytest.mark.parametrize("narrow, shuffled", [(search.NARROW, True), (5, True), (0, True), (0, False)])
def test_broad_newest_first_is_exact_whatever_the_insert_order(feeds, monkeypatch, narrow, shuffled):
    monkeypatch.setattr(search, "NARROW", narrow)
    monkeypatch.setattr(search, "STREAM_CHUNK", 1)
    times = _market_items(feeds, 240, seed=narrow, shuffled=shuffled)
    expected = sorted(times, key=lambda item_id: (times[item_id], item_id), reverse=True)
    since = NOW - timedelta(days=3)
    recent = [item_id for item_id in expected if times[item_id] >= since]
    assert [row["id"] for row in search_items(feeds, "market", ranked=False, limit=25)] == expected[:25]
    assert [row["id"] for row in search_items(feeds, "mark*", limit=7)] == expected[:7]
    assert [row["id"] for row in search_items(feeds, "report", ranked=False, limit=1)] == expected[:1]
    assert [row["id"] for row in search_items(feeds, "wheat market", since=since, limit=500)] == recent
    assert len(recent) < 500


def test_broad_query_with_ranked_none_is_newest_first(feeds):
    times = _market_items(feeds, search.NARROW + 20, seed=3)
    newest = max(times, key=lambda item_id: (times[item_id], item_id))
    results = search_items(feeds, "market")
    assert results[0]["id"] == newest
    assert [row["published_at"] for row in results] == sorted((row["published_at"] for row in results),
                                                              reverse=True)


# ---------------------------------------------------------------- lookups

@pytest.fixture
def mentions(feeds):
    """TTP named in items over 40 days, with Kabul and Pakistan alongside some of them."""
    db = feeds
    with db.conn:
        add_entity(db, "ttp", "Tehrik-e-Taliban Pakistan", aliases=("TTP", "Pakistani Taliban"),
                   relations=(("based-in", "afghanistan"), ("allied-with", "al-qaeda")))
        add_entity(db, "afghanistan", "Afghanistan")
        add_entity(db, "kabul", "Kabul")
        add_entity(db, "pakistan", "Pakistan")
        add_item(db, "d1", title="one", published=NOW - timedelta(days=1), entities=("ttp", "kabul", "pakistan"))
        add_item(db, "d2", title="two", published=NOW - timedelta(days=2), entities=("ttp", "kabul"), feed="geo")
        add_item(db, "d3", title="three", published=NOW - timedelta(days=6, hours=23), entities=("ttp", "kabul"))
        add_item(db, "d10", title="ten", published=NOW - timedelta(days=10), entities=("ttp", "pakistan"))
        add_item(db, "d20", title="twenty", published=NOW - timedelta(days=20), entities=("ttp",))
        add_item(db, "d40", title="forty", published=NOW - timedelta(days=40), entities=("ttp", "pakistan"))
        add_item(db, "other", title="no ttp", published=NOW - timedelta(days=1), entities=("kabul",))
        # a second span of the same entity in d1 is still one item
        write_matches(db, ["d1"], [("d1", "ttp", "TTP", 50, 53, "alias", None)], [], replace=False)
    return db


def test_mention_counts_count_distinct_items_in_windows(mentions):
    assert lookup.mention_counts(mentions, "ttp", NOW) == {"7d": 3, "30d": 5}
    assert lookup.mention_counts(mentions, "kabul", NOW) == {"7d": 4, "30d": 4}
    assert lookup.mention_counts(mentions, "nobody", NOW) == {"7d": 0, "30d": 0}


def test_latest_items_newest_first(mentions):
    latest = lookup.latest_items(mentions, "ttp", limit=3)
    assert [row["id"] for row in latest] == ["d1", "d2", "d3"]
    assert latest[1] == {"id": "d2", "title": "two", "link": "https://geo.example/d2", "feed_name": "Geo News",
                         "published_at": iso(NOW - timedelta(days=2))}
    assert [row["id"] for row in lookup.latest_items(mentions, "ttp")] == ["d1", "d2", "d3", "d10", "d20"]
    assert lookup.latest_items(mentions, "nobody") == []


def test_co_mentioned_counts_shared_items_in_window(mentions):
    assert lookup.co_mentioned(mentions, "ttp", now=NOW) == [("kabul", "Kabul", 3), ("pakistan", "Pakistan", 2)]
    assert lookup.co_mentioned(mentions, "ttp", now=NOW, days=5) == [("kabul", "Kabul", 2),
                                                                     ("pakistan", "Pakistan", 1)]
    assert lookup.co_mentioned(mentions, "ttp", now=NOW, limit=1) == [("kabul", "Kabul", 3)]
    assert lookup.co_mentioned(mentions, "pakistan", now=NOW, days=60) == [
        ("ttp", "Tehrik-e-Taliban Pakistan", 3), ("kabul", "Kabul", 1)]


def test_daily_mentions_one_entry_per_day_with_zeros(mentions):
    series = lookup.daily_mentions(mentions, "ttp", days=8, now=NOW)
    assert [day for day, _ in series] == [date(2026, 11, 18) + timedelta(days=offset) for offset in range(8)]
    assert dict(series) == {date(2026, 11, 18): 1, date(2026, 11, 19): 0, date(2026, 11, 20): 0,
                            date(2026, 11, 21): 0, date(2026, 11, 22): 0, date(2026, 11, 23): 1,
                            date(2026, 11, 24): 1, date(2026, 11, 25): 0}


def test_entity_row_aliases_relations(mentions):
    assert lookup.entity_row(mentions, "ttp") == {"id": "ttp", "type": "group",
                                                  "name": "Tehrik-e-Taliban Pakistan", "description": ""}
    assert lookup.entity_row(mentions, "nobody") is None
    assert lookup.entity_aliases(mentions, "ttp") == ["Pakistani Taliban", "TTP"]
    assert lookup.entity_relations(mentions, "ttp") == [("allied-with", "al-qaeda", "al-qaeda"),
                                                        ("based-in", "afghanistan", "Afghanistan")]


def test_migrations_create_the_lookup_indexes(mentions):
    names = {row[0] for row in mentions.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"items_id_published", "item_entities_entity_time"} <= names
    assert lookup.mention_counts(mentions, "ttp", NOW) == {"7d": 3, "30d": 5}
