"""The `watchdesk` command line. The only place (with the console) that prints.

    watchdesk [--config FILE] [--db FILE] [-v] COMMAND ...

Exit codes: 0 done, 1 failed, 2 configuration or usage mistake.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from bot import __version__
from bot.cli import handlers
from bot.errors import CatalogError, CommandError, ConfigError

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    """Describe every subcommand and its arguments."""
    parser = argparse.ArgumentParser(prog="watchdesk", description=(
        "Read the frontier's feeds and tell the desk what happened to what it tracks."))
    parser.add_argument("--config", default="feeds.yml", help="feeds.yml to use (default: ./feeds.yml)")
    parser.add_argument("--db", help="SQLite store to use (overrides `store:` in the config)")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging (-vv: debug)")
    parser.add_argument("--version", action="version", version=f"watchdesk {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser = _with_common_options(sub.add_parser)

    poll = sub.add_parser("poll", help="poll the feeds that are due (all of them with --once)")
    poll.add_argument("--once", action="store_true", help="one pass over every enabled feed, then exit")
    sub.add_parser("feeds", help="feed health: state, last success, items, errors, next check")
    sub.add_parser("run", help="run the scheduler, chat adapters and delivery (console without tokens)")
    demo = sub.add_parser("demo", help="offline demo on bundled sample feeds served from 127.0.0.1")
    demo.add_argument("--keep", metavar="DIR", help="keep the demo's store and charts in DIR")

    sub.add_parser("match", help="read JSONL items on stdin, write their matches as JSONL")
    evaluate = sub.add_parser("eval", help="precision, recall and F1 of the matcher on a labelled file")
    evaluate.add_argument("file", type=Path)
    evaluate.add_argument("--errors", action="store_true", help="list every item's mistakes (+wrong -missed)")
    evaluate.add_argument("--labels", type=Path, metavar="LABELS_YML",
                          help="judge only the ids of this labels.yml (default: the one beside the file)")
    why = sub.add_parser("why", help="explain the matches of a text, or of a stored item id")
    why.add_argument("text", nargs="+")
    importer = sub.add_parser("import", help="import a folder of text/HTML/Markdown documents")
    importer.add_argument("directory", type=Path)
    catalog = sub.add_parser("catalog", help="catalog tools")
    catalog_sub = catalog.add_subparsers(dest="catalog_command", required=True, metavar="ACTION")
    suggest = catalog_sub.add_parser("suggest", help="frequent names in documents that the catalog lacks")
    suggest.add_argument("directory", type=Path)
    suggest.add_argument("--limit", type=int, default=30)

    lookup = sub.add_parser("lookup", help="profile of a tracked group, person or place")
    lookup.add_argument("entity", nargs="+")
    search = sub.add_parser("search", help="full-text search over stored items")
    search.add_argument("query", nargs="+")
    search.add_argument("--since", help="only items newer than this (24h, 7d, 2026-11-01)")
    search.add_argument("--page", type=int, default=1, help="page of results, 10 a page (default 1)")
    search.add_argument("--ranked", action="store_true", help="best match first instead of newest first")
    digest = sub.add_parser("digest", help="build a digest")
    digest.add_argument("--print", dest="print_digest", action="store_true", required=True,
                        help="print it in the terminal")
    digest.add_argument("--since", default="24h", help="period to cover (default 24h)")
    trend = sub.add_parser("trend", help="chart daily mentions of an entity to a PNG")
    trend.add_argument("entity", nargs="+")
    trend.add_argument("--days", type=int, default=30)
    status = sub.add_parser("status", help="uptime, last poll, items today, queued messages")
    status.add_argument("--health", action="store_true", help="exit 1 unless the service polled recently")
    feedback = sub.add_parser("feedback", help="alerts marked Not relevant, counted per entity and theme")
    feedback.add_argument("--since", help="only answers newer than this (24h, 7d, 2026-11-01)")
    sub.add_parser("doctor", help="check config, store, tokens and chat APIs; say what to fix")
    backup = sub.add_parser("backup", help="write a consistent copy of the live store")
    backup.add_argument("file", type=Path)
    return parser


def _with_common_options(add_parser):
    """Let --config and --db come after the subcommand too (`watchdesk feeds --config x.yml`)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", default=argparse.SUPPRESS, help="feeds.yml to use (default: ./feeds.yml)")
    common.add_argument("--db", default=argparse.SUPPRESS, help="SQLite store to use (overrides `store:`)")

    def add(name, **kwargs):
        return add_parser(name, parents=[common, *kwargs.pop("parents", ())], **kwargs)

    return add


HANDLERS = {  # subcommand -> its handler in bot.cli.handlers
    "poll": handlers.cmd_poll, "feeds": handlers.cmd_feeds, "run": handlers.cmd_run,
    "demo": handlers.cmd_demo, "match": handlers.cmd_match, "eval": handlers.cmd_eval,
    "why": handlers.cmd_why, "import": handlers.cmd_import, "catalog": handlers.cmd_catalog,
    "lookup": handlers.cmd_lookup, "search": handlers.cmd_search, "digest": handlers.cmd_digest,
    "trend": handlers.cmd_trend, "status": handlers.cmd_status, "doctor": handlers.cmd_doctor,
    "backup": handlers.cmd_backup, "feedback": handlers.cmd_feedback,
}


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    args = build_parser().parse_args(argv)
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(args.verbose, 2)]
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return HANDLERS[args.command](args) or 0
    except ConfigError as exc:
        print(f"watchdesk: {exc}", file=sys.stderr)
        return 2
    except CatalogError as exc:
        print(f"watchdesk: catalog: {exc}", file=sys.stderr)
        return 2
    except CommandError as exc:
        print(f"watchdesk: {exc.reason}", file=sys.stderr)
        if exc.suggestions:
            print("did you mean: " + ", ".join(exc.suggestions), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130

