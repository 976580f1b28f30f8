"""The /watch commands, written once and platform-neutral: arguments in, a Reply out.

Every handler takes `deps` first and raises CommandError(reason) for a user's mistake; the
`Commands` runner turns that into an ephemeral error reply, so adapters never see an exception
for bad input. Entity and theme names are resolved forgivingly (see `bot.resolve`).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from bot.errors import CommandError
from bot.models import CommandContext, Field, Reply, Section
from bot.resolve import Resolver
from bot.subcommands import Argument, Subcommand
from store import health, outbox, subscriptions
from store.feeds import get_meta
from store.items import items_by_prefix
from store.matches import queue_length

log = logging.getLogger(__name__)

MAX_SINCE_DAYS = 3650


@dataclass
class Deps:
    """What the commands need: the store, a clock, and where charts go."""

    db: object
    now: Callable[[], datetime]
    started_at: datetime
    chart_dir: Path
    catalog: object = None
    rules: tuple = ()
    _resolver: Resolver | None = field(default=None, repr=False)

    @property
    def resolver(self) -> Resolver:
        """The name resolver for this catalog, built on first use."""
        if self._resolver is None:
            if self.catalog is None:
                from bot.matching.catalog import load_catalog

                self.catalog = load_catalog()
            self._resolver = Resolver(self.catalog)
        return self._resolver


class Commands:
    """The CommandRunner adapters call: dispatch, error handling, autocomplete."""

    def __init__(self, deps: Deps):
        self.deps = deps

    async def run(self, ctx: CommandContext, name: str, args: dict[str, str]) -> Reply:
        """Run subcommand `name`; user mistakes come back as an ephemeral error Reply.

        The registry checks the rights and the arguments before the handler runs, so a handler
        receives typed values with defaults filled in.
        """
        command = REGISTRY.get(name)
        if command is None:
            return error_reply(f"unknown subcommand {name!r}; try: {', '.join(REGISTRY)}")
        try:
            if command.manage and not ctx.can_manage:
                raise CommandError(f"only members who can manage the server may {name}")
            return await command.handler(self.deps, ctx, **command.validate(args))
        except CommandError as exc:
            return error_reply(exc.reason, exc.suggestions)

    async def complete(self, ctx: CommandContext, argument: str, prefix: str) -> list[tuple[str, str]]:
        """Suggest what the registry says this argument takes (entities; themes too for targets)."""
        kinds = next((declared.complete for command in REGISTRY.values() for declared in command.arguments
                      if declared.name == argument and declared.complete), ("entity",))
        return self.deps.resolver.complete(prefix, kinds=kinds, limit=25)


def error_reply(reason: str, suggestions=()) -> Reply:
    """The reply for a user's mistake: only the asker sees it."""
    text = f"Did you mean: {', '.join(suggestions)}?" if suggestions else ""
    return Reply(title=reason, text=text, ephemeral=True, error=True)


async def in_thread(function, *args, **kwargs):
    """Run store work off the event loop."""
    return await asyncio.to_thread(function, *args, **kwargs)


# ---------------------------------------------------------------- handlers


async def _handle_lookup(deps: Deps, ctx: CommandContext, entity: str) -> Reply:
    entity_id = deps.resolver.resolve(entity, kinds=("entity",))[1]
    return await in_thread(lookup_reply, deps, entity_id)


def lookup_reply(deps: Deps, entity_id: str) -> Reply:
    """Profile of an entity: description, names, relations, mentions, latest items, co-mentions."""
    from store import lookup

    db, now = deps.db, deps.now()
    row = lookup.entity_row(db, entity_id) or {}
    entity = deps.resolver.catalog.entities.get(entity_id)
    name = row.get("name") or (entity.name if entity else entity_id)
    counts = lookup.mention_counts(db, entity_id, now)
    aliases = lookup.entity_aliases(db, entity_id) or list(entity.aliases if entity else ())
    relations = lookup.entity_relations(db, entity_id)
    fields = [Field("Type", row.get("type") or (entity.type if entity else "?"), True),
              Field("Mentions", f"{counts['7d']} in 7 days · {counts['30d']} in 30 days", True)]
    if aliases:
        fields.append(Field("Also known as", ", ".join(aliases[:20])[:1000]))
    if relations:
        fields.append(Field("Relations", "; ".join(f"{rel.replace('-', ' ')} {target_name}"
                                                   for rel, _, target_name in relations[:12])[:1000]))
    together = lookup.co_mentioned(db, entity_id, now=now, days=30, limit=5)
    if together:
        fields.append(Field("Often mentioned with", ", ".join(f"{n} ({c})" for _, n, c in together)[:1000]))
    sections = [Section(text=row.get("description") or (entity.description if entity else ""), fields=tuple(fields))]
    for item in lookup.latest_items(db, entity_id, limit=5):
        sections.append(Section(title=item["title"][:250], url=item["link"],
                                text=f"{item['feed_name'] or '?'} · {_when(item['published_at'])}"))
    if len(sections) == 1:
        sections.append(Section(text="No stored item mentions it yet."))
    return Reply(title=f"{name} ({entity_id})", sections=tuple(sections), footer="watchdesk lookup")


async def _handle_search(deps: Deps, ctx: CommandContext, query: str, since: str | None) -> Reply:
    from store.search import SearchSyntaxError, search_items

    start = parse_since(since, deps.now()) if since else None
    try:
        rows = await in_thread(search_items, deps.db, query, since=start, limit=10)
    except SearchSyntaxError as exc:
        raise CommandError(f"cannot search for {query!r}: {exc}") from exc
    if not rows:
        return Reply(title=f"No items match {query!r}" + (f" since {since}" if since else ""), ephemeral=True)
    sections = tuple(Section(title=row["title"][:250], url=row["link"],
                             text=f"{row['feed_name'] or row['feed_id']} · {_when(row['published_at'])}"
                                  + (f"\n{row['snippet']}" if row.get("snippet") else ""))
                     for row in rows)
    return Reply(title=f"{len(rows)} newest items matching {query!r}", sections=sections)


async def _handle_digest(deps: Deps, ctx: CommandContext, period: str) -> Reply:
    from bot.digest import build_digest, digest_replies

    now = deps.now()
    start = parse_since(period, now)
    digest = await in_thread(build_digest, deps.db, start=start, end=now)
    replies = digest_replies(digest, title="Digest")
    sections = tuple(section for reply in replies for section in reply.sections)
    first = replies[0]
    return Reply(title=first.title, text=first.text, sections=sections, footer=first.footer)


async def _handle_track(deps: Deps, ctx: CommandContext, target: str) -> Reply:
    kind, target_id = deps.resolver.resolve(target, kinds=("entity", "theme"))
    with deps.db.conn:
        subscriptions.subscribe(deps.db, platform=ctx.platform, channel_id=ctx.channel_id, target_type=kind,
                                target_id=target_id, created_by=ctx.user_id, now=deps.now())
    return Reply(title=f"This channel now tracks {deps.resolver.label(kind, target_id)}",
                 text="New items that match it will be posted here.")


async def _handle_untrack(deps: Deps, ctx: CommandContext, target: str) -> Reply:
    kind, target_id = deps.resolver.resolve(target, kinds=("entity", "theme"))
    with deps.db.conn:
        removed = subscriptions.unsubscribe(deps.db, platform=ctx.platform, channel_id=ctx.channel_id,
                                            target_id=target_id)
    if not removed:
        raise CommandError(f"this channel does not track {deps.resolver.label(kind, target_id)}")
    return Reply(title=f"This channel no longer tracks {deps.resolver.label(kind, target_id)}")


async def _handle_tracking(deps: Deps, ctx: CommandContext) -> Reply:
    rows = subscriptions.channel_targets(deps.db, ctx.platform, ctx.channel_id)
    sections = [Section(title="Tracked here with /watch track",
                        text=", ".join(deps.resolver.label(k, t) for k, t in rows) or "nothing yet")]
    ruled = [rule for rule in deps.rules if rule.platform == ctx.platform and rule.channel == ctx.channel_id]
    for rule in ruled:
        sections.append(Section(title="Alert rule in feeds.yml", text=", ".join(
            [deps.resolver.label("entity", e) for e in rule.entities] + [deps.resolver.label("theme", t) for t in rule.themes])))
    return Reply(title="What this channel tracks", sections=tuple(sections), ephemeral=True)


async def _handle_feeds(deps: Deps, ctx: CommandContext) -> Reply:
    return await in_thread(feeds_reply, deps)


def feeds_reply(deps: Deps) -> Reply:
    """Feed health: state, last success, items, errors, next check; and delivery failures."""
    rows = health.feed_health(deps.db)
    sections = []
    for row in rows:
        text = (f"{row['state']} · last success {_when(row['last_success_at'])} · {row['items']} items · "
                f"next check {_when(row['next_check_at'])}")
        if row["error_count"]:
            text += f"\n{row['error_count']} errors in a row: {(row['last_error'] or '')[:300]}"
        sections.append(Section(title=f"{row['name']} ({row['id']})", text=text))
    failed = outbox.failures(deps.db, limit=5)
    for failure in failed:
        sections.append(Section(title=f"Undelivered {failure['kind']} to {failure['platform']} {failure['channel_id']}",
                                text=failure["last_error"] or ""))
    ok = sum(row["state"] == "ok" for row in rows)
    return Reply(title=f"{len(rows)} feeds: {ok} ok, {len(rows) - ok} not ok or not polled yet",
                 sections=tuple(sections))


async def _handle_why(deps: Deps, ctx: CommandContext, item: str) -> Reply:
    from store.matches import item_matches

    item = item.strip()
    if len(item) < 6:
        raise CommandError("why needs an item id (at least 6 characters, as shown by search or an alert)")
    rows = items_by_prefix(deps.db, item, limit=2)
    if not rows:
        raise CommandError(f"no stored item has an id starting with {item!r}")
    if len(rows) > 1:
        raise CommandError(f"several items start with {item!r}; give more of the id")
    item_id, title, summary = rows[0]
    found = item_matches(deps.db, item_id)
    region = _region(deps.resolver.catalog, title, summary, [m["entity_id"] for m in found["entities"]])
    lines = [f"{deps.resolver.label('entity', m['entity_id'])}: “{m['alias']}” at {m['start']}-{m['end']} ({m['rule']})"
             if m["start"] >= 0 else f"{deps.resolver.label('entity', m['entity_id'])}: implied" for m in found["entities"]]
    themes = [f"{deps.resolver.label('theme', t['theme_id'])}: score {t['score']:g} from {', '.join(t['cues'][:6])}"
              for t in found["themes"]]
    return Reply(title=f"Why: {title[:200]}", sections=(
        Section(title="Entities", text="\n".join(lines) or "none"),
        Section(title="Region", text=region.explain()),
        Section(title="Themes", text="\n".join(themes) or "none")), footer=f"item {item_id}")


def _region(catalog, title: str, summary: str, entities: list[str]):
    """Whether the item is about the desk's region, the step themes pass first."""
    from bot.matching.normalize import fold_phrase
    from bot.matching.themes import about_region

    return about_region(fold_phrase(title), fold_phrase(summary), entities, catalog.not_regional())


async def _handle_status(deps: Deps, ctx: CommandContext) -> Reply:
    return await in_thread(status_reply, deps)


def status_reply(deps: Deps) -> Reply:
    """Uptime, last poll, items today, queued and failed messages, feed states."""
    db, now = deps.db, deps.now()
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    items_today = health.new_items_since(db, day_start)
    states = health.feed_state_counts(db)
    failed = outbox.failed_count(db)
    uptime = now - deps.started_at
    fields = (Field("Uptime", _duration(uptime), True),
              Field("Last poll", _when(get_meta(db, "last_poll_at")), True),
              Field("New items today", str(items_today), True),
              Field("Queued messages", str(outbox.queue_depth(db)), True),
              Field("Undelivered (failed)", str(failed), True),
              Field("Waiting to be matched", str(queue_length(db)), True),
              Field("Feeds", ", ".join(f"{count} {state}" for state, count in sorted(states.items())) or "none", True))
    return Reply(title="watchdesk status", sections=(Section(fields=fields),))


async def _handle_trend(deps: Deps, ctx: CommandContext, entity: str, days: int) -> Reply:
    from bot.trend import trend_chart

    entity_id = deps.resolver.resolve(entity, kinds=("entity",))[1]
    name = deps.resolver.label("entity", entity_id)
    path = await in_thread(trend_chart, deps.db, entity_id, name, days=days, now=deps.now(),
                           directory=deps.chart_dir)
    return Reply(title=f"Daily mentions of {name}, last {days} days", file=path,
                 text="Bars: mentions per day; line: 7-day average.")


# ---------------------------------------------------------------- the registry

_SINCE_SHAPE = r"\d+\s*[mhdw]|\d{4}-\d{2}-\d{2}"
_PERIOD_SHAPE = r"\d+\s*[hdw]|today|yesterday|day|week"
_ENTITY = Argument("entity", "Group, person or place", needs="an entity", complete=("entity",))
_TARGET = Argument("target", "Entity or theme", needs="an entity or a theme", complete=("entity", "theme"),
                   metavar="entity or theme")

REGISTRY: dict[str, Subcommand] = {command.name: command for command in (
    Subcommand("lookup", _handle_lookup, "Profile of a tracked group, person or place, with its latest mentions",
               "lookup ttp", (_ENTITY,), cli=True),
    Subcommand("search", _handle_search, "Search stored items", "search torkham closed 7d", (
        Argument("query", "Words to look for", needs="words to look for"),
        Argument("since", "How far back, e.g. 24h, 7d or 2024-05-01", required=False, shape=_SINCE_SHAPE)),
        cli=True),
    Subcommand("digest", _handle_digest, "Digest of what was flagged", "digest 7d", (
        Argument("period", "today, yesterday, week, or e.g. 12h (default 24h)", required=False, default="24h",
                 shape=_PERIOD_SHAPE),)),
    Subcommand("track", _handle_track, "Alert this channel about an entity or theme", "track iskp", (_TARGET,),
               manage=True),
    Subcommand("untrack", _handle_untrack, "Stop alerting this channel about an entity or theme", "untrack iskp",
               (_TARGET,), manage=True),
    Subcommand("tracking", _handle_tracking, "What this channel is alerted about", "tracking"),
    Subcommand("feeds", _handle_feeds, "Feeds and their health", "feeds", cli=True),
    Subcommand("why", _handle_why, "Why an item was flagged: the aliases and where they matched", "why 3f2a9c1b", (
        Argument("item", "Item id, as shown on an alert",
                 needs="an item id (at least 6 characters, as shown by search or an alert)", metavar="item id"),)),
    Subcommand("status", _handle_status, "Health of the bot: feeds, queue, last poll", "status", cli=True),
    Subcommand("trend", _handle_trend, "Mentions of an entity per day", "trend ttp 30", (
        _ENTITY, Argument("days", "How many days (2 to 365, default 30)", kind=int, required=False, default=30,
                          bounds=(2, 365), shape=r"\d{1,3}")), cli=True),
)}

# ---------------------------------------------------------------- helpers

_SINCE = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$", re.IGNORECASE)
_MINUTES_PER = {"m": 1, "h": 60, "d": 24 * 60, "w": 7 * 24 * 60}


def parse_since(text: str, now: datetime) -> datetime:
    """Turn "90m", "24h", "7d", "2w", "today", "yesterday" or "2026-11-01" into a UTC start time."""
    text = (text or "").strip().lower()
    if text in ("today", "day"):
        return now.replace(hour=0, minute=0, second=0, microsecond=0)
    if text == "yesterday":
        return now.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1)
    if text == "week":
        return now - timedelta(days=7)
    found = _SINCE.match(text)
    if found:
        # Checked in whole minutes before any timedelta is built: 9999999999d would overflow one.
        minutes = int(found.group(1)) * _MINUTES_PER[found.group(2)]
        if minutes <= 0 or minutes > MAX_SINCE_DAYS * 24 * 60:
            raise CommandError(f"{text!r} is out of range (1m to {MAX_SINCE_DAYS}d)")
        return now - timedelta(minutes=minutes)
    try:
        start = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=now.tzinfo)
    except ValueError:
        raise CommandError(f"cannot read the period {text!r}; use 24h, 7d, 2w, today or 2026-11-01") from None
    if start > now:
        raise CommandError(f"{text} is in the future")
    if now - start > timedelta(days=MAX_SINCE_DAYS):
        raise CommandError(f"{text!r} is out of range (at most {MAX_SINCE_DAYS}d ago)")
    return start


def _when(value: str | None) -> str:
    if not value:
        return "never"
    return value.replace("T", " ").replace("+00:00", " UTC")[:20].strip()


def _duration(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    return f"{days}d {hours}h {rest // 60}m" if days else f"{hours}h {rest // 60}m"
