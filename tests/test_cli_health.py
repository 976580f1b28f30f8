"""Exit codes of the command line when every feed fails."""

from __future__ import annotations

import socket

from bot.cli import main


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_poll_once_exits_1_when_no_feed_succeeded(tmp_path, capsys):
    config = tmp_path / "feeds.yml"
    config.write_text(f"store: {tmp_path / 'desk.db'}\nfeeds:\n"
                      f"  - {{id: down, url: 'http://127.0.0.1:{closed_port()}/rss', name: Down}}\n")
    assert main(["--config", str(config), "poll", "--once"]) == 1
    captured = capsys.readouterr()
    assert "polled 1 feeds: 0 ok, 1 failing" in captured.out
    assert captured.err == "watchdesk: no feed could be fetched\n"
