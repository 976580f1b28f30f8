"""The SQLite store: open_db() gives a sqlite-utils Database with WAL, foreign keys and migrations."""

from __future__ import annotations

import logging
from pathlib import Path

import sqlite_utils

from store.migrations import MIGRATIONS

log = logging.getLogger(__name__)


def open_db(path: str | Path, *, check_same_thread: bool = True) -> sqlite_utils.Database:
    """Open (or create) the store at `path`, enable WAL and foreign keys, apply migrations."""
    if str(path) == ":memory:":
        db = sqlite_utils.Database(memory=True)
    else:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        import sqlite3

        conn = sqlite3.connect(str(path), check_same_thread=check_same_thread, timeout=30)
        db = sqlite_utils.Database(conn)
        db.enable_wal()
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA busy_timeout = 30000")
    MIGRATIONS.apply(db)
    return db
