"""Poll throughput: 1,000 feeds x 50 items from a loopback server with 50 ms latency.

    python bench/poll.py [--feeds 1000] [--items 50] [--latency 0.05] [--concurrency 50] [--fresh 10]
                         [--breakdown] [--no-match] [--semantic]
    python bench/poll.py --reference ../shared/bench/plain_poll.py [--runs 3] [--feeds 1000]

Prints feeds/s for
  1. a first pass: every feed is new and answers 200; its items are parsed, joined into stories,
     stored and indexed for search (a baseline: matched after the pass, as `run` does);
  2. matching that baseline (items/s);
  3. a second pass: every feed answers 304;
  4. an update pass: every feed answers 200 with `--fresh` new items on top of known ones; the
     new items are matched before they are stored, in the same transaction;
and the peak resident memory; with --breakdown, then each stage of a first pass alone, and the
store's SQLite statements replayed on rows built beforehand: the floor of storing, with no
Python work at all. The server runs in its own process, off the poller's event loop.

With --reference, the same three kinds of pass (first, 304, new items) are run against the
obvious script (`plain_poll.py --parser fastfeedparser --offload --match`) in the same run,
passes interleaved, on the reference server `pollbench_server.py` beside it (each feed on its
own loopback address, 50 items, 50 ms). Each pass of each system runs in a fresh process on its
own store; the figures are feeds/s from the first request to the end of the pass (watchdesk's
first pass includes matching its baseline), CPU seconds of the process, and its peak memory,
as the median and range over --runs runs, and watchdesk's ratio to the script.
"""

from __future__ import annotations

import argparse
import os
import asyncio
import multiprocessing
import random
import resource
import sys
import tempfile
import threading
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

WORDS = ("border police convoy district minister talks ceasefire crossing trade refugees militants "
         "attack province security council envoy delegation raid checkpoint governor market drone "
         "strike tribal elders jirga highway customs officials protest students clinic vaccination "
         "flood relief court verdict election budget wheat prices fuel shortage curfew").split()
PLACES = ("Peshawar Quetta Chaman Torkham Kabul Kandahar Jalalabad Bannu Khost Waziristan Bajaur "
          "Islamabad Herat Mazar-i-Sharif Gilgit Swat Dera Ismail Khan Zhob Spin Boldak").split()


def _vocabulary(size: int = 4000) -> list[str]:
    """Real desk words plus pronounceable made-up ones: headline vocabularies are large."""
    rng = random.Random(0)
    syllables = ["ka", "ra", "bul", "sha", "ni", "zai", "gul", "mir", "dar", "wal", "tan", "stan",
                 "qa", "hi", "lo", "pe", "sho", "war", "ab", "ad", "ja", "ma", "ba", "khan"]
    made_up = {"".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(size)}
    return WORDS + PLACES + sorted(made_up)


VOCABULARY = _vocabulary()


def feed_body(number: int, items: int, fresh: int = 0) -> bytes:
    """An RSS 2.0 feed with `items` distinct entries, deterministic per feed number.

    With `fresh`, the feed has moved on: `fresh` newer entries come first, then the first
    `items - fresh` of the original ones.
    """
    rng = random.Random(number)
    base = datetime(2026, 11, 20, tzinfo=timezone.utc)
    entries = []
    for index in range(-fresh, items - fresh):
        title = " ".join(rng.sample(WORDS, 2) + rng.sample(VOCABULARY, 5) + [rng.choice(PLACES)])
        summary = " ".join(rng.choice(VOCABULARY) for _ in range(40))
        published = format_datetime(base - timedelta(minutes=index * 7 + number))
        entries.append(f"<item><title>{title} {number}-{index}</title>"
                       f"<link>https://outlet{number}.example/news/{index}</link>"
                       f"<guid>outlet{number}-{index}</guid><pubDate>{published}</pubDate>"
                       f"<description>{summary}</description></item>")
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Outlet {number}</title>{''.join(entries)}</channel></rss>").encode()


def run_server(port_queue, feeds: int, items: int, latency: float, fresh: int) -> None:
    """Serve /feed/N with an ETag and 304s, after `latency` seconds, on 127.0.0.1."""
    from aiohttp import web

    bodies = {number: feed_body(number, items) for number in range(feeds)}
    updated: dict[int, bytes] = {}

    async def handler(request):
        await asyncio.sleep(latency)
        number = int(request.match_info["number"])
        version = request.query.get("v", "1")
        etag = f'"feed-{number}-v{version}"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        if version == "1":
            body = bodies[number]
        else:
            body = updated.get(number) or updated.setdefault(number, feed_body(number, items, fresh))
        return web.Response(body=body, headers={"ETag": etag, "Content-Type": "application/rss+xml"})

    async def main():
        app = web.Application()
        app.router.add_get("/feed/{number}", handler)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        port_queue.put(runner.addresses[0][1])
        await asyncio.Event().wait()

    asyncio.run(main())


async def breakdown(feeds, concurrency: int) -> None:
    """Each stage of a first pass alone, on the same bodies: where the pass's time goes."""
    from bot.feeds.fetch import FetchRequest, Fetcher
    from bot.feeds.refresh import parse_and_prepare
    from store import open_db
    from store.feeds import sync_feeds
    from store.items import RecentStories, insert_items

    async with Fetcher(user_agent="watchdesk-bench/1 (+loopback)", allow_private=True, concurrency=concurrency,
                       host_spacing=0) as fetcher:
        started = time.perf_counter()
        responses = await asyncio.gather(*(fetcher.fetch(FetchRequest(url=feed.url)) for feed in feeds))
        fetched = time.perf_counter() - started
    now = datetime.now(timezone.utc)
    started = time.perf_counter()
    prepared = await asyncio.gather(*(asyncio.to_thread(
        parse_and_prepare, response.body, feed_id=feed.id, fetched_at=now, content_type=response.content_type,
        base_url=response.url, known_guid_reuse=False, baseline=True) for feed, response in zip(feeds, responses)))
    parsed = time.perf_counter() - started
    count = sum(len(new) for _, new in prepared)
    with tempfile.TemporaryDirectory() as directory:
        db = open_db(Path(directory) / "stage.db")
        sync_feeds(db, feeds, now)
        recent, started = RecentStories(), time.perf_counter()
        for start in range(0, len(prepared), 20):  # groups of 20 feeds, as a busy pass forms them
            with db.conn:
                insert_items(db, [entry for _, new in prepared[start:start + 20] for entry in new], recent)
            recent.commit()
        stored = time.perf_counter() - started
        sql_only = replay_rows(db, Path(directory) / "replay.db", feeds, now, group=20 * len(prepared[0][1]))
        db.close()
    print("stages alone, on the same bodies:")
    print(f"  fetch only: {len(feeds) / fetched:,.0f} feeds/s ({fetched:.2f} s)")
    print(f"  parse and prepare, on threads: {len(feeds) / parsed:,.0f} feeds/s ({parsed:.2f} s)")
    print(f"  store, one thread, nothing else running: {len(feeds) / stored:,.0f} feeds/s "
          f"({stored:.2f} s; {stored / count * 1e6:.0f} us an item)")
    print(f"  the store's SQLite statements alone, rows built beforehand: {len(feeds) / sql_only:,.0f} feeds/s "
          f"({sql_only:.2f} s; {sql_only / count * 1e6:.0f} us an item)")


def replay_rows(source, path: Path, feeds, now: datetime, group: int) -> float:
    """Write what `source` holds into a new store with the store's own statements, in groups of
    `group` items; return the seconds spent. This is the floor of storing: SQLite's work, no Python."""
    from store import open_db
    from store.feeds import sync_feeds
    from store.items import write_rows

    items = source.execute("""SELECT id, feed_id, dedup_key, guid, link, canonical_url, title, summary, author,
        published_at, fetched_at, is_baseline, source, story_id FROM items ORDER BY rowid""").fetchall()
    stories = {row[3]: row for row in source.execute(
        "SELECT id, title, canonical_url, first_item_id, first_seen_at, last_seen_at, title_tokens FROM stories")}
    words: dict[str, list] = {}
    for row in source.execute("SELECT token, story_id, first_seen_at FROM story_tokens"):
        words.setdefault(row[1], []).append(row)
    batches = []
    for start in range(0, len(items), group):
        chunk = items[start:start + group]
        started = [stories[row[0]] for row in chunk if row[0] in stories]
        batches.append((started, [word for story in started for word in words.get(story[0], ())], chunk))
    target = open_db(path)
    sync_feeds(target, feeds, now)
    began = time.perf_counter()
    for started, tokens, chunk in batches:
        with target.conn:
            write_rows(target, started, tokens, chunk, {})
    elapsed = time.perf_counter() - began
    target.close()
    return elapsed


async def measure(args, port: int) -> None:
    """Run the passes against the server and print the figures."""
    from bot.config import FetchSettings
    from bot.feeds.fetch import Fetcher
    from bot.feeds.refresh import Refresher
    from bot.models import Feed
    from store import open_db
    from store.feeds import sync_feeds

    matcher = None
    if not args.no_match:
        from bot.matching.loader import load_matcher

        matcher = load_matcher()
    with tempfile.TemporaryDirectory() as directory:
        db = open_db(Path(directory) / "bench.db", check_same_thread=False)
        feeds = tuple(Feed(id=f"feed{number}", url=f"http://127.0.0.1:{port}/feed/{number}",
                           name=f"Outlet {number}", interval=600, timeout=30, max_bytes=10_000_000)
                      for number in range(args.feeds))
        sync_feeds(db, feeds, datetime.now(timezone.utc))
        async with Fetcher(user_agent="watchdesk-bench/1 (+loopback)", allow_private=True, concurrency=args.concurrency,
                           host_spacing=0) as fetcher:
            refresher = Refresher(db, fetcher, settings=FetchSettings(concurrency=args.concurrency,
                                                                      workers=args.workers), matcher=matcher)
            await refresher.start()  # the staging workers load their matchers before the clock starts
            updated = tuple(replace(feed, url=f"{feed.url}?v=2") for feed in feeds)

            async def timed_pass(label: str, pass_feeds) -> float:
                started = time.perf_counter()
                summary = await refresher.poll(pass_feeds, force=True)
                elapsed = time.perf_counter() - started
                print(f"{label}: {len(pass_feeds) / elapsed:,.0f} feeds/s ({elapsed:.2f} s; {summary.ok} ok, "
                      f"{summary.failing} failing, {summary.stored:,} items stored, {summary.new_items:,} new)")
                return elapsed

            first = await timed_pass("first pass (200, new feeds: parse, stories, store, search index)", feeds)
            started = time.perf_counter()
            matched = await refresher.match_queued()
            matching = time.perf_counter() - started
            if matcher is not None:
                print(f"matching that baseline: {matched / matching:,.0f} items/s ({matching:.2f} s; {matched:,} items)")
            await timed_pass("second pass (304)", feeds)
            await timed_pass(f"update pass (200, {args.fresh} new items a feed matched before stored)", updated)
            if matcher is not None:
                print(f"first pass with its matching: {len(feeds) / (first + matching):,.0f} feeds/s "
                      f"({first + matching:.2f} s)")
            refresher.close()
        db.close()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"peak resident memory of the poller: {peak:,.0f} MB; of its largest staging worker: {workers:,.0f} MB "
              "(both since start-up)")
        if args.breakdown:
            await breakdown(tuple(replace(feed, id=f"stage{feed.id}", url=f"{feed.url}?v=3") for feed in feeds),
                            args.concurrency)


def reference_addr(number: int) -> str:
    """The loopback address the reference server gives feed `number`."""
    return f"127.0.{1 + number // 250}.{1 + number % 250}"


async def worker_pass(args) -> dict:
    """One watchdesk pass over the reference server's feeds, on the store at args.db."""
    from bot.config import FetchSettings
    from bot.feeds.fetch import Fetcher
    from bot.feeds.refresh import Refresher
    from bot.models import Feed
    from store import open_db
    from store.feeds import sync_feeds

    from bot.matching.loader import load_matcher

    matcher = load_matcher()
    db = open_db(Path(args.db), check_same_thread=False)
    feeds = tuple(Feed(id=f"feed{number}", url=f"http://{reference_addr(number)}:{args.port}/feed/{number}",
                       name=f"Outlet {number}", interval=600, timeout=30, max_bytes=10_000_000)
                  for number in range(args.feeds))
    sync_feeds(db, feeds, datetime.now(timezone.utc))
    async with Fetcher(user_agent="watchdesk-bench/1 (+loopback)", allow_private=True, concurrency=args.concurrency,
                       host_spacing=0) as fetcher:
        refresher = Refresher(db, fetcher, settings=FetchSettings(concurrency=args.concurrency, workers=args.workers),
                              matcher=matcher)
        await refresher.start()  # as the script's timing starts after its imports and matcher load
        started = time.perf_counter()
        summary = await refresher.poll(feeds, force=True)
        await refresher.match_queued()
        elapsed = time.perf_counter() - started
        threads = _thread_cpu()
        refresher.close()
    db.close()
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"pass": elapsed, "new_entries": summary.new_items, "ok": summary.ok, "failing": summary.failing,
            "cpu_main": own.ru_utime + own.ru_stime, "cpu_main_sys": own.ru_stime, "cpu_threads": threads,
            "cpu_worker": workers.ru_utime + workers.ru_stime,
            "peak_main_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "peak_worker_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            "main_cpu": _cpu(resource.RUSAGE_SELF), "worker_cpu": _cpu(resource.RUSAGE_CHILDREN)}


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return round(usage.ru_utime + usage.ru_stime, 2)


def _thread_cpu() -> dict[str, float]:
    """CPU seconds (user + system) of each live thread of this process, by thread name (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    found = {}
    for thread in threading.enumerate():
        try:
            fields = Path(f"/proc/self/task/{thread.native_id}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[thread.name] = round(found.get(thread.name, 0) + (int(fields[11]) + int(fields[12])) / ticks, 2)
    return found


def _run_child(command: list[str]) -> dict:
    """Run one pass in a child process; return its JSON line with its CPU seconds (its own and its
    workers') and its peak memory (its largest process)."""
    import json
    import subprocess

    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        child = subprocess.Popen(command, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if child.returncode != 0:
        raise SystemExit(f"bench/poll.py: {' '.join(command[:3])} failed:\n{stderr[-2000:]}")
    result = json.loads(stdout.strip().splitlines()[-1])
    result["cpu"] = usage.ru_utime + usage.ru_stime
    result["peak_mb"] = usage.ru_maxrss / 1024
    return result


def compare(args) -> int:
    """Interleave watchdesk's passes with the reference script's, on the reference server."""
    import json
    import statistics
    import subprocess

    reference = Path(args.reference).resolve()
    server_script = reference.with_name("pollbench_server.py")
    repo = Path(__file__).resolve().parent.parent
    env = dict(os.environ, PYTHONPATH=str(repo), WATCHDESK_SEMANTIC="0")
    os.environ.update(env)
    figures: dict[tuple[str, str], list[dict]] = {}
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        portfile, state = folder / "port", folder / "state"
        server = subprocess.Popen([sys.executable, str(server_script), str(args.feeds), str(portfile), str(state)])
        try:
            for _ in range(600):
                if portfile.exists() and portfile.read_text().strip():
                    break
                time.sleep(0.1)
            port = portfile.read_text().strip()
            print(f"bench/poll.py --reference: {args.feeds} feeds on their own loopback addresses, 50 items, "
                  f"50 ms latency, {args.concurrency} concurrent, {args.runs} runs, passes interleaved")
            for run in range(args.runs):
                Path(str(state) + ".round").write_text(f"{run * 2}")
                stores = {name: folder / f"{name}-{run}.db" for name in ("watchdesk", "script")}
                commands = {
                    "watchdesk": [sys.executable, str(Path(__file__).resolve()), "--worker-pass", "--db",
                                  str(stores["watchdesk"]), "--port", port, "--feeds", str(args.feeds),
                                  "--concurrency", str(args.concurrency),
                                  *(["--workers", str(args.workers)] if args.workers is not None else [])],
                    "script": [sys.executable, str(reference), str(stores["script"]), port, str(args.feeds),
                               str(args.concurrency), "--parser", "fastfeedparser", "--offload", "--match"],
                }
                for kind in ("first", "304", "new"):
                    if kind == "new":
                        Path(str(state) + ".round").write_text(f"{run * 2 + 1}")
                    for name in (("watchdesk", "script") if run % 2 == 0 else ("script", "watchdesk")):
                        result = _run_child(commands[name])
                        figures.setdefault((kind, name), []).append(result)
        finally:
            server.terminate()
            server.wait()

    def spread(values: list[float], fmt: str) -> str:
        return f"{statistics.median(values):{fmt}} ({min(values):{fmt}}-{max(values):{fmt}})"

    print(f"{'pass':<6} {'watchdesk feeds/s':>24} {'script feeds/s':>24} {'ratio':>20} "
          f"{'CPU s watchdesk':>18} {'CPU s script':>16}")
    for kind in ("first", "304", "new"):
        ours, theirs = figures[(kind, "watchdesk")], figures[(kind, "script")]
        rate_ours = [args.feeds / row["pass"] for row in ours]
        rate_theirs = [args.feeds / row["pass"] for row in theirs]
        ratios = [a / b for a, b in zip(rate_ours, rate_theirs)]
        print(f"{kind:<6} {spread(rate_ours, ',.0f'):>24} {spread(rate_theirs, ',.0f'):>24} "
              f"{spread(ratios, '.2f'):>20} {spread([row['cpu'] for row in ours], '.1f'):>18} "
              f"{spread([row['cpu'] for row in theirs], '.1f'):>16}")
    for kind in ("first", "304", "new"):
        ours = figures[(kind, "watchdesk")]
        print(f"CPU s of a watchdesk {kind} pass: main process {spread([row['main_cpu'] for row in ours], '.1f')} "
              f"(its store thread {spread([row['cpu_threads'].get('watchdesk-store_0', 0) for row in ours], '.1f')}), "
              f"staging worker {spread([row['worker_cpu'] for row in ours], '.1f')} (start-up included)")
    for kind in ("first", "304", "new"):
        ours = figures[(kind, "watchdesk")]
        print(f"peak resident memory of a watchdesk {kind} pass: main process "
              f"{max(row['peak_main_mb'] for row in ours):,.0f} MB, staging worker "
              f"{max(row['peak_worker_mb'] for row in ours):,.0f} MB; the script "
              f"{max(row['peak_mb'] for row in figures[(kind, 'script')]):,.0f} MB (at most, over the runs)")
    print(json.dumps({f"{kind}_{name}": [round(args.feeds / row["pass"], 1) for row in rows]
                      for (kind, name), rows in figures.items()}))
    return 0


def main() -> int:
    """Start the server process, measure, stop the server."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--fresh", type=int, default=10, help="new items per feed in the update pass")
    parser.add_argument("--breakdown", action="store_true",
                        help="then time fetching, parsing and storing a first pass each alone")
    parser.add_argument("--no-match", action="store_true", help="skip entity and theme matching")
    parser.add_argument("--semantic", action="store_true",
                        help="score themes with the semantic scorer too, if installed (12-35 ms an item)")
    parser.add_argument("--reference", metavar="PLAIN_POLL",
                        help="compare with the obvious script (../shared/bench/plain_poll.py), passes interleaved")
    parser.add_argument("--runs", type=int, default=3, help="with --reference: runs of the three passes")
    parser.add_argument("--workers", type=int, default=None,
                        help="staging worker processes (fetch.workers; default: auto)")
    parser.add_argument("--worker-pass", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--port", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker_pass:
        import json

        os.environ["WATCHDESK_SEMANTIC"] = "0"
        print(json.dumps(asyncio.run(worker_pass(args))))
        return 0
    if args.reference:
        return compare(args)
    if not args.semantic:
        os.environ["WATCHDESK_SEMANTIC"] = "0"
    port_queue = multiprocessing.Queue()
    server = multiprocessing.Process(target=run_server, daemon=True,
                                     args=(port_queue, args.feeds, args.items, args.latency, args.fresh))
    server.start()
    try:
        port = port_queue.get(timeout=60)
        print(f"bench/poll.py: {args.feeds} feeds x {args.items} items, {args.latency * 1000:.0f} ms "
              f"latency, {args.concurrency} concurrent, matching {'off' if args.no_match else 'on'}"
              f"{' (with the semantic scorer)' if args.semantic else ''}")
        asyncio.run(measure(args, port))
    finally:
        server.terminate()
        server.join()
    return 0


if __name__ == "__main__":
    sys.exit(main())
