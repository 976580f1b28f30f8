"""The one source of "now", and the way the store writes times: aware UTC, ISO 8601 to the second."""

from __future__ import annotations

from datetime import datetime, timezone


def utc_now() -> datetime:
    """The current time in UTC."""
    return datetime.now(timezone.utc)


def as_utc(moment: datetime) -> datetime:
    """The same moment in UTC; a naive datetime is taken to be UTC already."""
    return moment.astimezone(timezone.utc) if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def iso(moment: datetime | None) -> str | None:
    """Format a UTC datetime the way the store keeps times."""
    return moment.isoformat(timespec="seconds") if moment else None
