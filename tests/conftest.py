"""Shared fixtures. The loopback guard is autouse: no test may reach beyond 127.0.0.0/8 or ::1."""

from __future__ import annotations

import ipaddress
import socket

import pytest


class NetworkEscape(AssertionError):
    """A test tried to resolve or connect to something that is not loopback."""


def _is_loopback_host(host) -> bool:
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode()
    host = str(host).strip("[]")
    if host in ("localhost", "", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def loopback_guard(monkeypatch):
    """Fail any test that resolves or connects to a non-loopback address."""
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guarded_getaddrinfo(host, *args, **kwargs):
        if not _is_loopback_host(host):
            raise NetworkEscape(f"test tried to resolve {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    def check(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            if not _is_loopback_host(address[0]):
                raise NetworkEscape(f"test tried to connect to {address!r}")

    def guarded_connect(self, address):
        check(self, address)
        return real_connect(self, address)

    def guarded_connect_ex(self, address):
        check(self, address)
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)
    yield


@pytest.fixture
def db(tmp_path):
    """A real SQLite store in a temporary file, migrations applied."""
    from store import open_db

    database = open_db(tmp_path / "watchdesk.db")
    yield database
    database.close()


@pytest.fixture(scope="session")
def matcher():
    """The default matcher (rules only), built once: tests read it and never change it."""
    from bot.matching.loader import load_matcher

    return load_matcher(semantic=False)
