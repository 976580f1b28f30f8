"""One story, many outlets: canonical URLs, near-identical titles, and the store's story join."""

from datetime import datetime, timedelta, timezone

import pytest

from bot.models import Item
from bot.stories import canonical_url, title_similarity, title_tokens
from store.items import insert_item, known_keys

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(("url", "canonical"), [
    ("https://www.dawn.com/news/1?utm_source=rss&utm_medium=feed", "https://dawn.com/news/1"),
    ("http://dawn.com/news/1/#comments", "https://dawn.com/news/1"),
    ("https://DW.com/a/b?maca=en-rss&id=3", "https://dw.com/a/b?id=3"),
    ("https://x.org:443/p?b=2&a=1&fbclid=zz", "https://x.org/p?a=1&b=2"),
    ("https://x.org:8443/p", "https://x.org:8443/p"),
    ("mailto:desk@example.org", None),
    ("", None),
])
def test_canonical_url(url, canonical):
    assert canonical_url(url) == canonical


def test_titles_near_identical_across_outlets_are_similar():
    first = title_tokens("Pakistani and Afghan border forces exchange fire near Chaman")
    second = title_tokens("Pakistani, Afghan border forces exchange fire near Chaman crossing")
    other = title_tokens("Torkham crossing reopens for trade after week-long closure")
    assert title_similarity(first, second) >= 0.75
    assert title_similarity(first, other) < 0.3


def test_short_titles_never_join():
    assert title_similarity(title_tokens("Live updates"), title_tokens("Live updates")) == 0.0


def item(feed_id, key, title, link=None, hours=0.0):
    moment = NOW + timedelta(hours=hours)
    return Item(feed_id=feed_id, dedup_key=key, guid=key, link=link, title=title, summary="",
                published_at=moment, fetched_at=moment)


def test_same_canonical_url_joins_one_story(db):
    with db.conn:
        first_story, joined_first = insert_item(db, item("a", "1", "Headline one here", "https://x.org/s?utm_source=a"), baseline=False)
        second_story, joined_second = insert_item(db, item("b", "2", "Totally different words", "https://www.x.org/s"), baseline=False)
    assert (joined_first, joined_second) == (False, True)
    assert first_story == second_story
    assert db.execute("SELECT outlet_count FROM stories WHERE id = ?", [first_story]).fetchone()[0] == 2


def test_near_identical_titles_join_within_the_window_only(db):
    with db.conn:
        story, _ = insert_item(db, item("a", "1", "Pakistani and Afghan border forces exchange fire near Chaman",
                                        "https://a.org/1"), baseline=False)
        joined_story, joined = insert_item(db, item("b", "2", "Pakistani, Afghan border forces exchange fire near Chaman crossing",
                                                    "https://b.org/9", hours=3), baseline=False)
        late_story, late_joined = insert_item(db, item("c", "3", "Pakistani and Afghan border forces exchange fire near Chaman",
                                                       "https://c.org/7", hours=100), baseline=False)
    assert joined and joined_story == story
    assert not late_joined and late_story != story


def test_known_keys_reports_only_this_feeds_items(db):
    with db.conn:
        insert_item(db, item("a", "k1", "one two three four"), baseline=True)
        insert_item(db, item("b", "k2", "five six seven eight"), baseline=True)
    assert known_keys(db, "a", ["k1", "k2", "k3"]) == {"k1"}


def test_stored_items_are_searchable_including_baseline(db):
    with db.conn:
        insert_item(db, item("a", "k1", "Torkham crossing reopens for trade"), baseline=True)
    rows = db.execute("SELECT items.title FROM items_fts JOIN items ON items.rowid = items_fts.rowid "
                      "WHERE items_fts MATCH 'torkham'").fetchall()
    assert rows == [("Torkham crossing reopens for trade",)]


def test_one_batch_joins_stories_started_earlier_in_the_batch(db):
    from store.items import insert_items, prepare

    batch = [prepare(item("a", "1", "Pakistani and Afghan border forces exchange fire near Chaman", "https://a.org/1")),
             prepare(item("b", "2", "Pakistani, Afghan border forces exchange fire near Chaman crossing",
                          "https://b.org/2", hours=1)),
             prepare(item("c", "3", "A headline in other words entirely", "https://www.a.org/1?utm_source=x")),
             prepare(item("d", "4", "Wheat prices rise in Quetta markets again", "https://d.org/4"))]
    with db.conn:
        placed = insert_items(db, batch)
    first = batch[0].item_id
    assert placed == [(first, False), (first, True), (first, True), (batch[3].item_id, False)]
    assert db.execute("SELECT outlet_count FROM stories WHERE id = ?", [first]).fetchone()[0] == 3
    found = db.execute("SELECT count(*) FROM items_fts WHERE items_fts MATCH 'chaman OR quetta OR headline'")
    assert found.fetchone()[0] == 4


def test_an_item_joins_the_most_similar_story(db):
    with db.conn:
        other, _ = insert_item(db, item("a", "1", "Alpha bravo charlie delta echo foxtrot hotel juliet",
                                        "https://a.org/1"), baseline=False)
        closest, joined = insert_item(db, item("b", "2", "Alpha bravo charlie delta echo foxtrot golf hotel india",
                                               "https://b.org/2"), baseline=False)
        assert not joined and closest != other  # 7 of 10 words shared: two stories
        story, joined = insert_item(db, item("c", "3", "Alpha bravo charlie delta echo foxtrot golf hotel",
                                             "https://c.org/3"), baseline=False)
    assert title_similarity(title_tokens("Alpha bravo charlie delta echo foxtrot golf hotel"),
                            title_tokens("Alpha bravo charlie delta echo foxtrot hotel juliet")) >= 0.75
    assert joined and story == closest


def test_recent_stories_in_memory_agree_with_the_store_and_see_other_writers(db, tmp_path):
    from store import open_db
    from store.items import RecentStories, insert_items, prepare

    recent = RecentStories(limit=4)
    with db.conn:
        first = insert_items(db, [prepare(item("a", "1", "Pakistani and Afghan border forces exchange fire near Chaman",
                                                "https://a.org/1"))], recent)
    recent.commit()
    other = open_db(tmp_path / "watchdesk.db")  # another connection to the same store
    with other.conn:
        insert_item(other, item("b", "2", "Torkham crossing reopens for trade after weeks of closure",
                                "https://b.org/2", hours=1), baseline=False)
    other.close()
    with db.conn:
        placed = insert_items(db, [
            prepare(item("c", "3", "Pakistani, Afghan border forces exchange fire near Chaman crossing", "https://c.org/3",
                         hours=2)),
            prepare(item("d", "4", "Torkham crossing reopens for trade after weeks of closure", "https://d.org/4",
                         hours=2))], recent)
    recent.commit()
    stored_torkham = db.execute("SELECT story_id FROM items WHERE feed_id = 'b'").fetchone()[0]
    assert placed == [(first[0][0], True), (stored_torkham, True)]
    assert recent.covers("2000-01-01T00:00:00+00:00")  # fewer stories than the limit: complete


def test_a_rolled_back_batch_leaves_no_story_in_memory(db):
    from store.items import RecentStories, insert_items, prepare

    recent = RecentStories()
    headline = "Pakistani and Afghan border forces exchange fire near Chaman"
    with pytest.raises(RuntimeError), db.conn:
        insert_items(db, [prepare(item("a", "1", headline, "https://a.org/1"))], recent)
        raise RuntimeError("the transaction fails")
    recent.rollback()
    with db.conn:
        ((story, joined),) = insert_items(db, [prepare(item("b", "2", headline, "https://b.org/2", hours=1))], recent)
    assert not joined and db.execute("SELECT count(*) FROM stories WHERE id = ?", [story]).fetchone()[0] == 1


def test_past_its_limit_memory_keeps_the_newest_and_older_windows_are_probed_in_the_store(db):
    from store.items import RecentStories, insert_items, prepare

    recent = RecentStories(limit=4)
    titles = ["Alpha convoy reaches the crossing point today after delays",
              "Wheat prices climb in Quetta markets this week", "Students protest fee rise at Peshawar university",
              "Flood relief camps open across Swat valley", "Court adjourns hearing on Gilgit land dispute",
              "Election commission announces Bajaur polling schedule"]
    for hour, title in enumerate(titles):
        with db.conn:
            insert_items(db, [prepare(item("a", f"k{hour}", title, f"https://a.org/{hour}", hours=hour))], recent)
        recent.commit()
    assert db.execute("SELECT count(*) FROM stories").fetchone()[0] == 6
    assert recent.boundary and not recent.covers("2026-11-20T00:00:00+00:00")
    with db.conn:
        ((story, joined),) = insert_items(db, [prepare(item("b", "x", "Alpha convoy reaches the crossing point today after delay",
                                                            "https://b.org/x", hours=1))], recent)
    first = db.execute("SELECT story_id FROM items WHERE dedup_key = 'k0'").fetchone()[0]
    assert joined and story == first


def test_recent_stories_offer_the_same_candidates_as_the_store_probe(db):
    """Memory and the story_tokens probe pick the same newest stories per word within each window."""
    import random

    from store.items import RecentStories, _title_candidates, prepare

    rng = random.Random(7)
    words = ["convoy", "border", "ceasefire", "crossing", "refugees", "militants", "governor", "checkpoint",
             "jirga", "customs", "drone", "market", "curfew", "envoy", "tribal", "highway"]
    with db.conn:  # stories an hour or so apart over four days, a small vocabulary: words recur
        for number in range(300):
            title = " ".join(rng.sample(words, 6))
            insert_item(db, item("a", f"k{number}", title, f"https://a.org/{number}", hours=number * 0.3),
                        baseline=False)
    recent = RecentStories()
    recent.sync(db)
    moments = [rng.uniform(-30, 120) for _ in range(40)]
    moments += [rng.randrange(300) * 0.3 + edge for edge in (-48, 48) for _ in range(10)]  # a stored story on the edge
    probes = [prepare(item("b", f"p{number}", " ".join(rng.sample(words, 6)), hours=moment))
              for number, moment in enumerate(moments)]
    stored = _title_candidates(db, probes)
    compared = 0
    for index, entry in enumerate(probes):
        assert recent.covers(entry.times[2])
        in_memory = recent.candidates(entry.prefix, entry.times[2], entry.times[3])
        assert set(in_memory) == {story for story, _ in stored.get(index, ())}
        assert all(in_memory[story] == tokens for story, tokens in stored.get(index, ()))
        compared += bool(in_memory)
    assert compared > 40  # most probes have candidates: the comparison is not vacuous
