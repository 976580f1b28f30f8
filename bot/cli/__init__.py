"""The `watchdesk` command line. The only place (with the console) that prints.

    watchdesk [--config FILE] [--db FILE] [-v] COMMAND ...

Exit codes: 0 done, 1 failed, 2 configuration or usage mistake.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import textwrap
import sqlite3
from pathlib import Path

from bot import __version__
from bot.cli import handlers
from bot.commands import REGISTRY
from bot.errors import CatalogError, CommandError, ConfigError

log = logging.getLogger(__name__)


EPILOG = "exit codes: 0 done, 1 the command failed, 2 a usage or configuration mistake"


def build_parser() -> argparse.ArgumentParser:
    """Describe every subcommand, its arguments and an example (the --help of each)."""
    parser = argparse.ArgumentParser(
        prog="watchdesk", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Read the frontier's feeds and tell the desk what happened to what it tracks.",
        epilog="examples:\n  watchdesk poll --once\n  watchdesk search torkham --since 7d\n"
               "  watchdesk COMMAND --help    (every command's arguments and an example)\n\n" + EPILOG)
    parser.add_argument("--config", default="feeds.yml", help="feeds.yml to use (default: ./feeds.yml)")
    parser.add_argument("--db", help="SQLite store to use (overrides `store:` in the config)")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging (-vv: debug)")
    parser.add_argument("--version", action="version", version=f"watchdesk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    command = _with_common_options(sub.add_parser)

    poll = command("poll", "poll the feeds that are due (all of them with --once)",
                   "Fetch the feeds whose next check has come, store and match what is new, queue alerts. "
                   "Exits 1 when no feed could be fetched, 0 when at least one was.", "watchdesk poll --once")
    poll.add_argument("--once", action="store_true", help="one pass over every enabled feed, then exit")
    command("run", "run the scheduler, chat adapters and delivery (console without tokens)",
            "The service. With no chat tokens, commands are typed at a prompt (help lists them); "
            "Ctrl-C, Ctrl-D, quit or SIGTERM stop it.", "watchdesk run")
    demo = command("demo", "offline demo on bundled sample feeds served from 127.0.0.1",
                   "Polls three bundled feeds twice with a fixed clock and shows alerts, commands and a digest.",
                   "watchdesk demo --keep /tmp/demo")
    demo.add_argument("--keep", metavar="DIR", help="keep the demo's store and charts in DIR")

    command("match", "read JSONL items on stdin, write their matches as JSONL",
            'Each input line {"id", "title", "summary"} gives one output line with entities, themes and '
            "matches. Needs no store.", "watchdesk match < items.jsonl > matches.jsonl")
    evaluate = command("eval", "precision, recall and F1 of the matcher on a labelled file",
                       "Scores entities and themes against the labels of a JSONL file.",
                       "watchdesk eval labelled.jsonl --errors")
    evaluate.add_argument("file", type=Path, help="labelled JSONL: {id, title, summary, entities, themes}")
    evaluate.add_argument("--errors", action="store_true", help="list every item's mistakes (+wrong -missed)")
    evaluate.add_argument("--labels", type=Path, metavar="LABELS_YML",
                          help="judge only the ids of this labels.yml (default: the one beside the file)")
    why = command("why", "explain the matches of a text, or of a stored item id",
                  "Each entity with the alias, span and rule that matched, the region step, and each theme "
                  "with its cues.", 'watchdesk why 3f2a9c1d\n  watchdesk why "TTP fighters attacked a post"',
                  json=True)
    why.add_argument("text", nargs="+", help="an item id (as search shows it) or any text")
    importer = command("import", "import a folder of text/HTML/Markdown documents",
                       "Background documents become searchable, matched items (never news in a digest). "
                       "Shows progress on a terminal.", "watchdesk import background/")
    importer.add_argument("directory", type=Path, help="folder to read (recursively)")
    catalog = command("catalog", "catalog tools", "Tools for the catalog of entities and themes.",
                      "watchdesk catalog suggest background/")
    catalog_sub = catalog.add_subparsers(dest="catalog_command", required=True, metavar="ACTION")
    suggest = _with_common_options(catalog_sub.add_parser)(
        "suggest", "frequent names in documents that the catalog lacks",
        "Lists capitalised names that recur in the documents and match no entity, with an example.",
        "watchdesk catalog suggest background/ --limit 20")
    suggest.add_argument("directory", type=Path, help="folder of documents to read")
    suggest.add_argument("--limit", type=_count, default=30, help="how many names to list (1 to 1000, default 30)")
    suggest.add_argument("--watch", action="store_true", help="print the names as a `watch:` block for feeds.yml")

    watch = {command.name: _watch_parser(sub, command) for command in REGISTRY.values() if command.cli}
    watch["search"].add_argument("--ranked", dest="order", action="store_const", const="ranked",
                                 help="best match first instead of newest first (the same as --order ranked)")
    watch["trend"].add_argument("--output", "-o", type=Path, metavar="FILE",
                                help="write the PNG to FILE (default: trend-<id>-<first day>-<last day>.png)")
    watch["trend"].add_argument("--incidents", dest="count", action="store_const", const="incidents",
                                help="chart the incidents at the place or by the group (the same as --count incidents)")
    watch["trend"].add_argument("--casualties", dest="count", action="store_const", const="casualties",
                                help="chart the killed and injured in those incidents (--count casualties)")
    watch["status"].add_argument("--health", action="store_true",
                                 help="exit 1 unless the service polled recently and some feed's last poll succeeded")
    digest = command("digest", "build a digest",
                     "The digest of a period: stories grouped by theme, the most mentioned entities. "
                     "Periods up to 35 days; yesterday is yesterday only, in the desk's time zone.",
                     "watchdesk digest --print --since yesterday", json=True)
    digest.add_argument("--print", dest="print_digest", action="store_true", required=True,
                        help="print it in the terminal (required: nothing is sent)")
    digest.add_argument("--since", default="24h",
                        help="period to cover: 24h (default), 12h, 7d, today, yesterday or a date")
    tracking = command("tracking", "what each channel is alerted about",
                       "Subscriptions made with /watch track and alert rules of feeds.yml, per channel.",
                       "watchdesk tracking --channel slack:C0123456789", json=True)
    tracking.add_argument("--channel", metavar="PLATFORM:CHANNEL", help="only this channel (default: every channel)")
    feedback = command("feedback", "alerts marked Not relevant, counted per entity and theme",
                       "What analysts marked Not relevant, to tune rules and the catalog.",
                       "watchdesk feedback --since 7d")
    feedback.add_argument("--since", help="only answers newer than this (24h, 7d, 2026-11-01)")
    export = command("export", "write stored incidents as CSV or JSONL rows (ACLED-like) on stdout",
                     "One row per incident, oldest first: date, type, actor, claimed, location, region, "
                     "fatalities, injured, the number of reports and their outlets, the first headline and link.",
                     "watchdesk export incidents --format csv --since 30d > incidents.csv")
    export.add_argument("what", choices=("incidents",), help="what to export (incidents)")
    export.add_argument("--format", choices=("csv", "jsonl"), default="csv", help="csv (default) or jsonl")
    export.add_argument("--since", help="only incidents first reported since then (24h, 7d, 2026-11-01)")
    command("doctor", "check config, store, tokens and chat APIs; say what to fix",
            "Exits 1 when a check failed; ends with `all good` only when nothing needs reading.",
            "watchdesk doctor")
    backup = command("backup", "write a consistent copy of the live store",
                     "SQLite's online backup, safe while the service runs, then an integrity check.",
                     "watchdesk backup /var/backups/watchdesk-2026-11-25.db")
    backup.add_argument("file", type=Path, help="the copy to write (must not exist; its folder must)")
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


def _with_common_options(add_parser):
    """A subcommand maker: help line, description, example, --config/--db after the name, --json."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", default=argparse.SUPPRESS, help="feeds.yml to use (default: ./feeds.yml)")
    common.add_argument("--db", default=argparse.SUPPRESS, help="SQLite store to use (overrides `store:`)")

    def add(name: str, summary: str, description: str, example: str, *, json: bool = False):
        parser = add_parser(name, help=summary, parents=[common], description=textwrap.fill(description, 88),
                            epilog=f"example:\n  {example}\n\n{EPILOG}",
                            formatter_class=argparse.RawDescriptionHelpFormatter)
        if json:
            parser.add_argument("--json", action="store_true", help="print JSON (keys in the README) instead of text")
        return parser

    return add


CLI_DESCRIPTIONS = {  # the one-shot forms of /watch commands: what --help says beyond the one line
    "lookup": "Type, description, names, relations, mentions in 7 and 30 days, latest items with their ids, "
              "entities mentioned with it.",
    "search": "The number of matches, 10 a page, each with its item id; newest first unless --ranked (or every "
              "match fits on one page). Syntax: \"a phrase\", a OR b, -word, prefix*.",
    "feeds": "The health table of every enabled feed, worst first (state, last success, last error and when, "
             "next check), and undelivered messages.",
    "status": "Uptime, last poll, new items today, queued and failed messages, feed states; --health is the "
              "container's health check.",
    "trend": "Writes a PNG of daily mentions with the 7-day average and prints its path; with --incidents, "
             "the incidents first reported each day at a place (a province or country covers its places) "
             "or by a group; with --casualties, their killed and injured.",
}
JSON_COMMANDS = {"lookup", "search", "feeds", "status"}


def _watch_parser(sub, command) -> argparse.ArgumentParser:
    """A one-shot subcommand from its registry entry: required arguments are words, optional ones --options.

    The values go to the registry's validation unconverted, so the CLI checks them as chat does.
    """
    parser = _with_common_options(sub.add_parser)(
        command.name, command.help[:1].lower() + command.help[1:],
        CLI_DESCRIPTIONS.get(command.name, command.help), "watchdesk " + cli_example(command),
        json=command.name in JSON_COMMANDS)
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
    "tracking": handlers.cmd_tracking, "export": handlers.cmd_export,
}


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the process exit code (0 done, 1 failed, 2 usage or config)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:  # `watchdesk` alone: what it can do
        parser.print_help()
        return 0
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(args.verbose, 2)]
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    code = _run(args)
    if argv is None and args.command == "run":
        _exit_now(code)
    return code


def _run(args) -> int:
    """The subcommand's exit code; every error a user can cause is a message on stderr, no traceback."""
    try:
        code = HANDLERS[args.command](args) or 0
        sys.stdout.flush()  # a closed pipe shows here, not as an error while Python exits
        return code
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
    except BrokenPipeError:  # `watchdesk feeds | head -2`: the reader has all it wanted
        _silence_stdout()
        return 0
    except KeyboardInterrupt:
        return 130
    except (OSError, sqlite3.Error) as exc:  # a file or the store failed us: say so, no traceback
        log.debug("%s failed", args.command, exc_info=True)
        print(f"watchdesk {args.command}: {exc}", file=sys.stderr)
        return 1


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that Python's last flush does not fail on the closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real stdout (a test's capture): nothing to silence
        pass


def _exit_now(code: int) -> None:
    """End `watchdesk run` once it has closed everything itself: store, lock, connections, terminal.

    What is left is freeing memory (the catalog's automaton, tens of MB), which takes a few tenths
    of a second at interpreter exit and would delay a stop the user asked for.
    """
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)
