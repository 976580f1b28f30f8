"""One running service per store: an advisory lock on `<store>.lock`, held while `run` lives.

Two services on one store would both deliver every due row. The lock is an flock(2) on a file
next to the store, so it goes away with the process however it ends (SIGKILL included).
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


class StoreLocked(Exception):
    """Another process holds the store's lock."""


def lock_store(store: Path):
    """Take the store's lock without waiting; return the open file that holds it (close to release)."""
    path = Path(f"{store}.lock")
    handle = open(path, "a+")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise StoreLocked(f"{store} is in use by {holder} (lock file {path}); "
                          "only one `watchdesk run` may use a store at a time") from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()}\n")
    handle.flush()
    return handle
