"""The optional Prometheus endpoint: polls, errors, items, alerts, queue depth, delivery latency.

Bound to 127.0.0.1 by default (`metrics: {enabled: true, host: 127.0.0.1, port: 9464}`).
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

from store import outbox


class Metrics:
    """Counters and gauges for one running service, in their own registry."""

    def __init__(self, db):
        self.registry = registry = CollectorRegistry()
        self.polls = Counter("watchdesk_feed_polls", "Feed refreshes", ["outcome"], registry=registry)
        self.items = Counter("watchdesk_new_items", "New items stored (baselines excluded)", registry=registry)
        self.outages = Counter("watchdesk_outages", "Passes where nearly every feed failed", registry=registry)
        self.deliveries = Counter("watchdesk_deliveries", "Outbox deliveries", ["outcome", "platform", "kind"],
                                  registry=registry)
        self.latency = Histogram("watchdesk_delivery_seconds", "Time to deliver one message", ["platform"],
                                 registry=registry)
        queue = Gauge("watchdesk_queue_depth", "Messages waiting in the outbox", registry=registry)
        queue.set_function(lambda: outbox.queue_depth(db))

    def poll(self, summary) -> None:
        """Count one poll pass."""
        for result in summary.results:
            self.polls.labels(outcome=result.outcome).inc()
        self.items.inc(summary.new_items)
        if summary.outage:
            self.outages.inc()

    def delivery(self, outcome: str, platform: str, kind: str, latency: float | None) -> None:
        """Count one delivery attempt and, when sent, its latency."""
        self.deliveries.labels(outcome=outcome, platform=platform, kind=kind).inc()
        if latency is not None:
            self.latency.labels(platform=platform).observe(latency)

    def serve(self, host: str, port: int) -> int:
        """Serve /metrics from a background thread; return the bound port (port 0 picks one)."""
        server, _ = start_http_server(port, addr=host, registry=self.registry)
        self.server = server
        return server.server_port

    def close(self) -> None:
        """Stop serving."""
        server = getattr(self, "server", None)
        if server is not None:
            server.shutdown()
            server.server_close()
