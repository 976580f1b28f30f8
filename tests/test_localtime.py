"""Times a person reads are in the desk's time zone, and always show the zone."""

from datetime import datetime, timezone

from bot.localtime import local_time


def test_stored_utc_time_is_shown_in_the_desk_zone_with_its_zone():
    assert local_time("2026-11-25T08:05:00+00:00", "Asia/Karachi") == "2026-11-25 13:05 PKT"
    assert local_time("2026-11-25T08:05:00+00:00") == "2026-11-25 08:05 UTC"
    assert local_time("2026-11-25T20:05:00+00:00", "Asia/Kabul") == "2026-11-26 00:35 UTC+04:30"
    assert local_time(datetime(2026, 7, 1, 12, 0, tzinfo=timezone.utc), "Europe/London") == "2026-07-01 13:00 BST"
    assert local_time(None, "Asia/Karachi") == "never"
