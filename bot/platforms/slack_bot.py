"""The Slack adapter: a Bolt AsyncApp answering `/watch`, plus delivery through the Web API.

Socket Mode (the default) connects out to Slack with the app token; HTTP mode serves
`POST /slack/events` on our own aiohttp server, where Bolt verifies every request's signature.
All Web API calls, apps.connections.open included, go to `settings.api_base`.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from pathlib import Path

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import SlackSettings
from bot.errors import ConfigError, DeliveryError, PermanentDeliveryError
from bot.models import CommandContext, Reply
from bot.actions import ACTIONS
from bot.commands import is_personal
from bot.platforms.base import (ANY_ACTION_ID, BUTTON_ID, MANAGE_ACTIONS, MANAGE_COMMANDS, MENU_ID, CommandRunner,
                                PartsLedger, direct_click, parse_command_text)
from bot.platforms.slack_render import render_blocks, render_messages

log = logging.getLogger(__name__)

OUTBOX_EVENT = "watchdesk_outbox"  # Slack message metadata type carrying the outbox key
HISTORY_PAGE = 200  # messages per conversations.history call (Slack advises at most 200)
HISTORY_PAGES = 5  # how far back the re-send check looks: the latest 1,000 messages

COMMAND = "/watch"
EVENTS_PATH = "/slack/events"
PERMANENT_ERRORS = {
    "channel_not_found", "not_in_channel", "is_archived", "missing_scope", "invalid_auth",
    "account_inactive", "not_authed", "token_revoked", "no_permission", "restricted_action",
    "msg_too_long", "invalid_blocks", "no_text", "message_not_found", "cant_update_message",
    "edit_window_closed",
}
AUTH_ERRORS = {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "not_allowed_token_type"}
NOT_A_MANAGER = "Only workspace admins and owners can use {what}."
ROLE_UNKNOWN = "Could not check your workspace role ({reason}), so {what} was not run."
CALL_ERRORS = (SlackClientError, aiohttp.ClientError, asyncio.TimeoutError, OSError)


def error_code(exc: SlackApiError) -> str:
    """The `error` of a failed Web API call, or its HTTP status when the body had none."""
    data = exc.response.data if isinstance(exc.response.data, dict) else {}
    return data.get("error") or f"HTTP {exc.response.status_code}"


def delivery_error(exc: Exception, action: str) -> DeliveryError:
    """Translate a slack_sdk or network failure into a DeliveryError (permanent when hopeless)."""
    if isinstance(exc, SlackApiError):
        error = error_code(exc)
        if exc.response.status_code == 429 or error == "ratelimited":
            retry_after = _seconds(exc.response.headers.get("Retry-After"))
            return DeliveryError(f"Slack rate-limited {action}", retry_after=retry_after)
        if error in PERMANENT_ERRORS:
            return PermanentDeliveryError(f"Slack refused {action}: {error}")
        return DeliveryError(f"Slack failed {action}: {error}")
    if isinstance(exc, FileNotFoundError):
        return PermanentDeliveryError(f"nothing to upload for {action}: {exc}")
    return DeliveryError(f"cannot reach Slack for {action}: {type(exc).__name__}: {exc}")


def _startup_error(exc: Exception, token: str, action: str) -> Exception:
    if isinstance(exc, SlackApiError) and error_code(exc) in AUTH_ERRORS:
        return ConfigError(f"Slack refused the {token}: {error_code(exc)}", key="platforms.slack")
    return delivery_error(exc, action)


def _seconds(value: str | None) -> float | None:
    try:
        return max(float(value), 0.0) if value is not None else None
    except ValueError:
        return None


def _ephemeral_error(reason: str) -> Reply:
    return Reply(title="", text=reason, error=True, ephemeral=True)


class SlackAdapter:
    """Answers `/watch` on Slack and posts, edits and uploads what the outbox gives it."""

    platform = "slack"

    def __init__(self, settings: SlackSettings, runner: CommandRunner):
        socket_mode = settings.mode == "socket"
        if socket_mode and not settings.app_token:
            raise ConfigError("socket mode needs an app token (xapp-...)", key="platforms.slack")
        if not socket_mode and not settings.signing_secret:
            raise ConfigError("http mode needs a signing secret", key="platforms.slack")
        self.settings, self.runner = settings, runner
        self.client = AsyncWebClient(token=settings.bot_token, base_url=settings.api_base)
        self.app = AsyncApp(
            name="watchdesk",
            client=self.client,
            signing_secret=settings.signing_secret or "",
            request_verification_enabled=not socket_mode,
        )
        self.app.command(COMMAND)(self._on_watch)
        self.app.action(ANY_ACTION_ID)(self._on_action)
        self.app.event("app_home_opened")(self._on_home)
        self.app.error(self._on_error)
        self.bound_port: int | None = None
        self._direct: dict[str, str] = {}  # "@<user id>" -> their DM channel id
        self._socket_handler: AsyncSocketModeHandler | None = None
        self._web_runner: web.AppRunner | None = None
        # (channel, key) -> {part: ts} of a long reply a crash cut short: `send` posts only the rest.
        self._partly_sent = PartsLedger()

    async def start(self) -> None:
        """Check the bot token, then connect by Socket Mode or serve the HTTP endpoint."""
        await self._check_token(self.client, "bot token")
        if self.settings.mode == "socket":
            await self._start_socket_mode()
        else:
            await self._start_http()

    async def _check_token(self, client: AsyncWebClient, token: str) -> None:
        try:
            identity = await client.auth_test()
        except CALL_ERRORS as exc:
            raise _startup_error(exc, token, "auth.test") from exc
        log.info("Slack: signed in as %s on %s", identity.get("user"), identity.get("team"))

    async def _start_socket_mode(self) -> None:
        socket_client = AsyncWebClient(token=self.settings.app_token, base_url=self.settings.api_base)
        handler = AsyncSocketModeHandler(self.app, app_token=self.settings.app_token,
                                         web_client=socket_client)
        try:
            handler.client.wss_uri = await handler.client.issue_new_wss_url()
        except CALL_ERRORS as exc:
            await handler.close_async()
            raise _startup_error(exc, "app token", "apps.connections.open") from exc
        self._socket_handler = handler
        await handler.connect_async()
        log.info("Slack: Socket Mode connected")

    async def _start_http(self) -> None:
        web_app = web.Application()
        web_app.router.add_post(EVENTS_PATH, self._handle_http)
        self._web_runner = web.AppRunner(web_app, access_log=None)
        await self._web_runner.setup()
        site = web.TCPSite(self._web_runner, self.settings.http_host, self.settings.http_port)
        await site.start()
        self.bound_port = self._web_runner.addresses[0][1]
        log.info("Slack: serving %s on %s:%d", EVENTS_PATH, self.settings.http_host, self.bound_port)

    async def _handle_http(self, request: web.Request) -> web.Response:
        bolt_response = await self.app.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(bolt_response)

    @property
    def connected(self) -> bool:
        """True while the Socket Mode session is open (slack_sdk reopens it by itself), or the
        HTTP endpoint is served."""
        if self._socket_handler is not None:
            client = self._socket_handler.client
            session = client.current_session
            return not client.closed and session is not None and not session.closed
        return self._web_runner is not None

    async def wait_closed(self) -> str:
        """Slack's connection never ends for good while started: slack_sdk reconnects Socket Mode."""
        await asyncio.Event().wait()
        return "closed"

    async def stop(self) -> None:
        """Close the Socket Mode connection or the HTTP server."""
        if self._socket_handler is not None:
            await self._socket_handler.close_async()
            self._socket_handler = None
        if self._web_runner is not None:
            await self._web_runner.cleanup()
            self._web_runner = None

    async def send(self, channel_id: str, reply: Reply, *, idempotency_key: str | None = None,
                   thread_ts: str | None = None) -> str:
        """Post `reply` (split into several messages when long); return the first message's ts.

        With an idempotency key, each message carries it in Slack message metadata (with its part
        and the number of parts), so that `find_sent` can tell after a crash whether it went out;
        the parts it found of a reply cut short are not posted again.
        """
        channel_id = await self._target(channel_id)
        messages = render_messages(reply)
        done = self._partly_sent.take(channel_id, idempotency_key)
        first_ts = done.get(0, "")
        for part, (text, blocks) in enumerate(messages):
            if part in done:
                continue
            metadata = ({"metadata": {"event_type": OUTBOX_EVENT, "event_payload": {
                "key": idempotency_key, "part": part, "parts": len(messages)}}} if idempotency_key else {})
            response = await self._call("chat.postMessage", self.client.chat_postMessage,
                                        channel=channel_id, text=text, blocks=blocks,
                                        unfurl_links=False, unfurl_media=False, **metadata,
                                        **({"thread_ts": thread_ts} if thread_ts else {}))
            first_ts = first_ts or response["ts"]
        if reply.file is not None:
            await self.upload(channel_id, reply.file, reply.title)
        return first_ts

    async def _target(self, channel_id: str) -> str:
        """A channel id, or for "@<user id>" (a personal watchlist) the user's DM, opened with
        conversations.open (needs im:write)."""
        if not channel_id.startswith("@"):
            return channel_id
        if channel_id not in self._direct:
            response = await self._call("conversations.open", self.client.conversations_open, users=channel_id[1:])
            self._direct[channel_id] = response["channel"]["id"]
        return self._direct[channel_id]

    async def send_followup(self, channel_id: str, message_ts: str, reply: Reply, *,
                            idempotency_key: str | None = None, thread_name: str = "") -> str:
        """Post `reply` in the thread of message `message_ts` (`thread_ts`); return its ts."""
        return await self.send(channel_id, reply, idempotency_key=idempotency_key, thread_ts=message_ts)

    async def find_sent(self, channel_id: str, idempotency_key: str, *, thread: str | None = None) -> str | None:
        """The ts of a message already posted with this key, or None; with `thread` (a parent's ts),
        among that thread's replies (conversations.replies).

        Looks in the message metadata `send` attaches (never in the text, which anyone can
        quote), over the channel's latest HISTORY_PAGES pages of HISTORY_PAGE messages. Reading
        history needs `channels:history` (`groups:history` for a private channel).
        """
        channel_id = await self._target(channel_id)
        cursor, found = None, {}
        for _ in range(HISTORY_PAGES):
            page = {"cursor": cursor} if cursor else {}
            if thread:
                response = await self._call("conversations.replies", self.client.conversations_replies,
                                            channel=channel_id, ts=thread, limit=HISTORY_PAGE,
                                            include_all_metadata=True, **page)
            else:
                response = await self._call("conversations.history", self.client.conversations_history,
                                            channel=channel_id, limit=HISTORY_PAGE, include_all_metadata=True,
                                            **page)
            for message in response.get("messages", []):
                key, part, parts = _outbox_key(message) or (None, 0, 1)
                if key == idempotency_key:
                    found.setdefault(part, message["ts"])
                    if part == 0:  # newest first: the later parts, if posted, were listed already
                        return self._partly_sent.settle(channel_id, idempotency_key, found, parts)
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not response.get("has_more") or not cursor:
                return None
        return None

    async def edit(self, channel_id: str, message_ts: str, reply: Reply) -> None:
        """Replace the message `message_ts` with `reply`, cut to one message."""
        text, blocks = render_blocks(reply)
        channel_id = await self._target(channel_id)
        await self._call("chat.update", self.client.chat_update,
                         channel=channel_id, ts=message_ts, text=text, blocks=blocks)

    async def upload(self, channel_id: str, path: Path, title: str = "") -> None:
        """Upload a file to a channel (files.getUploadURLExternal, upload, completeUploadExternal)."""
        await self._call("files_upload_v2", self.client.files_upload_v2, channel=channel_id,
                         file=str(path), filename=path.name, title=title or path.name)

    async def _call(self, action: str, method, **arguments):
        try:
            return await method(**arguments)
        except CALL_ERRORS as exc:
            raise delivery_error(exc, action) from exc

    async def _on_watch(self, ack, body: dict, respond) -> None:
        """Ack at once, then answer; a failure goes to the error hook.

        Bolt loses an ack when its listener raises within its ack polling interval, so failures
        are handed to the hook here rather than raised.
        """
        await ack()
        try:
            await self._answer(body, respond)
        except Exception as exc:  # noqa: BLE001 - logged with its traceback by the hook
            await self._on_error(exc, body, respond)

    async def _answer(self, body: dict, respond) -> None:
        channel_id, user_id = body.get("channel_id", ""), body.get("user_id", "")
        try:
            name, args = parse_command_text(body.get("text", ""))
        except ValueError as exc:
            await self._respond(respond, channel_id, _ephemeral_error(str(exc)))
            return
        can_manage = False
        if name in MANAGE_COMMANDS and not is_personal(args):  # a personal watchlist needs no rights
            can_manage, refusal = await self._manager_check(user_id, f"`/watch {name}`")
            if not can_manage:
                await self._respond(respond, channel_id, _ephemeral_error(refusal))
                return
        context = CommandContext(platform="slack", channel_id=channel_id, user_id=user_id,
                                 can_manage=can_manage)
        reply = await self.runner.run(context, name, args)
        await self._respond(respond, channel_id, reply)

    async def _on_home(self, event: dict) -> None:
        """The App Home tab: the user's personal watchlist and what the channels track (views.publish)."""
        if event.get("tab", "home") != "home":
            return
        user_id = event.get("user", "")
        reply = await self.runner.home(CommandContext(platform="slack", channel_id="", user_id=user_id))
        _, blocks = render_blocks(reply)
        await self._call("views.publish", self.client.views_publish, user_id=user_id,
                         view={"type": "home", "blocks": blocks[:100]})

    async def _on_action(self, ack, body: dict, respond) -> None:
        """A click on an alert's button, or a pick from the menu it opened: ack at once, answer privately."""
        await ack()
        try:
            await self._act(body, respond)
        except Exception as exc:  # noqa: BLE001 - logged with its traceback by the hook
            await self._on_error(exc, body, respond)

    async def _act(self, body: dict, respond) -> None:
        action = (body.get("actions") or [{}])[0]
        action_id = action.get("action_id", "")
        picked = MENU_ID.fullmatch(action_id)
        found = picked or BUTTON_ID.fullmatch(action_id)
        value = (action.get("selected_option") or {}).get("value") if picked else None
        channel_id = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id", "")
        user_id = (body.get("user") or {}).get("id", "")
        name, item_id = found["action"], found["item"]
        can_manage = False
        direct = channel_id.startswith("D")  # an IM: the alert came from a personal watchlist
        if name in MANAGE_ACTIONS and not direct:
            can_manage, refusal = await self._manager_check(user_id, f"the {ACTIONS[name]} button")
            if not can_manage:
                await self._respond(respond, channel_id, _ephemeral_error(refusal), new_message=True)
                return
        context = CommandContext(platform="slack", channel_id=channel_id, user_id=user_id, can_manage=can_manage)
        if direct:
            context = direct_click(context)
        reply = await self.runner.act(context, name, item_id, value)
        await self._respond(respond, channel_id, replace(reply, ephemeral=True), new_message=True)

    async def _manager_check(self, user_id: str, what: str) -> tuple[bool, str]:
        """Workspace admins and owners manage; anyone else, or an unknown role, is refused.

        `what` names what was refused: "`/watch track`", "the Track button".
        """
        try:
            response = await self.client.users_info(user=user_id)
        except CALL_ERRORS as exc:
            reason = error_code(exc) if isinstance(exc, SlackApiError) else "Slack did not answer"
            log.warning("Slack users.info for %s failed: %s", user_id, reason)
            return False, ROLE_UNKNOWN.format(reason=reason, what=what)
        user = response.get("user") or {}
        if any(user.get(flag) for flag in ("is_admin", "is_owner", "is_primary_owner")):
            return True, ""
        return False, NOT_A_MANAGER.format(what=what)

    async def _respond(self, respond, channel_id: str, reply: Reply, *, new_message: bool = False) -> None:
        """Answer at the response_url; `new_message` keeps the clicked message as it is."""
        response_type = "ephemeral" if reply.ephemeral or reply.error else "in_channel"
        keep = {"replace_original": False} if new_message else {}
        for text, blocks in render_messages(reply):
            answer = await respond(text=text, blocks=blocks, response_type=response_type, **keep)
            if answer.status_code != 200:
                log.warning("Slack response_url refused a reply: %s %s", answer.status_code, answer.body)
        if reply.file is not None:
            try:
                await self.upload(channel_id, reply.file, reply.title)
            except DeliveryError as exc:
                log.warning("Slack upload of %s failed: %s", reply.file.name, exc)
                await self._respond(respond, channel_id, _ephemeral_error(
                    f"The file could not be posted in this channel ({exc.reason})."))

    async def _on_error(self, error: Exception, body: dict, respond) -> None:
        """Log an unexpected failure with its traceback and tell the user, briefly, if possible."""
        log.error("Slack request failed: %s", error, exc_info=error)
        if respond is None or not isinstance(body, dict) or not body.get("response_url"):
            return
        try:
            await respond(text="Sorry, something went wrong; the error was logged.",
                          response_type="ephemeral")
        except Exception:  # noqa: BLE001 - the original failure is already logged
            log.warning("Slack: could not tell the user about the failure", exc_info=True)


def _outbox_key(message: dict) -> tuple[str, int, int] | None:
    """The (outbox key, part, parts) a listed message carries in its metadata, if watchdesk posted it."""
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    if metadata.get("event_type") != OUTBOX_EVENT or not isinstance(payload.get("key"), str):
        return None
    part, parts = payload.get("part", 0), payload.get("parts", 1)  # messages sent before "parts" existed: 1
    if not isinstance(part, int) or not isinstance(parts, int) or not 0 <= part < parts <= 1000:
        return None
    return payload["key"], part, parts
