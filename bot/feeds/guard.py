"""Which addresses a feed may reach: a guard against requests into the desk's own network.

A feed URL, or any redirect it sends, could point at an intranet service, the cloud metadata
endpoint (169.254.169.254) or another port on this machine. `AddressPolicy` refuses private,
loopback, link-local, multicast, reserved and unspecified addresses (IPv4-mapped IPv6 is judged
as the IPv4 address it carries) unless `fetch.allow_private` allows them. The check is made on
the addresses the connector is about to connect to: `GuardedResolver` filters what DNS returns,
so a name that re-resolves to a private address later (DNS rebinding) is still refused, and
`check_literal` covers hosts written as IP addresses, which aiohttp never passes to a resolver.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

from bot.errors import AddressRefused

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _plain(address: Address) -> Address:
    """The IPv4 address inside an IPv4-mapped IPv6 address, else the address itself."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_internal(address: Address) -> bool:
    """True for any address that is not a public unicast one."""
    address = _plain(address)
    return (address.is_private or address.is_loopback or address.is_link_local
            or address.is_multicast or address.is_reserved or address.is_unspecified
            or not address.is_global)


class AddressPolicy:
    """Decides whether an address may be connected to.

    `allow` is False (refuse every internal address; the default), True (allow everything) or
    networks that internal addresses may be in (everything else internal is still refused).
    """

    def __init__(self, allow: bool | Iterable[Network] = False):
        self.allow_all = allow is True
        self.networks: tuple[Network, ...] = () if isinstance(allow, bool) else tuple(allow)

    def refuses(self, address: Address) -> bool:
        if self.allow_all or not is_internal(address):
            return False
        plain = _plain(address)
        return not any(plain in network or address in network for network in self.networks)

    def check(self, text: str, host: str) -> None:
        """Raise AddressRefused when `text` (an IP address) is refused; `host` names it in the message."""
        address = ipaddress.ip_address(text.split("%")[0])
        if self.refuses(address):
            via = "" if host == text else f"{host} resolves to "
            mapped = "" if _plain(address) == address else f" ({_plain(address)})"
            raise AddressRefused(f"refused to connect: {via}{address}{mapped}, a private or local address "
                                 "(set fetch.allow_private in feeds.yml to allow it)")

    def check_literal(self, host: str | None) -> None:
        """Check a URL host that is written as an IP address; names are left to the resolver."""
        if not host:
            return
        try:
            ipaddress.ip_address(host.strip("[]").split("%")[0])
        except ValueError:
            return
        self.check(host.strip("[]"), host)


class GuardedResolver(AbstractResolver):
    """aiohttp's default resolver with every refused address filtered out of each answer."""

    def __init__(self, policy: AddressPolicy, inner: AbstractResolver | None = None):
        self.policy = policy
        self.inner = inner or DefaultResolver()

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        results = await self.inner.resolve(host, port, family)
        kept, refused = [], None
        for result in results:
            try:
                self.policy.check(result["host"], host)
            except AddressRefused as exc:
                refused = refused or exc
                continue
            kept.append(result)
        if not kept and refused is not None:
            raise refused
        return kept

    async def close(self) -> None:
        await self.inner.close()
