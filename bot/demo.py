"""`watchdesk demo`: the whole job, offline, in under a minute.

Serves the bundled sample feeds from 127.0.0.1, polls them twice into a temporary store (a
baseline, then an hour later with new items), matches, alerts into the console, then polls a
third time, when a later outlet's report of an alerted bombing raises its toll and the alert is
edited ("toll rises to 9"). Then it shows a lookup, a search, the incidents, the feed health
table and the day's digest, which opens with its Incidents section. A fixed clock and no
jitter make the output the same on every run, but for the port the feeds are served from.
"""

from __future__ import annotations

import contextlib
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import TextIO
from xml.sax.saxutils import escape

from aiohttp import web

from bot.config import AlertRule, FetchSettings, Settings
from bot.models import Feed
from bot.samples import SAMPLE_FEEDS, sample_body

BASELINE_AT = datetime(2026, 11, 20, 3, 0, tzinfo=timezone.utc)
SECOND_POLL_AT = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)
THIRD_POLL_AT = datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)
LATE_FEED = ("valley-dispatch", "Valley Dispatch")
_LATE_ITEMS = {
    # edition: the late feed's items (title, guid, published, summary)
    1: (("Wheat flour prices ease in Peshawar markets", "vd-2026-1119-flour", "Thu, 19 Nov 2026 18:00:00 +0000",
         "Traders said supplies from Punjab had improved over the week."),),
    3: (("Kabul market blast: death toll climbs to nine", "vd-2026-1120-kabul-toll",
         "Fri, 20 Nov 2026 09:30:00 +0000",
         "Nine people were killed and 14 wounded in the Kabul market bombing claimed by ISKP, "
         "a hospital official said, as three of the wounded died overnight."),),
}
DESK_CHANNEL = "#frontier-desk"


class SampleServer:
    """Serve the sample feeds on 127.0.0.1; `edition` picks what they hold."""

    def __init__(self) -> None:
        self.edition = 1
        self.runner: web.AppRunner | None = None
        self.base_url = ""

    async def start(self) -> None:
        """Bind to a free loopback port and start serving."""
        app = web.Application()
        app.router.add_get("/{feed_id}", self._serve)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        host, port = self.runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}"

    async def _serve(self, request: web.Request) -> web.Response:
        feed_id = request.match_info["feed_id"]
        if feed_id == LATE_FEED[0]:
            return web.Response(body=late_feed_body(self.edition), headers={"Content-Type": "application/rss+xml"})
        if feed_id not in SAMPLE_FEEDS:
            raise web.HTTPNotFound()
        content_type = SAMPLE_FEEDS[feed_id][2]
        return web.Response(body=sample_body(feed_id, self.edition),
                            headers={"Content-Type": content_type})

    async def stop(self) -> None:
        """Stop serving."""
        if self.runner:
            await self.runner.cleanup()


def late_feed_body(edition: int) -> bytes:
    """The late outlet's RSS: an older item until the third edition, then a report raising a toll."""
    items = _LATE_ITEMS[3 if edition >= 3 else 1]
    entries = "".join(
        f"<item><title>{escape(title)}</title><link>https://valley-dispatch.example/{guid}</link>"
        f"<guid isPermaLink=\"false\">{guid}</guid><pubDate>{published}</pubDate>"
        f"<description>{escape(summary)}</description></item>" for title, guid, published, summary in items)
    return (f"<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel>"
            f"<title>{LATE_FEED[1]}</title><link>https://valley-dispatch.example/</link>"
            f"<description>Sample regional outlet</description>{entries}</channel></rss>").encode()


def demo_settings(directory: Path, base_url: str) -> Settings:
    """Settings for the demo: the sample feeds, a console alert rule, a temporary store."""
    feeds = tuple(Feed(id=feed_id, url=f"{base_url}/{feed_id}", name=name, interval=3600, timeout=10,
                       max_bytes=1_000_000)
                  for feed_id, (_, name, _) in SAMPLE_FEEDS.items())
    feeds += (Feed(id=LATE_FEED[0], url=f"{base_url}/{LATE_FEED[0]}", name=LATE_FEED[1], interval=3600, timeout=10,
                   max_bytes=1_000_000),)
    rule = AlertRule(platform="console", channel=DESK_CHANNEL,
                     entities=("ttp", "iskp", "noor-wali-mehsud"),
                     themes=("cross-border-attacks", "ceasefire-talks"))
    return Settings(path=directory / "feeds.yml", store=directory / "demo.db",
                    user_agent_contact="https://example.org/watchdesk-demo", feeds=feeds,
                    fetch=FetchSettings(host_spacing=0.0, allow_private=True), alerts=(rule,))


class _Clock:
    def __init__(self, moment: datetime):
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


async def run_demo(out: TextIO, *, keep: Path | None = None) -> int:
    """Run the demo, writing what a desk would see to `out`; return an exit code."""
    from bot.app import build_service
    from bot.render_text import format_pass

    with contextlib.ExitStack() as stack:
        directory = keep or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="watchdesk-")))
        directory.mkdir(parents=True, exist_ok=True)
        server = SampleServer()
        await server.start()
        clock = _Clock(BASELINE_AT)
        settings = demo_settings(directory, server.base_url)
        service = build_service(settings, now=clock, started_at=BASELINE_AT, output=out, channel_spacing=0.0)
        pipeline = service.pipeline
        pipeline.refresher.decide.jitter = lambda: 1.0  # next checks on the hour's mark, as the clock
        try:
            _heading(out, f"watchdesk demo: {len(settings.feeds)} sample feeds served from {server.base_url}")
            summary = await pipeline.poll(force=True)
            out.write(f"[{_clock_text(clock)}] first poll (a baseline: stored and searchable, "
                      f"not alerted)\n{format_pass(summary)}\n")
            server.edition, clock.moment = 2, SECOND_POLL_AT
            summary = await pipeline.poll(force=True)
            out.write(f"\n[{_clock_text(clock)}] second poll\n{format_pass(summary)}\n")
            await _show_alerts(out, service, summary)
            server.edition, clock.moment = 3, THIRD_POLL_AT
            summary = await pipeline.poll(force=True)
            _heading(out, "Third poll: a later outlet raises the Kabul bombing's toll")
            out.write(f"[{_clock_text(clock)}] third poll\n{format_pass(summary)}\n")
            delivered = await service.worker.deliver_due()
            out.write(f"({delivered} messages delivered from the outbox: the alert is edited, no new ping)\n")
            await _show_rest(out, service)
        finally:
            await pipeline.close()
            await server.stop()
    return 0


async def _show_alerts(out: TextIO, service, summary) -> None:
    """Show the new items' matches and deliver their alerts."""
    from store.items import title_and_feed
    from store.matches import entity_ids, theme_ids

    pipeline = service.pipeline
    _heading(out, "New items and what they match")
    for result in summary.results:
        for item_id in result.new_item_ids:
            row = title_and_feed(pipeline.db, item_id)
            entities = entity_ids(pipeline.db, item_id)
            themes = theme_ids(pipeline.db, item_id)
            out.write(f"- {row[0]}  ({row[1]}, id {item_id[:8]})\n"
                      f"    entities: {', '.join(entities) or '-'}\n"
                      f"    themes:   {', '.join(themes) or '-'}\n")
    _heading(out, f"Alerts delivered to {DESK_CHANNEL} (one per story; later outlets update it)")
    delivered = await service.worker.deliver_due()
    out.write(f"({delivered} messages delivered from the outbox)\n")


async def _show_rest(out: TextIO, service) -> None:
    """Show a lookup, a search, the incidents, feeds, an alert's Why and Not Relevant buttons,
    the status they show in, and the digest."""
    from bot.digest import build_digest, digest_replies
    from bot.models import CommandContext
    from bot.platforms.console import answer_line
    from bot.render_text import render_text

    pipeline = service.pipeline
    context = CommandContext(platform="console", channel_id=DESK_CHANNEL, user_id="demo", can_manage=True)
    for command in ("lookup tehreek-e-taliban", "search torkham", "why " + _first_item(pipeline), "incidents",
                    "feeds"):
        _heading(out, f"/watch {command}")
        out.write(await answer_line(service.commands, context, command) + "\n")
    console = service.adapters["console"]
    alert = next((message_id for _, message_id, reply in console.sent if reply.actions), None)
    if alert is not None:
        for typed, what in ((f"act {alert} 1", "Why"), (f"act {alert} 4", "Not Relevant"), ("status", "")):
            _heading(out, f"{typed}  ({what} on alert {alert})" if what else f"/watch {typed}")
            out.write(await answer_line(service.commands, context, typed, console=console) + "\n")
    _heading(out, "Daily digest")
    now = pipeline.now()
    digest = build_digest(pipeline.db, start=BASELINE_AT.replace(hour=0), end=now)
    for reply in digest_replies(digest):
        out.write(render_text(reply) + "\n")


def _first_item(pipeline) -> str:
    from store.matches import first_matched_item

    item_id = first_matched_item(pipeline.db)
    return item_id[:10] if item_id else "unknown"


def _clock_text(clock: _Clock) -> str:
    return clock().strftime("%Y-%m-%d %H:%M UTC")


def _heading(out: TextIO, text: str) -> None:
    out.write(f"\n== {text}\n")

