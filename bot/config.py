"""Settings: feeds.yml plus the environment, validated into frozen dataclasses.

Every mistake in feeds.yml is a ConfigError naming the file, the line and the key.
Tokens and secrets never live in feeds.yml: it names environment variables that hold them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.models import Feed

DEFAULT_CONTACT = "https://github.com/watchdesk/watchdesk"


@dataclass(frozen=True)
class FetchSettings:
    """How politely feeds are fetched."""

    concurrency: int = 20
    host_spacing: float = 1.0  # seconds between two request starts to one host
    max_redirects: int = 5
    backoff_base: float = 60.0  # first retry delay after an error, seconds
    backoff_cap: float = 6 * 3600.0
    outage_ratio: float = 0.8  # this share of feeds failing in one pass means the network is down


@dataclass(frozen=True)
class DiscordSettings:
    """Discord connection; the token comes from the environment variable named in feeds.yml."""

    token: str
    guild_ids: tuple[int, ...] = ()
    api_base: str = "https://discord.com/api/v10"
    gateway_url: str = "wss://gateway.discord.gg"
    manage_role: str | None = None  # role name allowed to track/untrack besides Manage Server


@dataclass(frozen=True)
class SlackSettings:
    """Slack connection; tokens and the signing secret come from the environment."""

    bot_token: str
    app_token: str | None = None
    mode: str = "socket"  # "socket" or "http"
    signing_secret: str | None = None
    http_host: str = "127.0.0.1"
    http_port: int = 3000
    api_base: str = "https://slack.com/api/"


@dataclass(frozen=True)
class AlertRule:
    """Send an alert to a channel when a new item matches these entities or themes."""

    platform: str
    channel: str
    entities: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    min_score: float = 0.0
    mention_role: str | None = None


@dataclass(frozen=True)
class AlertLimits:
    """Flood control per channel."""

    batch_threshold: int = 5  # more alerts than this within batch_window become one summary
    batch_window: float = 600.0  # seconds
    hourly_cap: int = 30


@dataclass(frozen=True)
class DigestTarget:
    """A daily digest: when, where, and optionally only some entities or themes."""

    id: str
    time: str  # "HH:MM"
    timezone: str
    platform: str
    channel: str
    entities: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()


@dataclass(frozen=True)
class MetricsSettings:
    """The optional Prometheus endpoint."""

    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = 9464


@dataclass(frozen=True)
class Settings:
    """Everything watchdesk is configured with."""

    path: Path
    store: Path
    user_agent_contact: str = DEFAULT_CONTACT
    feeds: tuple[Feed, ...] = ()
    fetch: FetchSettings = field(default_factory=FetchSettings)
    watch: dict = field(default_factory=dict)
    discord: DiscordSettings | None = None
    slack: SlackSettings | None = None
    alerts: tuple[AlertRule, ...] = ()
    alert_limits: AlertLimits = field(default_factory=AlertLimits)
    digests: tuple[DigestTarget, ...] = ()
    admin_channels: tuple[tuple[str, str], ...] = ()  # (platform, channel) told of feed state changes
    metrics: MetricsSettings = field(default_factory=MetricsSettings)
