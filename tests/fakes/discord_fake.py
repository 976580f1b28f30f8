"""A fake Discord on 127.0.0.1 for the real discord.py: REST under /api/v10 and a websocket gateway.

Every request is recorded (method, path, query, JSON body, files) for tests to assert on. Messages
over Discord's limits get Discord's 400; unknown channels 404 (10003); `fail_next` scripts a 429
(with retry_after) or a 5xx; `send_interaction` injects INTERACTION_CREATE; `drop_connection`
forces a resume; `refuse_connections` answers that many gateway connections with a 503.
GET /channels/{id}/messages lists a channel's messages newest first, without
their nonces, as Discord does; `ignore_nonces` makes the fake forget every nonce, as Discord does
a few minutes after a message.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TIMESTAMP = "2025-01-01T00:00:00.000000+00:00"
MANAGE_GUILD = 1 << 5
SEND_MESSAGES = 1 << 11


@dataclass
class Recorded:
    """One request the fake received."""

    method: str
    path: str  # below /api/v10
    query: dict[str, str]
    json: Any
    files: list[dict] = field(default_factory=list)  # {"field", "filename", "content_type", "data"}
    headers: dict[str, str] = field(default_factory=dict)


def json_response(data: Any, status: int = 200, headers: dict | None = None) -> web.Response:
    """Answer JSON with the exact Content-Type discord.py checks for."""
    return web.Response(status=status, body=json.dumps(data).encode(),
                        headers={"Content-Type": "application/json", **(headers or {})})


def error(status: int, code: int, message: str, problems: dict[str, str] | None = None) -> web.Response:
    """Answer an error shaped like Discord's; `problems` ({path: text}) become its field errors."""
    errors = {path: {"_errors": [{"code": "BASE_TYPE_BAD_LENGTH", "message": text}]}
              for path, text in (problems or {}).items()}
    body = {"code": code, "message": message, **({"errors": errors} if errors else {})}
    return json_response(body, status)


def message_problems(payload: dict, files: list) -> dict[str, str]:
    """Check a message against Discord's limits; return {path: problem} for each breach."""
    content, embeds = payload.get("content") or "", payload.get("embeds") or []
    problems = {path: f"Must be {limit} or fewer in length."
                for path, size, limit in (("content", len(content), 2000), ("embeds", len(embeds), 10))
                if size > limit}
    if not (content or embeds or files or payload.get("attachments")):
        problems["content"] = "Cannot send an empty message"
    total = 0
    for index, embed in enumerate(embeds):
        fields = embed.get("fields") or []
        texts = [("title", embed.get("title"), 256), ("description", embed.get("description"), 4096),
                 ("footer.text", (embed.get("footer") or {}).get("text"), 2048),
                 ("author.name", (embed.get("author") or {}).get("name"), 256)]
        texts += [(f"fields.{number}.{key}", item.get(key), limit) for number, item in enumerate(fields)
                  for key, limit in (("name", 256), ("value", 1024))]
        for path, text, limit in texts:
            total += len(text or "")
            if len(text or "") > limit:
                problems[f"embeds.{index}.{path}"] = f"Must be {limit} or fewer in length."
            if path.startswith("fields.") and not text:
                problems[f"embeds.{index}.{path}"] = "This field is required"
        if len(fields) > 25:
            problems[f"embeds.{index}.fields"] = "Must be 25 or fewer in length."
        if embed.get("url") and not re.match(r"^https?://", embed["url"]):
            problems[f"embeds.{index}.url"] = "Not a well formed URL."
    if total > 6000:
        problems["embeds"] = "Embed size exceeds maximum size of 6000"
    problems.update(component_problems(payload.get("components") or []))
    return problems


def component_problems(rows: list) -> dict[str, str]:
    """Check a message's components as Discord does: at most 5 action rows; a row holds up to 5
    buttons or one select; custom_ids of 1 to 100 characters, unique; labels up to 80; a select
    has 1 to 25 options of up to 100 characters."""
    problems: dict[str, str] = {}
    if len(rows) > 5:
        problems["components"] = "Must be 5 or fewer in length."
    seen: set[str] = set()
    for number, row in enumerate(rows):
        items = row.get("components") or []
        path = f"components.{number}"
        if row.get("type") != 1 or not items:
            problems[path] = "An action row must hold 1 to 5 components"
            continue
        selects = [item for item in items if item.get("type") in (3, 5, 6, 7, 8)]
        if len(items) > 5 or (selects and len(items) > 1):
            problems[f"{path}.components"] = "Must be 5 or fewer in length, or a single select."
        for index, item in enumerate(items):
            where, custom_id = f"{path}.components.{index}", item.get("custom_id")
            if item.get("type") == 2 and item.get("style") == 5:
                continue  # a link button has a url, no custom_id
            if not custom_id or len(custom_id) > 100:
                problems[f"{where}.custom_id"] = "Must be between 1 and 100 in length."
            elif custom_id in seen:
                problems[f"{where}.custom_id"] = "Component custom id cannot be duplicated"
            seen.add(custom_id or "")
            if len(item.get("label") or "") > 80:
                problems[f"{where}.label"] = "Must be 80 or fewer in length."
            if item.get("type") == 3:
                options = item.get("options") or []
                if not 1 <= len(options) <= 25:
                    problems[f"{where}.options"] = "Must be between 1 and 25 in length."
                if any(len(option.get(key) or "") > 100 for option in options for key in ("label", "value")):
                    problems[f"{where}.options"] = "Must be 100 or fewer in length."
    return problems


def _user(user_id: int, name: str, bot: bool = False) -> dict:
    return {"id": str(user_id), "username": name, "discriminator": "0", "global_name": name,
            "avatar": None, "public_flags": 0, **({"bot": True} if bot else {})}


def _channel(channel_id: int, guild_id: int) -> dict:
    return {"id": str(channel_id), "type": 0, "guild_id": str(guild_id), "name": "desk", "position": 0,
            "permission_overwrites": [], "nsfw": False, "parent_id": None, "topic": None,
            "last_message_id": None, "rate_limit_per_user": 0, "flags": 0}


def _role(role_id: int, name: str, position: int) -> dict:
    return {"id": str(role_id), "name": name, "color": 0, "hoist": False, "position": position,
            "permissions": "0", "managed": False, "mentionable": True, "flags": 0}


def _member(user: dict, roles: tuple[int, ...], permissions: int) -> dict:
    return {"user": user, "roles": [str(role) for role in roles], "joined_at": TIMESTAMP,
            "permissions": str(permissions), "deaf": False, "mute": False, "flags": 0, "pending": False,
            "nick": None, "avatar": None, "premium_since": None, "communication_disabled_until": None}


class FakeDiscord:
    """Discord's REST API and gateway, on a free loopback port."""

    token = "fake-bot-token"
    application_id = 1100000000000000001
    bot_id = 1100000000000000002
    guild_id = 1100000000000000003
    channel_id = 1100000000000000004
    manage_role_id = 1100000000000000005
    manage_role_name = "Desk Editors"
    alert_role_id = 1100000000000000006
    user_id = 1100000000000000007

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.gateway_received: list[dict] = []
        self.commands: dict[int | None, list[dict]] = {}  # guild id (None: global) -> commands
        self.channels = {self.channel_id}
        self.threads: dict[int, dict] = {}
        self.direct_messages: dict[str, int] = {}  # user id -> their DM channel with the bot  # thread id (= the id of the message it started from) -> thread
        self.forbidden_channels: set[int] = set()
        self.messages: dict[int, dict] = {}
        self.interactions: dict[str, dict] = {}  # token -> state
        self.scripted_failures: list[tuple[int, dict, dict]] = []
        self.ignore_nonces = False  # never dedupe a repeated nonce
        self.fail_after_posting = 0  # post this many channel messages, then answer each with a 503
        self.hang_after_messages: int | None = None  # record this many channel messages, then never answer
        self.channel_messages = 0
        self.released = asyncio.Event()  # set on exit: frees requests held by hang_after_messages
        self.refuse_connections = 0  # answer this many gateway connections with a 503, then accept
        self.gateway_attempts = 0
        self.session_id = "fake-session"
        self.sequence = 0
        self.sent_events: list[dict] = []
        self.resumes = 0
        self.socket: web.WebSocketResponse | None = None
        self.changed = asyncio.Condition()
        self.snowflakes = itertools.count(1200000000000000000)
        self.runner: web.AppRunner | None = None
        self.base = self.api_base = self.gateway_url = ""  # set once listening

    async def __aenter__(self) -> FakeDiscord:
        app = web.Application()
        app.router.add_get("/gateway-ws", self._gateway)
        app.router.add_route("*", "/api/v10/{path:.*}", self._rest)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", 0).start()
        host, port = self.runner.addresses[0][:2]
        self.base = f"http://{host}:{port}"
        self.api_base = self.base + "/api/v10"
        self.gateway_url = f"ws://{host}:{port}/gateway-ws"
        return self

    async def __aexit__(self, *exc_info) -> None:
        self.released.set()
        await self.runner.cleanup()

    def fail_next(self, status: int, *, retry_after: float | None = None) -> None:
        """Answer the next channel-message request with `status` (a 429 carries retry_after)."""
        body: dict = {"message": f"{status}: Server Error", "code": 0}
        headers = {"Via": "1.1 google"}  # without it discord.py takes a 429 for a Cloudflare ban
        if status == 429:
            body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": False}
            headers.update({"Retry-After": str(int(retry_after or 1)), "X-RateLimit-Scope": "user"})
        self.scripted_failures.append((status, body, headers))

    async def wait_for(self, predicate, timeout: float = 5.0):
        """Wait until predicate() returns something truthy; return it."""
        async with self.changed:
            return await asyncio.wait_for(self.changed.wait_for(predicate), timeout)

    async def wait_for_request(self, method: str, path: str, timeout: float = 5.0,
                               after: int = 0) -> Recorded:
        """Wait for the first request (from index `after`) with `method` and a path matching `path`."""
        def find():
            return next((request for request in self.requests[after:]
                         if request.method == method and re.fullmatch(path, request.path)), None)
        return await self.wait_for(find, timeout)

    async def wait_for_gateway(self, op: int, timeout: float = 5.0) -> dict:
        """Wait for the client to send gateway opcode `op`."""
        received = self.gateway_received
        return await self.wait_for(lambda: next((m for m in received if m.get("op") == op), None), timeout)

    async def drop_connection(self, code: int = 4000) -> None:
        """Close the gateway socket as Discord does on an error, forcing a resume (4000) or, with a
        code discord.py does not resume (4004), the end of the connection."""
        await self.socket.close(code=code, message=b"dropped by the fake")

    async def dispatch(self, event: str, data: dict) -> None:
        """Send a DISPATCH event with the next sequence number."""
        self.sequence += 1
        message = {"op": 0, "t": event, "s": self.sequence, "d": data}
        self.sent_events.append(message)
        await self.socket.send_str(json.dumps(message))

    async def send_interaction(self, subcommand: str, options: dict[str, Any] | None = None, *,
                               permissions: int = MANAGE_GUILD | SEND_MESSAGES, roles: tuple[int, ...] = (),
                               focused: str | None = None) -> dict:
        """Dispatch INTERACTION_CREATE for /watch <subcommand> (autocomplete if `focused` is set)."""
        scope = self.guild_id if self.guild_id in self.commands else None
        command = next(c for c in self.commands.get(scope, []) if c["name"] == "watch")
        arguments = [{"name": name, "type": 4 if isinstance(value, int) else 3, "value": value,
                      **({"focused": True} if name == focused else {})}
                     for name, value in (options or {}).items()]
        data = {"id": command["id"], "name": "watch", "type": 1, **({"guild_id": str(scope)} if scope else {}),
                "options": [{"name": subcommand, "type": 1, "options": arguments}]}
        return await self._interact(4 if focused else 2, data, permissions=permissions, roles=roles)

    async def click(self, message: dict, custom_id: str, *, values: list[str] | None = None,
                    permissions: int = SEND_MESSAGES, roles: tuple[int, ...] = (),
                    user_id: int | None = None, dm: bool = False) -> dict:
        """Dispatch INTERACTION_CREATE type 3: a click on a button of `message` (a pick, with `values`).

        The component must be on the message, as on Discord: a custom_id it does not carry is refused.
        With `dm`, the message is in the bot's DM with the user: the click has no guild and no member.
        """
        found = [component for row in message.get("components") or [] for component in row["components"]
                 if component.get("custom_id") == custom_id]
        if not found:
            raise AssertionError(f"message {message['id']} has no component {custom_id!r}")
        data = {"custom_id": custom_id, "component_type": found[0]["type"],
                **({"values": values} if found[0]["type"] == 3 else {})}
        return await self._interact(3, data, permissions=permissions, roles=roles, message=message,
                                    user_id=user_id, dm=dm)

    async def message_menu(self, message: dict, name: str, *, permissions: int = SEND_MESSAGES) -> dict:
        """Dispatch INTERACTION_CREATE for a message context menu `name` used on `message`."""
        scope = self.guild_id if self.guild_id in self.commands else None
        command = next(c for c in self.commands.get(scope, []) if c["name"] == name)
        data = {"id": command["id"], "name": name, "type": 3, "target_id": message["id"],
                **({"guild_id": str(scope)} if scope else {}), "resolved": {"messages": {message["id"]: message}}}
        return await self._interact(2, data, permissions=permissions, roles=())

    async def _interact(self, kind: int, data: dict, *, permissions: int, roles: tuple[int, ...],
                        message: dict | None = None, user_id: int | None = None, dm: bool = False) -> dict:
        interaction_id, token = next(self.snowflakes), f"token-{len(self.interactions)}"
        payload = {
            "id": str(interaction_id), "application_id": str(self.application_id),
            "type": kind, "token": token, "version": 1, "channel_id": str(self.channel_id),
            "channel": _channel(self.channel_id, self.guild_id), "guild_id": str(self.guild_id),
            "guild": {"id": str(self.guild_id), "locale": "en-US", "features": []},
            "member": _member(_user(user_id or self.user_id, "analyst"), roles, permissions),
            "app_permissions": str(SEND_MESSAGES), "locale": "en-US", "guild_locale": "en-US",
            "entitlements": [], "entitlement_sku_ids": [], "context": 0, "attachment_size_limit": 10485760,
            "authorizing_integration_owners": {"0": str(self.guild_id)}, "data": data,
            **({"message": message} if message is not None else {}),
        }
        if dm:  # in the bot's DM with the user, as Discord sends it: a user and a DM channel, no guild
            user = _user(user_id or self.user_id, "analyst")
            channel_id = int(message["channel_id"]) if message else self.direct_messages[user["id"]]
            for key in ("guild_id", "guild", "member", "guild_locale"):
                payload.pop(key)
            payload.update(user=user, channel_id=str(channel_id), context=1,
                           channel={"id": str(channel_id), "type": 1, "recipients": [user], "flags": 0},
                           authorizing_integration_owners={"1": user["id"]})
        self.interactions[token] = {"id": str(interaction_id), "response": None, "original": None}
        await self.dispatch("INTERACTION_CREATE", payload)
        return payload

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["path"]
        body, files = await _read_body(request)
        recorded = Recorded(request.method, path, dict(request.query), body, files, dict(request.headers))
        async with self.changed:
            self.requests.append(recorded)
            self.changed.notify_all()
        authorized = request.headers.get("Authorization") == f"Bot {self.token}"
        if not authorized and not path.startswith(("/interactions/", "/webhooks/")):
            return error(401, 0, "401: Unauthorized")
        app = self.application_id
        routes = [
            (r"GET /(users/@me|oauth2/applications/@me|gateway|gateway/bot)", self._static),
            (rf"(PUT|GET) /applications/{app}(?:/guilds/(\d+))?/commands", self._commands),
            (r"POST /interactions/(\d+)/([^/]+)/callback", self._callback),
            (rf"POST /webhooks/{app}/([^/]+)", self._followup),
            (rf"(PATCH|DELETE) /webhooks/{app}/([^/]+)/messages/@original", self._original),
            (r"GET /channels/(\d+)/messages", self._history),
            (r"POST /users/@me/channels", self._open_dm),
            (r"POST /channels/(\d+)/messages/(\d+)/threads", self._start_thread),
            (r"(?:POST|PATCH) /channels/(\d+)/messages(?:/(\d+))?", self._channel_message),
        ]
        for pattern, handler in routes:
            if match := re.fullmatch(pattern, f"{request.method} {path}"):
                return await handler(recorded, *match.groups())
        return error(404, 0, "404: Not Found")

    async def _static(self, recorded: Recorded, what: str) -> web.Response:
        application = {"id": str(self.application_id), "name": "watchdesk", "description": "", "icon": None,
                       "bot_public": False, "bot_require_code_grant": False, "verify_key": "0" * 64,
                       "flags": 0, "team": None, "owner": _user(self.user_id, "owner")}
        return json_response({"users/@me": _user(self.bot_id, "watchdesk", bot=True),
                              "oauth2/applications/@me": application}.get(what)
                             or {"url": self.gateway_url, "shards": 1})

    async def _commands(self, recorded: Recorded, method: str, guild: str | None) -> web.Response:
        scope = int(guild) if guild else None
        if method == "PUT":
            self.commands[scope] = [
                {"description": "", **command, "id": str(next(self.snowflakes)),  # a context menu has none
                 "application_id": str(self.application_id),
                 "version": str(next(self.snowflakes)), "type": command.get("type", 1),
                 **({"guild_id": guild} if guild else {})} for command in recorded.json]
        return json_response(self.commands.get(scope, []))

    def _message(self, channel_id: int, payload: dict, files: list, flags: int = 0, **extra) -> dict:
        """Store and return a message object built from a create-message payload."""
        message_id = next(self.snowflakes)
        attachments = [{"id": str(next(self.snowflakes)), "filename": file["filename"],
                        "size": len(file["data"]), "url": f"{self.base}/attachments/{file['filename']}",
                        "proxy_url": self.base, "content_type": file["content_type"]} for file in files]
        roles = (payload.get("allowed_mentions") or {}).get("roles", [])
        message = {"id": str(message_id), "channel_id": str(channel_id), "type": 0,
                   "content": payload.get("content") or "", "attachments": attachments,
                   "embeds": [{"type": "rich", **embed} for embed in payload.get("embeds") or []],
                   "author": _user(self.bot_id, "watchdesk", bot=True), "mentions": [],
                   "mention_roles": [str(role) for role in roles], "mention_everyone": False,
                   "pinned": False, "tts": False, "timestamp": TIMESTAMP, "edited_timestamp": None,
                   "flags": flags | payload.get("flags", 0), "components": payload.get("components") or [],
                   **extra}
        self.messages[message_id] = message
        return message

    async def _callback(self, recorded: Recorded, interaction_id: str, token: str) -> web.Response:
        state = self.interactions.get(token)
        if state is None or state["id"] != interaction_id:
            return error(404, 10062, "Unknown interaction")
        if state["response"] is not None:
            return error(400, 40060, "Interaction has already been acknowledged.")
        kind, data = recorded.json["type"], recorded.json.get("data") or {}
        if kind == 4 and (problems := message_problems(data, recorded.files)):
            return error(400, 50035, "Invalid Form Body", problems)
        state["response"] = kind
        resource: dict = {"type": kind}
        interaction = {"id": interaction_id, "type": 2, "response_message_loading": kind == 5,
                       "response_message_ephemeral": bool(data.get("flags", 0) & 64)}
        if kind in (4, 5):
            loading = 128 if kind == 5 else 0
            state["original"] = self._message(self.channel_id, data, recorded.files, loading, type=20)
            resource["message"] = state["original"]
            interaction["response_message_id"] = state["original"]["id"]
        return json_response({"interaction": interaction, "resource": resource})

    async def _followup(self, recorded: Recorded, token: str) -> web.StreamResponse:
        state = self.interactions.get(token)
        if state is None or state["response"] is None:
            return error(404, 10015, "Unknown Webhook")
        if problems := message_problems(recorded.json, recorded.files):
            return error(400, 50035, "Invalid Form Body", problems)
        message = self._message(self.channel_id, recorded.json, recorded.files,
                                webhook_id=str(self.application_id))
        if recorded.query.get("wait", "").lower() in ("true", "1"):
            return json_response(message)
        return web.Response(status=204)

    async def _original(self, recorded: Recorded, method: str, token: str) -> web.StreamResponse:
        state = self.interactions.get(token)
        if state is None or state["original"] is None:
            return error(404, 10008, "Unknown Message")
        if method == "DELETE":
            state["original"] = None
            return web.Response(status=204)
        return json_response(_edit(state["original"], recorded.json))

    async def _channel_message(self, recorded: Recorded, channel: str,
                               message_id: str | None) -> web.Response:
        if self.scripted_failures:
            status, body, headers = self.scripted_failures.pop(0)
            return json_response(body, status, headers)
        if int(channel) in self.forbidden_channels:
            return error(403, 50001, "Missing Access")
        if int(channel) not in self.channels:
            return error(404, 10003, "Unknown Channel")
        if problems := message_problems(recorded.json or {}, recorded.files):
            return error(400, 50035, "Invalid Form Body", problems)
        if message_id is None:
            payload = recorded.json or {}
            if payload.get("nonce") and payload.get("enforce_nonce") and not self.ignore_nonces:
                for message in self.messages.values():  # Discord returns the first message with that nonce
                    if message.get("nonce") == payload["nonce"] and message["channel_id"] == channel:
                        return json_response(message)
            message = self._message(int(channel), payload, recorded.files,
                                    **({"nonce": payload["nonce"]} if payload.get("nonce") else {}))
            self.channel_messages += 1
            if self.fail_after_posting:
                self.fail_after_posting -= 1
                return error(503, 0, "503: Service Unavailable")
            if self.hang_after_messages is not None and self.channel_messages >= self.hang_after_messages:
                await self.released.wait()  # the client is killed while waiting for this answer
            return json_response(message)
        if (message := self.messages.get(int(message_id))) is None:
            return error(404, 10008, "Unknown Message")
        return json_response(_edit(message, recorded.json))

    async def _open_dm(self, recorded: Recorded) -> web.Response:
        """Open (or return) the DM channel with a user, as Discord does for a bot."""
        recipient = str((recorded.json or {}).get("recipient_id", ""))
        if not recipient.isdigit():
            return error(400, 50035, "Invalid Form Body", {"recipient_id": "Value is not snowflake."})
        channel_id = self.direct_messages.setdefault(recipient, next(self.snowflakes))
        self.channels.add(channel_id)
        return json_response({"id": str(channel_id), "type": 1, "last_message_id": None, "flags": 0,
                              "recipients": [_user(int(recipient), "analyst")]})

    async def _start_thread(self, recorded: Recorded, channel: str, message_id: str) -> web.Response:
        """Start a public thread from a message: the thread's id is the message's; once only."""
        message = self.messages.get(int(message_id))
        if message is None or message["channel_id"] != channel:
            return error(404, 10008, "Unknown Message")
        if int(message_id) in self.threads:
            return error(400, 160004, "A thread has already been created for this message")
        name = (recorded.json or {}).get("name") or ""
        if not 1 <= len(name) <= 100:
            return error(400, 50035, "Invalid Form Body", {"name": "Must be between 1 and 100 in length."})
        thread = {"id": message_id, "type": 11, "guild_id": str(self.guild_id), "parent_id": channel, "name": name,
                  "owner_id": str(self.bot_id), "message_count": 0, "member_count": 1, "rate_limit_per_user": 0,
                  "flags": 0, "total_message_sent": 0, "last_message_id": None,
                  "thread_metadata": {"archived": False, "locked": False, "archive_timestamp": TIMESTAMP,
                                      "auto_archive_duration": recorded.json.get("auto_archive_duration", 1440)}}
        self.threads[int(message_id)] = thread
        self.channels.add(int(message_id))
        return json_response(thread, 201)

    async def _history(self, recorded: Recorded, channel: str) -> web.Response:
        if int(channel) in self.forbidden_channels:
            return error(403, 50001, "Missing Access")
        if int(channel) not in self.channels:
            return error(404, 10003, "Unknown Channel")
        limit = min(int(recorded.query.get("limit", 50)), 100)
        before = int(recorded.query.get("before", 0)) or None
        listed = [{key: value for key, value in message.items() if key != "nonce"}
                  for message_id, message in sorted(self.messages.items(), reverse=True)
                  if message["channel_id"] == channel and message["type"] == 0
                  and (before is None or message_id < before)]
        return json_response(listed[:limit])

    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        self.gateway_attempts += 1
        if self.refuse_connections:
            self.refuse_connections -= 1
            async with self.changed:
                self.changed.notify_all()
            return web.Response(status=503, text="gateway unavailable")
        self.socket = socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}}))
        async for frame in socket:  # discord.py sends text frames only
            message = json.loads(frame.data)
            async with self.changed:
                self.gateway_received.append(message)
                self.changed.notify_all()
            await self._on_gateway(socket, message.get("op"), message.get("d") or {})
        return socket

    async def _on_gateway(self, socket: web.WebSocketResponse, op: int, data: dict) -> None:
        if op == 1:
            await socket.send_str(json.dumps({"op": 11}))
        elif op == 2 and data.get("token") != self.token:
            await socket.close(code=4004, message=b"Authentication failed.")
        elif op == 2:
            await self.dispatch("READY", {
                "v": 10, "user": _user(self.bot_id, "watchdesk", bot=True), "private_channels": [],
                "session_id": self.session_id, "resume_gateway_url": self.gateway_url,
                "guilds": [{"id": str(self.guild_id), "unavailable": True}],
                "application": {"id": str(self.application_id), "flags": 0}})
            await self.dispatch("GUILD_CREATE", self._guild())
        elif op == 6 and data.get("session_id") != self.session_id:
            await socket.send_str(json.dumps({"op": 9, "d": False}))
        elif op == 6:
            for event in self.sent_events:
                if event["s"] > (data.get("seq") or 0):
                    await socket.send_str(json.dumps(event))
            self.sequence += 1
            await socket.send_str(json.dumps({"op": 0, "t": "RESUMED", "s": self.sequence, "d": {}}))
            async with self.changed:
                self.resumes += 1
                self.changed.notify_all()

    def _guild(self) -> dict:
        """The guild of GUILD_CREATE: one text channel, @everyone, the manage role and an alert role."""
        roles = [_role(self.guild_id, "@everyone", 0),
                 _role(self.manage_role_id, self.manage_role_name, 1),
                 _role(self.alert_role_id, "Alerts", 2)]
        return {"id": str(self.guild_id), "name": "Security Desk", "unavailable": False, "member_count": 3,
                "owner_id": str(self.user_id), "large": False, "joined_at": TIMESTAMP, "features": [],
                "roles": roles, "channels": [_channel(self.channel_id, self.guild_id)],
                "members": [], "threads": [], "voice_states": [], "presences": [], "stage_instances": [],
                "guild_scheduled_events": [], "emojis": [], "stickers": [], "preferred_locale": "en-US"}


def _edit(message: dict, payload: dict) -> dict:
    message.update({key: value for key, value in payload.items() if key in ("content", "embeds", "components")},
                   edited_timestamp=TIMESTAMP)
    return message


async def _read_body(request: web.Request) -> tuple[Any, list[dict]]:
    """Read a JSON or multipart (payload_json + files[n]) body."""
    if not request.content_type.startswith("multipart/"):
        text = await request.text()
        return (json.loads(text) if text else None), []
    body, files = None, []
    async for part in await request.multipart():
        if part.name == "payload_json":
            body = json.loads(await part.text())
        else:
            files.append({"field": part.name, "filename": part.filename, "data": await part.read(),
                          "content_type": part.headers.get("Content-Type", "")})
    return body, files
