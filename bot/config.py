"""Settings: feeds.yml plus the environment, validated into frozen dataclasses.

Every mistake in feeds.yml is a ConfigError naming the file, the line and the key.
Tokens and secrets never live in feeds.yml: it names environment variables that hold them.
"""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass, field, replace
from datetime import time
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot.config_checks import check_against_catalog
from bot.errors import ConfigError
from bot.located_yaml import LineLoader, Reader
from bot.models import Feed
from bot.quiet import QuietHours, Urgency

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
    # private/loopback/link-local addresses a feed may reach: False (none), True (all) or networks
    allow_private: bool | tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = False
    # processes that parse and match fetched feeds: None (auto: one with two CPUs or more), 0 (none)
    workers: int | None = None


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
    followups: str = "edit"  # later outlets: "edit" the alert, or post in a "thread" under it
    quiet: QuietHours | None = None  # alerts wait for the end of this window unless urgent
    incident_types: tuple[str, ...] = ()  # only items reporting an incident of these types
    regions: tuple[str, ...] = ()  # ... whose region (province or country id) is one of these
    min_tier: str | None = None  # ... of at least this severity tier (flash > urgent > routine)


INCIDENT_TYPES = ("armed-attack", "bombing", "targeted-killing", "cross-border-fire", "air-strike",
                  "security-operation", "arrest", "abduction")
TIERS = ("routine", "urgent", "flash")


@dataclass(frozen=True)
class IncidentTiers:
    """How severe an incident is. flash: many killed, or at a capital or a border crossing; urgent:
    anyone killed, or an explosive, a strike or cross-border fire; routine: the rest."""

    flash_killed: int = 10
    flash_places: tuple[str, ...] = ("kabul", "islamabad", "torkham", "chaman", "spin-boldak", "ghulam-khan",
                                     "angoor-adda", "kharlachi", "islam-qala", "hairatan", "sher-khan-bandar")
    urgent_killed: int = 1
    urgent_types: tuple[str, ...] = ("bombing", "air-strike", "cross-border-fire", "abduction")


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
    incident_tiers: IncidentTiers = field(default_factory=IncidentTiers)
    urgency: Urgency = field(default_factory=Urgency)  # what sends an alert during quiet hours
    digests: tuple[DigestTarget, ...] = ()
    admin_channels: tuple[tuple[str, str], ...] = ()  # (platform, channel) told of feed state changes
    metrics: MetricsSettings = field(default_factory=MetricsSettings)
    timezone: str = "UTC"  # the desk's time zone: every time a person reads is shown in it
    platform_down_limit: float = 600.0  # seconds a configured chat platform may be down before health fails
    catalog: object = field(default=None, compare=False, repr=False)  # with `watch:`, checked at load


# ---------------------------------------------------------------- loading and validation

_FEED_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
PLATFORMS = ("discord", "slack", "console")
DOWN_LIMIT = 600.0  # platforms.down_limit: 10 minutes


def _check_url(reader: Reader, key: str, url: str) -> str:
    parsed = urlsplit(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        reader.fail(f"is not an http(s) URL: {url!r}", key=key)
    return url


def _read_feeds(top: Reader) -> tuple[Feed, ...]:
    defaults = top.child("defaults", {})
    defaults.only({"interval", "timeout", "max_bytes"})
    interval = defaults.duration("interval", 600.0, minimum=60, maximum=7 * 86400)
    timeout = defaults.duration("timeout", 20.0, minimum=1, maximum=300)
    max_bytes = defaults.size("max_bytes", 10_000_000)
    feeds, seen, urls = [], {}, {}
    for reader in top.children("feeds"):
        reader.only({"id", "url", "name", "interval", "timeout", "max_bytes", "tags", "enabled"})
        feed_id = reader.text("id", required=True)
        if not _FEED_ID.match(feed_id):
            reader.fail(f"{feed_id!r} must be lowercase letters, digits, '-' or '_'", key="id")
        if feed_id in seen:
            reader.fail(f"duplicate feed id {feed_id!r} (first used on line {seen[feed_id]})", key="id")
        seen[feed_id] = reader.line_of("id")
        url = _check_url(reader, "url", reader.text("url", required=True))
        same = urls.get(_comparable_url(url))
        if same:
            reader.fail(f"the same URL as feed {same[0]!r} (line {same[1]})", key="url")
        urls[_comparable_url(url)] = (feed_id, reader.line_of("url"))
        feeds.append(Feed(
            id=feed_id,
            url=url,
            name=reader.text("name") or feed_id,
            interval=reader.duration("interval", interval, minimum=60, maximum=7 * 86400),
            timeout=reader.duration("timeout", timeout, minimum=1, maximum=300),
            max_bytes=reader.size("max_bytes", max_bytes),
            tags=reader.strings("tags"),
            enabled=reader.get("enabled", bool, True),
        ))
    return tuple(feeds)


def _comparable_url(url: str) -> str:
    """A feed URL as two spellings of the same address compare: scheme and host in lower case."""
    parts = urlsplit(url.strip())
    return parts._replace(scheme=parts.scheme.lower(), netloc=parts.netloc.lower()).geturl().rstrip("/")


def _read_fetch(top: Reader) -> FetchSettings:
    reader = top.child("fetch", {})
    reader.only({"concurrency", "host_spacing", "max_redirects", "backoff_base", "backoff_cap",
                 "outage_ratio", "allow_private", "workers"})
    concurrency = reader.get("concurrency", int, 20)
    if not 1 <= concurrency <= 500:
        reader.fail("must be between 1 and 500", key="concurrency")
    redirects = reader.get("max_redirects", int, 5)
    if not 0 <= redirects <= 20:
        reader.fail("must be between 0 and 20", key="max_redirects")
    ratio = reader.get("outage_ratio", float, 0.8)
    if not 0.5 <= ratio <= 1.0:
        reader.fail("must be between 0.5 and 1.0", key="outage_ratio")
    workers = reader.get("workers", (int, str), "auto")
    if workers != "auto" and (isinstance(workers, (str, bool)) or not 0 <= workers <= 16):
        reader.fail(f"must be auto or a number of processes from 0 to 16, not {workers!r}", key="workers")
    return FetchSettings(
        concurrency=concurrency,
        host_spacing=reader.duration("host_spacing", 1.0, maximum=600),
        max_redirects=redirects,
        backoff_base=reader.duration("backoff_base", 60.0, minimum=1, maximum=86400),
        backoff_cap=reader.duration("backoff_cap", 6 * 3600.0, minimum=60, maximum=7 * 86400),
        outage_ratio=ratio,
        allow_private=_read_allow_private(reader),
        workers=None if workers == "auto" else workers,
    )


def _read_allow_private(reader: Reader):
    """`allow_private`: true, false, or a list of networks (CIDR, or single addresses)."""
    value = reader.get("allow_private", (bool, list), False)
    if isinstance(value, bool):
        return value
    networks = []
    for index, element in enumerate(value):
        try:
            networks.append(ipaddress.ip_network(str(element).strip(), strict=False))
        except ValueError:
            reader.fail(f"element {index} is not a network: {element!r} (use e.g. 10.0.0.0/8 or "
                        "192.168.1.5)", key="allow_private")
    return tuple(networks)


def _secret(reader: Reader, key: str, default_env: str, environ) -> str | None:
    env_name = reader.text(key, default_env)
    if not re.match(r"^[A-Z_][A-Z0-9_]*$", env_name):
        reader.fail(f"must name an environment variable (like {default_env}), not a value", key=key)
    return environ.get(env_name) or None


def _read_discord(reader: Reader | None, environ) -> DiscordSettings | None:
    if reader is None:
        reader = Reader("", {}, "platforms.discord")
    reader.only({"token_env", "guild_ids", "api_base", "gateway_url", "manage_role"})
    token = _secret(reader, "token_env", "DISCORD_TOKEN", environ)
    guild_ids = reader.get("guild_ids", list, [])
    if any(not isinstance(guild, int) or isinstance(guild, bool) for guild in guild_ids):
        reader.fail("must be a list of numeric guild ids", key="guild_ids")
    api_base = _check_url(reader, "api_base", reader.text("api_base", DiscordSettings.api_base))
    gateway = reader.text("gateway_url", DiscordSettings.gateway_url)
    if urlsplit(gateway).scheme not in ("ws", "wss"):
        reader.fail(f"is not a ws(s) URL: {gateway!r}", key="gateway_url")
    if not token:
        return None
    return DiscordSettings(token=token, guild_ids=tuple(guild_ids), api_base=api_base.rstrip("/"),
                           gateway_url=gateway, manage_role=reader.text("manage_role"))


def _read_slack(reader: Reader | None, environ) -> SlackSettings | None:
    if reader is None:
        reader = Reader("", {}, "platforms.slack")
    reader.only({"bot_token_env", "app_token_env", "mode", "signing_secret_env", "http", "api_base"})
    bot_token = _secret(reader, "bot_token_env", "SLACK_BOT_TOKEN", environ)
    app_token = _secret(reader, "app_token_env", "SLACK_APP_TOKEN", environ)
    secret = _secret(reader, "signing_secret_env", "SLACK_SIGNING_SECRET", environ)
    mode = reader.text("mode", "socket")
    if mode not in ("socket", "http"):
        reader.fail(f"must be 'socket' or 'http', not {mode!r}", key="mode")
    http = reader.child("http", {})
    http.only({"host", "port"})
    port = http.get("port", int, 3000)
    if not 0 <= port <= 65535:
        http.fail("must be a port number", key="port")
    api_base = _check_url(reader, "api_base", reader.text("api_base", SlackSettings.api_base))
    if not bot_token:
        return None
    if mode == "socket" and not app_token:
        reader.fail("socket mode needs an app token (xapp-...) in the variable named by app_token_env",
                    key="app_token_env")
    if mode == "http" and not secret:
        reader.fail("http mode needs a signing secret in the variable named by signing_secret_env",
                    key="signing_secret_env")
    return SlackSettings(bot_token=bot_token, app_token=app_token, mode=mode, signing_secret=secret,
                         http_host=http.text("host", "127.0.0.1"), http_port=port,
                         api_base=api_base if api_base.endswith("/") else api_base + "/")


def _read_target(reader: Reader) -> tuple[str, str]:
    platform = reader.text("platform", required=True)
    if platform not in PLATFORMS:
        reader.fail(f"must be one of {', '.join(PLATFORMS)}, not {platform!r}", key="platform")
    return platform, reader.text("channel", required=True)


def _read_quiet(rule: Reader, desk_zone: str) -> QuietHours:
    """`quiet: {from: "23:00", to: "07:00", timezone: Asia/Karachi}` (the desk's zone by default)."""
    rule.get("quiet", dict)  # a located error unless it is a mapping
    reader = rule.child("quiet")
    reader.only({"from", "to", "timezone"})
    bounds = []
    for key in ("from", "to"):
        text = reader.text(key, required=True)
        found = _TIME.match(text)
        if not found:
            reader.fail(f"must be a time like 23:00, not {text!r}", key=key)
        bounds.append(time(int(found.group(1)), int(found.group(2))))
    return QuietHours(start=bounds[0], end=bounds[1], timezone=_read_zone(reader, desk_zone))


def _read_alerts(top: Reader, zone: str = "UTC") -> tuple[tuple[AlertRule, ...], AlertLimits]:
    rules = []
    for reader in top.children("alerts"):
        reader.only({"platform", "channel", "entities", "themes", "min_score", "mention_role", "followups",
                     "quiet", "incident_types", "regions", "min_tier"})
        platform, channel = _read_target(reader)
        rule = AlertRule(platform=platform, channel=channel, entities=reader.strings("entities"),
                         themes=reader.strings("themes"),
                         min_score=reader.get("min_score", float, 0.0),
                         mention_role=reader.text("mention_role"),
                         followups=reader.text("followups", "edit"),
                         quiet=_read_quiet(reader, zone) if "quiet" in reader.mapping else None,
                         incident_types=reader.strings("incident_types"), regions=reader.strings("regions"),
                         min_tier=reader.text("min_tier"))
        if rule.followups not in ("edit", "thread"):
            reader.fail(f"must be edit or thread, not {rule.followups!r}", key="followups")
        for kind in rule.incident_types:
            if kind not in INCIDENT_TYPES:
                reader.fail(f"unknown incident type {kind!r} (one of {', '.join(INCIDENT_TYPES)})",
                            key="incident_types")
        if rule.min_tier is not None and rule.min_tier not in TIERS:
            reader.fail(f"must be one of {', '.join(TIERS)}, not {rule.min_tier!r}", key="min_tier")
        if not rule.entities and not rule.themes and not (rule.incident_types or rule.regions or rule.min_tier):
            reader.fail("an alert rule needs at least one of entities, themes, incident_types, regions or min_tier")
        rules.append(rule)
    limits = top.child("alert_limits", {})
    limits.only({"batch_threshold", "batch_window", "hourly_cap"})
    return tuple(rules), AlertLimits(
        batch_threshold=limits.get("batch_threshold", int, 5),
        batch_window=limits.duration("batch_window", 600.0, minimum=60, maximum=86400),
        hourly_cap=limits.get("hourly_cap", int, 30),
    )


def _read_zone(reader: Reader, default: str) -> str:
    """A `timezone:` key: an IANA name such as Asia/Karachi."""
    zone = reader.text("timezone", default)
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        reader.fail(f"unknown time zone {zone!r} (use e.g. Asia/Karachi)", key="timezone")
    return zone


def _read_digests(top: Reader, desk_zone: str) -> tuple[DigestTarget, ...]:
    targets, seen = [], set()
    for reader in top.children("digest"):
        reader.only({"id", "time", "timezone", "platform", "channel", "entities", "themes"})
        platform, channel = _read_target(reader)
        target_id = reader.text("id") or f"{platform}-{channel}"
        if target_id in seen:
            reader.fail(f"duplicate digest id {target_id!r}", key="id")
        seen.add(target_id)
        time_text = reader.text("time", "08:00")
        if not _TIME.match(time_text):
            reader.fail(f"must be a 24-hour time like 08:00, not {time_text!r}", key="time")
        zone = _read_zone(reader, desk_zone)
        targets.append(DigestTarget(id=target_id, time=time_text, timezone=zone, platform=platform,
                                    channel=channel, entities=reader.strings("entities"),
                                    themes=reader.strings("themes")))
    return tuple(targets)


TOP_LEVEL_KEYS = {"store", "user_agent_contact", "defaults", "fetch", "feeds", "watch", "platforms",
                  "alerts", "alert_limits", "incident_tiers", "urgency", "digest", "admin", "metrics", "timezone"}


def _read_tiers(top: Reader) -> IncidentTiers:
    """`incident_tiers: {flash: {min_killed, places}, urgent: {min_killed, types}}`, with defaults."""
    default = IncidentTiers()
    tiers = top.child("incident_tiers", {})
    tiers.only({"flash", "urgent"})
    flash, urgent = tiers.child("flash", {}), tiers.child("urgent", {})
    flash.only({"min_killed", "places"})
    urgent.only({"min_killed", "types"})
    types = urgent.strings("types") or default.urgent_types
    for kind in types:
        if kind not in INCIDENT_TYPES:
            urgent.fail(f"unknown incident type {kind!r}", key="types")
    return IncidentTiers(flash_killed=flash.get("min_killed", int, default.flash_killed),
                         flash_places=flash.strings("places") or default.flash_places,
                         urgent_killed=urgent.get("min_killed", int, default.urgent_killed),
                         urgent_types=types)


def _read_urgency(top: Reader) -> Urgency:
    """`urgency: {min_tier: flash, outlets: 3, within: 1h}`: what sends an alert during quiet hours."""
    default = Urgency()
    urgency = top.child("urgency", {})
    urgency.only({"min_tier", "outlets", "within"})
    min_tier = urgency.text("min_tier", default.min_tier)
    if min_tier not in TIERS:
        urgency.fail(f"must be one of {', '.join(TIERS)}, not {min_tier!r}", key="min_tier")
    outlets = urgency.get("outlets", int, default.outlets)
    if not 2 <= outlets <= 50:
        urgency.fail(f"must be from 2 to 50, not {outlets}", key="outlets")
    return Urgency(min_tier=min_tier, outlets=outlets,
                   within=urgency.duration("within", default.within, minimum=300, maximum=86400))


def load_settings(path: str | Path, *, environ=None, store_override: str | Path | None = None) -> Settings:
    """Read and validate feeds.yml; raise ConfigError naming file, line and key on any mistake."""
    path = Path(path)
    environ = os.environ if environ is None else environ
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("file not found (pass --config FILE)", file=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", file=str(path)) from exc
    try:
        data = yaml.load(text, Loader=LineLoader)  # noqa: S506 - a SafeLoader subclass
    except ConfigError as exc:
        raise ConfigError(exc.reason, file=str(path), line=exc.line, key=exc.key) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"not valid YAML: {problem}", file=str(path),
                          line=mark.line + 1 if mark else None) from None
    if data is None:
        raise ConfigError("the file is empty; it needs at least a `feeds:` list (see the shipped feeds.yml)",
                          file=str(path))
    return settings_from_mapping(data, file=str(path), environ=environ, store_override=store_override)


def _read_store(top: Reader, base: Path, store_override) -> Path:
    """The store's path; its folder must exist (it is never created behind the user's back)."""
    if store_override:
        store = Path(store_override)
        if str(store) != ":memory:" and not store.parent.is_dir():
            raise ConfigError(f"the folder {store.parent} does not exist; create it first", key=f"--db {store}")
        return store
    store = base / top.text("store", "watchdesk.db")
    if not store.parent.is_dir():
        top.fail(f"the folder {store.parent} does not exist; create it first", key="store")
    return store


def settings_from_mapping(data, *, file: str, environ, store_override=None) -> Settings:
    """Validate an already-parsed feeds.yml mapping into Settings."""
    top = Reader(file, data, "", 1)
    top.only(TOP_LEVEL_KEYS)
    base = Path(file).resolve().parent
    store = _read_store(top, base, store_override)
    contact = top.text("user_agent_contact", DEFAULT_CONTACT)
    if not re.match(r"^(https?://\S+|mailto:\S+|[^@\s]+@[^@\s]+)$", contact):
        top.fail(f"must be a URL or an e-mail address, not {contact!r}", key="user_agent_contact")
    platforms = top.child("platforms", {})
    platforms.only({"discord", "slack", "down_limit"})
    rules, limits = _read_alerts(top, _read_zone(top, "UTC"))
    admin = [_read_target(reader) for reader in top.children("admin")]
    for reader in top.children("admin"):
        reader.only({"platform", "channel"})
    metrics = top.child("metrics", {})
    metrics.only({"enabled", "host", "port"})
    watch = top.get("watch", dict, {})
    zone = _read_zone(top, "UTC")
    settings = Settings(
        path=Path(file), store=store, user_agent_contact=contact, feeds=_read_feeds(top),
        fetch=_read_fetch(top), watch=_plain(watch),
        discord=_read_discord(platforms.child("discord"), environ),
        slack=_read_slack(platforms.child("slack"), environ),
        alerts=rules, alert_limits=limits, incident_tiers=_read_tiers(top),
        urgency=_read_urgency(top), digests=_read_digests(top, zone),
        admin_channels=tuple(admin),
        metrics=MetricsSettings(enabled=metrics.get("enabled", bool, False),
                                host=metrics.text("host", "127.0.0.1"),
                                port=metrics.get("port", int, 9464)),
        timezone=zone,
        platform_down_limit=platforms.duration("down_limit", DOWN_LIMIT, minimum=60.0),
    )
    return replace(settings, catalog=check_against_catalog(data, file, settings))


def _plain(value):
    """Turn located YAML containers back into plain dicts and lists."""
    if isinstance(value, dict):
        return {key: _plain(element) for key, element in value.items()}
    if isinstance(value, list):
        return [_plain(element) for element in value]
    return value
