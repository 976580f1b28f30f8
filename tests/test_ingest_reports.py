"""incident_reports after m014: a rowid table whose (item_id, ordinal) stays unique; old rows survive."""

import sqlite3

import pytest
import sqlite_utils

from store import open_db
from store import incidents as incident_store
from store.items import index_items
from store.migrations import MIGRATIONS

SEEN = "2026-11-20T08:00:00+00:00"


def _item(db, item_id: str) -> None:
    db.execute("INSERT INTO items (id, feed_id, dedup_key, title, published_at, fetched_at) VALUES (?, 'f', ?, 'T', ?, ?)",
               [item_id, f"k-{item_id}", SEEN, SEEN])
    index_items(db, after_rowid=0)  # as the write path does


def test_reports_stored_before_the_migration_keep_every_field(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(sqlite3.connect(path))
    MIGRATIONS.apply(old, stop_before="m014_incident_reports_with_rowid")
    _item(old, "i1")
    old.execute("INSERT INTO incidents (type, actor, claimed, place, region, killed, injured, first_seen_at, "
                "last_seen_at, first_item_id, reports) VALUES ('bombing', 'ttp', 1, 'Bannu', NULL, 3, NULL, ?, ?, "
                "'i1', 1)", [SEEN, SEEN])
    old.execute("INSERT INTO incident_reports (item_id, ordinal, incident_id, type, actor, claimed, place, region, "
                "killed, injured, spans, seen_at) VALUES ('i1', 0, 1, 'bombing', 'ttp', 1, 'Bannu', NULL, 3, NULL, "
                "'{\"type\": [0, 5]}', ?)", [SEEN])
    old.conn.commit()
    old.close()
    db = open_db(path)
    assert "WITHOUT ROWID" not in db.execute(
        "SELECT sql FROM sqlite_master WHERE name = 'incident_reports'").fetchone()[0]
    assert db.execute("SELECT item_id, ordinal, incident_id, type, actor, claimed, place, killed, spans, seen_at "
                      "FROM incident_reports").fetchall() == [
        ("i1", 0, 1, "bombing", "ttp", 1, "Bannu", 3, '{"type": [0, 5]}', SEEN)]
    assert [report["item_id"] for report in incident_store.reports(db, 1)] == ["i1"]
    with pytest.raises(sqlite3.IntegrityError), db.conn:  # an item still reports each ordinal once
        db.execute("INSERT INTO incident_reports (item_id, ordinal, incident_id, type, spans, seen_at) "
                   "VALUES ('i1', 0, 1, 'bombing', '{}', ?)", [SEEN])
    with db.conn:  # deleting the item still takes its reports with it
        db.execute("DELETE FROM items WHERE id = 'i1'")
    assert db.execute("SELECT count(*) FROM incident_reports").fetchone()[0] == 0

