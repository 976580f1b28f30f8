"""A consistent copy of a live store (SQLite's online backup: safe while the service writes)."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def backup_store(source: Path, target: Path) -> str:
    """Copy the store at `source` into a new file `target`; return the copy's integrity check."""
    reader = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    writer = sqlite3.connect(target)
    try:
        with writer:
            reader.backup(writer)
        return writer.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        reader.close()
        writer.close()
