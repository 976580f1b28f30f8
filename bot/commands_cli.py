"""Handlers of the `watchdesk` subcommands: parse nothing, print results, return exit codes."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from bot.config import load_settings
from bot.feeds.refresh import PassSummary


def _settings(args):
    return load_settings(args.config, store_override=args.db)


def format_pass(summary: PassSummary) -> str:
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
