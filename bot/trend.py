"""Trend charts: daily mentions of an entity or a theme as bars, with a 7-day rolling average line.

Drawn with matplotlib's Agg backend through the object-oriented Figure API (no pyplot state),
so a chart can be drawn on a worker thread while the event loop runs. Counts are whole
numbers, so the count axis has integer ticks. The average of each day covers that day and the
six before it, read from the store even where they fall before the chart's first day: the line
does not sag at the start of the window. A period without a single mention says so on the
chart. The file is named after what it shows and its period: `trend-ttp-20261027-20261125.png`.

With `measure="incidents"` the bars count the incidents first reported each day at a place (a
province or country covers the places in it) or by a group; with `measure="casualties"` they stack
each day's killed and injured (the incidents' highest firm figures), and the line averages both.
Those files say so: `trend-incidents-bannu-...png`, `trend-casualties-ttp-...png`.
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from bot.clock import as_utc  # noqa: E402
from store import incidents as incident_store  # noqa: E402
from store.lookup import daily_mentions, daily_theme_mentions  # noqa: E402

log = logging.getLogger(__name__)

ROLLING_DAYS = 7
NO_MENTIONS = "no mentions in this period"
NO_INCIDENTS = "no incidents in this period"
NO_CASUALTIES = "no casualties reported in this period"
MEASURES = ("mentions", "incidents", "casualties")
_SAFE = re.compile(r"[^A-Za-z0-9_-]")  # catalog ids are already safe; anything else never names a path


def rolling_average(counts: list[int], window: int = ROLLING_DAYS) -> list[float]:
    """The average of each day and the days before it, over at most `window` days."""
    averages = []
    for index in range(len(counts)):
        recent = counts[max(0, index - window + 1):index + 1]
        averages.append(sum(recent) / len(recent))
    return averages


def trend_series(db, target_id: str, *, days: int, now: datetime, kind: str = "entity"
                 ) -> tuple[list[date], list[int], list[float]]:
    """The chart's days, their counts, and each day's average over it and the six days before."""
    reader = daily_theme_mentions if kind == "theme" else daily_mentions
    series = reader(db, target_id, days=days + ROLLING_DAYS - 1, now=now)
    counts = [count for _, count in series]
    averages = rolling_average(counts)[ROLLING_DAYS - 1:]
    return [day for day, _ in series][ROLLING_DAYS - 1:], counts[ROLLING_DAYS - 1:], averages


def incident_series(db, *, days: int, now: datetime, place: str | None = None, actor: str | None = None,
                    region: str | None = None) -> tuple[list[date], list[int], list[int], list[int]]:
    """The chart's days (UTC, oldest first, `days` of them plus the six before) with each day's
    incidents, killed and injured."""
    today = as_utc(now).date()
    first = today - timedelta(days=days + ROLLING_DAYS - 2)
    found = incident_store.daily(db, first.isoformat(), today.isoformat(), place=place, actor=actor, region=region)
    dates = [first + timedelta(days=offset) for offset in range(days + ROLLING_DAYS - 1)]
    rows = [found.get(day.isoformat(), (0, 0, 0)) for day in dates]
    return dates, [row[0] for row in rows], [row[1] for row in rows], [row[2] for row in rows]


def draw_trend(dates: list[date], counts: list[int], averages: list[float], title: str, *,
               label: str = "mentions per day", unit: str = "items", empty: str = NO_MENTIONS,
               stacked: tuple[list[int], str] | None = None) -> Figure:
    """The chart as a Figure: bars (with `stacked` bars on top, e.g. injured over killed), the average
    line, integer ticks, a note when nothing was counted."""
    figure = Figure(figsize=(8, 3.6), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.bar(dates, counts, width=0.8, color="#4c78a8", label=label)
    if stacked is not None:
        axes.bar(dates, stacked[0], width=0.8, bottom=counts, color="#f2a541", label=stacked[1])
        counts = [low + high for low, high in zip(counts, stacked[0])]
    axes.plot(dates, averages, color="#e45756", linewidth=2, label=f"{ROLLING_DAYS}-day average")
    locator = AutoDateLocator()
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylim(bottom=0, top=None if any(counts) else 1)
    if not any(counts):
        axes.text(0.5, 0.5, empty, transform=axes.transAxes, ha="center", va="center",
                  fontsize=12, color="#555555")
    axes.set_ylabel(unit)
    axes.set_title(title)
    axes.legend(loc="upper left", framealpha=0.85)
    axes.grid(axis="y", alpha=0.3)
    figure.tight_layout()
    return figure


def chart_name(target_id: str, dates: list[date]) -> str:
    """The default file name: what is charted and its first and last day."""
    return f"trend-{_SAFE.sub('-', target_id)}-{dates[0]:%Y%m%d}-{dates[-1]:%Y%m%d}.png"


def trend_chart(db, entity_id: str, entity_name: str, *, days: int = 30, now: datetime,
                directory: Path, kind: str = "entity") -> Path:
    """Draw the daily mentions of an entity (or theme) over `days` days to a PNG; return its path."""
    return trend_file(db, entity_id, entity_name, days=days, now=now, directory=directory, kind=kind)[0]


def trend_file(db, target_id: str, name: str, *, days: int, now: datetime, directory: Path,
               kind: str = "entity") -> tuple[Path, int]:
    """Draw the chart to a PNG in `directory`; return its path and the mentions it counts."""
    dates, counts, averages = trend_series(db, target_id, days=days, now=now, kind=kind)
    figure = draw_trend(dates, counts, averages, f"{name}: mentions over {days} days (to {now:%d %b %Y})")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / chart_name(target_id, dates)
    figure.savefig(path, format="png")
    figure.clear()
    log.info("trend chart for %s written to %s (%d mentions)", target_id, path, sum(counts))
    return path, sum(counts)


def incident_trend_file(db, target_id: str, name: str, *, days: int, now: datetime, directory: Path,
                        measure: str = "incidents", place: str | None = None, actor: str | None = None,
                        region: str | None = None) -> tuple[Path, int]:
    """Draw the daily incidents (or their killed and injured) at a place or by a group to a PNG in
    `directory`; return its path and what it counts (incidents, or killed plus injured)."""
    dates, incidents, killed, injured = incident_series(db, days=days, now=now, place=place, actor=actor,
                                                        region=region)
    shown = slice(ROLLING_DAYS - 1, None)
    to = f"(to {now:%d %b %Y})"
    if measure == "casualties":
        totals = [dead + hurt for dead, hurt in zip(killed, injured)]
        figure = draw_trend(dates[shown], killed[shown], rolling_average(totals)[shown],
                            f"{name}: killed and injured in incidents over {days} days {to}",
                            label="killed", unit="people", empty=NO_CASUALTIES, stacked=(injured[shown], "injured"))
        total = sum(totals[shown])
    else:
        figure = draw_trend(dates[shown], incidents[shown], rolling_average(incidents)[shown],
                            f"{name}: incidents over {days} days {to}", label="incidents per day",
                            unit="incidents", empty=NO_INCIDENTS)
        total = sum(incidents[shown])
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / chart_name(f"{measure}-{target_id}", dates[shown])
    figure.savefig(path, format="png")
    figure.clear()
    log.info("%s trend chart for %s written to %s (%d counted)", measure, target_id, path, total)
    return path, total
