"""The polite fetcher against a real HTTP server on 127.0.0.1."""

import asyncio
import gzip
import time
import zlib

import pytest

from bot.errors import BodyTooLarge, FetchTimeout, HTTPStatusError, NetworkError, TooManyRedirects
from bot.feeds.fetch import FetchRequest, Fetcher, parse_max_age, parse_retry_after
from tests.feedserver import FeedServer, http_date

BODY = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
UA = "watchdesk/0.1.0 (+https://example.org/desk)"


@pytest.fixture
async def server():
    async with FeedServer() as running:
        yield running


@pytest.fixture
async def fetcher():
    async with Fetcher(user_agent=UA, allow_private=True, host_spacing=0) as client:
        yield client


async def test_200_returns_body_and_validators_and_sends_user_agent(server, fetcher):
    server.feed("/rss", BODY, etag='"v1"', last_modified="Fri, 20 Nov 2026 08:00:00 GMT",
                headers={"Cache-Control": "public, max-age=900"})
    response = await fetcher.fetch(FetchRequest(server.url("/rss")))
    assert (response.status, response.body, response.etag) == (200, BODY, '"v1"')
    assert response.last_modified == "Fri, 20 Nov 2026 08:00:00 GMT"
    assert response.max_age == 900
    assert response.bytes_read == len(BODY)
    (headers,) = server.headers_of("/rss")
    assert headers["User-Agent"] == UA
    assert "gzip" in headers["Accept-Encoding"]


async def test_conditional_get_sends_validators_and_handles_304(server, fetcher):
    server.feed("/rss", BODY, etag='"v1"', last_modified="Fri, 20 Nov 2026 08:00:00 GMT")
    response = await fetcher.fetch(FetchRequest(server.url("/rss"), etag='"v1"',
                                                last_modified="Fri, 20 Nov 2026 08:00:00 GMT"))
    assert (response.status, response.body) == (304, None)
    (headers,) = server.headers_of("/rss")
    assert headers["If-None-Match"] == '"v1"'
    assert headers["If-Modified-Since"] == "Fri, 20 Nov 2026 08:00:00 GMT"


@pytest.mark.parametrize("status", [429, 503])
async def test_retry_after_seconds_is_reported(server, fetcher, status):
    server.respond("/busy", status, headers={"Retry-After": "120"})
    with pytest.raises(HTTPStatusError) as caught:
        await fetcher.fetch(FetchRequest(server.url("/busy")))
    assert (caught.value.status, caught.value.retry_after) == (status, 120)


async def test_retry_after_http_date_is_reported(server, fetcher):
    server.respond("/busy", 429, headers={"Retry-After": http_date(time.time() + 600)})
    with pytest.raises(HTTPStatusError) as caught:
        await fetcher.fetch(FetchRequest(server.url("/busy")))
    assert 590 <= caught.value.retry_after <= 600


async def test_server_errors_name_the_status(server, fetcher):
    server.respond("/broken", 500)
    with pytest.raises(HTTPStatusError, match="HTTP 500 Internal Server Error"):
        await fetcher.fetch(FetchRequest(server.url("/broken")))
    with pytest.raises(HTTPStatusError, match="HTTP 404 Not Found"):
        await fetcher.fetch(FetchRequest(server.url("/missing")))


async def test_refused_connection_is_a_network_error(fetcher):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(NetworkError, match="cannot connect to 127.0.0.1"):
        await fetcher.fetch(FetchRequest(f"http://127.0.0.1:{port}/rss"))


async def test_a_body_that_stalls_times_out(server, fetcher):
    release = asyncio.Event()
    server.slow("/slow", b"<rss><channel>", release)
    try:
        with pytest.raises(FetchTimeout, match="timed out after 0.3s reading from 127.0.0.1"):
            await fetcher.fetch(FetchRequest(server.url("/slow"), timeout=0.3))
    finally:
        release.set()


async def test_content_length_over_the_cap_is_refused(server, fetcher):
    server.feed("/big", b"x" * 5000)
    with pytest.raises(BodyTooLarge, match="Content-Length 5,000"):
        await fetcher.fetch(FetchRequest(server.url("/big"), max_bytes=1000))


async def test_chunked_body_over_the_cap_is_stopped_while_streaming(server, fetcher):
    server.stream("/endless", b"y" * 1024, count=200)
    with pytest.raises(BodyTooLarge, match=r"body larger than 0.1 MB \(limit\)"):
        await fetcher.fetch(FetchRequest(server.url("/endless"), max_bytes=100_000))


async def test_gzip_bomb_is_stopped_at_the_cap_after_decompression(server, fetcher):
    bomb = gzip.compress(b"\0" * 50_000_000)
    assert len(bomb) < 100_000
    server.respond("/bomb", 200, bomb, headers={"Content-Encoding": "gzip",
                                                 "Content-Type": "application/rss+xml"})
    with pytest.raises(BodyTooLarge, match="once decompressed"):
        await fetcher.fetch(FetchRequest(server.url("/bomb"), max_bytes=1_000_000))


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
async def test_compressed_bodies_are_decoded(server, fetcher, encoding):
    payload = gzip.compress(BODY) if encoding == "gzip" else zlib.compress(BODY)
    server.respond("/z", 200, payload, headers={"Content-Encoding": encoding})
    assert (await fetcher.fetch(FetchRequest(server.url("/z")))).body == BODY


async def test_redirects_are_followed_and_a_permanent_move_reported(server, fetcher):
    server.redirect("/old", "/middle", status=301)
    server.redirect("/middle", "/rss", status=302)
    server.feed("/rss", BODY)
    response = await fetcher.fetch(FetchRequest(server.url("/old")))
    assert response.body == BODY
    assert response.url == server.url("/rss")
    assert response.permanent_redirect == server.url("/middle")


async def test_redirect_loops_and_long_chains_are_refused(server):
    server.redirect("/a", "/b")
    server.redirect("/b", "/a")
    for step in range(10):
        server.redirect(f"/chain{step}", f"/chain{step + 1}")
    async with Fetcher(user_agent=UA, allow_private=True, host_spacing=0, max_redirects=3) as fetcher:
        with pytest.raises(TooManyRedirects, match="redirect loop"):
            await fetcher.fetch(FetchRequest(server.url("/a")))
        with pytest.raises(TooManyRedirects, match="more than 3 redirects"):
            await fetcher.fetch(FetchRequest(server.url("/chain0")))


async def test_global_concurrency_limit_is_respected(server):
    server.feed("/rss", BODY)
    server.gate = asyncio.Event()
    async with Fetcher(user_agent=UA, allow_private=True, host_spacing=0, concurrency=3) as fetcher:
        tasks = [asyncio.create_task(fetcher.fetch(FetchRequest(server.url("/rss")))) for _ in range(8)]
        while server.in_flight < 3:
            await asyncio.sleep(0.01)
        server.gate.set()
        await asyncio.gather(*tasks)
    assert server.peak_in_flight == 3


async def test_requests_to_one_host_are_spaced_using_the_injected_clock(server):
    server.feed("/rss", BODY)
    now = [1000.0]
    waits = []

    async def fake_sleep(seconds):
        waits.append(round(seconds, 3))
        now[0] += seconds

    async with Fetcher(user_agent=UA, allow_private=True, host_spacing=2.0, clock=lambda: now[0], sleep=fake_sleep) as fetcher:
        await fetcher.fetch(FetchRequest(server.url("/rss")))
        now[0] += 0.5
        await fetcher.fetch(FetchRequest(server.url("/rss")))
        now[0] += 5
        await fetcher.fetch(FetchRequest(server.url("/rss")))
    assert waits == [1.5]


def test_header_parsers():
    assert parse_max_age("no-cache") == 0
    assert parse_max_age("public, max-age=60") == 60
    assert parse_max_age(None) is None
    assert parse_retry_after("garbage") is None
    assert parse_retry_after("30") == 30
