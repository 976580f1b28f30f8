"""The Discord adapter: /watch slash commands in, alerts and digests out, with discord.py.

    DiscordAdapter.start()   log in, register /watch (setup_hook), connect the gateway, wait for READY
    /watch <name> ...        handler -> DiscordAdapter.answer -> runner.run -> render -> respond
    DiscordAdapter.send()    outbox -> render_messages -> POST /channels/{id}/messages

Every message carries allowed_mentions: nothing pings except the role ids a Reply names.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Awaitable, Iterator, Literal, Optional, TypeVar

import aiohttp
import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.actions import ACTIONS
from bot.commands import REGISTRY
from bot.config import DiscordSettings
from bot.errors import CommandError, DeliveryError, PermanentDeliveryError
from bot.models import CommandContext, Reply
from bot.platforms.base import (BUTTON_ID, MANAGE_ACTIONS, MANAGE_COMMANDS, CommandRunner, PartsLedger,
                               direct_click)
from bot.platforms.discord_actions import AlertButton, AlertMenu, view_options
from bot.platforms.discord_render import (FOOTER_LIMIT, MESSAGE_EMBED_TEXT_LIMIT, clip, render_messages,
                                           render_reply)

log = logging.getLogger(__name__)

Result = TypeVar("Result")
Choice = app_commands.Choice[str]
CHOICE_LIMIT = 25
CHOICE_TEXT_LIMIT = 100
TRACK_MENU = "Track in watchdesk…"  # a message context menu: track one of an alert's cues for yourself
THREAD_EXISTS = 160004  # "A thread has already been created for this message"
REFERENCE = re.compile(r"(?:^| )ref (?P<key>[0-9a-f]{25})(?: (?P<part>\d{1,4})/(?P<parts>\d{1,4}))?$")
HISTORY_LIMIT = 50  # recent messages read to tell whether a message went out before a crash
RATE_LIMIT_WAIT = 30.0  # discord.py waits out shorter 429s itself; longer ones become DeliveryError
FAILURE = Reply(title="Something went wrong",
                text="The command failed and the error was logged. Please try again later.",
                ephemeral=True, error=True)


def allowed_mentions(reply: Reply) -> discord.AllowedMentions:
    """Allow pings for the reply's role ids only; never users, @everyone or @here."""
    if not reply.mentions:
        return discord.AllowedMentions.none()
    return discord.AllowedMentions(everyone=False, users=False, replied_user=False,
                                   roles=[discord.Object(id=int(role)) for role in reply.mentions])


class WatchTree(app_commands.CommandTree):
    """The command tree; errors raised by any command end in on_error, once."""

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        """Log the failure and tell the user briefly."""
        await self.client.adapter.report_failure(interaction, error)


class WatchClient(discord.Client):
    """A discord.py client that registers /watch before connecting."""

    def __init__(self, adapter: DiscordAdapter, **options) -> None:
        super().__init__(**options)
        self.adapter = adapter
        self.tree = WatchTree(self)
        self.tree.add_command(build_watch_group(adapter))
        track_menu = app_commands.ContextMenu(name=TRACK_MENU, callback=adapter.track_from_message)
        track_menu.guild_only = True
        self.tree.add_command(track_menu)

    async def setup_hook(self) -> None:
        """Listen for clicks on any alert's buttons (old ones too), then sync /watch."""
        self.add_dynamic_items(AlertButton, AlertMenu)
        await self.adapter.sync_commands(self.tree)


class DiscordAdapter:
    """Answers /watch on Discord and posts the outbox's replies to channels."""

    platform = "discord"

    def __init__(self, settings: DiscordSettings, runner: CommandRunner, *,
                 guild_ready_timeout: float = 2.0, ready_timeout: float = 60.0,
                 defer_after: float = 2.0) -> None:
        self.settings = settings
        self.runner = runner
        self.guild_ready_timeout = guild_ready_timeout
        self.ready_timeout = ready_timeout
        self.defer_after = defer_after  # Discord wants a first response within 3 s
        self.client: WatchClient | None = None
        self._gateway: asyncio.Task | None = None
        self._previous_urls: tuple | None = None
        # (channel, key) -> {part: message id} of a long reply a crash cut short: `send` posts only the rest.
        self._partly_sent = PartsLedger()
        self._direct: dict[str, discord.PartialMessageable] = {}  # "@<user id>" -> their DM channel

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Log in, sync commands, connect the gateway and return once READY."""
        self._previous_urls = (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)
        Route.BASE = self.settings.api_base.rstrip("/")
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.settings.gateway_url)
        intents = discord.Intents.none()
        intents.guilds = True
        self.client = WatchClient(self, intents=intents, allowed_mentions=discord.AllowedMentions.none(),
                                  guild_ready_timeout=self.guild_ready_timeout,
                                  max_ratelimit_timeout=RATE_LIMIT_WAIT)
        try:
            await self.client.login(self.settings.token)
        except discord.LoginFailure as exc:
            await self.stop()
            raise PermanentDeliveryError("Discord refused the bot token") from exc
        except (discord.HTTPException, aiohttp.ClientError, OSError) as exc:
            await self.stop()
            raise DeliveryError(f"cannot log in to Discord: {exc}") from exc
        # Resumable closes are resumed by discord.py; anything else ends the gateway task, and the
        # connection keeper (bot.connections) starts again with backoff.
        self._gateway = asyncio.create_task(self.client.connect(reconnect=False), name="discord-gateway")
        self._gateway.add_done_callback(_log_gateway_end)
        await self._wait_until_ready()
        log.info("connected to Discord as %s (%s)", self.client.user, self.client.application_id)

    async def _wait_until_ready(self) -> None:
        """Wait for READY; raise DeliveryError if the gateway ends or times out first."""
        ready = asyncio.create_task(self.client.wait_until_ready())
        done, _ = await asyncio.wait({ready, self._gateway}, timeout=self.ready_timeout,
                                     return_when=asyncio.FIRST_COMPLETED)
        if ready in done:
            return
        ready.cancel()
        ended = self._gateway in done
        failure = self._gateway.exception() if ended and not self._gateway.cancelled() else None
        reason = repr(failure) if failure else "connection closed" if ended else (
            f"no READY within {self.ready_timeout:g} s")
        await self.stop()
        raise DeliveryError(f"Discord gateway did not become ready: {reason}") from failure

    @property
    def connected(self) -> bool:
        """True while the gateway is open and READY (False while discord.py resumes)."""
        client = self.client
        return bool(client is not None and not client.is_closed() and client.is_ready()
                    and client.ws is not None and client.ws.open)

    async def wait_closed(self) -> str:
        """Return once the gateway connection has ended for good, saying why."""
        if self._gateway is None:
            return "not connected"
        try:
            await asyncio.shield(self._gateway)
        except asyncio.CancelledError:
            if self._gateway is not None and self._gateway.cancelled():
                return "gateway cancelled"
            raise
        except Exception as exc:  # noqa: BLE001 - the reason is the answer
            return repr(exc)
        return "gateway closed"

    async def stop(self) -> None:
        """Close the gateway and the HTTP session."""
        if self.client is not None:
            await self.client.close()
        if self._gateway is not None:
            try:
                await asyncio.wait_for(self._gateway, timeout=10)
            except Exception:  # noqa: BLE001 - an error that ended the connection is already logged
                pass
            self._gateway = None
        if self._previous_urls is not None:
            Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = self._previous_urls
            self._previous_urls = None

    async def sync_commands(self, tree: app_commands.CommandTree) -> None:
        """Register /watch with Discord; a failure is logged, delivery still works."""
        try:
            if not self.settings.guild_ids:
                await tree.sync()
            for guild_id in self.settings.guild_ids:
                guild = discord.Object(id=guild_id)
                tree.copy_global_to(guild=guild)
                await tree.sync(guild=guild)
        except discord.HTTPException:
            log.exception("could not register /watch with Discord")

    # ------------------------------------------------------------------ outbox

    async def send(self, channel_id: str, reply: Reply, *, idempotency_key: str | None = None) -> str:
        """Post `reply` (split if long) to a channel and return the first message id.

        With an idempotency key, each part carries a nonce Discord enforces: sending the same
        part again soon after a crash returns the message already posted instead of a second
        one. Each part also ends its footer with a reference to the key (and, for a long reply,
        its part and the number of parts), which `find_sent` looks for once Discord has
        forgotten the nonce; the parts it found of a reply cut short are not posted again.
        """
        channel, mentions = await self._target(channel_id), allowed_mentions(reply)
        messages = render_messages(reply)
        done = self._partly_sent.take(channel_id, idempotency_key)
        first_id = done.get(0, "")
        for index, message in enumerate(messages):
            if index in done:
                continue
            nonce = {"nonce": message_nonce(idempotency_key, index)} if idempotency_key else {}
            if idempotency_key:
                add_reference(message, reference(idempotency_key, index, len(messages)))
            view = view_options(reply) if index == 0 else {}  # the buttons sit on the alert itself
            with _attachment(reply.file if index == 0 else None) as files:
                sent = await _deliver(channel.send(**message, allowed_mentions=mentions, **files, **nonce,
                                                   **view))
            first_id = first_id or str(sent.id)
        return first_id

    async def send_followup(self, channel_id: str, message_id: str, reply: Reply, *,
                            idempotency_key: str | None = None, thread_name: str = "") -> str:
        """Post `reply` in the thread under message `message_id`, starting the thread the first time.

        A thread started from a message has the message's id, so nothing needs remembering:
        after a crash between starting the thread and posting in it, Discord answers that the
        thread exists (160004) and the message goes into it.
        """
        if self.client is None or self.client.is_closed():
            raise DeliveryError("not connected to Discord")
        http = self.client.http

        async def open_thread() -> None:
            try:
                await http.start_thread_with_message(int(channel_id), int(message_id), auto_archive_duration=1440,
                                                     name=clip(thread_name or reply.title or "Follow-ups", 100))
            except discord.HTTPException as exc:
                if exc.code != THREAD_EXISTS:
                    raise

        await _deliver(open_thread())
        return await self.send(message_id, reply, idempotency_key=idempotency_key)

    async def find_sent(self, channel_id: str, idempotency_key: str, *, thread: str | None = None) -> str | None:
        """The id of a message already posted with this key (among the channel's latest), or None.

        A message matches by the reference `send` puts in each part's footer, which Discord
        keeps for as long as the message exists (or by its nonce, when Discord returns it). A
        long reply counts as sent once all its parts are there; when only some are, this is
        None and the next `send` of the key posts just the missing ones, in order.
        """
        nonce = message_nonce(idempotency_key, 0)  # also the key's hash in the references
        where = thread or channel_id  # a message's thread has the message's id
        channel = await self._target(where)
        bot_id = self.client.user.id if self.client.user else None
        found: dict[int, str] = {}

        async def search() -> str | None:
            async for message in channel.history(limit=HISTORY_LIMIT):
                if bot_id is not None and message.author.id != bot_id:
                    continue
                part = _reference_in(message, nonce)
                if part is None and message.nonce == nonce:
                    part = (0, 1)
                if part is None:
                    continue
                found.setdefault(part[0], str(message.id))
                if part[0] == 0:  # newest first: the later parts, if posted, were listed already
                    return self._partly_sent.settle(where, idempotency_key, found, part[1])
            if found:  # the first part is older than the messages read: post only what is missing
                self._partly_sent.remember(where, idempotency_key, found)
            return None

        return await _deliver(search())

    async def edit(self, channel_id: str, message_id: str, reply: Reply) -> None:
        """Replace a message sent earlier with `reply` (its first message's worth)."""
        message = (await self._target(channel_id)).get_partial_message(int(message_id))
        with _attachment(reply.file) as files:
            extra = {"attachments": [files["file"]]} if files else {}
            await _deliver(message.edit(**render_reply(reply), allowed_mentions=allowed_mentions(reply),
                                        **extra, **view_options(reply)))

    async def _target(self, channel_id: str):
        """A channel by id, or for "@<user id>" (a personal watchlist) the user's DM channel,
        opened on first use (POST /users/@me/channels)."""
        if not channel_id.startswith("@"):
            return self._channel(channel_id)
        self._channel("0")  # raises DeliveryError unless connected
        dm = self._direct.get(channel_id)
        if dm is None:
            opened = await _deliver(self.client.create_dm(discord.Object(id=int(channel_id[1:]))))
            dm = self._direct[channel_id] = self.client.get_partial_messageable(opened.id)
        return dm

    def _channel(self, channel_id: str) -> discord.PartialMessageable:
        """Return a handle on a channel by id, without a cache lookup."""
        if self.client is None or self.client.is_closed():
            raise DeliveryError("not connected to Discord")
        return self.client.get_partial_messageable(int(channel_id))

    # ------------------------------------------------------------------ commands

    def context(self, interaction: discord.Interaction) -> CommandContext:
        """Say who asked and where, for the neutral commands."""
        return CommandContext(platform="discord", channel_id=str(interaction.channel_id),
                              user_id=str(interaction.user.id), can_manage=self.can_manage(interaction))

    def can_manage(self, interaction: discord.Interaction) -> bool:
        """True for members with Manage Server, or with the configured manage role."""
        permissions = interaction.permissions
        if permissions.manage_guild or permissions.administrator:
            return True
        role_name = self.settings.manage_role
        roles = getattr(interaction.user, "roles", ())  # a Member in a guild; a User has no roles
        return bool(role_name) and any(role.name == role_name for role in roles)

    async def answer(self, interaction: discord.Interaction, name: str, **arguments) -> None:
        """Run subcommand `name` and respond, deferring first if it is slow."""
        ctx = self.context(interaction)
        if name in MANAGE_COMMANDS and not ctx.can_manage and arguments.get("scope") != "personal":
            await self.respond(interaction, self.refusal(name))
            return
        args = {key: str(value) for key, value in arguments.items() if value is not None}
        work = asyncio.create_task(self.runner.run(ctx, name, args), name=f"watch-{name}")
        try:
            done, _ = await asyncio.wait({work}, timeout=self.defer_after)
            if not done:
                await interaction.response.defer()
            reply = await work
        finally:
            work.cancel()
        await self.respond(interaction, reply)

    async def act(self, interaction: discord.Interaction, name: str, item_id: str,
                  value: str | None = None) -> None:
        """Answer a click on an alert's button (or a pick from its menu), privately.

        The first answer goes within `defer_after` seconds: the reply, or an ephemeral deferral
        that the reply follows; a user without the right gets a refusal.
        """
        try:
            ctx = self.context(interaction)
            if interaction.guild_id is None:
                ctx = direct_click(ctx)
            if name in MANAGE_ACTIONS and not ctx.can_manage:
                await self.respond(interaction, self.refusal(name, button=True))
                return
            work = asyncio.create_task(self.runner.act(ctx, name, item_id, value), name=f"action-{name}")
            try:
                done, _ = await asyncio.wait({work}, timeout=self.defer_after)
                if not done:
                    await interaction.response.defer(ephemeral=True, thinking=True)
                reply = await work
            finally:
                work.cancel()
            await self.respond(interaction, replace(reply, ephemeral=True), deferred_privately=True)
        except Exception as exc:  # noqa: BLE001 - discord.py would only log it; the user hears too
            await self.report_failure(interaction, exc)

    async def track_from_message(self, interaction: discord.Interaction, message: discord.Message) -> None:
        """"Track in watchdesk…" on an alert: pick one of its entities or themes to track personally."""
        item_id = next((found["item"] for row in message.components for child in getattr(row, "children", ())
                        if (found := BUTTON_ID.fullmatch(getattr(child, "custom_id", None) or ""))), None)
        if item_id is None:
            await self.respond(interaction, Reply(title="Not a watchdesk alert", ephemeral=True, error=True,
                                                  text="Use it on an alert watchdesk posted, or /watch track."))
            return
        await self.act(interaction, "follow", item_id)

    def refusal(self, name: str, *, button: bool = False) -> Reply:
        """Explain why a member may not run a manage command (or use a Track or Mute button)."""
        role = f" or the {self.settings.manage_role} role" if self.settings.manage_role else ""
        what = f"The {ACTIONS[name]} button" if button else f"/watch {name}"
        return Reply(title="Not allowed", text=f"{what} needs the Manage Server permission{role}.",
                     ephemeral=True, error=True)

    async def respond(self, interaction: discord.Interaction, reply: Reply, *,
                      deferred_privately: bool = False) -> None:
        """Send `reply` as the interaction's response, then as followups."""
        private = reply.ephemeral or reply.error
        mentions = allowed_mentions(reply)
        response = interaction.response
        deferred = response.type is discord.InteractionResponseType.deferred_channel_message
        if private and deferred and not deferred_privately:
            await interaction.delete_original_response()  # a public "thinking…" would show it to all
        messages = render_messages(reply)
        for index, message in enumerate(messages):
            view = view_options(reply) if index == len(messages) - 1 else {}
            with _attachment(reply.file if index == 0 else None) as files:
                options = dict(message, ephemeral=private, allowed_mentions=mentions, **files, **view)
                if not response.is_done():
                    await response.send_message(**options)
                else:
                    await interaction.followup.send(**options)

    async def suggest(self, interaction: discord.Interaction, argument: str,
                      current: str) -> list[Choice]:
        """Offer the runner's completions for `argument` as Discord choices."""
        pairs = await self.runner.complete(self.context(interaction), argument, current)
        return [app_commands.Choice(name=clip(label or value, CHOICE_TEXT_LIMIT),
                                    value=value[:CHOICE_TEXT_LIMIT])
                for label, value in pairs[:CHOICE_LIMIT] if value]

    async def report_failure(self, interaction: discord.Interaction, error: Exception) -> None:
        """Log a command's error with its traceback and send the user a short reply."""
        original = getattr(error, "original", error)
        if isinstance(original, CommandError):
            reply = Reply(title="Cannot do that", text=original.reason, ephemeral=True, error=True)
        else:
            command = interaction.command.qualified_name if interaction.command else "?"
            log.error("/%s failed in channel %s", command, interaction.channel_id, exc_info=original)
            reply = FAILURE
        try:
            await self.respond(interaction, reply)
        except (discord.HTTPException, aiohttp.ClientError, OSError):
            log.exception("could not tell the user that a command failed")


@contextmanager
def _attachment(path: Path | None) -> Iterator[dict]:
    """Open `path` as a discord.File keyword argument ({} without a path), closing it afterwards."""
    if path is None:
        yield {}
        return
    try:
        attached = discord.File(path, filename=path.name)
    except OSError as exc:
        raise PermanentDeliveryError(f"cannot read attachment {path}: {exc}") from exc
    try:
        yield {"file": attached}
    finally:
        attached.close()


async def _deliver(action: Awaitable[Result]) -> Result:
    """Await a Discord call, turning its failures into DeliveryError or PermanentDeliveryError."""
    try:
        return await action
    except discord.RateLimited as exc:
        raise DeliveryError(f"rate limited for {exc.retry_after:.1f} s",
                            retry_after=exc.retry_after) from exc
    except (discord.Forbidden, discord.NotFound) as exc:
        raise PermanentDeliveryError(f"Discord refused: {exc.status} {exc.text}") from exc
    except discord.HTTPException as exc:
        if exc.status == 429 or exc.status >= 500:
            raise DeliveryError(f"Discord answered {exc.status}", retry_after=_retry_after(exc)) from exc
        raise PermanentDeliveryError(f"Discord refused: {exc.status} {exc.text}") from exc
    except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
        raise DeliveryError(f"cannot reach Discord: {exc!r}") from exc


def _retry_after(exc: discord.HTTPException) -> float | None:
    """Read Retry-After from a failed response, if it has one."""
    value = getattr(exc.response, "headers", {}).get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _log_gateway_end(task: asyncio.Task) -> None:
    """Log a gateway connection that ended with an error."""
    if not task.cancelled() and task.exception() is not None:
        log.error("Discord gateway connection ended", exc_info=task.exception())


HELP = {name: command.help for name, command in REGISTRY.items()}
DESCRIBE = {name: {argument.name: argument.help for argument in command.arguments}
            for name, command in REGISTRY.items()}


def build_watch_group(adapter: DiscordAdapter) -> app_commands.Group:
    """Build /watch: one subcommand per entry of the registry, each a few lines.

    The signatures are the slash commands, so they are written out here; descriptions come from
    bot.commands.REGISTRY, and tests/test_registry.py holds names, types and bounds to it.
    """
    watch = app_commands.Group(name="watch", description="Monitor feeds for groups, people and places",
                               guild_only=True)

    async def entity_choices(interaction: discord.Interaction, current: str) -> list[Choice]:
        return await adapter.suggest(interaction, "entity", current)

    async def target_choices(interaction: discord.Interaction, current: str) -> list[Choice]:
        return await adapter.suggest(interaction, "target", current)

    @watch.command(description=HELP["lookup"])
    @app_commands.describe(**DESCRIBE["lookup"])
    @app_commands.autocomplete(entity=entity_choices)
    async def lookup(interaction: discord.Interaction, entity: str) -> None:
        await adapter.answer(interaction, "lookup", entity=entity)

    @watch.command(description=HELP["search"])
    @app_commands.describe(**DESCRIBE["search"])
    async def search(interaction: discord.Interaction, query: str, since: Optional[str] = None,
                     page: Optional[app_commands.Range[int, 1, 50]] = None,
                     order: Optional[Literal["newest", "ranked"]] = None) -> None:
        await adapter.answer(interaction, "search", query=query, since=since, page=page, order=order)

    @watch.command(name="next", description=HELP["next"])
    async def next_page(interaction: discord.Interaction) -> None:
        await adapter.answer(interaction, "next")

    @watch.command(description=HELP["digest"])
    @app_commands.describe(**DESCRIBE["digest"])
    async def digest(interaction: discord.Interaction, period: Optional[str] = None) -> None:
        await adapter.answer(interaction, "digest", period=period)

    @watch.command(description=HELP["track"])
    @app_commands.describe(**DESCRIBE["track"])
    @app_commands.autocomplete(target=target_choices)
    async def track(interaction: discord.Interaction, target: str,
                    scope: Optional[Literal["channel", "personal"]] = None) -> None:
        await adapter.answer(interaction, "track", target=target, scope=scope)

    @watch.command(description=HELP["untrack"])
    @app_commands.describe(**DESCRIBE["untrack"])
    @app_commands.autocomplete(target=target_choices)
    async def untrack(interaction: discord.Interaction, target: str,
                      scope: Optional[Literal["channel", "personal"]] = None) -> None:
        await adapter.answer(interaction, "untrack", target=target, scope=scope)

    @watch.command(description=HELP["tracking"])
    @app_commands.describe(**DESCRIBE["tracking"])
    async def tracking(interaction: discord.Interaction, scope: Optional[Literal["channel", "personal"]] = None) -> None:
        await adapter.answer(interaction, "tracking", scope=scope)

    @watch.command(description=HELP["quiet"])
    @app_commands.describe(**DESCRIBE["quiet"])
    async def quiet(interaction: discord.Interaction, window: Optional[str] = None, timezone: Optional[str] = None,
                    scope: Optional[Literal["channel", "personal"]] = None) -> None:
        await adapter.answer(interaction, "quiet", window=window, timezone=timezone, scope=scope)

    @watch.command(description=HELP["feeds"])
    async def feeds(interaction: discord.Interaction) -> None:
        await adapter.answer(interaction, "feeds")

    @watch.command(description=HELP["why"])
    @app_commands.describe(**DESCRIBE["why"])
    async def why(interaction: discord.Interaction, item: str) -> None:
        await adapter.answer(interaction, "why", item=item)

    @watch.command(description=HELP["status"])
    async def status(interaction: discord.Interaction) -> None:
        await adapter.answer(interaction, "status")

    @watch.command(description=HELP["incidents"])
    @app_commands.describe(**DESCRIBE["incidents"])
    @app_commands.autocomplete(target=entity_choices)
    async def incidents(interaction: discord.Interaction, target: Optional[str] = None,
                        since: Optional[str] = None) -> None:
        await adapter.answer(interaction, "incidents", target=target, since=since)

    @watch.command(description=HELP["trend"])
    @app_commands.describe(**DESCRIBE["trend"])
    @app_commands.autocomplete(entity=entity_choices)
    async def trend(interaction: discord.Interaction, entity: str,
                    days: Optional[app_commands.Range[int, 2, 365]] = None,
                    count: Optional[Literal["mentions", "incidents", "casualties"]] = None) -> None:
        await adapter.answer(interaction, "trend", entity=entity, days=days, count=count)

    return watch


def reference(idempotency_key: str, part: int = 0, parts: int = 1) -> str:
    """The short reference to an outbox key (and, in a long reply, the part) that a footer carries."""
    tag = f"ref {message_nonce(idempotency_key, 0)}"
    return f"{tag} {part + 1}/{parts}" if parts > 1 else tag


def _reference_in(message: discord.Message, key_hash: str) -> tuple[int, int] | None:
    """The (part, parts) of the reference to `key_hash` that ends one of the message's footers."""
    for embed in message.embeds:
        matched = REFERENCE.search(embed.footer.text or "")
        if matched and matched["key"] == key_hash:
            part, parts = int(matched["part"] or 1) - 1, int(matched["parts"] or 1)
            return (part, parts) if 0 <= part < parts else None
    return None


def add_reference(message: dict, tag: str) -> None:
    """Append `tag` to the footer of the message's last embed, if the message still fits."""
    embeds = message.get("embeds") or []
    if not embeds:
        return
    last = embeds[-1]
    footer = last.footer.text or ""
    text = f"{footer} · {tag}" if footer else tag
    grown = len(text) - len(footer)
    if len(text) > FOOTER_LIMIT or sum(len(embed) for embed in embeds) + grown > MESSAGE_EMBED_TEXT_LIMIT:
        return  # no room: the nonce alone guards this message
    last.set_footer(text=text, icon_url=last.footer.icon_url)


def message_nonce(idempotency_key: str, part: int) -> str:
    """A Discord nonce (at most 25 characters) for one part of an outbox message."""
    return hashlib.sha256(f"{idempotency_key}#{part}".encode()).hexdigest()[:25]
