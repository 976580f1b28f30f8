"""Feeds may not reach inside the network: private, loopback and link-local targets are refused
at connect time, redirects included, unless fetch.allow_private allows them."""

import ipaddress
import socket
from datetime import datetime, timezone

import pytest

from bot.config import FetchSettings, load_settings
from bot.errors import AddressRefused, ConfigError
from bot.feeds.fetch import FetchRequest, Fetcher
from bot.feeds.guard import AddressPolicy
from bot.feeds.refresh import Refresher
from bot.models import Feed
from store.feeds import feed_row, sync_feeds
from tests.feedserver import FeedServer

LOOPBACK_ONLY = (ipaddress.ip_network("127.0.0.0/8"),)
RSS = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>Kept</title>'
       b'<link>https://example.org/a</link><guid>a</guid></item></channel></rss>')


@pytest.fixture
def connects(monkeypatch):
    """Every address a socket is asked to connect to, recorded before the connection is tried."""
    targets = []
    inner = socket.socket.connect

    def recording_connect(sock, address):
        targets.append(address[0] if isinstance(address, tuple) else address)
        return inner(sock, address)

    monkeypatch.setattr(socket.socket, "connect", recording_connect)
    return targets


@pytest.mark.parametrize("target", ["http://10.0.0.1/feed", "http://169.254.169.254/latest/meta-data/",
                                    "http://[::ffff:169.254.169.254]/x"])
async def test_a_redirect_into_the_network_is_refused_without_connecting(target, connects):
    async with FeedServer() as server, Fetcher(user_agent="t/1", host_spacing=0,
                                               allow_private=LOOPBACK_ONLY) as fetcher:
        server.redirect("/feed", target)
        with pytest.raises(AddressRefused) as refused:
            await fetcher.fetch(FetchRequest(server.url("/feed"), timeout=5))
    address = target.split("/")[2].strip("[]").removeprefix("::ffff:")
    assert address in str(refused.value)
    assert connects and all(ipaddress.ip_address(host).is_loopback for host in connects)


async def test_a_refused_redirect_is_recorded_on_the_feed_and_the_poll_goes_on(db, connects):
    now = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)
    async with FeedServer() as server, Fetcher(user_agent="t/1", host_spacing=0,
                                               allow_private=LOOPBACK_ONLY) as fetcher:
        server.redirect("/evil", "http://169.254.169.254/latest/meta-data/")
        server.feed("/good", RSS)
        feeds = [Feed(id=name, url=server.url(f"/{name}"), name=name, interval=600, timeout=2,
                      max_bytes=1_000_000) for name in ("evil", "good")]
        sync_feeds(db, feeds, now)
        refresher = Refresher(db, fetcher, settings=FetchSettings(), now=lambda: now, jitter=lambda: 1.0)
        await refresher.poll(feeds, force=True)
    assert "169.254.169.254" in feed_row(db, "evil")["last_error"]
    assert feed_row(db, "evil")["error_count"] == 1
    assert feed_row(db, "good")["error_count"] == 0
    assert db.execute("SELECT count(*) FROM items WHERE feed_id = 'good'").fetchone()[0] == 1
    assert "169.254.169.254" not in connects


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_by_default_loopback_is_refused_as_a_literal_and_as_a_name(host, connects):
    async with FeedServer() as server, Fetcher(user_agent="t/1", host_spacing=0) as fetcher:
        server.feed("/rss", RSS)
        url = server.url("/rss").replace("127.0.0.1", host)
        with pytest.raises(AddressRefused) as refused:
            await fetcher.fetch(FetchRequest(url, timeout=5))
    assert "127.0.0.1" in str(refused.value) or "::1" in str(refused.value)
    assert connects == []


async def test_an_allowed_network_is_fetched():
    async with FeedServer() as server, Fetcher(user_agent="t/1", host_spacing=0,
                                               allow_private=LOOPBACK_ONLY) as fetcher:
        server.feed("/rss", RSS)
        response = await fetcher.fetch(FetchRequest(server.url("/rss"), timeout=5))
    assert response.status == 200 and b"Kept" in response.body


@pytest.mark.parametrize("address, allow, refused", [
    ("10.0.0.1", False, True), ("192.168.1.1", False, True), ("169.254.169.254", False, True),
    ("127.0.0.1", False, True), ("::1", False, True), ("fe80::1", False, True), ("fc00::1", False, True),
    ("224.0.0.1", False, True), ("0.0.0.0", False, True), ("240.0.0.1", False, True),
    ("100.64.0.1", False, True), ("::ffff:10.0.0.1", False, True), ("::ffff:127.0.0.1", False, True),
    ("93.184.216.34", False, False), ("2606:4700::1", False, False),
    ("10.0.0.1", True, False), ("10.0.0.1", LOOPBACK_ONLY, True), ("127.0.0.5", LOOPBACK_ONLY, False),
    ("::ffff:127.0.0.1", LOOPBACK_ONLY, False), ("10.1.2.3", (ipaddress.ip_network("10.0.0.0/8"),), False),
])
def test_the_address_table(address, allow, refused):
    assert AddressPolicy(allow).refuses(ipaddress.ip_address(address)) is refused


def test_allow_private_in_feeds_yml(tmp_path):
    path = tmp_path / "feeds.yml"
    path.write_text("fetch:\n  allow_private: [10.0.0.0/8, 192.168.1.5]\nfeeds: []\n")
    assert load_settings(path, environ={}).fetch.allow_private == (
        ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("192.168.1.5/32"))
    path.write_text("fetch:\n  allow_private: true\nfeeds: []\n")
    assert load_settings(path, environ={}).fetch.allow_private is True
    path.write_text("feeds: []\n")
    assert load_settings(path, environ={}).fetch.allow_private is False
    path.write_text("fetch:\n  concurrency: 2\n  allow_private: [10.0.0.0/8, intranet]\nfeeds: []\n")
    with pytest.raises(ConfigError, match=r"feeds.yml:3: fetch.allow_private: element 1 is not a network"):
        load_settings(path, environ={})
