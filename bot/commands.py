"""The /watch commands, written once and platform-neutral: arguments in, a Reply out.

Every handler takes `deps` first and raises CommandError(reason) for a user's mistake; the
`Commands` runner turns that into an ephemeral error reply, so adapters never see an exception
for bad input. Entity and theme names are resolved forgivingly (see `bot.resolve`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from bot.clock import iso
from bot.errors import CommandError
from bot.localtime import local_time, zone_info
from bot.models import CommandContext, Field, Reply, Section
from bot.resolve import Resolver
from bot.subcommands import Argument, Subcommand
from store import health, outbox, subscriptions
from store.feeds import get_meta
from store.items import items_by_prefix
from store.matches import queue_length

log = logging.getLogger(__name__)

MAX_SINCE_DAYS = 3650
MAX_DIGEST_DAYS = 35  # a digest covers at most this; a longer period is refused, not cut
SEARCH_PAGE = 10  # items per page of search results


@dataclass
class Deps:
    """What the commands need: the store, a clock, and where charts go."""

    db: object
    now: Callable[[], datetime]
    started_at: datetime
    chart_dir: Path
    catalog: object = None
    rules: tuple = ()
    timezone: str = "UTC"  # the desk's time zone: every time shown is in it
    urgency: object = None  # bot.quiet.Urgency: what breaks quiet hours (None: the defaults)
    searches: dict = field(default_factory=dict)  # (platform, channel, user) -> last search, for `next`
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
            if command.manage and not ctx.can_manage and not is_personal(args):
                raise CommandError(f"only members who can manage the server may {name}")
            return await command.handler(self.deps, ctx, **command.validate(args))
        except CommandError as exc:
            return error_reply(exc.reason, exc.suggestions)

    async def home(self, ctx: CommandContext) -> Reply:
        """What a user's personal watchlist and the platform's channels track (Slack's App Home)."""
        label = self.deps.resolver.label
        rows = subscriptions.all_targets(self.deps.db, ctx.platform)
        mine = [label(kind, target) for channel, kind, target in rows if channel == personal_channel(ctx.user_id)]
        channels: dict[str, list[str]] = {}
        for channel, kind, target in rows:
            if not channel.startswith("@"):
                channels.setdefault(channel, []).append(label(kind, target))
        for rule in self.deps.rules:
            if rule.platform == ctx.platform:
                channels.setdefault(rule.channel, []).extend(
                    [label("entity", e) for e in rule.entities] + [label("theme", t) for t in rule.themes])
        sections = [Section(title="You track (alerts by direct message)", text=", ".join(mine) or
                            "nothing yet: /watch track <name> personal")]
        quiet = quiet_hours_of(self.deps, ctx.platform, personal_channel(ctx.user_id))
        sections.append(Section(title="Your quiet hours", text=quiet["window"] if quiet else
                                "none: /watch quiet 23:00-07:00 <time zone> personal"))
        sections += [Section(title=f"Channel {channel}", text=", ".join(dict.fromkeys(names)))
                     for channel, names in sorted(channels.items())]
        return Reply(title="watchdesk: what is tracked", sections=tuple(sections[:40]))

    async def act(self, ctx: CommandContext, name: str, item_id: str, value: str | None = None) -> Reply:
        """Answer a click on an alert's button (or a pick from its menu); mistakes come back as errors."""
        from bot.actions import run_action

        try:
            return await run_action(self.deps, ctx, name, item_id, value)
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
    inside, inside_data = _places_inside(db, entity_id, now, fields)
    description = row.get("description") or (entity.description if entity else "")
    sections = [Section(text=description, fields=tuple(fields))]
    latest = (lookup.latest_items_any(db, [entity_id, *inside], limit=5) if inside
              else lookup.latest_items(db, entity_id, limit=5))
    for item in latest:
        sections.append(Section(title=item["title"][:250], url=item["link"],
                                text=f"{item['feed_name'] or '?'} · {_when(item['published_at'], deps.timezone)}"
                                     f" · id {item['id']}"))
    if len(sections) == 1:
        sections.append(Section(text="No stored item mentions it yet."))
    data = {"id": entity_id, "name": name, "type": row.get("type") or (entity.type if entity else None),
            "description": description, "aliases": list(aliases),
            "relations": [{"relation": rel, "target_id": target, "target_name": target_name}
                          for rel, target, target_name in relations],
            "mentions": {"7d": counts["7d"], "30d": counts["30d"]},
            "mentioned_with": [{"id": other, "name": other_name, "items": shared} for other, other_name, shared in together],
            "latest_items": latest, **inside_data}
    return Reply(title=f"{name} ({entity_id})", sections=tuple(sections), footer="watchdesk lookup", data=data)


def _places_inside(db, entity_id: str, now, fields: list) -> tuple[list[str], dict]:
    """For a province or country: its places' mentions, as fields and JSON; ([], {}) for anything else."""
    from store import lookup
    from store.catalog import places_inside

    inside = places_inside(db, entity_id)
    if not inside:
        return [], {}
    ids = [place_id for place_id, _ in inside]
    combined = lookup.mention_counts_any(db, [entity_id, *ids], now)
    each = lookup.mentions_of_each(db, ids, now, days=30)
    names = dict(inside)
    busiest = sorted(each, key=lambda place_id: (-each[place_id], names[place_id]))
    fields.append(Field("With the places in it", f"{combined['7d']} in 7 days · {combined['30d']} in 30 days", True))
    shown = ", ".join(f"{names[place_id]} ({each[place_id]})" for place_id in busiest[:10])
    fields.append(Field(f"Places in it ({len(inside)}), most mentioned in 30 days",
                        (shown or "none mentioned in 30 days")[:1000]))
    return ids, {"mentions_with_places_inside": combined,
                 "places_inside": [{"id": place_id, "name": names[place_id], "mentions_30d": each.get(place_id, 0)}
                                   for place_id in busiest + [p for p in ids if p not in each]]}


async def _handle_search(deps: Deps, ctx: CommandContext, query: str, since: str | None, page: int,
                         order: str | None) -> Reply:
    deps.searches[(ctx.platform, ctx.channel_id, ctx.user_id)] = (query, since, page, order)
    return await _search(deps, ctx, query, since, page, order)


async def _handle_next(deps: Deps, ctx: CommandContext) -> Reply:
    last = deps.searches.get((ctx.platform, ctx.channel_id, ctx.user_id))
    if last is None:
        raise CommandError("no search to continue here; search first, e.g. `search torkham`")
    query, since, page, order = last
    deps.searches[(ctx.platform, ctx.channel_id, ctx.user_id)] = (query, since, page + 1, order)
    return await _search(deps, ctx, query, since, page + 1, order)


async def _search(deps: Deps, ctx: CommandContext, query: str, since: str | None, page: int,
                  order: str | None) -> Reply:
    from store.search import SearchSyntaxError, search_page

    start = parse_since(since, deps.now(), deps.timezone) if since else None
    ranked = {"newest": False, "ranked": True}.get(order)
    try:
        result = await in_thread(search_page, deps.db, query, since=start, page=page, per_page=SEARCH_PAGE,
                                 ranked=ranked)
    except SearchSyntaxError as exc:
        raise CommandError(f"cannot search for {query!r}: {exc}" if "page" not in str(exc) else str(exc)) from exc
    return search_reply(deps, ctx, query, since, result)


def search_reply(deps: Deps, ctx: CommandContext, query: str, since: str | None, result) -> Reply:
    """A page of search results: the total, the order used, each row with its item id."""
    scope = f"{query!r}" + (f" since {since}" if since else "")
    order = "best match first" if result.ranked else "newest first"
    data = {"query": query, "since": since, "total": result.total, "total_capped": result.total_capped,
            "order": "ranked" if result.ranked else "newest", "page": result.page, "pages": result.pages,
            "per_page": result.per_page,
            "items": [{"id": row["id"], "title": row["title"], "link": row["link"], "feed_id": row["feed_id"],
                       "feed_name": row["feed_name"], "published_at": row["published_at"],
                       "story_id": row["story_id"], "snippet": row.get("snippet") or ""} for row in result.rows]}
    if not result.total:
        return Reply(title=f"No items match {scope}", ephemeral=True, data=data)
    total = f"More than {result.total:,} items match" if result.total_capped else \
        f"{result.total:,} item{'s' if result.total != 1 else ''} match{'es' if result.total == 1 else ''}"
    if not result.rows:
        return Reply(title=f"{total} {scope}; there is no page {result.page} (last page {result.pages})",
                     ephemeral=True, error=True, data=data)
    first = (result.page - 1) * result.per_page + 1
    title = f"{total} {scope} · {order} · {first}–{first + len(result.rows) - 1}, page {result.page} of {result.pages}"
    sections = tuple(Section(title=row["title"][:250], url=row["link"],
                             text=f"{row['feed_name'] or row['feed_id']} · {_when(row['published_at'], deps.timezone)}"
                                  f" · id {row['id']}" + (f"\n{row['snippet']}" if row.get("snippet") else ""))
                     for row in result.rows)
    notes = []
    if result.ranked:
        notes.append("all matches fit on one page, so the best match comes first" if result.total <= result.per_page
                     else "best match first (ranked)")
    if result.page < result.pages:
        notes.append(f"more: --page {result.page + 1}" if ctx.channel_id == "cli" else "more: `next`")
    notes.append("why <id> explains a match")
    return Reply(title=title, sections=sections, footer=" · ".join(notes), data=data)


async def _handle_digest(deps: Deps, ctx: CommandContext, period: str) -> Reply:
    from bot.digest import build_digest, digest_replies

    start, end = parse_period(period, deps.now(), deps.timezone, max_days=MAX_DIGEST_DAYS)
    digest = await in_thread(build_digest, deps.db, start=start, end=end, zone=deps.timezone)
    replies = digest_replies(digest, title="Digest")
    sections = tuple(section for reply in replies for section in reply.sections)
    first = replies[0]
    return Reply(title=first.title, text=first.text, sections=sections, footer=first.footer,
                 data=digest_data(digest))


def digest_data(digest) -> dict:
    """A digest as plain data (the --json form)."""
    return {"start": iso(digest.start), "end": iso(digest.end), "timezone": digest.zone,
            "story_count": digest.story_count, "item_count": digest.item_count,
            "top_entities": [{"id": entity_id, "name": name, "stories": count, "baseline": baseline,
                              "baseline_stories": total}
                             for entity_id, name, count, baseline, total in digest.top_entities],
            "groups": [{"name": name, "stories": [
                {"story_id": story.story_id, "title": story.title, "link": story.link, "outlets": list(story.outlets),
                 "entities": list(story.entities), "themes": list(story.themes),
                 "first_seen_at": iso(story.first_seen_at)} for story in stories]}
                for name, stories in digest.groups]}


def is_personal(args: dict) -> bool:
    """Whether a track/untrack/tracking is about the user's own watchlist (no rights needed)."""
    return str(args.get("scope", "")).strip().lower() == "personal"


def personal_channel(user_id: str) -> str:
    """Where a user's personal alerts go: "@<user id>", a direct message the adapter opens."""
    return f"@{user_id}"


async def _handle_track(deps: Deps, ctx: CommandContext, target: str, scope: str = "channel") -> Reply:
    kind, target_id = deps.resolver.resolve(target, kinds=("entity", "theme"))
    personal = scope == "personal"
    with deps.db.conn:
        subscriptions.subscribe(deps.db, platform=ctx.platform, target_type=kind, target_id=target_id,
                                channel_id=personal_channel(ctx.user_id) if personal else ctx.channel_id,
                                created_by=ctx.user_id, now=deps.now())
    if personal:
        return Reply(title=f"You now track {deps.resolver.label(kind, target_id)}", ephemeral=True,
                     text="New items that match it will come to you by direct message.")
    return Reply(title=f"This channel now tracks {deps.resolver.label(kind, target_id)}",
                 text="New items that match it will be posted here.")


async def _handle_untrack(deps: Deps, ctx: CommandContext, target: str, scope: str = "channel") -> Reply:
    kind, target_id = deps.resolver.resolve(target, kinds=("entity", "theme"))
    personal = scope == "personal"
    with deps.db.conn:
        removed = subscriptions.unsubscribe(deps.db, platform=ctx.platform, target_id=target_id,
                                            channel_id=personal_channel(ctx.user_id) if personal else ctx.channel_id)
    who = "you do" if personal else "this channel does"
    if not removed:
        raise CommandError(f"{who} not track {deps.resolver.label(kind, target_id)}")
    return Reply(title=f"{'You' if personal else 'This channel'} no longer track{'' if personal else 's'} "
                       f"{deps.resolver.label(kind, target_id)}", ephemeral=personal)


async def _handle_tracking(deps: Deps, ctx: CommandContext, scope: str = "channel") -> Reply:
    if scope == "personal":
        rows = subscriptions.channel_targets(deps.db, ctx.platform, personal_channel(ctx.user_id))
        quiet = quiet_hours_of(deps, ctx.platform, personal_channel(ctx.user_id))
        return Reply(title="What you track (by direct message)", ephemeral=True, sections=(Section(
            text=", ".join(deps.resolver.label(k, t) for k, t in rows) or "nothing yet"), _quiet_section(deps, quiet)),
            data={"subscriptions": [{"type": kind, "id": target} for kind, target in rows], "quiet": quiet})
    rows = subscriptions.channel_targets(deps.db, ctx.platform, ctx.channel_id)
    sections = [Section(title="Tracked here with /watch track",
                        text=", ".join(deps.resolver.label(k, t) for k, t in rows) or "nothing yet")]
    ruled = [rule for rule in deps.rules if rule.platform == ctx.platform and rule.channel == ctx.channel_id]
    for rule in ruled:
        sections.append(Section(title="Alert rule in feeds.yml", text=", ".join(
            [deps.resolver.label("entity", e) for e in rule.entities] + [deps.resolver.label("theme", t) for t in rule.themes])))
    quiet = quiet_hours_of(deps, ctx.platform, ctx.channel_id)
    sections.append(_quiet_section(deps, quiet))
    data = {"subscriptions": [{"type": kind, "id": target} for kind, target in rows],
            "alert_rules": [{"entities": list(rule.entities), "themes": list(rule.themes)} for rule in ruled],
            "quiet": quiet}
    return Reply(title="What this channel tracks", sections=tuple(sections), ephemeral=True, data=data)


def quiet_hours_of(deps: Deps, platform: str, channel_id: str) -> dict | None:
    """A channel's or a person's quiet window: {window, source} (set from chat, else feeds.yml), or None."""
    from bot.quiet import describe, windows
    from store.quiet import quiet_window

    stored = quiet_window(deps.db, platform, channel_id)
    found = windows(deps.rules, {(platform, channel_id): (stored["start"], stored["end"], stored["timezone"])}
                    if stored else {}).get((platform, channel_id))
    if found is None:
        return None
    return {"window": describe(found), "source": "chat" if stored else "feeds.yml"}


def _quiet_section(deps: Deps, quiet: dict | None) -> Section:
    from bot.quiet import Urgency

    if quiet is None:
        return Section(title="Quiet hours", text="none: alerts go out at any hour (set them with /watch quiet)")
    where = "from chat" if quiet["source"] == "chat" else "in feeds.yml"
    return Section(title="Quiet hours", text=f"{quiet['window']} (set {where}); "
                                              f"{urgency_text(deps.urgency or Urgency())}")


def urgency_text(urgency) -> str:
    """What still goes out during quiet hours, in one sentence."""
    return (f"alerts wait for the end unless urgent: an incident of tier {urgency.min_tier} or above, or a story "
            f"reported by {urgency.outlets} or more outlets within {int(urgency.within // 60)} minutes")


async def _handle_quiet(deps: Deps, ctx: CommandContext, window: str | None = None, timezone: str | None = None,
                        scope: str = "channel") -> Reply:
    from bot.quiet import Urgency, describe, parse_window, quiet_from_text, quiet_until
    from store import quiet as quiet_store

    personal = scope == "personal"
    channel = personal_channel(ctx.user_id) if personal else ctx.channel_id
    whose, owner = ("your", "Your") if personal else ("this channel's", "This channel's")
    if window is None:
        current = quiet_hours_of(deps, ctx.platform, channel)
        return Reply(title=f"Quiet hours ({whose}): {current['window'] if current else 'none'}",
                     sections=(_quiet_section(deps, current),), ephemeral=True, data={"quiet": current})
    now = deps.now()
    if window.strip().lower() == "off":
        with deps.db.conn:
            removed = quiet_store.clear_quiet(deps.db, platform=ctx.platform, channel_id=channel)
            released = quiet_store.retime_held(deps.db, platform=ctx.platform, channel_id=channel, until=None,
                                               now=now) if removed else 0
        if not removed:
            raise CommandError(f"{owner} quiet hours were not set from chat (a window in feeds.yml stays)")
        return Reply(title=f"Quiet hours off ({whose})", ephemeral=personal,
                     text=_held(released, "goes out now", "go out now"))
    try:
        start, end = parse_window(window)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    quiet = quiet_from_text(f"{start:%H:%M}", f"{end:%H:%M}", timezone or deps.timezone)
    try:
        zone_info(quiet.timezone)
    except (KeyError, ValueError, OSError):  # ZoneInfoNotFoundError is a KeyError
        raise CommandError(f"unknown time zone {quiet.timezone!r}; use e.g. Asia/Karachi") from None
    with deps.db.conn:
        quiet_store.set_quiet(deps.db, platform=ctx.platform, channel_id=channel, start=f"{start:%H:%M}",
                              end=f"{end:%H:%M}", timezone=quiet.timezone, set_by=ctx.user_id, now=now)
        moved = quiet_store.retime_held(deps.db, platform=ctx.platform, channel_id=channel,
                                        until=quiet_until(quiet, now), now=now)
    note = " " + _held(moved, "now waits for this window", "now wait for this window") if moved else ""
    return Reply(title=f"Quiet hours ({whose}): {describe(quiet)}", ephemeral=personal,
                 text=f"Every day, {urgency_text(deps.urgency or Urgency())}.{note}",
                 data={"quiet": {"window": describe(quiet), "source": "chat"}})


def _held(count: int, one: str, many: str) -> str:
    """"1 held alert goes out now." / "3 held alerts go out now." ("" for none)."""
    return f"{count} held alert {one}." if count == 1 else f"{count} held alerts {many}." if count else ""


async def _handle_feeds(deps: Deps, ctx: CommandContext) -> Reply:
    return await in_thread(feeds_reply, deps)


def feeds_reply(deps: Deps) -> Reply:
    """Feed health: state, last success, items, the last error and when, next check; delivery failures."""
    rows = health.feed_health(deps.db)
    zone = deps.timezone
    sections = []
    for row in rows:
        text = (f"{row['state']} · last success {_when(row['last_success_at'], zone)} · {row['items']} items · "
                f"next check {_when(row['next_check_at'], zone)}")
        if row["last_poll_failed"] or row["error_count"]:
            streak = f" ({row['error_count']} in a row)" if row["error_count"] > 1 else ""
            text += (f"\nlast error{streak} {_when(row['last_error_at'], zone)}: "
                     f"{(row['last_error'] or 'unknown error')[:300]}")
        sections.append(Section(title=f"{row['name']} ({row['id']})", text=text))
    failed = outbox.failures(deps.db, limit=5)
    for failure in failed:
        sections.append(Section(title=f"Undelivered {failure['kind']} to {failure['platform']} {failure['channel_id']}",
                                text=failure["last_error"] or ""))
    ok = sum(row["state"] == "ok" and not row["last_poll_failed"] for row in rows)
    failing = sum(row["last_poll_failed"] for row in rows)
    parts = [f"{ok} ok", f"{failing} failed their last poll"]
    if len(rows) - ok - failing:
        parts.append(f"{len(rows) - ok - failing} not polled yet")
    data = {"feeds": [{"id": row["id"], "name": row["name"], "url": row["url"], "state": row["state"],
                       "items": row["items"], "last_success_at": row["last_success_at"],
                       "last_polled_at": row["last_polled_at"], "last_poll_failed": row["last_poll_failed"],
                       "error_count": row["error_count"], "last_error": row["last_error"],
                       "last_error_at": row["last_error_at"], "next_check_at": row["next_check_at"]} for row in rows],
            "undelivered": [{"kind": f["kind"], "platform": f["platform"], "channel_id": f["channel_id"],
                             "error": f["last_error"]} for f in failed]}
    return Reply(title=f"{len(rows)} feeds: " + ", ".join(parts), sections=tuple(sections), data=data)


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
    data = {"item_id": item_id, "title": title,
            "entities": [{"id": m["entity_id"], "alias": m["alias"], "start": m["start"], "end": m["end"],
                          "rule": m["rule"]} for m in found["entities"]],
            "region": region.explain(),
            "themes": [{"id": t["theme_id"], "score": t["score"], "cues": list(t["cues"])} for t in found["themes"]]}
    sections = [Section(title="Entities", text="\n".join(lines) or "none"),
                Section(title="Region", text=region.explain()),
                Section(title="Themes", text="\n".join(themes) or "none")]
    quiet = _quiet_of_alert(deps, ctx, item_id)
    if quiet:
        sections.append(Section(title="Quiet hours", text=quiet))
        data["quiet_hours"] = quiet
    return Reply(title=f"Why: {title[:200]}", sections=tuple(sections), footer=f"item {item_id}", data=data)


def _quiet_of_alert(deps: Deps, ctx: CommandContext, item_id: str) -> str | None:
    """What quiet hours did to this item's alert here (or in the asker's direct messages), if anything."""
    from store.items import alert_item_row

    row = alert_item_row(deps.db, item_id)
    story = (row or {}).get("story_id") or item_id
    for channel in (ctx.channel_id, personal_channel(ctx.user_id)):
        alert = outbox.get(deps.db, f"alert:{ctx.platform}:{channel}:{story}")
        payload = json.loads(alert["payload"]) if alert else {}
        window = f" ({payload['quiet_window']})" if payload.get("quiet_window") else ""
        if payload.get("quiet_broken"):
            return f"sent during quiet hours{window} because it is urgent: {payload['quiet_broken']}"
        if payload.get("quiet_until"):
            return f"held during quiet hours{window} until {_when(payload['quiet_until'], deps.timezone)}"
    return None


def _region(catalog, title: str, summary: str, entities: list[str]):
    """Whether the item is about the desk's region, the step themes pass first."""
    from bot.matching.normalize import fold_phrase
    from bot.matching.themes import about_region

    return about_region(fold_phrase(title), fold_phrase(summary), entities, catalog.not_regional())


async def _handle_status(deps: Deps, ctx: CommandContext) -> Reply:
    return await in_thread(status_reply, deps)


def status_reply(deps: Deps) -> Reply:
    """Uptime, last poll, items today, queued and failed messages, feed states, alert feedback."""
    from bot.actions import feedback_counts_data, feedback_summary
    from bot.connections import describe
    from store.connections import connection_states

    db, now = deps.db, deps.now()
    day_start = local_midnight(now, deps.timezone)
    items_today = health.new_items_since(db, day_start)
    states = health.feed_state_counts(db)
    failed = outbox.failed_count(db)
    polled, last_failed = health.last_poll_failures(db)
    uptime = now - deps.started_at
    connections = connection_states(db)
    last_poll = get_meta(db, "last_poll_at")
    queued, waiting = outbox.queue_depth(db), queue_length(db)
    feeds_text = ", ".join(f"{count} {state}" for state, count in sorted(states.items())) or "none"
    if last_failed:
        feeds_text += f"; {last_failed} of {polled} polled failed their last poll"
    fields = (Field("Uptime", _duration(uptime), True),
              Field("Last poll", _when(last_poll, deps.timezone), True),
              Field("New items today", str(items_today), True),
              Field("Queued messages", str(queued), True),
              Field("Undelivered (failed)", str(failed), True),
              Field("Waiting to be matched", str(waiting), True),
              Field("Feeds", feeds_text, True),
              Field("Not relevant (alert feedback)", feedback_summary(db), True),
              Field("Chat connections", "; ".join(f"{platform} {describe(state, now)}"
                                                  for platform, state in connections.items()) or "none yet", True))
    data = {"uptime_seconds": int(uptime.total_seconds()), "last_poll_at": last_poll, "new_items_today": items_today,
            "day_start": iso(day_start), "queued": queued, "failed": failed, "waiting_to_match": waiting,
            "feeds": dict(sorted(states.items())), "feeds_polled": polled, "feeds_last_poll_failed": last_failed,
            "timezone": deps.timezone, "not_relevant": feedback_counts_data(db),
            "connections": {platform: {key: state[key] for key in ("state", "since", "attempts", "last_error")}
                            for platform, state in connections.items()}}
    return Reply(title="watchdesk status", sections=(Section(fields=fields),), data=data)


async def _handle_trend(deps: Deps, ctx: CommandContext, entity: str, days: int, count: str) -> Reply:
    from bot.trend import incident_trend_file, trend_file

    if count != "mentions":
        place, actor, region, scope = _incident_scope(deps, entity)
        name = deps.resolver.label("entity", actor or region or deps.resolver.resolve(entity, kinds=("entity",))[1])
        target_id = actor or region or re.sub(r"[^a-z0-9]+", "-", place.lower()).strip("-")
        path, total = await in_thread(incident_trend_file, deps.db, target_id, name, days=days, now=deps.now(),
                                      directory=deps.chart_dir, measure=count, place=place, actor=actor,
                                      region=region)
        what = "incidents" if count == "incidents" else "killed and injured in incidents"
        if count == "incidents":
            text = "Bars: incidents first reported per day; line: 7-day average."
        else:
            text = "Bars: killed and injured per day (highest firm figures); line: 7-day average."
        return Reply(title=f"Daily {what}{scope}, last {days} days", file=path,
                     text=text if total else f"No {what}{scope} in this period.",
                     data={"target": entity, "days": days, "count": count, "total": total})
    kind, target_id = deps.resolver.resolve(entity, kinds=("entity", "theme"))
    name = deps.resolver.label(kind, target_id)
    path, total = await in_thread(trend_file, deps.db, target_id, name, days=days, now=deps.now(),
                                  directory=deps.chart_dir, kind=kind)
    text = "Bars: mentions per day; line: 7-day average." if total else "No mentions in this period."
    return Reply(title=f"Daily mentions of {name}, last {days} days", file=path, text=text)


def _incident_scope(deps: Deps, target: str) -> tuple[str | None, str | None, str | None, str]:
    """What `target` names for incidents: (place, actor, region, " at Bannu" / " by TTP" / " in Balochistan")."""
    from bot.incidents import COUNTRIES, PROVINCES

    _, entity_id = deps.resolver.resolve(target, kinds=("entity",))
    entity = deps.resolver.catalog.entities.get(entity_id)
    name = deps.resolver.label("entity", entity_id)
    if entity is not None and entity.type == "group":
        return None, entity_id, None, f" by {name}"
    if entity_id in PROVINCES or entity_id in COUNTRIES:
        return None, None, entity_id, f" in {name}"
    return name, None, None, f" at {name}"


async def _handle_incidents(deps: Deps, ctx: CommandContext, target: str | None, since: str | None) -> Reply:
    return await in_thread(incidents_reply, deps, target, since)


INCIDENTS_SHOWN = 15


def incidents_reply(deps: Deps, target: str | None, since: str | None) -> Reply:
    """Incidents newest first (7 days unless `since`), at a place (a province or country covers its own)
    or by a group: type, place, actor, casualties and sources."""
    from bot.incident_log import summary_line
    from store import incidents as incident_store

    now = deps.now()
    start = parse_since(since, now, deps.timezone) if since else now - timedelta(days=7)
    place = actor = region = None
    scope = ""
    if target:
        place, actor, region, scope = _incident_scope(deps, target)
    rows = incident_store.recent(deps.db, iso(start), place=place, actor=actor, region=region, limit=200)
    names = incident_store.entity_names(deps.db, [r["actor"] for r in rows] + [r["region"] for r in rows])
    period = f" since {since}" if since else " in the last 7 days"
    data = {"target": target, "since": since, "total": len(rows), "incidents": []}
    sections = []
    for row in rows[:INCIDENTS_SHOWN]:
        reports = incident_store.reports(deps.db, row["id"])
        sources = list(dict.fromkeys(r["outlet"] for r in reports))
        when = _when(row["first_seen_at"], deps.timezone)
        first = reports[0] if reports else {}
        sections.append(Section(title=summary_line(row, names)[:250], url=first.get("link"),
                                text=f"{when} · {len(reports)} report{'s' if len(reports) != 1 else ''}: "
                                     + ", ".join(sources[:5])))
        data["incidents"].append({**{k: row[k] for k in ("id", "type", "actor", "claimed", "place", "region",
                                                          "killed", "injured", "first_seen_at")},
                                  "sources": sources})
    if not rows:
        return Reply(title=f"No incidents{scope}{period}", ephemeral=True, data=data)
    more = f" (the newest {INCIDENTS_SHOWN} shown)" if len(rows) > INCIDENTS_SHOWN else ""
    return Reply(title=f"{len(rows)} incident{'s' if len(rows) != 1 else ''}{scope}{period}{more}",
                 sections=tuple(sections), data=data)


# ---------------------------------------------------------------- the registry

_SINCE_SHAPE = r"\d+\s*[mhdw]|\d{4}-\d{2}-\d{2}"
_PERIOD_SHAPE = r"\d+\s*[hdw]|today|yesterday|day|week"
_ENTITY = Argument("entity", "Group, person or place", needs="an entity", complete=("entity",))
_TARGET = Argument("target", "Entity or theme", needs="an entity or a theme", complete=("entity", "theme"),
                   metavar="entity or theme")
_SCOPE = Argument("scope", "channel (the default), or personal: to you alone, by direct message", required=False,
                  default="channel", choices=("channel", "personal"), shape=r"personal|channel", metavar="personal")

REGISTRY: dict[str, Subcommand] = {command.name: command for command in (
    Subcommand("lookup", _handle_lookup, "Profile of a tracked group, person or place, with its latest mentions",
               "lookup ttp", (_ENTITY,), cli=True),
    Subcommand("search", _handle_search, "Search stored items: the total, newest first unless ranked, 10 a page",
               "search torkham closed 7d", (
        Argument("query", "Words to look for", needs="words to look for"),
        Argument("since", "How far back, e.g. 24h, 7d or 2024-05-01", required=False, shape=_SINCE_SHAPE),
        Argument("page", "Page of results (10 a page)", kind=int, required=False, default=1, bounds=(1, 50),
                 metavar="page:N"),  # page:2 and order:ranked are given by name only
        Argument("order", "newest first, or ranked by best match", required=False, choices=("newest", "ranked"),
                 metavar="order:ranked")), cli=True),
    Subcommand("next", _handle_next, "The next page of your last search", "next"),
    Subcommand("digest", _handle_digest, "Digest of what was flagged", "digest 7d", (
        Argument("period", "today, yesterday, week, or e.g. 12h (default 24h)", required=False, default="24h",
                 shape=_PERIOD_SHAPE),)),
    Subcommand("track", _handle_track, "Alert this channel (or you alone: personal) about an entity or theme",
               "track iskp", (_TARGET, _SCOPE), manage=True),
    Subcommand("untrack", _handle_untrack, "Stop alerting this channel (or you: personal) about an entity or theme",
               "untrack iskp", (_TARGET, _SCOPE), manage=True),
    Subcommand("tracking", _handle_tracking, "What this channel (or you: personal) is alerted about", "tracking",
               (_SCOPE,)),
    Subcommand("quiet", _handle_quiet, "Quiet hours for this channel (or you: personal); alerts wait unless urgent",
               "quiet 23:00-07:00 Asia/Karachi", (
        Argument("window", "e.g. 23:00-07:00, or off; none: show the current window", required=False,
                 shape=r"\d{1,2}:\d{2}\s*[-–]\s*\d{1,2}:\d{2}|off", metavar="from-to"),
        Argument("timezone", "IANA time zone, e.g. Asia/Karachi (default: the desk's)", required=False,
                 shape=r"UTC|[A-Za-z]+(?:/[A-Za-z0-9_+-]+)+"), _SCOPE), manage=True),
    Subcommand("feeds", _handle_feeds, "Feeds and their health", "feeds", cli=True),
    Subcommand("why", _handle_why, "Why an item was flagged: the aliases and where they matched", "why 3f2a9c1b", (
        Argument("item", "Item id, as shown on an alert",
                 needs="an item id (at least 6 characters, as shown by search or an alert)", metavar="item id"),)),
    Subcommand("status", _handle_status, "Health of the bot: feeds, queue, last poll", "status", cli=True),
    Subcommand("incidents", _handle_incidents, "Incidents newest first, at a place or by a group: casualties, sources",
               "incidents bannu 7d", (
        Argument("target", "A place or a group (default: all)", required=False, complete=("entity",),
                 metavar="place or group"),
        Argument("since", "How far back, e.g. 24h, 7d or 2024-05-01 (default 7d)", required=False,
                 shape=_SINCE_SHAPE)), cli=True),
    Subcommand("trend", _handle_trend, "Mentions of an entity or theme per day, or incidents or casualties",
               "trend ttp 30", (
        Argument("entity", "Group, person, place or theme", needs="an entity or a theme",
                 complete=("entity", "theme")),
        Argument("days", "How many days (2 to 365, default 30)", kind=int, required=False, default=30,
                 bounds=(2, 365), shape=r"\d{1,3}"),
        Argument("count", "mentions (default), incidents at the place or by the group, or their casualties",
                 required=False, default="mentions", choices=("mentions", "incidents", "casualties"),
                 shape=r"mentions|incidents|casualties", metavar="incidents/casualties")), cli=True),
)}

# ---------------------------------------------------------------- helpers

_SINCE = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$", re.IGNORECASE)
_MINUTES_PER = {"m": 1, "h": 60, "d": 24 * 60, "w": 7 * 24 * 60}


def local_midnight(now: datetime, zone: str = "UTC", days_back: int = 0) -> datetime:
    """The start of today (or `days_back` days before) in the desk's zone, as an aware datetime."""
    local = now.astimezone(zone_info(zone))
    day = local.date() - timedelta(days=days_back)
    return datetime(day.year, day.month, day.day, tzinfo=zone_info(zone))


def parse_since(text: str, now: datetime, zone: str = "UTC") -> datetime:
    """Turn "90m", "24h", "7d", "2w", "today", "yesterday" or "2026-11-01" into a start time.

    Days ("today", "yesterday", a date) begin at midnight in the desk's time zone.
    """
    return parse_period(text, now, zone)[0]


def parse_period(text: str, now: datetime, zone: str = "UTC", *,
                 max_days: int = MAX_SINCE_DAYS) -> tuple[datetime, datetime]:
    """The [start, end) a period names: "yesterday" is that day only, the others run until now.

    A period longer than `max_days` is refused with a CommandError that says so, never cut.
    """
    text = (text or "").strip().lower()
    if text in ("today", "day"):
        return local_midnight(now, zone), now
    if text == "yesterday":
        return local_midnight(now, zone, 1), local_midnight(now, zone)
    if text == "week":
        return now - timedelta(days=7), now
    found = _SINCE.match(text)
    if found:
        # Checked in whole minutes before any timedelta is built: 9999999999d would overflow one.
        minutes = int(found.group(1)) * _MINUTES_PER[found.group(2)]
        if minutes <= 0 or minutes > max_days * 24 * 60:
            raise CommandError(f"{text!r} is out of range (1m to {max_days}d)")
        return now - timedelta(minutes=minutes), now
    try:
        day = datetime.strptime(text, "%Y-%m-%d")
    except ValueError:
        raise CommandError(f"cannot read the period {text!r}; use 24h, 7d, 2w, today or 2026-11-01") from None
    start = datetime(day.year, day.month, day.day, tzinfo=zone_info(zone))
    if start > now:
        raise CommandError(f"{text} is in the future")
    if now - start > timedelta(days=max_days):
        raise CommandError(f"{text!r} is out of range (at most {max_days}d ago)")
    return start, now


def _when(value: str | None, zone: str = "UTC") -> str:
    return local_time(value, zone)


def _duration(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    return f"{days}d {hours}h {rest // 60}m" if days else f"{hours}h {rest // 60}m"
