"""`trend --incidents`: daily incidents (or their killed and injured) at a place or by a group,
from real stored incidents, in chat and on the command line."""

from __future__ import annotations

from datetime import timedelta

from bot.commands import REGISTRY, Commands, Deps
from bot.models import CommandContext
from bot.platforms.base import parse_command_text
from bot.trend import incident_series, incident_trend_file
from tests.test_incident_alerts import NOW, add, store  # noqa: F401  (store is a fixture)

PNG = b"\x89PNG\r\n\x1a\n"
DAY = 24 * 60
CTX = CommandContext(platform="console", channel_id="#desk", user_id="u1")


def _three_incidents(db, matcher):
    add(db, matcher, "dawn", "TTP claims attack on police post in Lakki Marwat",
        "Four policemen were martyred when militants attacked a police post in Lakki Marwat. The "
        "Tehreek-i-Taliban Pakistan claimed responsibility.", minutes=-3 * DAY)
    add(db, matcher, "wire", "Blast near police van in Quetta leaves two dead, 11 injured",
        "At least two people were killed and 11 others injured when a bomb went off near a police van in Quetta.",
        minutes=-DAY)
    add(db, matcher, "tribune", "Gunmen kill three soldiers at Lakki Marwat checkpost",
        "Three soldiers were killed when gunmen opened fire on a checkpost in Lakki Marwat district.")


def test_the_series_counts_each_days_incidents_and_casualties(store, matcher):  # noqa: F811
    _three_incidents(store, matcher)
    dates, incidents, killed, injured = incident_series(store, days=7, now=NOW + timedelta(hours=1),
                                                        place="Lakki Marwat")
    assert len(dates) == 7 + 6 and dates[-1] == NOW.date()
    by_day = dict(zip(dates, zip(incidents, killed, injured)))
    assert by_day[NOW.date()] == (1, 3, 0)
    assert by_day[(NOW - timedelta(days=3)).date()] == (1, 4, 0)
    assert sum(incidents) == 2  # Quetta is not at Lakki Marwat
    _, every, dead, hurt = incident_series(store, days=7, now=NOW + timedelta(hours=1))
    assert (sum(every), sum(dead), sum(hurt)) == (3, 9, 11)


def test_a_chart_of_incidents_and_one_of_casualties_are_pngs_named_for_what_they_count(store, matcher, tmp_path):  # noqa: F811
    _three_incidents(store, matcher)
    path, total = incident_trend_file(store, "balochistan", "Balochistan", days=14, now=NOW, directory=tmp_path,
                                      measure="casualties", region="balochistan")
    assert total == 13 and path.name == "trend-casualties-balochistan-20261107-20261120.png"
    assert path.read_bytes().startswith(PNG)
    empty, nothing = incident_trend_file(store, "ttp", "TTP", days=14, now=NOW - timedelta(days=5),
                                         directory=tmp_path, actor="ttp")
    assert nothing == 0 and empty.read_bytes().startswith(PNG)


async def test_watch_trend_incidents_by_place_group_and_province(store, matcher, tmp_path):  # noqa: F811
    _three_incidents(store, matcher)
    runner = Commands(Deps(db=store, now=lambda: NOW + timedelta(hours=2), started_at=NOW, chart_dir=tmp_path,
                           catalog=matcher.catalog))
    name, args = parse_command_text("/watch trend lakki marwat 14 incidents")
    assert args == {"entity": "lakki marwat", "days": "14", "count": "incidents"}
    at_place = await runner.run(CTX, name, args)
    assert at_place.title == "Daily incidents at Lakki Marwat, last 14 days"
    assert at_place.data["total"] == 2 and at_place.file.read_bytes().startswith(PNG)
    by_group = await runner.run(CTX, *parse_command_text("/watch trend TTP incidents"))
    assert by_group.title.startswith("Daily incidents by ") and by_group.data["total"] == 1
    province = await runner.run(CTX, *parse_command_text("/watch trend balochistan casualties"))
    assert province.title == "Daily killed and injured in incidents in Balochistan, last 30 days"
    assert province.data["total"] == 13
    mentions = await runner.run(CTX, *parse_command_text("/watch trend ttp 14"))
    assert mentions.title.startswith("Daily mentions of ")
    wrong = await runner.run(CTX, "trend", {"entity": "ttp", "count": "deaths"})
    assert wrong.error and wrong.title == "count must be mentions or incidents or casualties, not 'deaths'"


def test_the_count_defaults_to_mentions():
    assert REGISTRY["trend"].validate({"entity": "ttp"}) == {"entity": "ttp", "days": 30, "count": "mentions"}


def test_watchdesk_trend_incidents_on_the_command_line(store, matcher, tmp_path, capsys):  # noqa: F811
    from bot.cli import main

    _three_incidents(store, matcher)
    config = tmp_path / "feeds.yml"
    config.write_text("feeds:\n  - {id: dawn, url: 'http://127.0.0.1/dawn', name: Dawn}\n")
    store_path = store.execute("PRAGMA database_list").fetchone()[2]
    chart = tmp_path / "lakki.png"
    assert main(["--config", str(config), "--db", store_path, "trend", "lakki", "marwat", "--incidents",
                 "--days", "365", "--output", str(chart)]) == 0
    out = capsys.readouterr().out
    assert "Daily incidents at Lakki Marwat, last 365 days" in out and str(chart) in out
    assert chart.read_bytes().startswith(PNG)
    assert main(["--config", str(config), "--db", store_path, "trend", "ttp", "--casualties", "--days", "365",
                 "--output", str(tmp_path / "ttp.png")]) == 0
    assert "Daily killed and injured in incidents by " in capsys.readouterr().out
