"""Handlers of the `watchdesk` subcommands: parse nothing, print results, return exit codes."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
import sys
from datetime import datetime
from pathlib import Path

from bot.config import load_settings


def _settings(args):
    return load_settings(args.config, store_override=args.db)


def cmd_poll(args) -> int:
    """Poll the due feeds (every enabled feed with --once) and print a summary."""
    from bot.app import build_pipeline

    settings = _settings(args)

    async def poll():
        _note("loading the catalog and the store…")
        pipeline = build_pipeline(settings)
        try:
            return await pipeline.poll(force=args.once, progress=_progress_bar)
        finally:
            await pipeline.close()

    summary = asyncio.run(poll())
    if sys.stderr.isatty():
        sys.stderr.write("\n")
    from bot.render_text import format_pass

    print(format_pass(summary))
    if summary.results and not summary.ok:
        print("watchdesk: no feed could be fetched", file=sys.stderr)
        return 1
    return 0


def cmd_demo(args) -> int:
    """Run the offline demo."""
    from bot.demo import run_demo

    return asyncio.run(run_demo(sys.stdout, keep=Path(args.keep) if args.keep else None))


def print_json(data) -> None:
    """Print the --json form of an answer: the keys the README documents."""
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _one_shot(args, name: str, arguments: dict, finish=None) -> int:
    """Run one /watch command on the store and print its reply as text, after `finish(reply)`
    (or its data with --json)."""
    from bot.models import CommandContext
    from bot.render_text import render_text

    context = CommandContext(platform="console", channel_id="cli", user_id="cli", can_manage=True)
    reply = _reply(args, name, arguments, context)
    if reply.error:  # a user's mistake (bad argument, unknown name): a usage error
        print(f"watchdesk {args.command}: " + render_text(reply).removeprefix("error: "), file=sys.stderr)
        return 2
    reply = finish(reply) if finish else reply
    if getattr(args, "json", False):
        print_json(reply.data)
    else:
        print(render_text(reply))
    return 0


def cmd_tracking(args) -> int:
    """Print what each channel (or the one given) is alerted about."""
    from bot.app import open_store
    from bot.models import CommandContext
    from store.subscriptions import all_subscriptions

    settings = _settings(args)
    if args.channel:
        platform, separator, channel = args.channel.partition(":")
        if not separator or not platform or not channel:
            print(f"watchdesk tracking: --channel must be PLATFORM:CHANNEL (slack:C0123), not {args.channel!r}",
                  file=sys.stderr)
            return 2
        channels = [(platform, channel)]
    else:
        db = open_store(settings)
        try:
            found = {(row["platform"], row["channel_id"]) for row in all_subscriptions(db)}
        finally:
            db.close()
        channels = sorted(found | {(rule.platform, rule.channel) for rule in settings.alerts})
    answers = []
    for platform, channel in channels:
        context = CommandContext(platform=platform, channel_id=channel, user_id="cli", can_manage=True)
        answers.append((platform, channel, _reply(args, "tracking", {}, context)))
    if args.json:
        print_json({"channels": [{"platform": platform, "channel": channel, **reply.data}
                                 for platform, channel, reply in answers]})
        return 0
    from bot.render_text import render_text

    if not answers:
        print("no channel tracks anything: no /watch track subscription and no alerts: rule in feeds.yml")
    for platform, channel, reply in answers:
        print(f"{platform} {channel}: {render_text(reply)}")
    return 0


def _reply(args, name: str, arguments: dict, context):
    """Run one /watch command on the store and return its Reply."""
    from bot.app import build_commands, open_store
    from store.feeds import get_meta

    settings = _settings(args)
    db = open_store(settings)
    try:
        started = get_meta(db, "started_at")
        runner = build_commands(settings, db, started_at=datetime.fromisoformat(started) if started else None)
        return asyncio.run(runner.run(context, name, arguments))
    finally:
        db.close()


def cmd_trend(args) -> int:
    """Chart an entity's or theme's daily mentions to a PNG (`--output FILE`, else a name with its period)."""
    import shutil
    from dataclasses import replace

    output = args.output
    if output is not None and (output.is_dir() or not output.parent.is_dir()):
        where = "is a folder" if output.is_dir() else f"is in a folder that does not exist ({output.parent})"
        print(f"watchdesk trend: --output {output} {where}", file=sys.stderr)
        return 2

    def move(reply):
        if output is None or reply.file is None:
            return reply
        shutil.move(reply.file, output)
        return replace(reply, file=output)

    return _one_shot(args, "trend", _watch_arguments(args), finish=move)


def cmd_watch(args) -> int:
    """Run the /watch command of the same name (lookup, search, feeds, trend...) and print its reply."""
    return _one_shot(args, args.command, _watch_arguments(args))


def _watch_arguments(args) -> dict:
    """The registry's arguments of this command, as the command line gave them."""
    from bot.commands import REGISTRY

    arguments = {}
    for argument in REGISTRY[args.command].arguments:
        value = vars(args)[argument.name]
        arguments[argument.name] = " ".join(value) if isinstance(value, list) else value
    return arguments


def cmd_status(args) -> int:
    """Print uptime, last poll, items today and queued messages; --health exits 1 when unhealthy."""
    if args.health:
        if not args.json:
            return _health(args)
        import contextlib
        import io

        with contextlib.redirect_stdout(io.StringIO()) as said:
            code = _health(args)
        state, _, reason = said.getvalue().strip().partition(": ")
        print_json({"healthy": code == 0, "state": state, "reason": reason})
        return code
    return cmd_watch(args)


def cmd_feedback(args) -> int:
    """Print the alerts' Not relevant answers per entity and theme, and the latest ones."""
    from bot.actions import feedback_reply
    from bot.app import open_store
    from bot.commands import parse_since
    from bot.clock import utc_now
    from bot.render_text import render_text

    settings = _settings(args)
    since = parse_since(args.since, utc_now()) if args.since else None
    db = open_store(settings)
    try:
        print(render_text(feedback_reply(db, since)))
    finally:
        db.close()
    return 0


def cmd_digest(args) -> int:
    """Print a digest of the period in the terminal."""
    from bot.commands import MAX_DIGEST_DAYS, parse_period
    from bot.digest import build_digest, digest_replies
    from bot.clock import utc_now
    from bot.render_text import render_text

    settings = _settings(args)
    from bot.app import open_store

    db = open_store(settings)
    try:
        start, end = parse_period(args.since, utc_now(), settings.timezone, max_days=MAX_DIGEST_DAYS)
        digest = build_digest(db, start=start, end=end, zone=settings.timezone)
        if args.json:
            from bot.commands import digest_data

            print_json(digest_data(digest))
            return 0
        for reply in digest_replies(digest):
            print(render_text(reply))
    finally:
        db.close()
    return 0


def _health(args) -> int:
    """A container health check: the store opens and the service polled recently."""
    from bot.clock import utc_now
    from store import open_db
    from store.feeds import get_meta
    from bot.connections import configured_platforms, down_too_long
    from store.connections import connection_states
    from store.health import last_poll_failures

    settings = _settings(args)
    if not settings.store.exists():
        print(f"unhealthy: no store at {settings.store}")
        return 1
    db = open_db(settings.store)
    try:
        last = get_meta(db, "last_poll_at")
        polled, failed = last_poll_failures(db)
        connections = connection_states(db)
    finally:
        db.close()
    down = down_too_long(connections, configured_platforms(settings), utc_now(), settings.platform_down_limit)
    if down:
        print("unhealthy: " + "; ".join(down))
        return 1
    if last is None:
        print("starting: no poll yet")
        return 0
    age = (utc_now() - datetime.fromisoformat(last)).total_seconds()
    limit = 3 * max([feed.interval for feed in settings.feeds] or [600]) + 300
    if age > limit:
        print(f"unhealthy: last poll {int(age)} s ago (limit {int(limit)} s)")
        return 1
    if polled and failed == polled:
        print(f"unhealthy: every feed ({polled}) failed its last poll; last poll {int(age)} s ago")
        return 1
    print(f"healthy: last poll {int(age)} s ago (limit {int(limit)} s)"
          + (f"; {failed} of {polled} feeds failed their last poll" if failed else ""))
    return 0


def cmd_backup(args) -> int:
    """Write a consistent copy of the live store (SQLite online backup; safe while running)."""
    from store.backup import backup_store

    settings = _settings(args)
    if not settings.store.exists():
        print(f"watchdesk: no store at {settings.store}", file=sys.stderr)
        return 1
    target = args.file
    if not target.parent.is_dir():
        print(f"watchdesk backup: cannot write {target}: there is no folder {target.parent}", file=sys.stderr)
        return 2
    if target.exists():
        print(f"watchdesk backup: {target} exists; choose a new file name", file=sys.stderr)
        return 2
    check = backup_store(settings.store, target)
    print(f"backed up {settings.store} to {target} ({target.stat().st_size:,} bytes, integrity {check})")
    return 0 if check == "ok" else 1


def cmd_run(args) -> int:
    """Run the long-lived service; with no chat tokens, a console reads commands from stdin."""
    from bot.service import run_service

    settings = _settings(args)
    console = sys.stdin if sys.stdin and sys.stdin.isatty() else None
    return asyncio.run(run_service(settings, console_input=console))


def _watch_or_none(args):
    """The `watch:` extensions of feeds.yml when it exists; matching works without a config."""
    if not Path(args.config).exists():
        return None
    return _settings(args).watch or None


def cmd_match(args) -> int:
    """Read JSONL items on stdin and write their entities, themes and matches as JSONL."""
    from bot.cli.match import run_match

    return run_match(watch=_watch_or_none(args))


def cmd_eval(args) -> int:
    """Print precision, recall and F1 of the matcher on a labelled JSONL file."""
    from bot.matching.loader import load_matcher
    from bot.matching.evaluate import (LabelFileError, evaluate, format_evaluation, label_vocabulary,
                                       read_labelled)

    labels = args.labels
    for path in (args.file, labels):
        if path is not None and not path.exists():
            print(f"watchdesk eval: no such file: {path}", file=sys.stderr)
            return 2
    try:
        vocabulary = label_vocabulary(args.file, labels)
        result = evaluate(load_matcher(_watch_or_none(args)), read_labelled(args.file), vocabulary)
    except LabelFileError as exc:
        print(f"watchdesk eval: {exc}", file=sys.stderr)
        return 2
    if vocabulary is not None:
        print(f"judged on the {len(vocabulary)} ids of {labels or args.file.with_name('labels.yml')}")
    print(format_evaluation(result))
    if args.errors:
        for item_id, kind, wrong, missed in result.errors:
            print(f"{item_id} {kind}: " + " ".join([f"+{label}" for label in wrong] + [f"-{label}" for label in missed]))
    return 0


def cmd_why(args) -> int:
    """Explain the matches of a text, or of a stored item when given its id."""
    from bot.cli.match import explain
    from bot.matching.loader import load_matcher

    matcher = load_matcher(_watch_or_none(args))
    text = " ".join(args.text)
    title, summary, item_id = text, "", None
    if len(args.text) == 1 and Path(args.config).exists():
        row = _stored_item(args, text)
        if row is not None:
            (title, summary), item_id = row, text
    if args.json:
        print_json(why_data(matcher, title, summary, item_id))
        return 0
    if item_id:
        print(f"item {text}: {title}")
    print(explain(matcher, title, summary))
    return 0


def why_data(matcher, title: str, summary: str, item_id: str | None) -> dict:
    """`why --json`: the item (or text), each entity match and each theme kept, with its cues."""
    result = matcher.match(title, summary)
    named = {match.entity for match in result.matches}
    return {"item_id": item_id, "title": title, "summary": summary,
            "entities": [{"id": m.entity, "alias": m.alias, "start": m.start, "end": m.end, "rule": m.rule}
                         for m in result.matches]
            + [{"id": entity, "alias": None, "start": -1, "end": -1, "rule": "implied"}
               for entity in result.entities if entity not in named],
            "themes": [{"id": score.theme, "score": score.score, "cues": list(score.cues)} for score in result.themes]}


def _stored_item(args, item_id: str):
    settings = _settings(args)
    if not settings.store.exists():
        return None
    from store import open_db
    from store.items import item_text

    db = open_db(settings.store)
    try:
        return item_text(db, item_id) if len(item_id) >= 6 else None
    finally:
        db.close()


def cmd_import(args) -> int:
    """Import a folder of text, HTML or Markdown documents as searchable, matched items."""
    from bot.app import build_matcher, open_store
    from bot.corpus import import_directory
    from bot.documents import printable_name

    if not args.directory.is_dir():
        print(f"watchdesk import: {printable_name(args.directory)} is not a folder", file=sys.stderr)
        return 2
    settings = _settings(args)
    db = open_store(settings)
    try:
        _note("loading the catalog…")
        matcher = build_matcher(settings, db)
        passed_over: list[tuple[str, str]] = []
        imported, skipped = import_directory(db, args.directory, matcher, progress=_progress_bar,
                                             on_skip=lambda name, reason: passed_over.append((name, reason)))
    finally:
        db.close()
    if sys.stderr.isatty():
        sys.stderr.write("\n")
    for name, reason in passed_over:
        print(f"skipped {name}: {reason}", file=sys.stderr)
    note = f", {len(passed_over)} files skipped" if passed_over else ""
    print(f"imported {imported} documents from {printable_name(args.directory)} "
          f"({skipped} already in the store{note})")
    return 0


def _note(text: str) -> None:
    """A passing status on stderr when it is a terminal (overwritten by the progress line)."""
    if sys.stderr.isatty():
        sys.stderr.write(f"\r{text}")
        sys.stderr.flush()


def _progress_bar(done: int, total: int, name: str) -> None:
    """A progress line on stderr when it is a terminal; nothing when output is piped or logged."""
    if not sys.stderr.isatty():
        return
    width = 30
    filled = int(width * done / total) if total else width
    sys.stderr.write(f"\r[{'#' * filled}{' ' * (width - filled)}] {done}/{total} {name[:40]:<40}")
    sys.stderr.flush()


def cmd_catalog(args) -> int:
    """Catalog tools: `suggest DIR` lists frequent names the catalog lacks."""
    from bot.corpus import suggest_names
    from bot.matching.loader import load_matcher

    if not args.directory.is_dir():
        print(f"watchdesk catalog suggest: {args.directory} is not a folder", file=sys.stderr)
        return 2
    from bot.corpus import watch_block

    skipped: list[tuple[str, str]] = []
    matcher = load_matcher(_watch_or_none(args))
    suggestions = suggest_names(args.directory, matcher, limit=args.limit,
                                on_skip=lambda name, why: skipped.append((name, why)))
    if skipped:
        reasons = Counter(why for _, why in skipped)
        print(f"skipped {len(skipped)} files that are not text: "
              + ", ".join(f"{why} ({count})" for why, count in reasons.most_common()), file=sys.stderr)
    if not suggestions:
        print("every frequent name in these documents is already in the catalog")
    elif args.watch:
        print("# Names from " + str(args.directory) + "; check each type and description, then paste into feeds.yml.")
        print(watch_block(suggestions, taken=matcher.catalog.entities), end="")
    else:
        for suggestion in suggestions:
            print(f"{suggestion.count:4}  {suggestion.name}  ({suggestion.type}?)\n      e.g. {suggestion.example}")
    return 0


def cmd_doctor(args) -> int:
    """Check the config, the store, the tokens and the chat APIs; say what to fix."""
    from bot.doctor import run_doctor

    return asyncio.run(run_doctor(args.config, args.db, out=sys.stdout))


EXPORT_COLUMNS = ("incident_id", "event_date", "first_report_at", "event_type", "actor", "claimed", "location",
                  "region", "fatalities", "injured", "source_count", "sources", "first_headline", "first_link")


def cmd_export(args) -> int:
    """Write the stored incidents as ACLED-like rows (CSV or JSONL) on stdout, oldest first."""
    import csv
    import json
    import sys

    from bot.app import open_store
    from bot.clock import iso, utc_now
    from bot.commands import parse_since
    from store import incidents as incident_store

    settings = _settings(args)
    since = parse_since(args.since, utc_now(), settings.timezone) if args.since else None
    db = open_store(settings)
    try:
        rows = incident_store.between(db, iso(since) if since else "", iso(utc_now()) or "")
        records = []
        for row in rows:
            reports = incident_store.reports(db, row["id"])
            sources = list(dict.fromkeys(r["outlet"] for r in reports))
            first = reports[0] if reports else {}
            records.append({"incident_id": row["id"], "event_date": row["first_seen_at"][:10],
                            "first_report_at": row["first_seen_at"], "event_type": row["type"],
                            "actor": row["actor"] or "", "claimed": row["claimed"], "location": row["place"] or "",
                            "region": row["region"] or "", "fatalities": row["killed"], "injured": row["injured"],
                            "source_count": len(reports), "sources": "; ".join(sources),
                            "first_headline": first.get("title") or "", "first_link": first.get("link") or ""})
    finally:
        db.close()
    if args.format == "jsonl":
        for record in records:
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    else:
        writer = csv.DictWriter(sys.stdout, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for record in records:
            writer.writerow({**record, "claimed": "yes" if record["claimed"] else "no",
                             "fatalities": "" if record["fatalities"] is None else record["fatalities"],
                             "injured": "" if record["injured"] is None else record["injured"]})
    sys.stdout.flush()
    return 0
