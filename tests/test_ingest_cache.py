"""The store's own connection keeps a page cache large enough for batches spread over id-keyed B-trees."""

from store import open_db, open_reader


def test_the_writer_connection_caches_32_mb_of_pages(tmp_path):
    db = open_db(tmp_path / "w.db")
    assert db.execute("PRAGMA cache_size").fetchone()[0] == -32000  # KiB
    reader = open_reader(tmp_path / "w.db")  # readers keep SQLite's default
    assert reader.execute("PRAGMA cache_size").fetchone()[0] == -2000
