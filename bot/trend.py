"""Trend charts: daily mentions of an entity as bars, with a 7-day rolling average line.

Drawn with matplotlib's Agg backend through the object-oriented Figure API (no pyplot state),
so a chart can be drawn on a worker thread while the event loop runs.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from store.lookup import daily_mentions  # noqa: E402

log = logging.getLogger(__name__)

ROLLING_DAYS = 7
_SAFE = re.compile(r"[^A-Za-z0-9_-]")  # catalog ids are already safe; anything else never names a path


def rolling_average(counts: list[int], window: int = ROLLING_DAYS) -> list[float]:
    """The average of each day and the days before it, over at most `window` days."""
    averages = []
    for index in range(len(counts)):
        recent = counts[max(0, index - window + 1):index + 1]
        averages.append(sum(recent) / len(recent))
    return averages


def trend_chart(db, entity_id: str, entity_name: str, *, days: int = 30, now: datetime,
                directory: Path) -> Path:
    """Draw the daily mentions of an entity over `days` days to a PNG; return its path."""
    series = daily_mentions(db, entity_id, days=days, now=now)
    dates = [day for day, _ in series]
    counts = [count for _, count in series]
    figure = Figure(figsize=(8, 3.6), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.bar(dates, counts, width=0.8, color="#4c78a8", label="mentions per day")
    axes.plot(dates, rolling_average(counts), color="#e45756", linewidth=2,
              label=f"{ROLLING_DAYS}-day average")
    locator = AutoDateLocator()
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    axes.set_ylim(bottom=0)
    axes.set_ylabel("items")
    axes.set_title(f"{entity_name}: mentions over {days} days (to {now:%d %b %Y})")
    axes.legend(loc="upper left", framealpha=0.85)
    axes.grid(axis="y", alpha=0.3)
    figure.tight_layout()
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"trend-{_SAFE.sub('-', entity_id)}-{now:%Y%m%d}.png"
    figure.savefig(path, format="png")
    figure.clear()
    log.info("trend chart for %s written to %s (%d mentions)", entity_id, path, sum(counts))
    return path
