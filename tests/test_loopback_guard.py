"""The loopback guard itself: it must stop escapes and let loopback through."""

import socket

import pytest

from tests.conftest import NetworkEscape


def test_resolving_a_public_name_fails():
    with pytest.raises(NetworkEscape):
        socket.getaddrinfo("example.org", 80)


def test_connecting_to_a_public_address_fails():
    with socket.socket() as sock, pytest.raises(NetworkEscape):
        sock.connect(("192.0.2.1", 80))


def test_loopback_is_allowed():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.socket() as client:
            client.connect(server.getsockname())
            assert client.getpeername() == server.getsockname()
