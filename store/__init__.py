"""The SQLite store: open_db() gives a sqlite-utils Database with WAL, foreign keys and migrations."""

from __future__ import annotations

import logging
from pathlib import Path

import sqlite_utils

from store.migrations import MIGRATIONS

log = logging.getLogger(__name__)


def open_db(path: str | Path, *, check_same_thread: bool = False) -> sqlite_utils.Database:
    """Open (or create) the store at `path`, enable WAL and foreign keys, apply migrations.

    The connection may be handed to another thread (check_same_thread=False) but must only be
    used by one thread at a time: give each thread that writes its own connection.
    """
    if str(path) == ":memory:":
        db = sqlite_utils.Database(memory=True)
    else:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        import sqlite3

        conn = sqlite3.connect(str(path), check_same_thread=check_same_thread, timeout=30)
        db = sqlite_utils.Database(conn)
        db.enable_wal()
        # With WAL, NORMAL keeps the database consistent after a crash and skips an fsync per commit.
        db.execute("PRAGMA synchronous = NORMAL")
        # Copy the log into the database every 40 MB, not every 4 MB: a page rewritten by many
        # commits between two checkpoints is copied once. The log file is cut back to 64 MB.
        db.execute("PRAGMA wal_autocheckpoint = 10000")
        db.execute("PRAGMA journal_size_limit = 67108864")
        # A 32 MB page cache, not 2 MB: items, mentions, themes and reports are keyed by item id,
        # a hash, so each batch touches pages all over those B-trees. With 2 MB, storing 50,000
        # items read about 16 pages an item back from the file (814,716 reads); with 32 MB, 4
        # (195,642), and the write path's CPU fell from 202-210 to 172-174 us an item. The cache
        # fills only as far as the store's pages are used.
        db.execute("PRAGMA cache_size = -32000")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA busy_timeout = 30000")
    MIGRATIONS.apply(db)
    return db


def open_reader(path: str | Path) -> sqlite_utils.Database:
    """Open an existing store read-only (another process's view of it: WAL lets it read while
    the writer writes). No migrations: the writer's process applied them."""
    import sqlite3

    conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True, check_same_thread=False, timeout=30)
    conn.execute("PRAGMA busy_timeout = 30000")
    return sqlite_utils.Database(conn)


def file_path(db) -> str | None:
    """The file a store lives in; None for a store in memory."""
    for _, name, path in db.execute("PRAGMA database_list").fetchall():
        if name == "main":
            return path or None
    return None


def begin_immediate(db) -> None:
    """Start the transaction now with the write lock held, so what it reads cannot change under it."""
    db.conn.execute("BEGIN IMMEDIATE")
