"""Alerts survive a crash between the store write and the outbox insert.

A first pass stores the feed's baseline. The feed then carries new items that match an alert
rule. A child process runs the real refresher pass (fetch, parse, match, store), which commits
the items, and is killed with SIGKILL before the pipeline queues their alerts: the store holds
the items and their alert_queue rows, the outbox nothing. The restarted pipeline's next pass
must queue every alert, and delivery must send each once, however many passes follow.
"""

from __future__ import annotations

import asyncio
import io
import os
import sys
import textwrap
from collections import Counter
from email.utils import formatdate
from pathlib import Path

from bot.app import build_pipeline
from bot.config import load_settings
from bot.delivery import DeliveryWorker
from bot.platforms.console import ConsoleAdapter
from store import open_db
from tests.feedserver import FeedServer

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ["Cricket board names squad for the winter series"]
NEW = ["TTP claims attack on police post in Bannu",
       "Tehrik-e-Taliban Pakistan fighters ambush convoy near Wana",
       "TTP commander killed in Khyber operation, officials say"]
CHILD = textwrap.dedent("""
    import asyncio, os, signal, sys
    from bot.app import build_pipeline
    from bot.config import load_settings

    async def main(config):
        pipeline = build_pipeline(load_settings(config))
        # The first half of Pipeline.poll: the pass that stores the items, committed feed by feed,
        # staged in a worker process as `run` does.
        await pipeline.refresher.start()
        await pipeline.refresher.poll(pipeline.settings.feeds, force=True)
        os.kill(os.getpid(), signal.SIGKILL)  # dies before its alerts are queued

    asyncio.run(main(sys.argv[1]))
""")


def rss(titles: list[str]) -> str:
    """An RSS document with one item per title, published now."""
    when = formatdate(usegmt=True)
    items = "".join(f"<item><title>{title}</title><link>https://desk.example/{number}</link>"
                    f"<guid>{title}</guid><pubDate>{when}</pubDate></item>"
                    for number, title in enumerate(titles))
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title>{items}</channel></rss>'


def count(db, sql: str) -> int:
    return db.execute(sql).fetchone()[0]


async def poll_and_deliver(settings, adapter: ConsoleAdapter) -> None:
    """One scheduled pass of a restarted process: poll, then deliver everything due."""
    pipeline = build_pipeline(settings)
    try:
        await pipeline.poll(force=True)
        worker = DeliveryWorker(pipeline.db, {"console": adapter}, channel_spacing=0)
        await worker.deliver_due()
    finally:
        await pipeline.close()
        pipeline.db.close()


async def test_items_stored_before_a_kill_are_alerted_once_after_the_restart(tmp_path):
    store_path = tmp_path / "desk.db"
    async with FeedServer() as server:
        server.feed("/rss", rss(BASELINE))
        config = tmp_path / "feeds.yml"
        config.write_text(f"store: {store_path}\n"
                          "fetch: {allow_private: [127.0.0.0/8]}\n"
                          f"feeds:\n  - {{id: desk, url: \"{server.url('/rss')}\", name: Desk}}\n"
                          "alerts:\n  - {platform: console, channel: \"#desk\", entities: [ttp]}\n")
        settings = load_settings(config)
        adapter = ConsoleAdapter(io.StringIO())
        await poll_and_deliver(settings, adapter)  # the baseline: stored, not alerted
        assert adapter.sent == []

        server.feed("/rss", rss(BASELINE + NEW))
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-c", CHILD, str(config), cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        _, errors = await asyncio.wait_for(child.communicate(), timeout=120)
        assert child.returncode == -9, errors.decode()[-2000:]

        db = open_db(store_path)
        try:
            assert count(db, "SELECT COUNT(*) FROM items") == len(BASELINE + NEW)
            assert count(db, "SELECT COUNT(*) FROM alert_queue") == len(NEW)
            assert count(db, "SELECT COUNT(*) FROM outbox") == 0
        finally:
            db.close()

        for _ in range(2):  # the restart's first pass finishes the job; a later one adds nothing
            await poll_and_deliver(settings, adapter)

    titles = Counter(title for channel, _, reply in adapter.sent for title in _titles(reply))
    assert {channel for channel, _, _ in adapter.sent} == {"#desk"}
    assert titles == {title: 1 for title in NEW}
    db = open_db(store_path)
    try:
        assert count(db, "SELECT COUNT(*) FROM alert_queue") == 0
        assert {row[0] for row in db.execute("SELECT status FROM outbox")} == {"sent"}
        assert count(db, "SELECT COUNT(*) FROM outbox WHERE kind = 'alert'") == len(NEW)
    finally:
        db.close()


def _titles(reply) -> list[str]:
    """The item titles an alert names (its title, or the lines of a burst summary)."""
    text = " ".join([reply.title or "", reply.text or ""])
    return [title for title in NEW if title in text]
