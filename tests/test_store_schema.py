"""The store opens with WAL, foreign keys and every documented table, and migrates idempotently."""

from store import open_db
from store.migrations import MIGRATIONS

DOCUMENTED = ["feeds", "fetches", "items", "items_fts", "stories", "entities", "aliases",
              "relations", "themes", "item_entities", "item_themes", "subscriptions", "outbox",
              "digests", "outages", "meta", "story_tokens"]


def test_tables_wal_and_foreign_keys(db):
    assert set(DOCUMENTED) <= set(db.table_names())
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_every_table_is_documented_in_the_migrations_docstring():
    for table in DOCUMENTED:
        assert f"\n{table} " in migrations_doc()


def migrations_doc():
    import store.migrations as module

    return module.__doc__


def test_reopening_applies_nothing_twice(tmp_path):
    path = tmp_path / "w.db"
    open_db(path).close()
    again = open_db(path)
    assert MIGRATIONS.pending(again) == []
    assert again.execute("select count(*) from _sqlite_migrations").fetchone()[0] == len(MIGRATIONS._migrations)


def test_the_match_tables_keep_their_rows_when_they_lose_their_rowid(tmp_path):
    import sqlite3

    import sqlite_utils

    path = tmp_path / "old.db"
    old = sqlite_utils.Database(sqlite3.connect(path))
    MIGRATIONS.apply(old, stop_before="m013_match_tables_without_rowid")
    old.execute("INSERT INTO items (id, feed_id, dedup_key, title, published_at, fetched_at) "
                "VALUES ('i1', 'f', 'k1', 'T', '2026-11-20T08:00:00+00:00', '2026-11-20T08:00:00+00:00')")
    old.execute("""INSERT INTO item_entities (item_id, entity_id, alias, start, "end", rule, published_at)
                   VALUES ('i1', 'ttp', 'TTP', 0, 3, 'alias', '2026-11-20T08:00:00+00:00')""")
    old.execute("INSERT INTO entity_days (entity_id, day, mentions) VALUES ('ttp', '2026-11-20', 1)")
    old.execute("INSERT INTO item_themes (item_id, theme_id, score, cues) VALUES ('i1', 'security', 2.5, '[]')")
    old.conn.commit()
    old.close()
    db = open_db(path)
    for table in ("item_entities", "item_themes"):
        assert "WITHOUT ROWID" in db.execute("SELECT sql FROM sqlite_master WHERE name = ?", [table]).fetchone()[0]
    assert db.execute('SELECT item_id, entity_id, alias, start, "end", published_at FROM item_entities').fetchall() == [
        ("i1", "ttp", "TTP", 0, 3, "2026-11-20T08:00:00+00:00")]
    assert db.execute("SELECT item_id, theme_id, score FROM item_themes").fetchall() == [("i1", "security", 2.5)]
    with db.conn:  # the count of mentions per day still follows deletions
        db.execute("DELETE FROM item_entities WHERE item_id = 'i1'")
    assert db.execute("SELECT mentions FROM entity_days WHERE entity_id = 'ttp'").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM item_entities").fetchone()[0] == 0
