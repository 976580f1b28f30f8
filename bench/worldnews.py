"""World-news precision: poll every real-world feed file from loopback and list the themes given.

    python bench/worldnews.py ../shared/feeds-real

The files are world news, mostly far from the desk's region. Each is served from 127.0.0.1 and
polled once through the fetcher, parser, store and default matcher (see bench/robustness.py).
Printed: items stored, items that name no regional entity, how many of those got a theme (the
target is none), and every themed item with its themes and cues, for a reader to check.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from robustness import _now, collect_files, serve  # noqa: E402
from bot.config import FetchSettings
from bot.feeds.fetch import Fetcher
from bot.feeds.refresh import Refresher
from bot.models import Feed
from store import open_db
from store.feeds import sync_feeds


async def poll_all(root: Path, matcher) -> list[tuple[str, list[str], list[tuple[str, list[str]]]]]:
    """Poll every file once; return each stored item as (title, entity ids, [(theme, cues)])."""
    files = collect_files(root)
    runner, base = await serve(files)
    try:
        with tempfile.TemporaryDirectory() as directory:
            db = open_db(Path(directory) / "worldnews.db", check_same_thread=False)
            feeds = tuple(Feed(id=f"f{index}", url=f"{base}/{index}", name=path.name, interval=600,
                               timeout=20, max_bytes=10_000_000) for index, path in enumerate(files))
            sync_feeds(db, feeds, _now())
            async with Fetcher(user_agent="watchdesk-worldnews/1 (+loopback)", allow_private=True, concurrency=20,
                               host_spacing=0) as fetcher:
                refresher = Refresher(db, fetcher, settings=FetchSettings(outage_ratio=1.0), matcher=matcher)
                await refresher.poll(feeds, force=True)
                await refresher.match_queued()
                refresher.close()
            items = _stored(db)
            db.close()
    finally:
        await runner.cleanup()
    return items


def _stored(db):
    """Every stored item with its entities and themes."""
    entities, themes = {}, {}
    for item_id, entity_id in db.execute("SELECT item_id, entity_id FROM item_entities"):
        entities.setdefault(item_id, set()).add(entity_id)
    for item_id, theme_id, cues in db.execute("SELECT item_id, theme_id, cues FROM item_themes"):
        themes.setdefault(item_id, []).append((theme_id, json.loads(cues)))
    return [(title, sorted(entities.get(item_id, ())), themes.get(item_id, []))
            for item_id, title in db.execute("SELECT id, title FROM items ORDER BY feed_id, published_at")]


def report(items, not_regional: frozenset[str]) -> None:
    """Print the tally and the themed items."""
    far = [item for item in items if not any(entity not in not_regional for entity in item[1])]
    far_themed = [item for item in far if item[2]]
    share = 100 * len(far_themed) / len(far) if far else 0.0
    themed = [item for item in items if item[2]]
    print(f"worldnews: {len(items)} items stored; {len(far)} name no regional entity; "
          f"{len(far_themed)} of those got a theme ({share:.1f}%); {len(themed)} items themed in all")
    for title, entities, themes in themed:
        marker = "  FAR " if (title, entities, themes) in far_themed else "  "
        listed = "; ".join(f"{theme} {cues}" for theme, cues in themes)
        print(f"{marker}{title[:90]!r}\n      themes: {listed}\n      entities: {', '.join(entities) or '-'}")


def main() -> int:
    """Parse arguments, poll, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, nargs="?", default=Path("../shared/feeds-real"))
    args = parser.parse_args()
    if not args.root.is_dir():
        print(f"worldnews: {args.root} not found; skipped")
        return 0
    logging.basicConfig(level=logging.CRITICAL)
    os.environ.setdefault("WATCHDESK_SEMANTIC", "0")
    from bot.matching.loader import load_matcher
    matcher = load_matcher()
    report(asyncio.run(poll_all(args.root, matcher)), matcher.catalog.not_regional())
    return 0


if __name__ == "__main__":
    sys.exit(main())
