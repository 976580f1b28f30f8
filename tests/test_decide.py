"""The poll's pure decisions: backoff, failed state, outage and next check, as data in and out."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.config import FetchSettings
from bot.feeds.decide import FAILED_AFTER, MAX_CACHE_SECONDS, Decider

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)


def decider(**settings) -> Decider:
    return Decider(FetchSettings(**settings), jitter=lambda: 1.0)


def test_backoff_doubles_up_to_the_cap():
    decide = decider(backoff_base=60, backoff_cap=3600)
    assert [decide.backoff_delay(errors) for errors in (1, 2, 3, 7, 30)] == [60, 120, 240, 3600, 3600]


def test_a_feed_fails_after_enough_errors_and_honours_retry_after():
    decide = decider(backoff_base=60, backoff_cap=3600)
    failing = decide.after_failure(errors_before=0, state_before="ok", outage=False, retry_after=None, now=NOW)
    assert (failing.state, failing.next_check_at, failing.count_error) == ("failing", NOW + timedelta(seconds=60), True)
    failed = decide.after_failure(errors_before=FAILED_AFTER - 1, state_before="failing", outage=False,
                                  retry_after=7200, now=NOW)
    assert (failed.state, failed.retry_after_until) == ("failed", NOW + timedelta(seconds=7200))
    assert failed.next_check_at == NOW + timedelta(seconds=7200)  # Retry-After beats a shorter backoff


def test_in_an_outage_a_feed_keeps_its_state_and_count():
    decide = decider(backoff_base=60)
    kept = decide.after_failure(errors_before=3, state_before="failing", outage=True, retry_after=None, now=NOW)
    assert (kept.state, kept.count_error, kept.next_check_at) == ("failing", False, NOW + timedelta(seconds=60))


def test_an_outage_needs_enough_feeds_and_enough_network_errors():
    decide = decider(outage_ratio=0.8)
    assert (decide.is_outage(2, 2), decide.is_outage(4, 5), decide.is_outage(3, 5)) == (False, True, False)


def test_next_check_follows_the_interval_or_a_longer_cache_lifetime_up_to_a_day():
    decide = decider()
    assert decide.next_check_after_success(interval=600, max_age=None, now=NOW) == NOW + timedelta(seconds=600)
    assert decide.next_check_after_success(interval=600, max_age=1800, now=NOW) == NOW + timedelta(seconds=1800)
    assert decide.next_check_after_success(interval=600, max_age=10**9, now=NOW) == \
        NOW + timedelta(seconds=MAX_CACHE_SECONDS)
