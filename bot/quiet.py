"""Quiet hours: a channel's or a person's alerts wait for the end of the quiet window unless urgent.

    quiet: {from: "23:00", to: "07:00", timezone: Asia/Karachi}     an alert rule in feeds.yml
    /watch quiet 23:00-07:00 Asia/Karachi [personal]                 set from chat (stored)

A window that ends before it starts runs over midnight. An alert queued inside the window is
held until the window ends (the outbox row's next attempt), so it survives a restart and is sent
once. It goes out at once when it is urgent (`Urgency`): it reports an incident of at least
`min_tier` (bot/incident_log.py tiers), or its story was reported by at least `outlets` distinct
feeds within `within`. A held alert that turns urgent later (a third outlet, a toll that rises
to flash) is released then. The alert says why it broke quiet hours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from bot.clock import as_utc
from bot.incident_log import at_least, summary_line
from bot.localtime import zone_info


@dataclass(frozen=True)
class QuietHours:
    """A daily quiet window in a time zone."""

    start: time
    end: time
    timezone: str = "UTC"


@dataclass(frozen=True)
class Urgency:
    """What sends an alert during quiet hours (feeds.yml `urgency:`)."""

    min_tier: str = "flash"  # an incident at least this severe (routine < urgent < flash)
    outlets: int = 3  # or the story reported by this many distinct feeds ...
    within: float = 3600.0  # ... within this many seconds


_WINDOW = re.compile(r"^\s*([01]?\d|2[0-3]):([0-5]\d)\s*[-–to ]+\s*([01]?\d|2[0-3]):([0-5]\d)\s*$")


def parse_window(text: str) -> tuple[time, time]:
    """"23:00-07:00" -> (23:00, 07:00); ValueError naming the expected shape otherwise."""
    found = _WINDOW.match(text or "")
    if not found:
        raise ValueError(f"cannot read the window {text!r}; use e.g. 23:00-07:00")
    start = time(int(found.group(1)), int(found.group(2)))
    end = time(int(found.group(3)), int(found.group(4)))
    if start == end:
        raise ValueError(f"the window {text!r} starts when it ends; use e.g. 23:00-07:00")
    return start, end


def quiet_from_text(start: str, end: str, zone: str) -> QuietHours:
    """A stored window ("23:00", "07:00", "Asia/Karachi") as QuietHours."""
    return QuietHours(start=time.fromisoformat(start), end=time.fromisoformat(end), timezone=zone)


def describe(quiet: QuietHours) -> str:
    """"23:00–07:00 Asia/Karachi"."""
    return f"{quiet.start:%H:%M}–{quiet.end:%H:%M} {quiet.timezone}"


def windows(rules, stored: dict) -> dict[tuple[str, str], QuietHours]:
    """Each channel's or person's window: an alert rule's `quiet:`, replaced by one set from chat.

    `stored` is store.quiet.all_quiet_windows: {(platform, channel): (start, end, zone)}.
    """
    found = {(rule.platform, rule.channel): rule.quiet for rule in reversed(rules) if rule.quiet}
    found.update({key: quiet_from_text(*window) for key, window in stored.items()})
    return found


def quiet_until(quiet: QuietHours | None, now: datetime) -> datetime | None:
    """When the quiet window `now` falls in ends (UTC), or None outside quiet hours."""
    if quiet is None or quiet.start == quiet.end:
        return None
    local = as_utc(now).astimezone(zone_info(quiet.timezone))
    clock = local.time().replace(tzinfo=None)
    if quiet.start < quiet.end:
        inside = quiet.start <= clock < quiet.end
        end_day = local.date()
    else:  # over midnight: 23:00-07:00
        inside = clock >= quiet.start or clock < quiet.end
        end_day = local.date() + timedelta(days=1) if clock >= quiet.start else local.date()
    if not inside:
        return None
    end = datetime.combine(end_day, quiet.end, tzinfo=zone_info(quiet.timezone))
    return as_utc(end)


def urgent_reason(incidents: list[dict], feeds: list[str], urgency: Urgency, names: dict | None = None) -> str | None:
    """Why an alert may break quiet hours, or None: a severe enough incident, or enough outlets.

    `incidents` are the item's incidents with their "tier"; `feeds` the distinct feeds that
    reported its story within `urgency.within` (store.quiet.story_feeds_since).
    """
    for incident in incidents:
        if incident.get("tier") and at_least(incident["tier"], urgency.min_tier):
            article = "an" if incident["tier"][0] in "aeiou" else "a"
            return f"{article} {incident['tier']} incident: {summary_line(incident, names or {})}"
    if len(feeds) >= urgency.outlets:
        return f"reported by {len(feeds)} outlets within {_span(urgency.within)}: {', '.join(feeds[:6])}"
    return None


def _span(seconds: float) -> str:
    if seconds == 3600:
        return "an hour"
    if seconds % 3600 == 0:
        return f"{int(seconds // 3600)} hours"
    return f"{int(seconds // 60)} minutes"
