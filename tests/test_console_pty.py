"""`watchdesk run` at a real terminal (a pty): prompt, help, Ctrl-C and SIGTERM stop it at once,
and a log line printed while a command is being typed leaves the typed line intact."""

from __future__ import annotations

import asyncio
import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.feedserver import FeedServer

REPO = Path(__file__).resolve().parents[1]
CPR_REQUEST = b"\x1b[6n"  # prompt_toolkit asks where the cursor is; a terminal answers


class Terminal:
    """A watchdesk process on a pty, read as a terminal would (cursor position requests answered)."""

    def __init__(self, config: Path, tmp_path: Path):
        master, slave = pty.openpty()
        env = {key: value for key, value in os.environ.items()
               if key not in ("DISCORD_TOKEN", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN")}
        env.update(TERM="xterm", WATCHDESK_HISTORY=str(tmp_path / "history"), COLUMNS="120", LINES="40")
        self.process = subprocess.Popen([sys.executable, "-m", "bot", "run", "--config", str(config)],
                                        stdin=slave, stdout=slave, stderr=slave, cwd=tmp_path, env=env,
                                        start_new_session=True)
        os.close(slave)
        self.master = master
        self.screen = b""

    def read_until(self, needle: bytes, timeout: float = 30.0) -> bytes:
        """Read output until `needle` has appeared after what was read before; return the new part."""
        start = len(self.screen)
        deadline = time.monotonic() + timeout
        while needle not in self.screen[start:]:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.process.poll() is not None and not self._ready(0):
                raise AssertionError(f"{needle!r} never came; screen:\n{self.screen.decode(errors='replace')}")
            if self._ready(min(remaining, 0.2)):
                self._read()
        return self.screen[start:]

    def _ready(self, timeout: float) -> bool:
        return bool(select.select([self.master], [], [], timeout)[0])

    def _read(self) -> None:
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # the process closed the pty
            chunk = b""
        for _ in range(chunk.count(CPR_REQUEST)):
            os.write(self.master, b"\x1b[1;1R")
        self.screen += chunk

    def type(self, text: str) -> None:
        os.write(self.master, text.encode())

    def wait_exit(self, timeout: float = 10.0) -> int | None:
        """The exit code once the process ends, reading its output meanwhile; None if it is still running
        after `timeout` (a stop that hangs on a blocked read or a join)."""
        deadline = time.monotonic() + timeout
        while self.process.poll() is None and time.monotonic() < deadline:
            if self._ready(0.05):
                self._read()
        return self.process.poll()

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        os.close(self.master)


@pytest.fixture
def terminal(tmp_path):
    config = tmp_path / "feeds.yml"
    config.write_text(f"store: {tmp_path / 'desk.db'}\nfeeds: []\n")
    term = Terminal(config, tmp_path)
    yield term
    term.close()


def test_ctrl_c_at_the_prompt_stops_run_cleanly(terminal):
    terminal.read_until(b"watchdesk>")
    terminal.type("help\r")
    listing = terminal.read_until(b"help <command>: its arguments")
    assert b"  lookup <entity>\r\n      Profile of a tracked group, person or place, with its latest mentions \xc2\xb7 e.g. lookup ttp" in listing
    terminal.type("help why\r")
    assert b"usage: why <item id>" in terminal.read_until(b"example: why 3f2a9c1b")
    terminal.read_until(b"watchdesk>")
    terminal.type("\x03")
    assert terminal.wait_exit() == 0


def test_sigterm_stops_run_cleanly_with_a_half_typed_line(terminal):
    terminal.read_until(b"watchdesk>")
    terminal.type("stat")  # half a command typed: nothing waits for the Enter key
    terminal.read_until(b"stat")
    terminal.process.send_signal(signal.SIGTERM)
    assert terminal.wait_exit() == 0


def test_history_recalls_the_last_command(terminal):
    terminal.read_until(b"watchdesk>")
    terminal.type("status\r")
    terminal.read_until(b"Queued messages")
    terminal.read_until(b"watchdesk>")
    terminal.type("\x1b[A\r")  # Up, Enter: the same command again
    assert b"watchdesk status" in terminal.read_until(b"Queued messages")
    terminal.read_until(b"watchdesk>")
    terminal.type("\x04")  # Ctrl-D on an empty line stops too
    terminal.wait_exit()
    assert terminal.process.returncode == 0


async def test_a_log_line_while_typing_leaves_the_typed_line_intact(tmp_path):
    release = asyncio.Event()
    async with FeedServer() as server:
        async def late_failure(request):
            await release.wait()
            from aiohttp import web

            return web.Response(status=500, text="down")

        server.route("/rss", late_failure)
        config = tmp_path / "feeds.yml"
        config.write_text(f"store: {tmp_path / 'desk.db'}\nfetch: {{allow_private: [127.0.0.0/8]}}\n"
                          f"feeds:\n  - {{id: slow, url: '{server.url('/rss')}', name: Slow}}\n")
        term = Terminal(config, tmp_path)
        try:
            await asyncio.to_thread(term.read_until, b"watchdesk>")
            term.type("lookup tt")
            await asyncio.to_thread(term.read_until, b"lookup tt")
            release.set()  # the poll now fails and logs a warning while the line is half typed
            after_log = await asyncio.to_thread(term.read_until, b"feed slow failed")
            redrawn = await asyncio.to_thread(term.read_until, b"lookup tt")  # the prompt redrawn below it
            assert b"HTTP 500" in after_log + redrawn
            term.type("p\r")
            assert b"Tehrik-e-Taliban Pakistan (ttp)" in await asyncio.to_thread(term.read_until, b"(ttp)")
            term.type("quit\r")
            await asyncio.to_thread(term.wait_exit)
            assert term.process.returncode == 0
        finally:
            term.close()
