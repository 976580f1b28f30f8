"""Digest, lookup and search over a synthetic store of 1,000,000 items.

    python bench/digest.py [--items 1000000] [--days 100] [--last-day 10000] [--store PATH] [--rebuild]

The store is built once (in a child process, cached at --store unless --rebuild): 30 feeds,
the shipped catalog, items spread over --days days with --last-day items on the last one, titles
and summaries drawn from a Zipf-weighted vocabulary, about 1.5 entities and one theme per item,
stories of one to four outlets. Then it prints, against their targets: build_digest over the last
day, a lookup (entity_row + mention_counts + latest_items + co_mentioned) p95 over 200 random
entities, search_items p95 over 200 queries of common and rare words, and peak resident memory.
"""

from __future__ import annotations

import argparse
import os
import json
import multiprocessing
import random
import resource
import statistics
import sys
import time
from functools import partial
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULT_STORE = Path("/tmp/watchdesk-bench-digest.db")
END = datetime(2026, 11, 25, 8, 0, tzinfo=timezone.utc)
FEEDS = 30
ENTITIES = 60
CHUNK = 50_000
DESK_WORDS = ("border police convoy district minister talks ceasefire crossing trade refugees militants "
              "attack province security council envoy delegation raid checkpoint governor market drone "
              "strike tribal elders jirga highway customs officials protest students clinic vaccination "
              "flood relief court verdict election budget wheat prices fuel shortage curfew killed injured "
              "soldiers army operation meeting says report government officials sources statement "
              "accused arrested blast blasts suicide bomber mosque school women rights aid camp returnees "
              "deported visa embassy envoy spokesman foreign ministry sanctions designation talks "
              "delegation dialogue agreement trucks transit exports imports closed reopened").split()


def vocabulary(size: int = 60_000) -> list[str]:
    """Desk words first, then pronounceable made-up ones: headline vocabularies are large."""
    rng = random.Random(0)
    syllables = ["ka", "ra", "bul", "sha", "ni", "zai", "gul", "mir", "dar", "wal", "tan", "stan",
                 "qa", "hi", "lo", "pe", "sho", "war", "ab", "ad", "ja", "ma", "ba", "khan", "tor"]
    words = list(dict.fromkeys(DESK_WORDS))
    seen = set(words)
    while len(words) < size:
        word = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


# ---------------------------------------------------------------------------- building the store

def _cumulative(weights: list[float]) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


def _bulk_schema(db, drop: bool, saved: list[str]) -> list[str]:
    """Drop (or recreate) the FTS triggers and secondary indexes around a bulk load."""
    if drop:
        rows = db.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL AND "
                          "((type = 'trigger' AND tbl_name = 'items') OR (type = 'index' AND name IN "
                          "('items_published', 'items_story', 'items_canonical_url', "
                          "'item_entities_entity', 'item_themes_theme')))").fetchall()
        for name, _ in rows:
            kind = "TRIGGER" if name.startswith("items_a") else "INDEX"
            db.execute(f"DROP {kind} {name}")
        return [sql for _, sql in rows]
    for sql in saved:
        db.execute(sql)
    return saved


def build_store(path: Path, items: int, days: int, last_day: int) -> None:
    """Create the synthetic store at `path` (replacing any file there)."""
    from bot.matching.catalog import load_catalog
    from store import open_db
    from store.catalog import sync_catalog
    from bot.clock import iso

    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    db = open_db(path)
    catalog = load_catalog()
    with db.conn:
        sync_catalog(db, catalog)
        db.conn.executemany(
            "INSERT INTO feeds (id, url, name, created_at, baseline_done) VALUES (?, ?, ?, ?, 1)",
            [(f"outlet{n}", f"https://outlet{n}.example/rss", f"Outlet {n} News", iso(END - timedelta(days=days)))
             for n in range(FEEDS)])
    db.execute("PRAGMA journal_mode = MEMORY")
    db.execute("PRAGMA synchronous = OFF")
    db.execute("PRAGMA cache_size = -500000")
    saved = _bulk_schema(db, True, [])
    rng = random.Random(42)
    words = vocabulary()
    word_weights = _cumulative([1.0 / (rank + 10) for rank in range(len(words))])
    entities = [(entity.id, entity.name) for entity in catalog.entities.values()][:ENTITIES]
    themes = list(catalog.themes)
    per_day = [(items - last_day) // (days - 1)] * (days - 1) + [last_day]
    per_day[0] += items - sum(per_day)
    start_day = END - timedelta(days=days)
    written = 0
    buffers: dict[str, list] = {"items": [], "stories": [], "entities": [], "themes": []}
    for day, count in enumerate(per_day):
        day_start = start_day + timedelta(days=day)
        day_items = 0
        while day_items < count:
            size = min(count - day_items, rng.choice((1, 1, 1, 1, 2, 2, 3, 4)))
            _story(rng, words, word_weights, entities, themes, day_start, size, buffers,
                   written + len(buffers["items"]))
            day_items += size
            if len(buffers["items"]) >= CHUNK:
                written += _flush(db, buffers)
        written += _flush(db, buffers)
        if day % 10 == 9:
            print(f"  {written:,} items ({time.perf_counter() - started:.0f} s)", flush=True)
    print("  indexing...", flush=True)
    with db.conn:
        _bulk_schema(db, False, saved)
        db.execute("INSERT INTO items_fts(items_fts) VALUES ('rebuild')")
        db.execute("INSERT INTO items_fts(items_fts) VALUES ('optimize')")
    db.execute("ANALYZE")
    db.execute("PRAGMA journal_mode = WAL")
    db.close()
    print(f"  built {written:,} items in {time.perf_counter() - started:.0f} s", flush=True)


def _story(rng, words, word_weights, entities, themes, day_start, size, buffers, serial) -> None:
    """Append one story of `size` outlets (items, entity matches, themes) to the buffers."""
    from bot.clock import iso

    story_entities = rng.sample(entities, rng.choice((1, 1, 2, 2, 2)))
    story_themes = rng.sample(themes, rng.choice((0, 1, 1, 1, 2)))
    base_title = rng.choices(words, cum_weights=word_weights, k=rng.randint(6, 10))
    published = day_start + timedelta(seconds=rng.randrange(86_400 - 3600))
    times = sorted(published + timedelta(seconds=rng.randrange(3600)) for _ in range(size))
    story_id = None
    for outlet, item_time in zip(rng.sample(range(FEEDS), size), times):
        item_id = f"{rng.getrandbits(64):016x}"
        story_id = story_id or item_id
        title_words = list(base_title)
        title_words.insert(rng.randrange(len(title_words)), "{}")
        title = " ".join(title_words).replace("{}", story_entities[0][1])
        title = title[0].upper() + title[1:]
        mention = title.lower().find(story_entities[0][1].lower())
        summary_words = rng.choices(words, cum_weights=word_weights, k=rng.randint(28, 42))
        summary = " ".join(summary_words) + "."
        for _entity_id, name in story_entities[1:]:
            summary = f"{summary} {name} said."
        link = f"https://outlet{outlet}.example/news/{serial}-{item_id[:6]}"
        buffers["items"].append((item_id, f"outlet{outlet}", link, link, link, link, title, summary,
                                 iso(item_time), iso(item_time + timedelta(minutes=5)), story_id))
        offset = len(title) + 1
        for index, (entity_id, name) in enumerate(story_entities):
            start = mention if index == 0 else offset + summary.find(f"{name} said.")
            buffers["entities"].append((item_id, entity_id, name, start, start + len(name)))
        for theme_id in story_themes:
            buffers["themes"].append((item_id, theme_id, round(rng.uniform(2, 9), 1),
                                      json.dumps([rng.choice(DESK_WORDS)])))
        if item_id == story_id:
            buffers["stories"].append([story_id, title, link, item_id, iso(item_time), iso(item_time), size])
        serial += 1


def _flush(db, buffers) -> int:
    """Write the buffered rows in one transaction; return how many items were written."""
    from store.items import index_items
    from store.matches import write_matches

    count = len(buffers["items"])
    buffers["items"].sort(key=lambda row: row[9])  # stored in the order they were fetched
    with db.conn:
        last_rowid = db.execute("SELECT coalesce(max(rowid), 0) FROM items").fetchone()[0]
        db.conn.executemany(
            "INSERT INTO stories (id, title, canonical_url, first_item_id, first_seen_at, last_seen_at, "
            "outlet_count) VALUES (?, ?, ?, ?, ?, ?, ?)", buffers["stories"])
        db.conn.executemany(
            "INSERT INTO items (id, feed_id, dedup_key, guid, link, canonical_url, title, summary, "
            "published_at, fetched_at, story_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", buffers["items"])
        index_items(db, after_rowid=last_rowid)
        mentions = {row[:2] + row[3:4]: (*row, "alias", None) for row in buffers["entities"]}  # one per span
        write_matches(db, [row[0] for row in buffers["items"]], list(mentions.values()), buffers["themes"],
                      replace=False)
    for rows in buffers.values():
        rows.clear()
    return count


# ---------------------------------------------------------------------------- measuring


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def measure(path: Path, samples: int) -> list[tuple[str, str, str, bool]]:
    """Time digest, lookup and search on the store; return (what, figure, target, met) rows."""
    from store import open_db

    db = open_db(path)
    rng = random.Random(1)
    rows = _measure_digest(db) + _measure_lookup(db, rng, samples) + _measure_search(db, rng, samples)
    db.close()
    return rows


def _measure_digest(db) -> list[tuple]:
    from bot.digest import build_digest, digest_replies

    timings = []
    for _ in range(3):
        started = time.perf_counter()
        digest = build_digest(db, start=END - timedelta(days=1), end=END)
        digest_replies(digest)
        timings.append(time.perf_counter() - started)
    return [(f"build_digest + replies, last day ({digest.item_count:,} items, {digest.story_count:,} stories), "
             "first / best of 3", f"{timings[0] * 1000:,.0f} / {min(timings) * 1000:,.0f} ms", "<= 1,000 ms",
             max(timings) <= 1.0)]


def _measure_lookup(db, rng, samples: int) -> list[tuple]:
    from store import lookup

    entity_ids = [row[0] for row in db.execute("SELECT DISTINCT entity_id FROM item_entities")]
    parts: dict[str, list[float]] = {"entity_row": [], "mention_counts": [], "latest_items": [],
                                     "co_mentioned": []}
    totals = []
    for _ in range(samples):
        entity_id = rng.choice(entity_ids)
        total = 0.0
        for name, call in (("entity_row", partial(lookup.entity_row, db, entity_id)),
                           ("mention_counts", partial(lookup.mention_counts, db, entity_id, END)),
                           ("latest_items", partial(lookup.latest_items, db, entity_id)),
                           ("co_mentioned", partial(lookup.co_mentioned, db, entity_id, now=END))):
            started = time.perf_counter()
            call()
            elapsed = time.perf_counter() - started
            parts[name].append(elapsed)
            total += elapsed
        totals.append(total)
    mentions = statistics.mean(row[0] for row in db.execute(
        "SELECT count(*) FROM item_entities GROUP BY entity_id"))
    rows = [(f"lookup p95, {samples} random entities (~{mentions:,.0f} mentions each)",
             f"{_percentile(totals, 0.95) * 1000:,.1f} ms", "<= 5 ms", _percentile(totals, 0.95) <= 0.005)]
    return rows + [(f"  of which {name} p95", f"{_percentile(values, 0.95) * 1000:,.2f} ms", "", True)
                   for name, values in parts.items()]


def _measure_search(db, rng, samples: int) -> list[tuple]:
    from store.search import search_items, search_page

    words = vocabulary()
    bands = {"common": words[:300], "middling": words[1000:10_000], "rare": words[30_000:]}
    kinds: dict[str, list[float]] = {kind: [] for kind in (*bands, "operators")}
    for index in range(samples):
        kind = list(kinds)[index % len(kinds)]
        if kind == "operators":
            common, other, middling = rng.choice(bands["common"]), rng.choice(bands["common"]), rng.choice(
                bands["middling"])
            query = rng.choice((f"{common} {middling}", f'"{common} {other}"', f"{middling[:4]}*",
                                f"{common} -{other}", f"{middling} OR {rng.choice(bands['rare'])}"))
        else:
            query = rng.choice(bands[kind])
        started = time.perf_counter()
        search_items(db, query)
        kinds[kind].append(time.perf_counter() - started)
    every = [elapsed for values in kinds.values() for elapsed in values]
    paged = []
    for index in range(samples // 2):  # what /watch search runs: the count of matches, then page 1 or 3
        query = rng.choice(bands[("common", "middling", "rare")[index % 3]])
        started = time.perf_counter()
        search_page(db, query, page=1 + 2 * (index % 2))
        paged.append(time.perf_counter() - started)
    rows = [(f"search_items p95, {samples} queries (common, middling, rare words; operators)",
             f"{_percentile(every, 0.95) * 1000:,.1f} ms", "<= 50 ms", _percentile(every, 0.95) <= 0.05)]
    rows += [(f"  of which {kind} p95", f"{_percentile(values, 0.95) * 1000:,.2f} ms", "", True)
             for kind, values in kinds.items()]
    return rows + [(f"search_page p95 (total counted up to 10,000, page 1 or 3), {len(paged)} queries",
                    f"{_percentile(paged, 0.95) * 1000:,.1f} ms", "<= 50 ms", _percentile(paged, 0.95) <= 0.05)]


BOT = """
import asyncio, sys
from bot.config import load_settings
from bot.service import run_service
asyncio.run(run_service(load_settings(sys.argv[1]), console_input=sys.stdin, tick=3600))
"""
COMMANDS = ["digest 24h", "lookup ttp", "search kabul", "search attack 7d", "trend ttp 30", "status"]


def running_bot_memory(store: Path) -> tuple:
    """Peak resident memory of `watchdesk run` on this store while it answers a few commands."""
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        config = Path(directory) / "feeds.yml"
        config.write_text(f"store: {store}\nfeeds: []\n")
        root = Path(__file__).resolve().parents[1]
        child = subprocess.Popen([sys.executable, "-c", BOT, str(config)], cwd=directory, text=True,
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                 env={**os.environ, "PYTHONPATH": str(root), "WATCHDESK_SEMANTIC": "0"})
        child.stdin.write("\n".join(COMMANDS) + "\n")
        child.stdin.flush()
        for line in child.stdout:  # the last command's answer means all were answered
            if line.startswith("watchdesk status"):
                break
        with open(f"/proc/{child.pid}/status") as status:
            peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024
        child.stdin.write("quit\n")
        child.stdin.close()
        child.wait(timeout=60)
    return (f"peak resident memory of `watchdesk run` after {', '.join(COMMANDS)}", f"{peak:,.0f} MB",
            "<= 300 MB", peak <= 300)


def main() -> int:
    """Build the store if needed (in a child process), measure, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=100)
    parser.add_argument("--last-day", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--store", type=Path, default=DEFAULT_STORE)
    parser.add_argument("--rebuild", action="store_true", help="build the store even if it exists")
    args = parser.parse_args()
    if args.rebuild or not args.store.exists():
        print(f"building {args.store}: {args.items:,} items over {args.days} days", flush=True)
        builder = multiprocessing.Process(target=build_store,
                                          args=(args.store, args.items, args.days, args.last_day))
        builder.start()
        builder.join()
        if builder.exitcode != 0:
            print("building the store failed", file=sys.stderr)
            return 1
    else:
        print(f"using {args.store} (pass --rebuild to build it again)")
    rows = measure(args.store, args.samples)
    rows.append(running_bot_memory(args.store))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows.append(("peak resident memory (measuring process)", f"{peak:,.0f} MB", "", True))
    builder_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if builder_peak:
        rows.append(("peak resident memory (largest child process: store builder or bot)", f"{builder_peak:,.0f} MB", "", True))
    width = max(len(row[0]) for row in rows)
    print(f"\n{'measure':<{width}}  {'figure':>16}  {'target':>12}")
    for what, figure, target, met in rows:
        verdict = ("ok" if met else "MISSED") if target else ""
        print(f"{what:<{width}}  {figure:>16}  {target:>12}  {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
