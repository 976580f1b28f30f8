"""Alerts: which channels hear about a new item, once per story, without flooding them.

For each new (not baseline) item, the channels that track one of its entities or themes — by an
`alerts:` rule in feeds.yml or a `/watch track` subscription — get an alert, queued in the outbox
(tracking a province or a country covers the places in it: `khyber-pakhtunkhwa` hears of Bannu):
- one alert per story per channel (key `alert:<platform>:<channel>:<story>`); when another outlet
  carries the story later, the alert is updated to say "also reported by", with no new ping;
- more than `batch_threshold` alerts to a channel within `batch_window` become one summary
  message that collects the rest of the burst;
- past `hourly_cap` messages in an hour, items are recorded as capped (they still reach the
  digest) instead of being sent;
- only a role named by the matching rule is ever mentioned;
- an item that reports an incident opens its alert with a one-line summary and the incident's
  severity tier (`incident_tiers`); a rule can ask for incident types, regions and a minimum tier;
  a later report of the same incident (another outlet, another headline) updates the incident's
  alert instead of raising a new one, and when it raises the toll the alert says so ("toll rises
  to 12") — an edit, which pings nobody.
Callers hold the transaction (`with db.conn:`).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bot.actions import alert_actions
from bot.clock import iso
from bot.config import AlertLimits, AlertRule, IncidentTiers
from bot.incident_log import at_least, summary_line, tier
from bot.localtime import local_time
from bot.models import Field, Reply, Section, reply_from_dict, reply_to_dict
from bot.quiet import QuietHours, Urgency, describe, quiet_until, urgent_reason, windows
from bot.stories import strip_tracking
from store import outbox
from store.feedback import active_mutes
from store.catalog import places_containing
from store.items import alert_item_row
from store.matches import named_entity_matches, named_theme_matches
from store import incidents as incident_store
from store.quiet import all_quiet_windows, held_alerts, story_feeds_since
from store.subscriptions import all_subscriptions

log = logging.getLogger(__name__)

SUMMARY_CHARS = 300
BATCH_COLLECT = 120.0  # seconds a burst summary waits for more items before it is sent


@dataclass
class AlertItem:
    """What an alert says about one item."""

    item_id: str
    story_id: str
    title: str
    summary: str
    link: str | None
    outlet: str
    published_at: str
    entities: dict[str, list[str]] = field(default_factory=dict)  # entity id -> matched words
    entity_names: dict[str, str] = field(default_factory=dict)
    themes: dict[str, float] = field(default_factory=dict)  # theme id -> score
    theme_names: dict[str, str] = field(default_factory=dict)
    zone: str = "UTC"  # the desk's time zone, in which the alert shows the item's time
    within: dict[str, set[str]] = field(default_factory=dict)  # a named place -> the places it lies in
    incidents: list[dict] = field(default_factory=list)  # the incidents it reports (store rows), with "tier"
    incident_names: dict[str, str] = field(default_factory=dict)  # actor and region ids -> names


def enqueue_alerts(db, item_ids: list[str], *, rules: tuple[AlertRule, ...], limits: AlertLimits,
                   now: datetime, zone: str = "UTC", tiers: IncidentTiers | None = None,
                   urgency: Urgency | None = None) -> int:
    """Queue alerts for these items (times in the desk's zone); return the messages queued or updated."""
    queued = 0
    subscriptions = all_subscriptions(db)
    mutes = active_mutes(db, now)
    threaded = {(rule.platform, rule.channel) for rule in rules if rule.followups == "thread"}
    quiet = windows(rules, all_quiet_windows(db))
    urgency = urgency or Urgency()
    for item_id in item_ids:
        item = load_alert_item(db, item_id, tiers or IncidentTiers())
        if item is None:
            continue
        item.zone = zone
        for (platform, channel), mentions in targets_for(item, rules, subscriptions, mutes).items():
            window = quiet.get((platform, channel))
            hold = _Hold(window, quiet_until(window, now), urgency)
            queued += _alert_channel(db, item, platform, channel, mentions, limits, now,
                                     thread=(platform, channel) in threaded, hold=hold)
    return queued


@dataclass
class _Hold:
    """A channel's quiet hours as an alert meets them: the window, when it ends if it is running
    now (None: not quiet now), and what would make the alert urgent."""

    window: QuietHours | None
    until: datetime | None
    urgency: Urgency

    def urgent(self, db, item: AlertItem, now: datetime) -> str | None:
        """Why this item may break the quiet hours now (None: it waits)."""
        feeds = story_feeds_since(db, item.story_id, now - timedelta(seconds=self.urgency.within))
        return urgent_reason(item.incidents, feeds, self.urgency, item.incident_names)


NO_HOLD = _Hold(None, None, Urgency())


def load_alert_item(db, item_id: str, tiers: IncidentTiers | None = None) -> AlertItem | None:
    """Read an item with its outlet and matches; None for baselines and unknown ids."""
    row = alert_item_row(db, item_id)
    if row is None or row["is_baseline"]:
        return None
    item = AlertItem(item_id=row["id"], story_id=row["story_id"] or row["id"], title=row["title"],
                     summary=row["summary"], link=row["link"], outlet=row["outlet"] or "",
                     published_at=row["published_at"])
    for entity_id, alias, name in named_entity_matches(db, item_id):
        words = item.entities.setdefault(entity_id, [])
        if alias and alias not in words:
            words.append(alias)
        item.entity_names[entity_id] = name or entity_id
    for theme_id, score, name in named_theme_matches(db, item_id):
        item.themes[theme_id] = score
        item.theme_names[theme_id] = name or theme_id
    item.within = places_containing(db, item.entities)
    for incident_id in incident_store.item_incident_ids(db, item_id):
        incident = incident_store.incident(db, incident_id)
        if incident is not None:
            incident["tier"] = tier(incident, tiers or IncidentTiers())
            item.incidents.append(incident)
    item.incident_names = incident_store.entity_names(
        db, [i["actor"] for i in item.incidents] + [i["region"] for i in item.incidents])
    return item


def _incident_filter(rule: AlertRule, item: AlertItem) -> bool:
    """Whether an item passes a rule's incident filters (types, regions, minimum tier)."""
    if not (rule.incident_types or rule.regions or rule.min_tier):
        return True
    return any((not rule.incident_types or incident["type"] in rule.incident_types)
               and (not rule.regions or incident["region"] in rule.regions)
               and at_least(incident["tier"], rule.min_tier) for incident in item.incidents)


def targets_for(item: AlertItem, rules, subscriptions, mutes=None) -> dict[tuple[str, str], tuple[str, ...]]:
    """The channels that track something this item matches, with the roles their rules mention.

    `mutes` ({(platform, channel): {(kind, id)}}, from an alert's Mute button) silence a story in
    a channel, or an entity or a theme: a muted entity or theme no longer counts as a match there.
    """
    mutes = mutes or {}

    def heard(platform: str, channel: str) -> tuple[set[str], set[str], bool]:
        muted = mutes.get((platform, channel), set())
        entities = {entity for entity in item.entities if ("entity", entity) not in muted}
        around = {place for entity in entities for place in item.within.get(entity, ())}
        entities |= {place for place in around if ("entity", place) not in muted}
        themes = {theme for theme in item.themes if ("theme", theme) not in muted}
        return entities, themes, ("story", item.story_id) not in muted

    targets: dict[tuple[str, str], set[str]] = {}
    for rule in rules:
        entities, themes, story_heard = heard(rule.platform, rule.channel)
        if not story_heard:
            continue
        hit_entity = any(entity in entities for entity in rule.entities)
        hit_theme = any(theme in themes and item.themes[theme] >= rule.min_score for theme in rule.themes)
        only_incidents = not rule.entities and not rule.themes
        if (hit_entity or hit_theme or only_incidents) and _incident_filter(rule, item):
            roles = targets.setdefault((rule.platform, rule.channel), set())
            if rule.mention_role:
                roles.add(rule.mention_role)
    for subscription in subscriptions:
        entities, themes, story_heard = heard(subscription["platform"], subscription["channel_id"])
        if story_heard and (subscription["target_id"] in entities or subscription["target_id"] in themes):
            targets.setdefault((subscription["platform"], subscription["channel_id"]), set())
    return {key: tuple(sorted(roles)) for key, roles in targets.items()}


def _alert_channel(db, item: AlertItem, platform: str, channel: str, mentions: tuple[str, ...],
                   limits: AlertLimits, now: datetime, *, thread: bool = False, hold: _Hold = NO_HOLD) -> int:
    key = f"alert:{platform}:{channel}:{item.story_id}"
    existing = outbox.get(db, key)
    if existing is not None:  # another report of a story this channel was told of
        shown = (json.loads(existing["payload"]).get("incident") or {}).get("id")
        incident = next((incident for incident in item.incidents if incident["id"] == shown), None)
        return _update_alert(db, existing, item, incident, now, thread=thread, hold=hold)
    for incident in item.incidents:
        if incident["first_item_id"] == item.item_id:
            continue
        first = alert_item_row(db, incident["first_item_id"])
        first_key = f"alert:{platform}:{channel}:{(first or {}).get('story_id') or incident['first_item_id']}"
        earlier = outbox.get(db, first_key)
        if earlier is not None:  # another report of an incident this channel was told of
            return _update_alert(db, earlier, item, incident, now, thread=thread, hold=hold)
    urgent = hold.urgent(db, item, now) if hold.until is not None else None
    held_until = None if urgent else hold.until
    window_start = now - timedelta(seconds=limits.batch_window)
    recent = outbox.count_since(db, platform, channel, ("alert",), window_start)
    last_hour = outbox.count_since(db, platform, channel, ("alert", "batch"), now - timedelta(hours=1))
    if last_hour >= limits.hourly_cap:
        outbox.enqueue(db, idem_key=key, kind="alert", platform=platform, channel_id=channel,
                       payload=reply_to_dict(alert_reply(item, ())), now=now, story_id=item.story_id,
                       status=outbox.CAPPED)
        log.info("hourly cap reached for %s %s; %s held for the digest", platform, channel, item.item_id)
        return 0
    # A burst, or a night's worth of held alerts (so the window's end brings one summary, not a
    # flood), is folded into one summary; an urgent alert never is.
    overnight = held_until is not None and held_alerts(db, platform, channel) >= limits.batch_threshold
    if (recent >= limits.batch_threshold or overnight) and not urgent:
        return _add_to_batch(db, item, platform, channel, key, limits, now, held_until=held_until)
    payload = _alert_payload(item, mentions)
    if held_until is not None:  # quiet hours: sent when they end, or at once if it turns urgent
        payload = _quiet_note(payload, held=True, window=describe(hold.window), until=held_until)
        log.info("%s %s is in quiet hours; %s waits until %s", platform, channel, item.item_id, iso(held_until))
    elif urgent:
        payload = _quiet_note(payload, held=False, window=describe(hold.window), reason=urgent)
        log.info("%s %s is in quiet hours; %s is sent now: %s", platform, channel, item.item_id, urgent)
    outbox.enqueue(db, idem_key=key, kind="alert", platform=platform, channel_id=channel,
                   payload=payload, now=now, story_id=item.story_id, not_before=held_until)
    return 1


def _alert_payload(item: AlertItem, mentions: tuple[str, ...]) -> dict:
    """An alert's outbox payload: the reply, the outlet that broke the story, the incident it shows."""
    payload = {**reply_to_dict(alert_reply(item, mentions)), "first_outlet": {"name": item.outlet}}
    if item.incidents:
        payload["incident"] = {"id": item.incidents[0]["id"], "killed": item.incidents[0]["killed"],
                               "injured": item.incidents[0]["injured"]}
    return payload


QUIET_KEYS = ("quiet_until", "quiet_window", "quiet_broken")


def _quiet_note(payload: dict, *, held: bool, window: str | None, until: datetime | None = None,
                reason: str | None = None) -> dict:
    """Say on an alert that it waited for the end of quiet hours ("23:00–07:00 Asia/Karachi"), or why
    it broke them."""
    where = f" ({window})" if window else ""
    value = (f"Held during quiet hours{where}; sent when they ended" if held
             else f"Sent during quiet hours{where}: {reason}")
    reply = _with_field(reply_from_dict(payload), QUIET_FIELD, value[:1000])
    kept = {key: value for key, value in payload.items() if key not in QUIET_KEYS}
    note = {"quiet_until": iso(until)} if held else {"quiet_broken": reason}
    return {**kept, **reply_to_dict(reply), **note, "quiet_window": window}


def _update_alert(db, existing: dict, item: AlertItem, incident: dict | None, now: datetime, *,
                  thread: bool = False, hold: _Hold = NO_HOLD) -> int:
    """A later report of an alerted story or incident: name its outlet on the alert and, when it
    raised the toll, say so in the alert's first line ("toll rises to 12 killed").

    Not yet sent, the alert is rewritten (and, held for quiet hours, released if the story is now
    urgent). Sent, it is edited, which pings nobody; with `followups: thread` the report goes
    into a thread under it instead. Each edit or follow-up has its own key: it happens once.
    """
    payload = json.loads(existing["payload"])
    if existing["status"] in (outbox.CAPPED, outbox.MERGED):
        return 0
    outlets = list(payload.get("also_reported_by", []))
    first = payload.get("first_outlet") or {}
    new_outlet = item.outlet not in outlets and item.outlet != first.get("name")
    if new_outlet:  # the outlet that broke the story is never its own second source
        outlets.append(item.outlet)
    shown = payload.get("incident") or {}
    rose = [] if incident is None else [
        name for name in ("killed", "injured")
        if incident[name] is not None and (shown.get(name) is None or incident[name] > shown[name])]
    if not (new_outlet or rose):
        return 0
    reply = reply_from_dict(payload)
    news = "toll rises to " + " and ".join(f"{incident[name]} {name}" for name in rose) if rose else ""
    if rose:
        reply = replace(reply, text=f"{summary_line(incident, item.incident_names, incident.get('tier'))} — {news}")
    reply = _with_field(reply, "Also reported by", ", ".join(outlets)) if outlets else reply
    kept = {key: payload[key] for key in ("incident", *QUIET_KEYS) if key in payload}
    kept |= {"also_reported_by": outlets, "first_outlet": first}
    if incident is not None:
        kept["incident"] = {"id": incident["id"], "killed": incident["killed"], "injured": incident["injured"]}
    new_payload = {**reply_to_dict(reply), **kept}
    if existing["status"] in (outbox.PENDING, outbox.FAILED):
        if payload.get("quiet_until") and existing["status"] == outbox.PENDING:
            urgent = hold.urgent(db, item, now)
            if urgent:  # held for quiet hours, and now urgent: sent at once
                new_payload = _quiet_note(new_payload, held=False, reason=urgent,
                                          window=describe(hold.window) if hold.window else payload.get("quiet_window"))
                outbox.release(db, existing["id"], now)
                log.info("%s is urgent now (%s): sent despite quiet hours", existing["idem_key"], urgent)
        outbox.update_payload(db, existing["id"], new_payload)
        return 1
    # Sent (or being sent): the alert's row keeps what it now says; the change is its own row.
    outbox.update_payload(db, existing["id"], new_payload if existing["status"] == outbox.SENT and not thread
                          else {**payload, **kept})
    version = (f"incident:{incident['killed']}-{incident['injured']}-{len(outlets)}" if incident is not None
               else str(len(outlets)))
    if thread:
        return _thread_followup(db, existing, item, incident if rose else None, news, version, now, hold)
    new_payload["edit_of"] = existing["idem_key"]
    new_payload["mentions"] = []
    return int(outbox.enqueue(db, idem_key=f"edit:{existing['idem_key']}:{version}", kind="edit",
                              platform=existing["platform"], channel_id=existing["channel_id"],
                              payload=new_payload, now=now, story_id=existing["story_id"]))


def _thread_followup(db, existing: dict, item: AlertItem, incident: dict | None, news: str, version: str,
                     now: datetime, hold: _Hold) -> int:
    """Post a later report in the thread under a sent alert (a rising toll says so first), once.

    During quiet hours it waits for their end like an alert, unless it is urgent.
    """
    reply = followup_reply(item)
    if incident is not None:
        reply = replace(reply, title=f"{news[0].upper()}{news[1:]} ({item.outlet}): {item.title}"[:250],
                        text=summary_line(incident, item.incident_names, incident.get("tier")))
    held_until = hold.until if hold.until is not None and not hold.urgent(db, item, now) else None
    followup = {**reply_to_dict(reply), "thread_of": existing["idem_key"],
                "thread_name": json.loads(existing["payload"]).get("title", "")}
    if held_until is not None:
        followup["quiet_until"] = iso(held_until)
    return int(outbox.enqueue(db, idem_key=f"followup:{existing['idem_key']}:{version}", kind="followup",
                              platform=existing["platform"], channel_id=existing["channel_id"],
                              payload=followup, now=now, story_id=existing["story_id"], not_before=held_until))


def followup_reply(item: AlertItem) -> Reply:
    """A later outlet's report of a story already alerted, for the alert's thread."""
    when = local_time(item.published_at, item.zone)
    return Reply(title=f"Also reported by {item.outlet}: {item.title}"[:250], url=item.link,
                 footer=f"{item.outlet} · {when} · why: {item.item_id[:10]}")


QUIET_FIELD = "Quiet hours"


def _with_field(reply: Reply, name: str, value: str) -> Reply:
    """The reply with its first section's field `name` set to `value` (added last if new)."""
    first = reply.sections[0] if reply.sections else Section()
    fields = tuple(f for f in first.fields if f.name != name) + (Field(name, value),)
    sections = (Section(first.title, first.text, first.url, fields), *reply.sections[1:])
    return replace(reply, sections=sections)


def _add_to_batch(db, item: AlertItem, platform: str, channel: str, key: str, limits: AlertLimits,
                  now: datetime, *, held_until: datetime | None = None) -> int:
    """Fold a burst into one summary message per channel, collected until it is sent."""
    line, link = f"{item.title} — {item.outlet}", strip_tracking(item.link)
    outbox.enqueue(db, idem_key=key, kind="alert", platform=platform, channel_id=channel,
                   payload=reply_to_dict(alert_reply(item, ())), now=now, story_id=item.story_id,
                   status=outbox.MERGED)
    batch = outbox.pending_batch(db, platform, channel)
    if batch is not None and held_until is not None and not json.loads(batch["payload"]).get("quiet_until"):
        batch = None  # a summary due before the window ends must not carry a held item out with it
    if batch is None:
        payload = {**reply_to_dict(batch_reply([(line, link)])), "lines": [[line, link]]}
        if held_until is not None:  # held for quiet hours: `/watch quiet` can move or release it
            payload["quiet_until"] = iso(held_until)
        return int(outbox.enqueue(db, idem_key=f"batch:{platform}:{channel}:{item.story_id}", kind="batch",
                                  platform=platform, channel_id=channel, payload=payload, now=now,
                                  not_before=max(now + timedelta(seconds=min(limits.batch_window, BATCH_COLLECT)),
                                                 held_until or now)))
    kept = json.loads(batch["payload"])
    lines = kept.get("lines", []) + [[line, link]]
    held = {"quiet_until": kept["quiet_until"]} if kept.get("quiet_until") else {}
    outbox.update_payload(db, batch["id"], {**reply_to_dict(batch_reply(lines)), "lines": lines, **held})
    return 1


def batch_reply(lines) -> Reply:
    """One message for a burst of alerts."""
    sections = tuple(Section(title=text[:250], url=link) for text, link in lines[:20])
    more = f" (and {len(lines) - 20} more in the digest)" if len(lines) > 20 else ""
    return Reply(title=f"{len(lines)} more items matched what this channel tracks{more}", sections=sections)


def alert_reply(item: AlertItem, mentions: tuple[str, ...]) -> Reply:
    """The alert for one item: headline, outlet, time, what matched (and the words), link."""
    summary = item.summary if len(item.summary) <= SUMMARY_CHARS else \
        item.summary[:SUMMARY_CHARS].rsplit(" ", 1)[0] + "…"
    entity_text = "; ".join(
        f"{item.entity_names.get(entity_id, entity_id)}" + (f" (“{'”, “'.join(words[:3])}”)" if words else "")
        for entity_id, words in item.entities.items())
    fields = []
    if entity_text:
        fields.append(Field("Entities", entity_text[:1000]))
    if item.themes:
        fields.append(Field("Themes", ", ".join(item.theme_names.get(t, t) for t in item.themes)[:1000]))
    when = local_time(item.published_at, item.zone)
    link = strip_tracking(item.link)
    text = summary_line(item.incidents[0], item.incident_names, item.incidents[0].get("tier")) \
        if item.incidents else ""
    return Reply(title=item.title[:250], text=text, url=link,
                 sections=(Section(text=summary, url=link, fields=tuple(fields)),),
                 footer=f"{item.outlet} · {when} · why: {item.item_id[:10]}", mentions=mentions,
                 actions=alert_actions(item.item_id))
