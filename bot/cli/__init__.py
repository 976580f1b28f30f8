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
from bot.commands import REGISTRY
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

    poll = sub.add_parser("poll", help="poll the feeds that are due (all of them with --once)")
    poll.add_argument("--once", action="store_true", help="one pass over every enabled feed, then exit")
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
    suggest.add_argument("--limit", type=_count, default=30, help="how many names to list (1 to 1000, default 30)")
    suggest.add_argument("--watch", action="store_true", help="print the names as a `watch:` block for feeds.yml")

    watch = {command.name: _watch_parser(sub, command) for command in REGISTRY.values() if command.cli}
    watch["search"].add_argument("--ranked", dest="order", action="store_const", const="ranked",
                                 help="best match first instead of newest first (the same as --order ranked)")
    watch["trend"].add_argument("--output", "-o", type=Path, metavar="FILE",
                                help="write the PNG to FILE (default: trend-<id>-<first day>-<last day>.png)")
    watch["status"].add_argument("--health", action="store_true", help="exit 1 unless the service polled recently")
    digest = sub.add_parser("digest", help="build a digest")
    digest.add_argument("--print", dest="print_digest", action="store_true", required=True,
                        help="print it in the terminal")
    digest.add_argument("--since", default="24h", help="period to cover (default 24h)")
    feedback = sub.add_parser("feedback", help="alerts marked Not relevant, counted per entity and theme")
    feedback.add_argument("--since", help="only answers newer than this (24h, 7d, 2026-11-01)")
    sub.add_parser("doctor", help="check config, store, tokens and chat APIs; say what to fix")
    backup = sub.add_parser("backup", help="write a consistent copy of the live store")
    backup.add_argument("file", type=Path)
    return parser


def _count(text: str) -> int:
    """A whole number from 1 to 1000, or a usage error (exit 2) saying so."""
    if not text.strip().isascii() or not text.strip().isdigit() or not 1 <= int(text) <= 1000:
        raise argparse.ArgumentTypeError(f"must be a number from 1 to 1000, not {text!r}")
    return int(text)


def cli_example(command) -> str:
    """The registry's example as the CLI takes it: `trend ttp 30` becomes `trend ttp --days 30`."""
    from bot.platforms.base import parse_command_text

    name, given = parse_command_text(command.example)
    words = [name] + [given[a.name] for a in command.arguments if a.required and a.name in given]
    words += [f"--{a.name} {given[a.name]}" for a in command.arguments if not a.required and a.name in given]
    return " ".join(words)


def _watch_parser(sub, command) -> argparse.ArgumentParser:
    """A one-shot subcommand from its registry entry: required arguments are words, optional ones --options.

    The values go to the registry's validation unconverted, so the CLI checks them as chat does.
    """
    parser = sub.add_parser(command.name, help=command.help[:1].lower() + command.help[1:],
                            epilog=f"example: watchdesk {cli_example(command)}")
    for argument in command.arguments:
        if argument.required:
            parser.add_argument(argument.name, nargs="+", help=argument.help)
        else:
            parser.add_argument(f"--{argument.name}", help=argument.help)
    return parser


HANDLERS = {  # subcommand -> its handler in bot.cli.handlers
    **{command.name: handlers.cmd_watch for command in REGISTRY.values() if command.cli},
    "poll": handlers.cmd_poll, "run": handlers.cmd_run,
    "demo": handlers.cmd_demo, "match": handlers.cmd_match, "eval": handlers.cmd_eval,
    "why": handlers.cmd_why, "import": handlers.cmd_import, "catalog": handlers.cmd_catalog,
    "digest": handlers.cmd_digest, "status": handlers.cmd_status, "doctor": handlers.cmd_doctor,
    "backup": handlers.cmd_backup, "feedback": handlers.cmd_feedback, "trend": handlers.cmd_trend,
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

