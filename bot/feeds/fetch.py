"""The polite HTTP client: conditional GET, limits, redirects and spacing, on aiohttp.

One `Fetcher` holds one connection pool, a global concurrency limit and a per-host gap between
request starts. Bodies are streamed and capped both as received and after decompression (a
gzip bomb stops at the cap, never allocated whole). Redirects are followed by hand so loops and
permanent moves are seen. Each connection goes only to addresses `bot.feeds.guard.AddressPolicy`
allows (no private, loopback or link-local address unless configured). Every failure is a `bot.errors.FetchError` with a short human message.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from datetime import datetime
from urllib.parse import urljoin, urlsplit

import aiohttp

from bot.clock import as_utc, utc_now
from bot.errors import BodyTooLarge, FetchTimeout, HTTPStatusError, NetworkError, TooManyRedirects
from bot.feeds.guard import AddressPolicy, GuardedResolver, Network

log = logging.getLogger(__name__)

ACCEPT = ("application/rss+xml, application/atom+xml, application/rdf+xml, "
          "application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5")
CHUNK = 64 * 1024


@dataclass(frozen=True)
class FetchRequest:
    """What to fetch, with the validators from the last good response."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    timeout: float = 20.0
    max_bytes: int = 10_000_000


@dataclass(frozen=True)
class FetchResponse:
    """A successful answer: 200 with a body, or 304 without one."""

    url: str
    status: int
    body: bytes | None
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    charset: str | None = None
    retry_after: float | None = None
    max_age: float | None = None
    bytes_read: int = 0
    duration: float = 0.0
    permanent_redirect: str | None = None


MAX_RETRY_AFTER = 7 * 86400.0  # a server's wish to be left alone is honoured up to a week
_DIGITS = re.compile(r"[0-9]+")  # ASCII digits only: str.isdigit() also takes "²"


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if _DIGITS.fullmatch(value):
        return min(float(value), MAX_RETRY_AFTER)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return min(max(0.0, (as_utc(moment) - (now or utc_now())).total_seconds()), MAX_RETRY_AFTER)


def parse_max_age(value: str | None) -> float | None:
    """Seconds a response stays fresh, from Cache-Control (0 for no-store / no-cache)."""
    if not value:
        return None
    directives = [part.strip().lower() for part in value.split(",")]
    if "no-store" in directives or "no-cache" in directives:
        return 0.0
    for directive in directives:
        name, _, number = directive.partition("=")
        if name == "max-age" and _DIGITS.fullmatch(number.strip()):
            return min(float(number.strip()), MAX_RETRY_AFTER)
    return None


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


class _Decoder:
    """Incremental gzip/deflate decoding that never produces more than the cap."""

    def __init__(self, encoding: str, limit: int):
        encoding = encoding.lower().strip()
        if encoding in ("", "identity"):
            self.zlib = None
        elif encoding in ("gzip", "x-gzip"):
            self.zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self.zlib = zlib.decompressobj()
        else:
            raise NetworkError(f"unsupported Content-Encoding {encoding!r}")
        self.limit, self.size, self.parts = limit, 0, []

    def feed(self, chunk: bytes) -> None:
        if self.zlib is None:
            self._add(chunk)
            return
        try:
            data = self.zlib.decompress(chunk, self.limit - self.size + 1)
            self._add(data)
            while self.zlib.unconsumed_tail:
                data = self.zlib.decompress(self.zlib.unconsumed_tail, self.limit - self.size + 1)
                self._add(data)
        except zlib.error as exc:
            raise NetworkError(f"corrupt compressed body: {exc}") from exc

    def _add(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise BodyTooLarge(f"body larger than {_megabytes(self.limit)} (limit) once decompressed")
        self.parts.append(data)

    def finish(self) -> bytes:
        if self.zlib is not None:
            self._add(self.zlib.flush())
        return b"".join(self.parts)


class Fetcher:
    """Fetches feeds politely; use `async with Fetcher(...) as fetcher`."""

    def __init__(self, *, user_agent: str, concurrency: int = 20, host_spacing: float = 1.0,
                 max_redirects: int = 5, allow_private: bool | tuple[Network, ...] = False,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep):
        self.user_agent, self.host_spacing, self.max_redirects = user_agent, host_spacing, max_redirects
        self.concurrency, self.clock, self.sleep = concurrency, clock, sleep
        self.policy = AddressPolicy(allow_private)
        self._session: aiohttp.ClientSession | None = None
        self._semaphore: asyncio.Semaphore | None = None
        self._host_locks: dict[str, asyncio.Lock] = {}
        self._host_last_start: dict[str, float] = {}

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the connection pool."""
        if self._session is not None:
            await self._session.close()
            await self._resolver.close()
            self._session = None

    def _ensure_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._resolver = GuardedResolver(self.policy)
            connector = aiohttp.TCPConnector(limit=self.concurrency, ttl_dns_cache=300,
                                             resolver=self._resolver)
            self._session = aiohttp.ClientSession(connector=connector, auto_decompress=False,
                                                  headers={"User-Agent": self.user_agent})
            self._semaphore = asyncio.Semaphore(self.concurrency)
        return self._session

    async def _space(self, host: str) -> None:
        """Wait until `host_spacing` seconds have passed since the last request start to host."""
        if self.host_spacing <= 0:
            return
        lock = self._host_locks.setdefault(host, asyncio.Lock())
        async with lock:
            last = self._host_last_start.get(host)
            if last is not None:
                wait = last + self.host_spacing - self.clock()
                if wait > 0:
                    await self.sleep(wait)
            self._host_last_start[host] = self.clock()

    async def fetch(self, request: FetchRequest) -> FetchResponse:
        """Fetch one feed URL following redirects; raise a FetchError subclass on failure."""
        session = self._ensure_session()
        started = time.monotonic()
        url, visited, permanent = request.url, [request.url], None
        async with self._semaphore:
            while True:
                # aiohttp resolves names through GuardedResolver but connects to IP literals directly
                self.policy.check_literal(urlsplit(url).hostname)
                await self._space(urlsplit(url).hostname or "")
                headers = self._headers(request if url == request.url or permanent else None)
                result = await self._one_request(session, url, headers, request)
                if isinstance(result, FetchResponse):
                    return FetchResponse(**{**result.__dict__, "url": url,
                                            "duration": time.monotonic() - started,
                                            "permanent_redirect": permanent})
                status, location = result
                target = urljoin(url, location)
                if target in visited:
                    raise TooManyRedirects("redirect loop: " + " -> ".join(visited + [target]))
                if len(visited) > self.max_redirects:
                    raise TooManyRedirects(f"more than {self.max_redirects} redirects: "
                                           + " -> ".join(visited))
                if status in (301, 308) and permanent is None and len(visited) == 1:
                    permanent = target
                elif status not in (301, 308):
                    permanent = None if len(visited) == 1 else permanent
                visited.append(target)
                url = target

    def _headers(self, request: FetchRequest | None) -> dict[str, str]:
        headers = {"Accept": ACCEPT, "Accept-Encoding": "gzip, deflate"}
        if request is not None:
            if request.etag:
                headers["If-None-Match"] = request.etag
            if request.last_modified:
                headers["If-Modified-Since"] = request.last_modified
        return headers

    async def _one_request(self, session, url, headers, request: FetchRequest):
        host = urlsplit(url).hostname or url
        timeout = aiohttp.ClientTimeout(total=request.timeout, sock_connect=min(10.0, request.timeout))
        phase = "connecting to"
        try:
            async with session.get(url, headers=headers, allow_redirects=False, timeout=timeout) as response:
                phase = "reading from"
                if response.status in (301, 302, 303, 307, 308) and "Location" in response.headers:
                    return response.status, response.headers["Location"]
                if response.status == 304:
                    return self._response(response, None, 0)
                if response.status >= 400:
                    raise HTTPStatusError(response.status, response.reason or "",
                                          parse_retry_after(response.headers.get("Retry-After")))
                if response.status != 200:
                    raise HTTPStatusError(response.status, response.reason or "unexpected status")
                body, size = await self._read_capped(response, request.max_bytes)
                return self._response(response, body, size)
        except asyncio.TimeoutError as exc:
            raise FetchTimeout(f"timed out after {request.timeout:g}s {phase} {host}") from exc
        except aiohttp.ClientConnectorError as exc:
            raise NetworkError(f"cannot connect to {host}: {exc.os_error or exc}") from exc
        except aiohttp.TooManyRedirects as exc:
            raise TooManyRedirects(str(exc)) from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"{type(exc).__name__} {phase} {host}: {exc}") from exc

    async def _read_capped(self, response, limit: int) -> tuple[bytes, int]:
        length = response.headers.get("Content-Length")
        if length and length.isdigit() and int(length) > limit:
            raise BodyTooLarge(f"body larger than {_megabytes(limit)} (limit): "
                               f"Content-Length {int(length):,}")
        decoder = _Decoder(response.headers.get("Content-Encoding", ""), limit)
        received = 0
        async for chunk in response.content.iter_chunked(CHUNK):
            received += len(chunk)
            if received > limit:
                raise BodyTooLarge(f"body larger than {_megabytes(limit)} (limit)")
            decoder.feed(chunk)
        return decoder.finish(), received

    @staticmethod
    def _response(response, body: bytes | None, size: int) -> FetchResponse:
        content_type = response.headers.get("Content-Type")
        return FetchResponse(
            url=str(response.url), status=response.status, body=body,
            etag=response.headers.get("ETag"), last_modified=response.headers.get("Last-Modified"),
            content_type=content_type, charset=response.charset,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
            max_age=parse_max_age(response.headers.get("Cache-Control")), bytes_read=size)
