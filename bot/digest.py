"""The daily digest: select, cluster, rank -> Digest -> Replies -> outbox. Platform-neutral.

A digest covers the feed items first seen (by published_at, baseline items included) in a period
that match at least one entity or theme (one of the target's, when it names some); imported
documents are background, not news, and never appear. Items of one story (several outlets) are one
DigestStory, grouped under the story's best theme and ranked by the outlets carrying it, then the
entities it names, then recency. The period's most named entities are counted in stories (places roll
up: a story naming Bannu counts for Khyber Pakhtunkhwa and Pakistan, and a target that names a
province takes the stories of the places in it), and compared like with like: a period of a day or less with the same hours of each of the 7 days
before (their average), a longer one with the period of the same length just before. When that
baseline holds fewer than MIN_BASELINE stories, no comparison is shown. Times are in the desk's
time zone, with the zone. The digest opens with the period's incidents (bot/incident_log.py): their
count by type and by province or country, the killed and injured in all, and the deadliest with
their sources.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from bot.clock import as_utc, iso
from bot.incident_log import summary_line
from bot.config import DigestTarget
from bot.localtime import to_local, zone_abbreviation
from bot.models import Reply, Section, reply_to_dict
from bot.stories import strip_tracking
from store import digests as digest_store
from store import incidents as incident_store
from store import outbox
from store.catalog import places_containing, places_inside
from store.feeds import get_meta

log = logging.getLogger(__name__)

OTHER_NEWS = "Other news"
MAX_STORIES = 30  # stories shown in one digest; the rest are counted
TOP_ENTITIES = 10
BASELINE_DAYS = 7
MIN_BASELINE = 5  # stories in the baseline below which a change is not worth a percentage
MAX_SECTIONS = 10  # per Reply: Discord allows 10 embeds
MAX_SECTION_TEXT = 1000
MAX_REPLY_TEXT = 3500  # title, text, footer and every section title and text of one Reply
MAX_HEADLINE = 200
MAX_TITLE = 150  # Slack headers
MAX_URL = 300
SHOWN_OUTLETS = 3
FOOTER_ROOM = 40


@dataclass(frozen=True)
class DigestStory:
    """One story of a digest: its headline, link, outlets, entity names and theme ids."""

    story_id: str
    title: str
    link: str | None
    outlets: tuple[str, ...]
    entities: tuple[str, ...]
    themes: tuple[str, ...]
    first_seen_at: datetime
    score: float  # outlets + entities / 100: the ranking before recency


@dataclass(frozen=True)
class Digest:
    """A period's stories grouped by theme, its most named entities and its size."""

    start: datetime
    end: datetime
    groups: tuple[tuple[str, tuple[DigestStory, ...]], ...]
    top_entities: tuple[tuple[str, str, int, float, int], ...]  # id, name, stories, baseline, baseline stories
    item_count: int  # matching items in the period
    story_count: int  # matching stories in the period (groups hold at most MAX_STORIES)
    zone: str = "UTC"  # the desk's time zone, for every time shown
    incidents: tuple[dict, ...] = ()  # incidents first reported in the period, each with its "sources"
    incident_names: dict = field(default_factory=dict)  # actor and region ids -> names


def build_digest(db, *, start: datetime, end: datetime, entities=(), themes=(),
                 max_stories: int = MAX_STORIES, zone: str = "UTC") -> Digest:
    """Select, cluster and rank the matching stories first seen in [start, end)."""
    window = (as_utc(start), as_utc(end))
    items = digest_store.period_items(db, *window)
    item_entities = digest_store.period_entities(db, *window)
    item_themes = digest_store.period_themes(db, *window)
    entity_names, theme_names = digest_store.catalog_names(db)
    wanted_entities, wanted_themes = set(entities), set(themes)

    containing = places_containing(db, {entity for named in item_entities.values() for entity in named}) \
        if wanted_entities else {}

    def qualifies(item_id: str) -> bool:
        if not wanted_entities and not wanted_themes:
            return bool(item_entities.get(item_id) or item_themes.get(item_id))
        named = item_entities.get(item_id, set())
        around = {place for entity in named for place in containing.get(entity, ())}  # a target's province covers Bannu
        return bool((named | around) & wanted_entities or item_themes.get(item_id, {}).keys() & wanted_themes)

    by_story: dict[str, list[tuple]] = defaultdict(list)
    for row in items:
        by_story[row[1]].append(row)
    matched_items = {row[0] for row in items if qualifies(row[0])}
    stories = [_story(story_id, rows, item_entities, item_themes, entity_names)
               for story_id, rows in by_story.items() if any(row[0] in matched_items for row in rows)]
    stories.sort(key=lambda story: story.first_seen_at, reverse=True)
    stories.sort(key=lambda story: story.score, reverse=True)
    shown = stories[:max_stories]
    story_of = {row[0]: row[1] for row in items}
    top = _top_entities(db, matched_items, story_of, item_entities, entity_names, wanted_entities, start, end)
    incidents = []
    for incident in incident_store.between(db, iso(window[0]), iso(window[1])):
        incident["sources"] = tuple(dict.fromkeys(r["outlet"] for r in incident_store.reports(db, incident["id"])))
        incidents.append(incident)
    names = {**entity_names, **incident_store.entity_names(
        db, [i["actor"] for i in incidents] + [i["region"] for i in incidents])}
    return Digest(start=start, end=end, groups=_grouped(shown, theme_names), top_entities=top,
                  item_count=len(matched_items), story_count=len(stories), zone=zone,
                  incidents=tuple(incidents), incident_names=names)


def incidents_text(digest: Digest, deadliest: int = 5) -> str:
    """The digest's incident section: counts by type and region, totals, the deadliest with sources."""
    incidents = digest.incidents
    by_type = Counter(i["type"] for i in incidents)
    by_region = Counter(digest.incident_names.get(i["region"], i["region"]) if i["region"] else "unplaced"
                        for i in incidents)
    killed = sum(i["killed"] or 0 for i in incidents)
    injured = sum(i["injured"] or 0 for i in incidents)
    lines = [f"{len(incidents)} incidents: " + ", ".join(f"{count} {kind.replace('-', ' ')}"
                                                        for kind, count in by_type.most_common()),
             "By region: " + ", ".join(f"{name} {count}" for name, count in by_region.most_common()),
             f"Killed {killed}, injured {injured} (the highest firm figures reported)"]
    worst = sorted(incidents, key=lambda i: ((i["killed"] or 0), (i["injured"] or 0)), reverse=True)[:deadliest]
    for incident in worst:
        sources = ", ".join(_cut(name, 40) for name in incident["sources"][:SHOWN_OUTLETS])
        if len(incident["sources"]) > SHOWN_OUTLETS:
            sources += f" +{len(incident['sources']) - SHOWN_OUTLETS}"
        lines.append(f"• {summary_line(incident, digest.incident_names)} — {sources}")
    return "\n".join(lines)[:MAX_SECTION_TEXT]


def _story(story_id: str, rows: list[tuple], item_entities, item_themes, entity_names) -> DigestStory:
    """One DigestStory from the period's items of a story (all outlets, matched or not)."""
    rows = sorted(rows, key=lambda row: row[4])
    outlets = tuple(dict.fromkeys(row[5] for row in rows))
    named = sorted({entity for row in rows for entity in item_entities.get(row[0], ())},
                   key=lambda entity: entity_names.get(entity, entity))
    best: dict[str, float] = {}
    for row in rows:
        for theme_id, score in item_themes.get(row[0], {}).items():
            best[theme_id] = max(score, best.get(theme_id, score))
    themes = tuple(sorted(best, key=lambda theme_id: (-best[theme_id], theme_id)))
    return DigestStory(story_id=story_id, title=rows[0][2], link=strip_tracking(rows[0][3]), outlets=outlets,
                       entities=tuple(entity_names.get(entity, entity) for entity in named),
                       themes=themes, first_seen_at=datetime.fromisoformat(rows[0][4]),
                       score=len(outlets) + len(named) / 100)


def _grouped(stories: list[DigestStory], theme_names: dict) -> tuple:
    """Group ranked stories under their best theme, groups in the order of their best story."""
    groups: dict[str, list[DigestStory]] = {}
    for story in stories:
        name = theme_names.get(story.themes[0], story.themes[0]) if story.themes else OTHER_NEWS
        groups.setdefault(name, []).append(story)
    other = groups.pop(OTHER_NEWS, None)
    ordered = [(name, tuple(group)) for name, group in groups.items()]
    return tuple(ordered + ([(OTHER_NEWS, tuple(other))] if other else []))


def _top_entities(db, matched_items, story_of, item_entities, entity_names, wanted, start, end) -> tuple:
    """The entities named in the most matching stories, each with its like-with-like baseline.

    Places roll up: a story naming Bannu counts for Khyber Pakhtunkhwa and Pakistan too.
    """
    containing = places_containing(db, {entity for item_id in matched_items for entity in item_entities.get(item_id, ())})
    stories: dict[str, set[str]] = defaultdict(set)
    for item_id in matched_items:
        named = set(item_entities.get(item_id, ()))
        named |= {place for entity in named for place in containing.get(entity, ())}
        for entity_id in named:
            if not wanted or entity_id in wanted:
                stories[entity_id].add(story_of[item_id])
    counts = {entity_id: len(named) for entity_id, named in stories.items()}
    top = sorted(counts, key=lambda entity_id: (-counts[entity_id], entity_id))[:TOP_ENTITIES]
    if not top:
        return ()
    windows = baseline_windows(as_utc(start), as_utc(end))
    groups = {entity_id: [place for place, _ in places_inside(db, entity_id)] for entity_id in top}
    totals: dict[str, int] = defaultdict(int)
    for window_start, window_end in windows:
        for entity_id, count in digest_store.rolled_up_story_counts(db, groups, window_start, window_end).items():
            totals[entity_id] += count
    return tuple((entity_id, entity_names.get(entity_id, entity_id), counts[entity_id],
                  totals[entity_id] / len(windows), totals[entity_id]) for entity_id in top)


def baseline_windows(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """What a period is compared with: the same hours on each of the 7 days before (a day or
    less), or the period of the same length just before (longer)."""
    length = end - start
    if length <= timedelta(days=1):
        return [(start - timedelta(days=day), end - timedelta(days=day)) for day in range(1, BASELINE_DAYS + 1)]
    return [(start - length, start)]


def baseline_label(start: datetime, end: datetime) -> str:
    """How the baseline of a period is named: "7-day avg", "same hours, 7-day avg", "previous 3d"."""
    length = end - start
    if abs(length - timedelta(days=1)) < timedelta(minutes=1):
        return "7-day avg"
    if length < timedelta(days=1):
        return "same hours, 7-day avg"
    hours = round(length.total_seconds() / 3600)
    return f"previous {hours // 24}d" if hours % 24 == 0 else f"previous {hours}h"


# ---------------------------------------------------------------------------- rendering


def period_text(start: datetime, end: datetime, zone: str = "UTC") -> str:
    """The period of a digest, in the desk's time zone with the zone shown, for titles."""
    start, end = to_local(start, zone), to_local(end, zone)
    if start.date() == end.date():
        return f"{start:%d %b %Y, %H:%M}–{end:%H:%M} {zone_abbreviation(end)}"
    return f"{start:%d %b %H:%M} – {end:%d %b %Y %H:%M} {zone_abbreviation(end)}"


def change_text(count: int, baseline: float, baseline_total: int, label: str = "7-day avg") -> str:
    """How a period's count compares with its baseline: "+35% vs 7-day avg"; "" when the
    baseline holds fewer than MIN_BASELINE stories (too few to judge)."""
    if baseline_total < MIN_BASELINE or baseline <= 0:
        return ""
    change = round((count - baseline) / baseline * 100)
    return f"{change:+d}% vs {label}" if change else f"same as {label}"


def story_line(story: DigestStory) -> str:
    """One story as a line: "• headline — outlets (n)", its link on the next line."""
    headline = _cut(" ".join(story.title.split()) or "(untitled)", MAX_HEADLINE)
    names = ", ".join(_cut(name, 40) for name in story.outlets[:SHOWN_OUTLETS])
    if len(story.outlets) > SHOWN_OUTLETS:
        names += f" +{len(story.outlets) - SHOWN_OUTLETS}"
    line = f"• {headline} — {names} ({len(story.outlets)})"
    link = (story.link or "").strip()
    if link.lower().startswith(("http://", "https://")) and len(link) <= MAX_URL and " " not in link:
        line += f"\n  {link}"
    return line


def digest_replies(digest: Digest, *, title: str = "Daily digest") -> list[Reply]:
    """Render a digest as Replies that each fit Discord's and Slack's limits."""
    heading = _cut(f"{title}: {period_text(digest.start, digest.end, digest.zone)}", MAX_TITLE)
    if not digest.story_count and not digest.incidents:
        return [Reply(title=heading, text="Nothing matched the tracked entities or themes in this period.")]
    shown = sum(len(stories) for _, stories in digest.groups)
    summary = (f"{digest.story_count} stories from {digest.item_count} matching items"
               + (f"; the top {shown} are listed." if shown < digest.story_count else "."))
    sections = [Section(title="Incidents", text=incidents_text(digest))] if digest.incidents else []
    if digest.top_entities:
        sections.append(Section(title="Most mentioned (stories)", text=_top_text(digest)))
    for name, stories in digest.groups:
        for index, text in enumerate(_chunks([story_line(story) for story in stories])):
            sections.append(Section(title=_cut(name + (" (continued)" if index else ""), MAX_TITLE),
                                    text=text))
    pages = _pages(sections, first_room=len(heading) + len(summary))
    more = _cut(f"{title} (continued)", MAX_TITLE)
    replies = []
    for number, page in enumerate(pages, 1):
        footer = f"Part {number} of {len(pages)}" if len(pages) > 1 else ""
        replies.append(Reply(title=heading if number == 1 else more, text=summary if number == 1 else "",
                             sections=tuple(page), footer=footer))
    return replies


def _top_text(digest: Digest) -> str:
    label = baseline_label(digest.start, digest.end)
    lines = []
    for _, name, count, baseline, total in digest.top_entities:
        change = change_text(count, baseline, total, label)
        lines.append(f"{_cut(name, 60)} {count}" + (f" ({change})" if change else ""))
    return "\n".join(lines)[:MAX_SECTION_TEXT]


def _chunks(lines: list[str]) -> list[str]:
    """Join lines into texts of at most MAX_SECTION_TEXT characters."""
    chunks: list[str] = []
    current = ""
    for line in lines:
        if current and len(current) + 1 + len(line) > MAX_SECTION_TEXT:
            chunks.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    return chunks + ([current] if current else [])


def _pages(sections: list[Section], *, first_room: int) -> list[list[Section]]:
    """Pack sections into Replies: at most MAX_SECTIONS each, MAX_REPLY_TEXT characters in all."""
    pages: list[list[Section]] = [[]]
    used = first_room + FOOTER_ROOM
    for section in sections:
        size = len(section.title) + len(section.text)
        if pages[-1] and (len(pages[-1]) == MAX_SECTIONS or used + size > MAX_REPLY_TEXT):
            pages.append([])
            used = MAX_TITLE + FOOTER_ROOM
        pages[-1].append(section)
        used += size
    return pages


def _cut(text: str, limit: int) -> str:
    """Cut text to `limit` characters at a word boundary, ending with an ellipsis."""
    if len(text) <= limit:
        return text
    head = text[:limit - 1]
    space = head.rfind(" ")
    return (head[:space] if space > limit // 2 else head).rstrip() + "…"


# ---------------------------------------------------------------------------- scheduling


def last_scheduled(target: DigestTarget, now: datetime) -> datetime:
    """The most recent HH:MM of the target's time zone at or before now, in UTC."""
    zone = ZoneInfo(target.timezone)
    hour, minute = (int(part) for part in target.time.split(":"))
    now = as_utc(now)
    today = now.astimezone(zone).date()
    for day in (today, today - timedelta(days=1), today - timedelta(days=2)):
        moment = datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(timezone.utc)
        if moment <= now:
            return moment
    raise AssertionError("a scheduled time within two days always exists")


def _local_day(target: DigestTarget, now: datetime) -> date:
    return last_scheduled(target, now).astimezone(ZoneInfo(target.timezone)).date()


def enqueue_digest(db, target: DigestTarget, now: datetime) -> int:
    """Build, render and queue today's digest for a target; return the rows queued (0 if already)."""
    now = as_utc(now)
    key = f"digest:{target.id}:{_local_day(target, now).isoformat()}"
    if outbox.get(db, f"{key}:1") is not None:
        return 0
    start = min(digest_store.latest_period_end(db, target.id) or now - timedelta(hours=24), now)
    digest = build_digest(db, start=start, end=now, entities=target.entities, themes=target.themes,
                          zone=target.timezone)
    queued = 0
    for part, reply in enumerate(digest_replies(digest), 1):
        queued += outbox.enqueue(db, idem_key=f"{key}:{part}", kind="digest", platform=target.platform,
                                 channel_id=target.channel, payload=reply_to_dict(reply), now=now)
    digest_store.record_digest(db, target.id, start=start, end=now, created_at=now, story_count=digest.story_count)
    log.info("digest %s queued: %d stories in %d messages", target.id, digest.story_count, queued)
    return queued


def missed_digests(db, targets, now: datetime) -> list[DigestTarget]:
    """Targets whose last scheduled time passed, since the store first started, with no digest."""
    first_started = get_meta(db, "first_started_at")
    if first_started is None:
        return []
    started = as_utc(datetime.fromisoformat(first_started))
    missed = []
    for target in targets:
        scheduled = last_scheduled(target, now)
        latest = digest_store.latest_period_end(db, target.id)
        if scheduled > started and (latest is None or scheduled > latest):
            missed.append(target)
    return missed
