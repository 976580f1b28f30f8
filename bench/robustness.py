"""Robustness check: serve every real-world feed file from loopback and poll them all.

    python bench/robustness.py ../shared/feeds-real

Every file must either yield items or leave a recorded error (or a recorded "no entries"
note) in the fetch log; every stored item is then matched against the catalog (rules only);
nothing may crash. Exit 1 otherwise. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

from aiohttp import web

from bot.config import FetchSettings
from bot.feeds.fetch import Fetcher
from bot.feeds.refresh import Refresher
from bot.models import Feed
from store import open_db
from store.feeds import sync_feeds

FEED_SUFFIXES = {".xml", ".rss", ".rdf", ".atom", ".feed", ".html", ".htm", ".txt", ""}


class CrashCounter(logging.Handler):
    """Counts log records that carry an exception: an unexpected crash inside a refresh."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.crashes: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.crashes.append(record.getMessage())


def collect_files(root: Path) -> list[Path]:
    """Every data file under root (README, LICENSE and dotfiles excluded)."""
    return sorted(path for path in root.rglob("*") if path.is_file()
                  and not path.name.startswith(".") and path.name not in ("README.md", "LICENSE")
                  and path.suffix.lower() in FEED_SUFFIXES)


async def serve(files: list[Path]) -> tuple[web.AppRunner, str]:
    """Serve each file at /<index> on 127.0.0.1."""
    async def handler(request: web.Request) -> web.Response:
        path = files[int(request.match_info["index"])]
        return web.Response(body=path.read_bytes(), content_type="application/xml")

    app = web.Application()
    app.router.add_get("/{index}", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}"


async def check(root: Path, matcher=None) -> int:
    """Poll every file once; print the tally; return an exit code."""
    files = collect_files(root)
    counter = CrashCounter()
    logging.getLogger().addHandler(counter)
    runner, base = await serve(files)
    with tempfile.TemporaryDirectory() as directory:
        db = open_db(Path(directory) / "robust.db", check_same_thread=False)
        feeds = tuple(Feed(id=f"f{index}", url=f"{base}/{index}", name=path.name, interval=600,
                           timeout=20, max_bytes=10_000_000) for index, path in enumerate(files))
        sync_feeds(db, feeds, _now())
        started = time.perf_counter()
        async with Fetcher(user_agent="watchdesk-robustness/1 (+loopback)", allow_private=True, concurrency=20,
                           host_spacing=0) as fetcher:
            refresher = Refresher(db, fetcher, settings=FetchSettings(outage_ratio=1.0), matcher=matcher)
            summary = await refresher.poll(feeds, force=True)
            matched = await refresher.match_queued()  # the matcher meets every real-world text too
            refresher.close()
        elapsed = time.perf_counter() - started
        silent = [files[int(result.feed_id[1:])] for result in summary.results
                  if result.outcome not in ("new", "error", "empty")]
        tally = {}
        for result in summary.results:
            tally[result.outcome] = tally.get(result.outcome, 0) + 1
        items = db.execute("SELECT count(*) FROM items").fetchone()[0]
        waiting = db.execute("SELECT count(*) FROM match_queue").fetchone()[0]
        unrecorded = db.execute(
            "SELECT count(*) FROM feeds WHERE id NOT IN (SELECT feed_id FROM fetches)").fetchone()[0]
        db.close()
    await runner.cleanup()
    print(f"robustness: {len(files)} files from {root} in {elapsed:.1f}s; outcomes {tally}; "
          f"{items} items stored, {matched} matched, {waiting} left unmatched; {len(counter.crashes)} crashes; "
          f"{unrecorded} unrecorded")
    for path in silent:
        print(f"  neither items nor a recorded error: {path}")
    for message in counter.crashes[:20]:
        print(f"  crash: {message}")
    return 1 if counter.crashes or silent or unrecorded or waiting else 0


def _now():
    from datetime import datetime, timezone

    return datetime.now(timezone.utc)


def main() -> int:
    """Parse arguments and run the check."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, nargs="?", default=Path("../shared/feeds-real"))
    args = parser.parse_args()
    if not args.root.is_dir():
        print(f"robustness: {args.root} not found; skipped")
        return 0
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("WATCHDESK_SEMANTIC", "0")
    from bot.matching.loader import load_matcher

    return asyncio.run(check(args.root, load_matcher()))


if __name__ == "__main__":
    sys.exit(main())
