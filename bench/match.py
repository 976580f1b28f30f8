"""Matcher throughput against flashtext, and per-item latency with and without the semantic scorer.

    python bench/match.py [--megabytes 20] [--entities 2000]

A synthetic catalog (2,000 entities x 5 aliases: names, variants, acronyms) is matched over
~20 MB of news-like text cut into items of ~1.5 KB; the same aliases go into flashtext's
KeywordProcessor and both run in the same process on the same items. Then the real catalog
matches labelled-like items one at a time (rules only, then with the semantic scorer if installed),
and whole feeds of bench/poll.py's synthetic items with `match_many` (rules only). Last, the incident
extractor's own cost per item (after matching), over bench/probes/events.jsonl's items.
"""

from __future__ import annotations

import argparse
import random
import statistics
import string
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.incidents import _TRIGGER  # noqa: E402
from bot.matching.catalog import AliasRule, Catalog, Entity, variants  # noqa: E402
from bot.matching.matcher import Matcher  # noqa: E402

FILLER = ("the officials said on Monday that security forces had moved into the district after reports of "
          "fighting near the border crossing while traders waited for trucks to move and the ministry "
          "promised talks with elders about refugees returning home before winter").split()


def synthetic_catalog(count: int, rng: random.Random) -> tuple[Catalog, list[str]]:
    """A catalog of `count` entities with five aliases each; returns it and the alias texts."""
    entities, rules, names = {}, [], []
    syllables = ["ka", "bu", "li", "tor", "kham", "zai", "mir", "dar", "gul", "sha", "wa", "ran", "pak", "tia",
                 "no", "ber", "qa", "sim", "rud", "hel"]
    seen = set()
    for index in range(count):
        entity_id = f"entity-{index}"
        first = "".join(rng.choice(syllables) for _ in range(3)).capitalize()
        second = "".join(rng.choice(syllables) for _ in range(2)).capitalize()
        acronym = "".join(rng.choice(string.ascii_uppercase) for _ in range(4))
        aliases = [f"{first} {second}", f"{first}-{second}", f"{first}", f"{second} {first} Group", acronym]
        entities[entity_id] = Entity(entity_id, "group", aliases[0])
        for alias in aliases:
            if alias.lower() in seen:
                continue
            seen.add(alias.lower())
            names.append(alias)
            if alias.isupper():
                rules.append(AliasRule(entity_id, alias, alias, True, "acronym"))
            else:
                rules.extend(AliasRule(entity_id, alias, key) for key in variants(alias))
    return Catalog(entities=entities, rules=tuple(rules), themes={}), names


def news_items(names: list[str], megabytes: float, rng: random.Random) -> list[str]:
    """News-like items of ~1.5 KB with an alias every ~12 words."""
    items, total, target = [], 0, int(megabytes * 1_000_000)
    while total < target:
        words = []
        while len(" ".join(words)) < 1500:
            words.extend(rng.sample(FILLER, 11))
            words.append(rng.choice(names) + rng.choice(["", "'s", ",", "."]))
        item = " ".join(words)
        items.append(item)
        total += len(item.encode())
    return items


def throughput(function, items: list[str]) -> tuple[float, int]:
    """MB/s of `function` over the items, and how many matches it reported."""
    found = 0
    started = time.perf_counter()
    for item in items:
        found += len(function(item))
    elapsed = time.perf_counter() - started
    return sum(len(item.encode()) for item in items) / 1e6 / elapsed, found


def latency(matcher, items: list[tuple[str, str]]) -> tuple[float, float]:
    """Mean and p95 milliseconds per item of matcher.match."""
    timings = []
    for title, summary in items:
        started = time.perf_counter()
        matcher.match(title, summary)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return statistics.mean(timings), timings[int(len(timings) * 0.95) - 1]


def incident_latency(matcher, items: list[tuple[str, str]], rounds: int = 5) -> tuple[float, float]:
    """Mean and p95 milliseconds per item of the incident extractor alone (the match is done first)."""
    from bot.incidents import item_incidents

    matched = [({"title": title, "summary": summary}, matcher.match(title, summary)) for title, summary in items]
    for item, result in matched:  # warm up: the first pass compiles the extractor's patterns
        item_incidents(matcher, item, result)
    timings = []
    for _ in range(rounds):
        for item, result in matched:
            started = time.perf_counter()
            item_incidents(matcher, item, result)
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return statistics.mean(timings), timings[int(len(timings) * 0.95) - 1]


def _without_trigger(items: list[tuple[str, str]]) -> int:
    return sum(1 for title, summary in items if not _TRIGGER.search(f"{title}\n{summary}"))


def feed_latency(matcher, feeds: int = 100, items: int = 50) -> float:
    """Milliseconds per feed of matcher.match_many over bench/poll.py's feeds, best of three passes."""
    from datetime import datetime, timezone

    from bot.feeds.parse import parse_feed
    from poll import feed_body

    fetched = datetime.now(timezone.utc)
    batches = [[(item.title, item.summary) for item in
                parse_feed(feed_body(number, items), feed_id=f"feed{number}", fetched_at=fetched).items]
               for number in range(feeds)]
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for batch in batches:
            matcher.match_many(batch)
        best = min(best, time.perf_counter() - started)
    return best * 1000 / feeds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=20.0)
    parser.add_argument("--entities", type=int, default=2000)
    args = parser.parse_args()
    rng = random.Random(7)
    catalog, names = synthetic_catalog(args.entities, rng)
    items = news_items(names, args.megabytes, rng)
    print(f"synthetic catalog: {len(catalog.entities)} entities, {len(names)} aliases "
          f"({len(catalog.rules)} searchable spellings); text: {sum(map(len, items)) / 1e6:.1f} MB in "
          f"{len(items)} items")
    started = time.perf_counter()
    matcher = Matcher(catalog, theme_scorer=False)
    print(f"watchdesk compile: {time.perf_counter() - started:.2f} s")
    ours, our_found = throughput(matcher.find, items)
    from flashtext import KeywordProcessor

    processor = KeywordProcessor(case_sensitive=False)
    for name in names:
        processor.add_keyword(name)
    theirs, their_found = throughput(lambda text: processor.extract_keywords(text, span_info=True), items)
    print(f"{'matcher':<12}{'MB/s':>8}{'matches':>10}")
    print(f"{'watchdesk':<12}{ours:>8.1f}{our_found:>10}")
    print(f"{'flashtext':<12}{theirs:>8.1f}{their_found:>10}")
    print(f"speed-up: {ours / theirs:.1f}x flashtext (target >= 3x)")
    _latencies()


def _latencies() -> None:
    from bot.matching.catalog import load_catalog
    from bot.matching.loader import load_semantic
    from bot.matching.themes import ThemeScorer

    catalog = load_catalog()
    rng = random.Random(3)
    titles = ["Pakistani Taliban claim attack on police post in Lakki Marwat",
              "Torkham crossing reopens for trade after week-long closure",
              "UN chief urges Kabul to lift ban on girls' education",
              "ISKP claims suicide bombing at Shia mosque in Mazar-i-Sharif"]
    items = [(rng.choice(titles), " ".join(rng.sample(FILLER, 30))) for _ in range(300)]
    rules_only = Matcher(catalog, ThemeScorer(catalog))
    mean, p95 = latency(rules_only, items)
    print(f"per item, real catalog, rules only:       mean {mean:.2f} ms, p95 {p95:.2f} ms")
    print(f"per feed of 50 synthetic items, rules only: {feed_latency(rules_only):.2f} ms (match_many)")
    import json

    probes = Path(__file__).resolve().parent / "probes" / "events.jsonl"
    labelled = [(row["title"], row["summary"]) for row in map(json.loads, probes.read_text().splitlines()) if row]
    mean, p95 = incident_latency(rules_only, labelled)
    print(f"per item, incident extractor (after match): mean {mean:.2f} ms, p95 {p95:.2f} ms "
          f"({len(labelled)} probe items)")
    mixed = [(row["title"], row["summary"]) for path in sorted(probes.parent.glob("themes*.jsonl"))
             for row in map(json.loads, path.read_text().splitlines()) if row]
    mean, p95 = incident_latency(rules_only, mixed)
    print(f"per item, incident extractor, news of every kind: mean {mean:.3f} ms, p95 {p95:.3f} ms "
          f"({len(mixed)} theme probe items, {_without_trigger(mixed)} of them with no trigger word)")
    quiet = [(title, summary) for title, summary in mixed if not _TRIGGER.search(f"{title}\n{summary}")]
    mean, p95 = incident_latency(rules_only, quiet)
    print(f"per item, incident extractor, items with no trigger word: mean {mean:.4f} ms, p95 {p95:.4f} ms")
    semantic = load_semantic(True)
    if semantic is None:
        print("per item, with the semantic scorer:       not installed (make semantic)")
        return
    with_semantic = Matcher(catalog, ThemeScorer(catalog, semantic=semantic))
    mean, p95 = latency(with_semantic, items)
    print(f"per item, real catalog, semantic scorer:  mean {mean:.2f} ms, p95 {p95:.2f} ms")


if __name__ == "__main__":
    main()
