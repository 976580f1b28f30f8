"""Times as a person reads them: in the desk's time zone (`timezone:` in feeds.yml), zone shown.

The store keeps every time in UTC (ISO 8601). Whatever a person reads — alerts, digests, lookup,
search, feeds, status — goes through `local_time`, so a desk in Karachi reads "14:05 PKT", not a
UTC time it must convert, and a time never appears without its zone.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.clock import as_utc


@lru_cache(maxsize=32)
def zone_info(name: str) -> ZoneInfo:
    """The ZoneInfo for an IANA name (validated by the config)."""
    return ZoneInfo(name or "UTC")


def zone_abbreviation(moment: datetime) -> str:
    """The zone of an aware datetime as shown: "PKT", "UTC", or "UTC+04:30" when it has no name."""
    name = moment.tzname() or "UTC"
    if name[:1] in "+-" and name[1:].isdigit():
        sign, digits = name[0], name[1:].ljust(4, "0")
        name = f"UTC{sign}{digits[:2]}:{digits[2:4]}" if digits[2:4] != "00" else f"UTC{sign}{digits[:2]}"
    return name


def to_local(value: str | datetime, zone: str = "UTC") -> datetime:
    """A stored UTC time (ISO text or datetime) in the desk's zone."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return as_utc(moment).astimezone(zone_info(zone))


def local_time(value: str | datetime | None, zone: str = "UTC", *, never: str = "never") -> str:
    """ "2026-11-25 13:05 PKT": a stored time in the desk's zone, with the zone; `never` if None."""
    if not value:
        return never
    try:
        moment = to_local(value, zone)
    except ValueError:
        return str(value)
    return f"{moment:%Y-%m-%d %H:%M} {zone_abbreviation(moment)}"
