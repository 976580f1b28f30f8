"""`watchdesk run` without chat tokens: scheduler, delivery and the console in one process."""

from __future__ import annotations

import io

from bot.config import load_settings
from bot.service import run_service
from store import open_db
from store.feeds import get_meta
from tests.feedserver import FeedServer

RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title>
<item><title>TTP attack on police post in Bannu</title><link>https://desk.example/1</link>
<guid>1</guid><pubDate>Thu, 19 Nov 2026 08:00:00 GMT</pubDate></item></channel></rss>"""


async def test_run_answers_console_commands_and_stops_cleanly(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    async with FeedServer() as server:
        server.feed("/rss", RSS)
        config = tmp_path / "feeds.yml"
        config.write_text(f"store: {tmp_path / 'desk.db'}\nfetch: {{allow_private: [127.0.0.0/8]}}\nfeeds:\n  - {{id: desk, url: \"{server.url('/rss')}\", "
                          f"name: Desk}}\n")
        settings = load_settings(config)
        code = await run_service(settings, console_input=io.StringIO("lookup ttp\nsearch nothing-like-this\nquit\n"),
                                 tick=3600)
    assert code == 0
    out = capsys.readouterr().out
    assert "Tehrik-e-Taliban Pakistan (ttp)" in out
    assert "No items match 'nothing-like-this'" in out
    db = open_db(tmp_path / "desk.db")
    try:
        assert get_meta(db, "first_started_at") == get_meta(db, "started_at")
        assert db.execute("SELECT COUNT(*) FROM entities").fetchone()[0] > 50
    finally:
        db.close()
