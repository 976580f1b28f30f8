"""`trend`: integer ticks, an empty period said, no sagging average at the start, --output, themes."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from bot import cli
from bot.clock import utc_now
from bot.trend import NO_MENTIONS, draw_trend, trend_file, trend_series
from store import open_db
from tests.test_search_lookup import add_entity, add_feed, add_item, add_theme

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=timezone.utc)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _days(count):
    return [date(2026, 11, 1) + timedelta(days=offset) for offset in range(count)]


def test_the_count_axis_has_integer_ticks():
    figure = draw_trend(_days(10), [0, 1, 0, 2, 1, 0, 0, 1, 0, 1], [0.5] * 10, "t")
    ticks = figure.axes[0].get_yticks()
    assert len(ticks) >= 2 and all(float(tick).is_integer() for tick in ticks)


def test_an_empty_chart_says_no_mentions_in_this_period(db, tmp_path):
    figure = draw_trend(_days(7), [0] * 7, [0.0] * 7, "t")
    assert [text.get_text() for text in figure.axes[0].texts] == [NO_MENTIONS]
    assert list(figure.axes[0].get_yticks()) == [0.0, 1.0]
    assert list(draw_trend(_days(3), [0, 2, 0], [0, 1, 1], "t").axes[0].texts) == []
    path, total = trend_file(db, "ttp", "TTP", days=7, now=NOW, directory=tmp_path)
    assert total == 0 and path.read_bytes().startswith(PNG_SIGNATURE)


def test_the_average_at_the_window_start_counts_the_days_before_it(db):
    with db.conn:
        add_feed(db, "dawn", "Dawn")
        add_entity(db, "ttp", "TTP")
        for back in range(30, 36):  # six busy days just before a 30-day window, then nothing
            for number in range(7):
                add_item(db, f"i{back}-{number}", title="TTP", published=NOW - timedelta(days=back),
                         entities=("ttp",))
    dates, counts, averages = trend_series(db, "ttp", days=30, now=NOW)
    assert (dates[0], dates[-1], len(counts)) == (date(2026, 10, 27), date(2026, 11, 25), 30)
    assert counts[0] == 0
    assert averages[:7] == [6.0, 5.0, 4.0, 3.0, 2.0, 1.0, 0.0]  # the six days before still count


def test_a_theme_has_a_trend_too(db):
    with db.conn:
        add_feed(db, "dawn", "Dawn")
        add_theme(db, "border-trade", "Border trade")
        for number, back in enumerate((0, 0, 1, 3)):
            add_item(db, f"t{number}", title="Torkham trade",
                     published=NOW - timedelta(days=back, hours=1), themes=(("border-trade", 4.0),))
    _, counts, _ = trend_series(db, "border-trade", days=5, now=NOW, kind="theme")
    assert counts == [0, 1, 0, 1, 2]


def _config(tmp_path):
    config = tmp_path / "feeds.yml"
    config.write_text(f"store: {tmp_path / 'desk.db'}\nfeeds: []\n")
    return config


def test_trend_output_file_and_a_default_name_with_the_period(tmp_path, capsys):
    config = _config(tmp_path)
    out = tmp_path / "ttp.png"
    assert cli.main(["--config", str(config), "trend", "ttp", "--days", "14", "--output", str(out)]) == 0
    printed = capsys.readouterr().out
    assert str(out) in printed and "No mentions in this period." in printed
    assert out.read_bytes().startswith(PNG_SIGNATURE)
    assert cli.main(["--config", str(config), "trend", "ttp", "--days", "14"]) == 0
    today = utc_now().date()
    default = tmp_path / f"trend-ttp-{today - timedelta(days=13):%Y%m%d}-{today:%Y%m%d}.png"
    assert default.exists() and str(default) in capsys.readouterr().out
    assert cli.main(["--config", str(config), "trend", "ttp", "--output", str(tmp_path / "no" / "x.png")]) == 2
    assert capsys.readouterr().err == (f"watchdesk trend: --output {tmp_path / 'no' / 'x.png'} is in a folder "
                                       f"that does not exist ({tmp_path / 'no'})\n")


def test_trend_of_a_theme_from_the_command_line(tmp_path, capsys):
    config = _config(tmp_path)
    db = open_db(tmp_path / "desk.db")
    with db.conn:
        add_feed(db, "dawn", "Dawn")
        add_item(db, "x1", title="Torkham trade resumes", published=utc_now() - timedelta(hours=1),
                 themes=(("border-trade", 4.0),))
    db.close()
    assert cli.main(["--config", str(config), "trend", "border-trade", "--days", "7"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Daily mentions of ") and "last 7 days" in out
    assert "Bars: mentions per day; line: 7-day average." in out
