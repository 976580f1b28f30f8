"""Handlers of the `watchdesk` subcommands: parse nothing, print results, return exit codes."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from bot.config import load_settings



def _settings(args):
    return load_settings(args.config, store_override=args.db)


def format_pass(summary) -> str:
    """Summarise a poll pass for a terminal."""
    lines = [
        f"polled {len(summary.results)} feeds: {summary.ok} ok, {summary.failing} failing; "
        f"{summary.new_items} new items, {summary.new_stories} new stories "
        f"({summary.stored} stored, first-poll baselines included)"
    ]
    if summary.outage:
        lines.append("network outage: nearly every feed failed at once; no feed was penalised")
    for result in summary.results:
        if result.outcome == "error":
            lines.append(f"  failing  {result.feed_id:<16} {result.error}")
    for feed_id, before, after in summary.state_changes:
        lines.append(f"  state    {feed_id:<16} {before} -> {after}")
    return "\n".join(lines)


def cmd_poll(args) -> int:
    """Poll the due feeds (every enabled feed with --once) and print a summary."""
    from bot.app import build_pipeline

    settings = _settings(args)

    async def poll():
        pipeline = build_pipeline(settings)
        try:
            return await pipeline.poll(force=args.once)
        finally:
            await pipeline.close()

    print(format_pass(asyncio.run(poll())))
    return 0


def cmd_demo(args) -> int:
    """Run the offline demo."""
    from bot.demo import run_demo

    return asyncio.run(run_demo(sys.stdout, keep=Path(args.keep) if args.keep else None))


def _one_shot(args, name: str, *handler_args) -> int:
    """Run one neutral command on the store and print its reply as text."""
    settings = _settings(args)
    from bot import commands
    from bot.app import open_store
    from bot.feeds.refresh import utc_now
    from bot.render_text import render_text

    db = open_store(settings)
    deps = commands.Deps(db=db, now=utc_now, started_at=utc_now(), chart_dir=Path.cwd())
    try:
        reply = asyncio.run(getattr(commands, name)(deps, *handler_args))
    finally:
        db.close()
    print(render_text(reply))
    return 1 if reply.error else 0


def cmd_feeds(args) -> int:
    """Print the feed health table."""
    return _one_shot(args, "feeds")


def cmd_backup(args) -> int:
    """Write a consistent copy of the live store (SQLite online backup; safe while running)."""
    import sqlite3

    settings = _settings(args)
    if not settings.store.exists():
        print(f"watchdesk: no store at {settings.store}", file=sys.stderr)
        return 1
    target = args.file
    if target.exists():
        print(f"watchdesk: {target} exists; choose a new file name", file=sys.stderr)
        return 1
    source = sqlite3.connect(f"file:{settings.store}?mode=ro", uri=True)
    destination = sqlite3.connect(target)
    try:
        with destination:
            source.backup(destination)
        check = destination.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        source.close()
        destination.close()
    print(f"backed up {settings.store} to {target} ({target.stat().st_size:,} bytes, integrity {check})")
    return 0 if check == "ok" else 1


def cmd_run(args) -> int:
    """Run the long-lived service; with no chat tokens, a console reads commands from stdin."""
    from bot.service import run_service

    settings = _settings(args)
    console = sys.stdin if sys.stdin and sys.stdin.isatty() else None
    return asyncio.run(run_service(settings, console_input=console))
