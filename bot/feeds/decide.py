"""The pure decisions of a poll: when to check a feed again, how far to back off, which state a
failing feed is in, and whether a pass saw a network outage rather than failing feeds.

A `Decider` reads no clock and touches no store: it takes data (counts, states, seconds, `now`)
and returns data, so the refresher records what it decides and tests call it directly.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from bot.config import FetchSettings

# What one feed's refresh did, as RefreshResult.outcome.
Outcome = Literal["new", "empty", "not_modified", "unchanged", "error"]
# What a refresh hands the store writer.
WriteOutcome = Literal["stored", "not_modified", "unchanged", "error"]
# A row of the fetch log (`fetches.outcome`).
FetchOutcome = Literal["ok", "empty", "not_modified", "unchanged", "error"]
# A feed's health (`feeds.state`): new until its first poll, then ok, failing, or failed after FAILED_AFTER.
FeedState = Literal["new", "ok", "failing", "failed"]

FAILED_AFTER = 5  # consecutive errors before a feed is "failed" (still retried at the cap)
MIN_FEEDS_FOR_OUTAGE = 3
MAX_CACHE_SECONDS = 24 * 3600  # a feed's Cache-Control max-age can push its next check this far at most


@dataclass(frozen=True)
class Failure:
    """What to record for a failed poll."""

    state: FeedState
    next_check_at: datetime
    retry_after_until: datetime | None  # a Retry-After to honour, if the server sent one
    count_error: bool  # False in an outage: the network failed, not the feed


class Decider:
    """Decides next checks, backoff, states and outages from the fetch settings and a jitter."""

    def __init__(self, settings: FetchSettings, jitter: Callable[[], float] | None = None):
        self.settings = settings
        self.jitter = jitter or (lambda: random.uniform(0.9, 1.1))

    def is_outage(self, network_errors: int, feeds: int) -> bool:
        """Whether so many of a pass's feeds failed with network errors that the network is down."""
        if feeds < MIN_FEEDS_FOR_OUTAGE:
            return False
        return network_errors >= self.settings.outage_ratio * feeds

    def backoff_delay(self, errors: int) -> float:
        """Seconds to wait after `errors` consecutive failures: doubling, capped, jittered."""
        base = self.settings.backoff_base * (2 ** max(0, errors - 1))
        return min(self.settings.backoff_cap, base) * self.jitter()

    def after_failure(self, *, errors_before: int, state_before: FeedState, outage: bool,
                      retry_after: float | None, now: datetime) -> Failure:
        """The state and next check of a feed that failed; in an outage it keeps its state and count."""
        errors = errors_before + (0 if outage else 1)
        delay = self.backoff_delay(errors if not outage else 1)
        retry_until = None
        if retry_after:
            retry_until = now + timedelta(seconds=retry_after)
            delay = max(delay, retry_after)
        if outage:
            state = state_before
        else:
            state = "failed" if errors >= FAILED_AFTER else "failing"
        return Failure(state=state, next_check_at=now + timedelta(seconds=delay), retry_after_until=retry_until,
                       count_error=not outage)

    def next_check_after_success(self, *, interval: float, max_age: float | None, now: datetime) -> datetime:
        """When to poll a feed that answered: its interval, jittered, or longer if its cache says so."""
        seconds = interval * self.jitter()
        if max_age and max_age > seconds:
            seconds = min(max_age, MAX_CACHE_SECONDS)
        return now + timedelta(seconds=seconds)
