"""A real HTTP server on 127.0.0.1 for tests: scripted feeds, statuses, redirects, slow bodies.

    async with FeedServer() as server:
        server.feed("/rss", body, etag='"v1"')
        url = server.url("/rss")
"""

from __future__ import annotations

import asyncio
import gzip as gzip_module
from email.utils import formatdate

from aiohttp import web


class FeedServer:
    """Serve scripted responses on a free loopback port and record every request."""

    def __init__(self) -> None:
        self.routes: dict[str, object] = {}
        self.requests: list[tuple[str, dict]] = []
        self.in_flight = 0
        self.peak_in_flight = 0
        self.gate: asyncio.Event | None = None  # when set, handlers wait for it (concurrency tests)
        self.runner: web.AppRunner | None = None
        self.base = ""

    async def __aenter__(self) -> FeedServer:
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._dispatch)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        host, port = self.runner.addresses[0][:2]
        self.base = f"http://{host}:{port}"
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.runner.cleanup()

    def url(self, path: str) -> str:
        """The absolute URL of a path on this server."""
        return self.base + path

    def route(self, path: str, handler) -> None:
        """Answer `path` with an aiohttp handler."""
        self.routes[path] = handler

    def respond(self, path: str, status: int, body: bytes = b"", headers: dict | None = None) -> None:
        """Answer `path` with a fixed status, body and headers."""
        async def handler(request):
            return web.Response(status=status, body=body, headers=headers or {})
        self.route(path, handler)

    def feed(self, path: str, body: bytes, *, content_type: str = "application/rss+xml",
             etag: str | None = None, last_modified: str | None = None, gzip: bool = False,
             headers: dict | None = None) -> None:
        """Serve a feed with validators, answering 304 to a matching conditional GET."""
        async def handler(request):
            extra = dict(headers or {})
            if etag:
                extra["ETag"] = etag
            if last_modified:
                extra["Last-Modified"] = last_modified
            if (etag and request.headers.get("If-None-Match") == etag) or (
                    last_modified and not etag
                    and request.headers.get("If-Modified-Since") == last_modified):
                return web.Response(status=304, headers=extra)
            payload = body
            if gzip:
                payload = gzip_module.compress(body)
                extra["Content-Encoding"] = "gzip"
            extra["Content-Type"] = content_type
            return web.Response(body=payload, headers=extra)
        self.route(path, handler)

    def redirect(self, path: str, to: str, status: int = 302) -> None:
        """Redirect `path` to another path or URL."""
        self.respond(path, status, headers={"Location": to})

    def slow(self, path: str, first: bytes, release: asyncio.Event) -> None:
        """Send the headers and `first`, then hold the rest of the body until `release` is set."""
        async def handler(request):
            response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
            await response.prepare(request)
            await response.write(first)
            await release.wait()
            await response.write(b"</channel></rss>")
            return response
        self.route(path, handler)

    def stream(self, path: str, chunk: bytes, count: int, headers: dict | None = None) -> None:
        """Send `count` chunks with no Content-Length (chunked transfer)."""
        async def handler(request):
            response = web.StreamResponse(headers=headers or {})
            response.enable_chunked_encoding()
            await response.prepare(request)
            for _ in range(count):
                await response.write(chunk)
            return response
        self.route(path, handler)

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["path"]
        self.requests.append((path, dict(request.headers)))
        handler = self.routes.get(path)
        if handler is None:
            return web.Response(status=404, text="not found")
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            if self.gate is not None:
                await self.gate.wait()
            return await handler(request)
        finally:
            self.in_flight -= 1

    def headers_of(self, path: str) -> list[dict]:
        """The headers of every request made to `path`, in order."""
        return [headers for seen, headers in self.requests if seen == path]


def http_date(timestamp: float) -> str:
    """An HTTP date for a Unix time."""
    return formatdate(timestamp, usegmt=True)
