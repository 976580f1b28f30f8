"""CPU per item of incident extraction, and its output, to compare before and after a change.

    python bench/incident_speed.py record FILE   # every text's incidents (fields and spans), one line each
    python bench/incident_speed.py check FILE    # the same, compared with FILE: prints how many differ
    python bench/incident_speed.py time [--passes 5]

Texts: those bench/stage_digest.py reads, plus the reference poll bench's bodies
(../shared/bench/pollbench_server.py, parsed as a refresh does). The matcher runs once beforehand;
only `item_incidents` is measured, in CPU seconds (min over passes, each with the extractor's caches
emptied first) per item.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stage_digest import FETCHED, HERE, sources  # noqa: E402
from bot.feeds.parse import parse_feed  # noqa: E402
from bot import incidents  # noqa: E402
from bot.incidents import item_incidents  # noqa: E402
from bot.matching.loader import load_matcher  # noqa: E402

SERVER = HERE.parent.parent / "shared" / "bench" / "pollbench_server.py"


def reference_texts(feeds: int = 4) -> list[tuple[str, str]]:
    """The reference server's items: its `addr` and `body` functions, run here."""
    if not SERVER.exists():
        return []
    tree = ast.parse(SERVER.read_text(encoding="utf-8"))
    scope: dict = {}
    wanted = [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name in ("addr", "body")]
    exec(compile(ast.Module(body=wanted, type_ignores=[]), str(SERVER), "exec"), scope)  # noqa: S102
    texts = []
    for number in range(feeds):
        parsed = parse_feed(scope["body"](number, "0"), feed_id="ref", fetched_at=FETCHED, content_type=None,
                            base_url=None, known_guid_reuse=False)
        texts.extend((item.title, item.summary) for item in parsed.items)
    return texts


def corpus() -> list[tuple[str, list[tuple[str, str]]]]:
    found = sources([HERE.parent.parent / "shared" / "feeds-real"], HERE.parent.parent / "shared" / "eval")
    return [*found, ("reference bench bodies", reference_texts())]


def lines(matcher, texts, results):
    for (title, summary), result in zip(texts, results):
        found = item_incidents(matcher, {"title": title, "summary": summary}, result)
        yield json.dumps([[i.record(), sorted(i.spans.items())] for i in found], sort_keys=True, default=str)


def cold() -> None:
    """Forget what the extractor keeps between texts (its lru caches): ingest sees each item once."""
    for value in vars(incidents).values():
        if hasattr(value, "cache_clear"):
            value.cache_clear()


def cpu_per_item(matcher, texts, results, passes: int) -> float:
    best = float("inf")
    for _ in range(passes):
        cold()
        started = time.process_time()
        for (title, summary), result in zip(texts, results):
            item_incidents(matcher, {"title": title, "summary": summary}, result)
        best = min(best, time.process_time() - started)
    return best / max(len(texts), 1) * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("record", "check", "time"))
    parser.add_argument("file", nargs="?", type=Path)
    parser.add_argument("--passes", type=int, default=5)
    args = parser.parse_args()
    matcher = load_matcher()
    named = [(name, texts, matcher.match_many(texts)) for name, texts in corpus()]
    if args.mode == "time":
        every = [(t, r) for _, texts, results in named for t, r in zip(texts, results)]
        reference = next(entry for entry in named if entry[0] == "reference bench bodies")
        feeds = [entry for entry in named if entry[0].startswith("feeds/")]
        for label, texts, results in [reference, *feeds,
                                      ("all texts", [t for t, _ in every], [r for _, r in every])]:
            print(f"{label:<28} {len(texts):>6} texts  {cpu_per_item(matcher, texts, results, args.passes):8.1f} us/item")
        return 0
    out = [line for _, texts, results in named for line in lines(matcher, texts, results)]
    if args.mode == "record":
        args.file.write_text("\n".join(out) + "\n", encoding="utf-8")
        print(f"{len(out)} texts recorded")
        return 0
    old = args.file.read_text(encoding="utf-8").splitlines()
    differ = sum(a != b for a, b in zip(old, out)) + abs(len(old) - len(out))
    print(f"{len(out)} texts, {differ} differ" + ("" if differ else ": identical output"))
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
