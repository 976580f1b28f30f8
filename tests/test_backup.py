"""`watchdesk backup FILE` copies the live store consistently, even with a writer holding it open."""

import sqlite3
import subprocess
import sys
from pathlib import Path

from store import open_db

REPO = Path(__file__).resolve().parents[1]


def test_backup_copies_a_live_store(tmp_path):
    config = tmp_path / "feeds.yml"
    config.write_text("store: live.db\nfeeds: []\n")
    live = open_db(tmp_path / "live.db")
    with live.conn:
        live.execute("INSERT INTO meta (key, value) VALUES ('written', 'before backup')")
    # The writer keeps its connection (and WAL) open while the backup runs.
    result = subprocess.run([sys.executable, "-m", "bot", "--config", str(config), "backup",
                             str(tmp_path / "copy.db")], capture_output=True, text=True, cwd=REPO)
    live.close()
    assert result.returncode == 0, result.stderr
    assert "integrity ok" in result.stdout
    copy = sqlite3.connect(tmp_path / "copy.db")
    assert copy.execute("SELECT value FROM meta WHERE key = 'written'").fetchone() == ("before backup",)


def test_backup_refuses_to_overwrite(tmp_path):
    config = tmp_path / "feeds.yml"
    config.write_text("store: live.db\n")
    open_db(tmp_path / "live.db").close()
    (tmp_path / "copy.db").write_text("precious")
    result = subprocess.run([sys.executable, "-m", "bot", "--config", str(config), "backup",
                             str(tmp_path / "copy.db")], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 2  # a usage mistake: choose another file name
    assert "exists" in result.stderr
    assert (tmp_path / "copy.db").read_text() == "precious"
