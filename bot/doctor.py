"""`watchdesk doctor`: check the config, the store, the tokens and the chat APIs; say what to fix."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TextIO

import aiohttp

from bot.errors import CatalogError, ConfigError

TIMEOUT = aiohttp.ClientTimeout(total=10)
SLACK_HISTORY_SCOPES = ("channels:history", "groups:history")  # public and private channels


class Report:
    """Collects check results and prints them as they come."""

    def __init__(self, out: TextIO):
        self.out, self.problems, self.notes = out, 0, 0

    def ok(self, what: str) -> None:
        """A check that passed."""
        self.out.write(f"  ok    {what}\n")

    def warn(self, what: str, fix: str) -> None:
        """Something optional is missing."""
        self.notes += 1
        self.out.write(f"  note  {what}\n        -> {fix}\n")

    def fail(self, what: str, fix: str) -> None:
        """A check that failed, and what to do about it."""
        self.problems += 1
        self.out.write(f"  FAIL  {what}\n        -> {fix}\n")


async def run_doctor(config: str, db_override: str | None, *, out: TextIO, environ=None) -> int:
    """Run every check; return 0 when nothing failed, 1 otherwise."""
    from bot.config import load_settings

    environ = os.environ if environ is None else environ
    report = Report(out)
    out.write("watchdesk doctor\n")
    try:
        settings = load_settings(config, environ=environ, store_override=db_override)
    except ConfigError as exc:
        report.fail(f"config: {exc}", f"fix {config} at the line shown")
        return 1
    report.ok(f"config {config}: {len(settings.feeds)} feeds, {len(settings.alerts)} alert rules, "
              f"{len(settings.digests)} digest targets")
    if not settings.alerts:
        report.warn("no alert rules: nothing is ever posted as an alert", "add an `alerts:` section to feeds.yml")
    _check_catalog(report, settings)
    _check_store(report, settings.store)
    await _check_platforms(report, settings, config)
    _check_connections(report, settings)
    out.write(_verdict(report))
    return 1 if report.problems else 0


def _verdict(report: Report) -> str:
    """The last line: "all good" only when nothing failed and nothing needs a look."""
    if report.problems:
        return f"{report.problems} problem(s) to fix\n"
    if report.notes:
        return f"no failures, {report.notes} note(s) to read\n"
    return "all good\n"


def _check_catalog(report: Report, settings) -> None:
    from bot.matching.catalog import load_catalog

    try:
        catalog = load_catalog(settings.watch or None)
    except CatalogError as exc:
        report.fail(f"catalog: {exc}", "fix the `watch:` section of feeds.yml")
        return
    report.ok(f"catalog: {len(catalog.entities)} entities, {len(catalog.themes)} themes")
    known = set(catalog.entities) | set(catalog.themes)
    for rule in settings.alerts:
        unknown = [target for target in (*rule.entities, *rule.themes) if target not in known]
        if unknown:
            report.fail(f"alert rule for {rule.platform} {rule.channel} names unknown ids: {', '.join(unknown)}",
                        "use ids from `watchdesk lookup` or the catalog")


def _check_store(report: Report, path: Path) -> None:
    from store import health, open_db, outbox
    from store.items import item_count

    if not path.exists():
        report.warn(f"store {path} does not exist yet", "it is created on the first `watchdesk poll --once`")
        return
    try:
        db = open_db(path)
        try:
            check = health.integrity(db)
            items = item_count(db)
            failing, enabled = health.failing_feed_count(db)
            failed_messages = outbox.failed_count(db)
        finally:
            db.close()
    except Exception as exc:  # noqa: BLE001 - any store problem is reported, not raised
        report.fail(f"store {path}: {exc}", "restore a backup (`watchdesk backup` makes one) or move the file away")
        return
    if check != "ok":
        report.fail(f"store {path}: integrity check says {check}", "restore a backup")
    else:
        report.ok(f"store {path}: {items} items")
    if enabled and failing == enabled:
        report.fail(f"every feed ({enabled}) is failing", "see `watchdesk feeds` for their errors; check the network")
    elif failing:
        report.warn(f"{failing} feeds are failing", "see `watchdesk feeds` for their errors")
    if failed_messages:
        report.warn(f"{failed_messages} messages could not be delivered", "see `watchdesk feeds`: a channel id or "
                    "a bot permission is wrong")


async def _check_platforms(report: Report, settings, config: str) -> None:
    if not settings.discord and not settings.slack:
        report.warn("no chat token is set: alerts and commands use the console",
                    "set DISCORD_TOKEN and/or SLACK_BOT_TOKEN + SLACK_APP_TOKEN (see deploy/watchdesk.env.example)")
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
        if settings.discord:
            await _check(report, session, "Discord", f"{settings.discord.api_base}/users/@me",
                         {"Authorization": f"Bot {settings.discord.token}"}, _discord_ok)
        if settings.slack:
            headers = await _check(report, session, "Slack", f"{settings.slack.api_base}auth.test",
                                   {"Authorization": f"Bearer {settings.slack.bot_token}"}, _slack_ok,
                                   method="POST")
            if headers is not None:
                _check_slack_scopes(report, headers.get("x-oauth-scopes"))


def _check_connections(report: Report, settings) -> None:
    """Each configured platform's connection as the running service last recorded it."""
    from bot.clock import utc_now
    from bot.connections import configured_platforms, describe, down_too_long
    from store import open_db
    from store.connections import CONNECTED, connection_states

    configured = configured_platforms(settings)
    if not configured or not settings.store.exists():
        return
    db = open_db(settings.store)
    try:
        states = connection_states(db)
    finally:
        db.close()
    now = utc_now()
    too_long = {line.split(" ", 1)[0] for line in down_too_long(states, configured, now, settings.platform_down_limit)}
    for platform in configured:
        state = states.get(platform)
        if state is None:
            report.warn(f"{platform} connection: not recorded yet", "it is recorded once `watchdesk run` starts")
        elif state["state"] == CONNECTED:
            report.ok(f"{platform} connection (as `watchdesk run` last recorded it): {describe(state, now)}")
        elif platform in too_long:
            report.fail(f"{platform} connection: {describe(state, now)}",
                        "the service keeps retrying; check the token, the network and the platform's status page")
        else:
            report.warn(f"{platform} connection: {describe(state, now)}", "the service is retrying with backoff")


def _check_slack_scopes(report: Report, granted: str | None) -> None:
    """Warn when the bot token cannot read channel history, which the re-send check after a crash needs."""
    if granted is None:
        return  # the API did not say which scopes the token has
    missing = [scope for scope in SLACK_HISTORY_SCOPES if scope not in {s.strip() for s in granted.split(",")}]
    if missing:
        report.warn(f"Slack token lacks {', '.join(missing)}: after a crash mid-send watchdesk cannot check "
                    "whether a message went out, and may post it twice",
                    "add the scopes under OAuth & Permissions, reinstall the app and update SLACK_BOT_TOKEN")


async def _check(report, session, name, url, headers, judge, method="GET"):
    """Call the API with the token; report the verdict and return the response headers when accepted."""
    try:
        async with session.request(method, url, headers=headers) as response:
            body = await response.json(content_type=None)
            verdict = judge(response.status, body)
            answered = response.headers
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        report.fail(f"{name} API at {url} did not answer: {exc}", "check the network, or api_base in feeds.yml")
        return None
    if verdict is None:
        report.ok(f"{name} API answers and accepts the token")
        return answered
    report.fail(f"{name}: {verdict}", "check the token in the environment variable named in feeds.yml")
    return None


def _discord_ok(status: int, body) -> str | None:
    return None if status == 200 else f"HTTP {status}: {(body or {}).get('message', body)}"


def _slack_ok(status: int, body) -> str | None:
    if status == 200 and isinstance(body, dict) and body.get("ok"):
        return None
    return f"HTTP {status}: {(body or {}).get('error', body) if isinstance(body, dict) else body}"
