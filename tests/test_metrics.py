"""The Prometheus endpoint: bound to loopback, counting polls, deliveries and the queue."""

from __future__ import annotations

from datetime import datetime, timezone
from types import SimpleNamespace

import aiohttp

from bot.metrics import Metrics
from bot.models import Reply, reply_to_dict
from store import outbox


async def test_metrics_endpoint_reports_polls_deliveries_and_queue_depth(db):
    now = datetime(2026, 11, 20, tzinfo=timezone.utc)
    with db.conn:
        for number in range(3):
            outbox.enqueue(db, idem_key=f"k{number}", kind="alert", platform="console", channel_id="#d",
                           payload=reply_to_dict(Reply(title="x")), now=now)
    metrics = Metrics(db)
    port = metrics.serve("127.0.0.1", 0)
    try:
        result = SimpleNamespace(outcome="new")
        metrics.poll(SimpleNamespace(results=[result, result], new_items=7, outage=False))
        metrics.delivery("sent", "discord", "alert", 0.25)
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{port}/metrics") as response:
                text = await response.text()
    finally:
        metrics.close()
    assert 'watchdesk_feed_polls_total{outcome="new"} 2.0' in text
    assert "watchdesk_new_items_total 7.0" in text
    assert "watchdesk_queue_depth 3.0" in text
    assert 'watchdesk_deliveries_total{kind="alert",outcome="sent",platform="discord"} 1.0' in text
    assert 'watchdesk_delivery_seconds_count{platform="discord"} 1.0' in text
