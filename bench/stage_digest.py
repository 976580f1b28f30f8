"""What the staging step computes, as one digest per source: compare it before and after a change.

    python bench/stage_digest.py [--feeds DIR ...] [--eval ../shared/eval] [--verbose]

Texts: the eval sets (dev.jsonl, dev-events.jsonl), every bench/probes/*.jsonl, the items of every
feed file under each --feeds folder (default ../shared/feeds-real; parsed and prepared as a refresh
does), and bench/poll.py's synthetic feeds.
For each text it records the matcher's entity and theme rows and the incidents (every field and
span); it prints, per source, the number of texts and a digest of those records. A change that is
meant only to be faster must print the same lines. --verbose prints every record instead.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("WATCHDESK_SEMANTIC", "0")

from bot.feeds.parse import parse_feed  # noqa: E402
from bot.incidents import item_incidents  # noqa: E402
from bot.matching.loader import load_matcher  # noqa: E402
from store import items as item_store  # noqa: E402
from store import matches as match_store  # noqa: E402

HERE = Path(__file__).resolve().parent
FETCHED = datetime(2026, 11, 30, tzinfo=timezone.utc)


def jsonl_texts(path: Path) -> list[tuple[str, str]]:
    texts = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            texts.append((str(record.get("title") or ""), str(record.get("summary") or "")))
    return texts


def feed_texts(path: Path) -> list[tuple[str, str]]:
    parsed = parse_feed(path.read_bytes(), feed_id="digest", fetched_at=FETCHED, content_type=None,
                        base_url=None, known_guid_reuse=False)
    return [(entry.title, entry.summary) for entry in (item_store.prepare(item) for item in parsed.items)]


def sources(feeds: list[Path], evals: Path) -> list[tuple[str, list[tuple[str, str]]]]:
    found = [(f"eval/{name}", jsonl_texts(evals / name)) for name in ("dev.jsonl", "dev-events.jsonl")
             if (evals / name).exists()]
    found += [(f"probes/{path.name}", jsonl_texts(path)) for path in sorted((HERE / "probes").glob("*.jsonl"))]
    from bench.robustness import collect_files

    for folder in feeds:
        texts = []
        for path in collect_files(folder):
            try:
                texts.extend(feed_texts(path))
            except Exception:  # noqa: BLE001 - a file the parser refuses has no texts here
                continue
        found.append((f"feeds/{folder.name}", texts))
    from bench.poll import feed_body

    texts = []
    for number in range(20):
        parsed = parse_feed(feed_body(number, 50), feed_id="digest", fetched_at=FETCHED, content_type=None,
                            base_url=None, known_guid_reuse=False)
        texts.extend((item.title, item.summary) for item in parsed.items)
    found.append(("bench/poll.py feeds", texts))
    return found


def records(matcher, texts: list[tuple[str, str]]):
    results = matcher.match_many(texts)
    for (title, summary), result in zip(texts, results):
        entities, themes = match_store.match_rows("x", result, "t")
        incidents = item_incidents(matcher, {"title": title, "summary": summary}, result)
        yield {"entities": entities, "themes": themes,
               "incidents": [(i.type, i.actor, i.claimed, i.place, i.region, i.killed, i.injured,
                              sorted(i.spans.items())) for i in incidents]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=Path, action="append")
    parser.add_argument("--eval", type=Path, default=HERE.parent.parent / "shared" / "eval")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    matcher = load_matcher()
    total, seconds = 0, 0.0
    feeds = args.feeds or [HERE.parent.parent / "shared" / "feeds-real"]
    for name, texts in sources(feeds, args.eval):
        started = time.process_time()
        digest = hashlib.sha256()
        incidents = 0
        for record in records(matcher, texts):
            line = json.dumps(record, sort_keys=True, default=str)
            digest.update(line.encode())
            incidents += len(record["incidents"])
            if args.verbose:
                print(name, line)
        seconds += time.process_time() - started
        total += len(texts)
        print(f"{name:<32} {len(texts):>6} texts {incidents:>5} incidents  {digest.hexdigest()[:16]}")
    print(f"{total} texts, {seconds:.2f} s CPU (matching and incidents)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
