"""One error tree for watchdesk. Library errors are re-raised at the boundary with `from exc`.

    WatchdeskError
    ├── ConfigError          feeds.yml or the environment is wrong (file, line, key, reason)
    ├── CatalogError         the catalog or a `watch:` extension is wrong (place, reason)
    ├── FetchError           a feed could not be fetched
    │   ├── HTTPStatusError      the server answered 4xx/5xx (status, retry_after)
    │   ├── FetchTimeout         connect or read took too long
    │   ├── BodyTooLarge         the body (or its decompressed form) passed max_bytes
    │   ├── TooManyRedirects     redirect cap reached or a redirect loop
    │   └── NetworkError         DNS, refused connection, TLS, reset
    │       └── AddressRefused       the host resolves to a private/local address not allowed
    ├── ParseError           a body is not a feed at all
    ├── CommandError         a user's command is wrong; the user sees the reason
    └── DeliveryError        a chat API refused or failed a message
        └── PermanentDeliveryError   retrying will not help (unknown channel, no permission)
"""

from __future__ import annotations


class WatchdeskError(Exception):
    """Base of every error watchdesk raises on purpose."""


class ConfigError(WatchdeskError):
    """A configuration mistake, located: file, line and key when known."""

    def __init__(self, reason: str, *, file: str | None = None, line: int | None = None,
                 key: str | None = None):
        self.reason, self.file, self.line, self.key = reason, file, line, key
        where = ":".join(str(part) for part in (file, line) if part is not None)
        prefix = f"{where}: " if where else ""
        at_key = f"{key}: " if key else ""
        super().__init__(f"{prefix}{at_key}{reason}")


class CatalogError(WatchdeskError):
    """A catalog mistake, located by the place it was found (file and entry)."""


class FetchError(WatchdeskError):
    """A feed could not be fetched."""


class HTTPStatusError(FetchError):
    """The server answered with an error status."""

    def __init__(self, status: int, reason: str = "", retry_after: float | None = None):
        self.status, self.retry_after = status, retry_after
        super().__init__(f"HTTP {status}{' ' + reason if reason else ''}")


class FetchTimeout(FetchError):
    """Connecting or reading took longer than the feed's timeout."""


class BodyTooLarge(FetchError):
    """The body, or what it decompresses to, is bigger than max_bytes."""


class TooManyRedirects(FetchError):
    """The redirect cap was reached or the redirects loop."""


class NetworkError(FetchError):
    """The host could not be reached: DNS, refused connection, TLS, reset."""


class AddressRefused(NetworkError):
    """The host is, or resolves to, an address a feed may not reach (private, loopback, ...)."""


class ParseError(WatchdeskError):
    """A body is not a feed."""


class CommandError(WatchdeskError):
    """A user's command is wrong; the message is shown to the user as is."""

    def __init__(self, reason: str, suggestions: tuple[str, ...] = ()):
        self.reason, self.suggestions = reason, suggestions
        super().__init__(reason)


class DeliveryError(WatchdeskError):
    """A chat API refused or failed a message; it may be retried."""

    def __init__(self, reason: str, retry_after: float | None = None):
        self.reason, self.retry_after = reason, retry_after
        super().__init__(reason)


class PermanentDeliveryError(DeliveryError):
    """A chat API refused a message for good (unknown channel, missing permission)."""
