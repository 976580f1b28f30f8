"""Sample feeds written for the demo and the tests, and a loopback server for them.

Each sample marks its newest entries between `<!-- second-edition -->` comments: the first
edition (what a feed looked like an hour earlier) leaves them out, so a demo can show a baseline
poll followed by a poll with new items.
"""

from __future__ import annotations

import re
from pathlib import Path

SAMPLES_DIR = Path(__file__).resolve().parent
SAMPLE_FEEDS = {
    # feed id: (file, outlet name, content type)
    "frontier-wire": ("frontier-wire.xml", "Frontier Wire", "application/rss+xml; charset=utf-8"),
    "kabul-ledger": ("kabul-ledger.atom", "Kabul Ledger", "application/atom+xml; charset=utf-8"),
    "border-monitor": ("border-monitor.rdf", "Border Monitor", "application/rdf+xml; charset=utf-8"),
}
_SECOND_EDITION = re.compile(rb"<!-- second-edition -->.*?<!-- /second-edition -->", re.DOTALL)


def sample_body(feed_id: str, edition: int = 2) -> bytes:
    """Return a sample feed's bytes as of edition 1 (older) or 2 (with the newest entries)."""
    file_name = SAMPLE_FEEDS[feed_id][0]
    body = (SAMPLES_DIR / file_name).read_bytes()
    return body if edition >= 2 else _SECOND_EDITION.sub(b"", body)
