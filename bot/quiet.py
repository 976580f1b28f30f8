"""Quiet hours: a channel's alerts wait for the end of its quiet window unless they are urgent.

    quiet: {from: "23:00", to: "07:00", timezone: Asia/Karachi}

A window that ends before it starts runs over midnight. An alert queued inside the window is
held until the window ends (the outbox row's next attempt); it is released at once when it turns
urgent: another outlet reports the same story within an hour.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from bot.clock import as_utc
from bot.localtime import zone_info

URGENT_WITHIN = timedelta(hours=1)  # several outlets within this make a held alert urgent


@dataclass(frozen=True)
class QuietHours:
    """A daily quiet window in a time zone."""

    start: time
    end: time
    timezone: str = "UTC"


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
