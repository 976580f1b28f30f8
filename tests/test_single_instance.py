"""One `watchdesk run` per store: a second process on the same store refuses to start.

Two services on one store would both deliver every due row; the advisory lock on `<store>.lock`
stops the second with a clear error and exit code 2, and goes away with the first process.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.feedserver import FeedServer
from tests.test_service import RSS

ROOT = Path(__file__).resolve().parents[1]


async def _run(config: Path):
    env = {key: value for key, value in os.environ.items() if key not in ("DISCORD_TOKEN", "SLACK_BOT_TOKEN")}
    env["PYTHONPATH"] = str(ROOT)
    return await asyncio.create_subprocess_exec(
        sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main(sys.argv[1:]))",
        "-v", "--config", str(config), "run", cwd=ROOT, env=env,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)


async def _wait_for_line(stream, text: str) -> str:
    seen = []
    while line := await asyncio.wait_for(stream.readline(), timeout=60):
        seen.append(line.decode(errors="replace"))
        if text in seen[-1]:
            return "".join(seen)
    raise AssertionError(f"{text!r} never logged:\n{''.join(seen)[-2000:]}")


async def test_second_run_on_one_store_refuses_to_start(tmp_path):
    async with FeedServer() as server:
        server.feed("/rss", RSS)
        config = tmp_path / "feeds.yml"
        config.write_text(f"store: {tmp_path / 'desk.db'}\n"
                          f"feeds:\n  - {{id: desk, url: \"{server.url('/rss')}\", name: Desk}}\n")
        first = await _run(config)
        try:
            await _wait_for_line(first.stderr, "watchdesk running")
            second = await _run(config)
            _, errors = await asyncio.wait_for(second.communicate(), timeout=60)
            assert second.returncode == 2, errors.decode()[-2000:]
            assert f"in use by pid {first.pid}" in errors.decode()
            assert first.returncode is None
        finally:
            first.send_signal(signal.SIGTERM)
            await asyncio.wait_for(first.wait(), timeout=60)
        # The lock goes with its process: a new run may start (and is stopped the same way).
        third = await _run(config)
        await _wait_for_line(third.stderr, "watchdesk running")
        third.send_signal(signal.SIGKILL)
        await third.wait()
