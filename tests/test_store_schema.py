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
