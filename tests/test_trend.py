"""Trend charts drawn from real rows: a PNG file with bars and a rolling average."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.trend import rolling_average, trend_chart
from store.lookup import daily_mentions
from tests.test_search_lookup import add_entity, add_feed, add_item

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=timezone.utc)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_rolling_average_uses_the_days_available():
    assert rolling_average([7, 0, 0, 0, 0, 0, 0, 14], window=7) == [7.0, 3.5, 7 / 3, 1.75, 1.4, 7 / 6, 1.0, 2.0]
    assert rolling_average([]) == []


def test_trend_chart_writes_a_png(db, tmp_path):
    with db.conn:
        add_feed(db, "dawn", "Dawn")
        add_entity(db, "ttp", "Tehrik-e-Taliban Pakistan")
        for day in range(30):
            for number in range(day % 5):
                add_item(db, f"i{day}-{number}", title="TTP", published=NOW - timedelta(days=day, hours=number),
                         entities=("ttp",))
    series = daily_mentions(db, "ttp", days=30, now=NOW)
    assert len(series) == 30 and sum(count for _, count in series) == sum(day % 5 for day in range(30))
    path = trend_chart(db, "ttp", "Tehrik-e-Taliban Pakistan", days=30, now=NOW, directory=tmp_path / "charts")
    assert path == tmp_path / "charts" / "trend-ttp-20261027-20261125.png"  # what and which period
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert len(data) > 10_000


def test_trend_chart_of_an_entity_never_mentioned(db, tmp_path):
    path = trend_chart(db, "../odd id", "Nobody", days=7, now=NOW, directory=tmp_path)
    assert path.parent == tmp_path and path.name == "trend----odd-id-20261119-20261125.png"
    assert path.read_bytes().startswith(PNG_SIGNATURE)
