"""A fake Slack on 127.0.0.1: the Web API methods watchdesk uses, response_url, file uploads and
a Socket Mode websocket. It records every call and enforces Slack's message limits."""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field

from aiohttp import web

BOT_TOKEN = "xoxb-fake-bot-token"
APP_TOKEN = "xapp-fake-app-token"
TEAM_ID = "T0FAKE"
BOT_USER_ID = "U0BOT"


@dataclass
class ApiCall:
    """One Web API request as the fake received it."""

    method: str
    args: dict
    token: str | None


@dataclass
class FakeSlack:
    """Web API under /api/, uploads under /upload/, response URLs under /response/, socket at /socket."""

    channels: set[str] = field(default_factory=lambda: {"C0GENERAL"})
    archived: set[str] = field(default_factory=set)
    private: set[str] = field(default_factory=set)  # private channels: their history needs groups:history
    users: dict[str, dict] = field(default_factory=dict)
    calls: list[ApiCall] = field(default_factory=list)
    responses: list[dict] = field(default_factory=list)
    messages: dict[tuple[str, str], dict] = field(default_factory=dict)
    uploads: dict[str, dict] = field(default_factory=dict)
    acks: list[dict] = field(default_factory=list)
    home_views: dict[str, dict] = field(default_factory=dict)  # user id -> the App Home view published
    scopes: tuple[str, ...] = ("commands", "chat:write", "files:write", "users:read", "channels:history",
                               "groups:history")  # the bot token's, sent as x-oauth-scopes
    port: int = 0

    def __post_init__(self):
        self._condition = asyncio.Condition()
        self._sequence = itertools.count(1)
        self._failures: dict[str, list[tuple[int, dict, dict]]] = {}
        self._sockets: list[web.WebSocketResponse] = []
        self._runner: web.AppRunner | None = None

    async def start(self) -> "FakeSlack":
        """Serve on 127.0.0.1 on a free port."""
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_post("/response/{name}", self._response_url)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        """Close open websockets and the server."""
        for socket in list(self._sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        return f"{self.base_url}/api/"

    def response_url(self, name: str = "r1") -> str:
        """A response_url whose posts are recorded under `name`."""
        return f"{self.base_url}/response/{name}"

    def calls_to(self, method: str) -> list[ApiCall]:
        """The recorded calls of one Web API method, in order."""
        return [call for call in self.calls if call.method == method]

    def rate_limit(self, method: str, retry_after: int, times: int = 1) -> None:
        """Answer the next `times` calls of `method` with 429 ratelimited and Retry-After."""
        failure = (429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)})
        self._failures.setdefault(method, []).extend([failure] * times)

    def fail(self, method: str, status: int = 500, times: int = 1) -> None:
        """Answer the next `times` calls of `method` with a bare HTTP error."""
        self._failures.setdefault(method, []).extend([(status, {}, {})] * times)

    async def wait_for(self, predicate, timeout: float = 5.0):
        """Wait until `predicate()` is true after some recorded request; return its value."""
        async with self._condition:
            return await asyncio.wait_for(self._condition.wait_for(predicate), timeout)

    async def _changed(self) -> None:
        async with self._condition:
            self._condition.notify_all()

    # Web API

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = dict(request.query)
        if request.method == "POST":
            if request.content_type == "application/json":
                args.update(await request.json())
            else:
                args.update(await request.post())
        authorization = request.headers.get("Authorization", "")
        token = authorization.removeprefix("Bearer ") if authorization else args.get("token")
        self.calls.append(ApiCall(method, args, token))
        try:
            failures = self._failures.get(method)
            if failures:
                status, body, headers = failures.pop(0)
                if not body:
                    return web.Response(status=status, text="<html>upstream error</html>",
                                        content_type="text/html")
                return web.json_response(body, status=status, headers=headers)
            handler = self._methods().get(method)
            if handler is None:
                return web.json_response({"ok": False, "error": "unknown_method"}, status=404)
            expected = APP_TOKEN if method == "apps.connections.open" else BOT_TOKEN
            if token != expected:
                return web.json_response({"ok": False, "error": "invalid_auth"})
            if method in ("conversations.history", "conversations.replies"):
                needed = "groups:history" if args.get("channel") in self.private else "channels:history"
                if needed not in self.scopes:
                    return web.json_response({"ok": False, "error": "missing_scope", "needed": needed})
            return web.json_response(await handler(args), headers={"x-oauth-scopes": ",".join(self.scopes)})
        finally:
            await self._changed()

    def _methods(self) -> dict:
        return {
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "chat.update": self._update,
            "conversations.history": self._history,
            "conversations.replies": self._replies,
            "conversations.open": self._open,
            "views.publish": self._publish,
            "users.info": self._users_info,
            "apps.connections.open": self._connections_open,
            "files.getUploadURLExternal": self._get_upload_url,
            "files.completeUploadExternal": self._complete_upload,
        }

    async def _auth_test(self, args: dict) -> dict:
        return {"ok": True, "url": "https://fake.slack.test/", "team": "Fake", "user": "watchdesk",
                "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": "B0BOT"}

    def _channel_error(self, channel: str | None) -> str | None:
        if channel not in self.channels:
            return "channel_not_found"
        if channel in self.archived:
            return "is_archived"
        return None

    async def _post_message(self, args: dict) -> dict:
        error = self._channel_error(args.get("channel")) or message_error(args)
        if error:
            return {"ok": False, "error": error}
        ts = f"{1700000000 + next(self._sequence)}.000100"
        message = {"text": args.get("text", ""), "blocks": _blocks(args), "ts": ts}
        if args.get("thread_ts"):
            if (args["channel"], args["thread_ts"]) not in self.messages:
                return {"ok": False, "error": "thread_not_found"}
            message["thread_ts"] = args["thread_ts"]
        if args.get("metadata"):
            metadata = args["metadata"]
            message["metadata"] = json.loads(metadata) if isinstance(metadata, str) else metadata
        self.messages[(args["channel"], ts)] = message
        return {"ok": True, "channel": args["channel"], "ts": ts, "message": message}

    async def _history(self, args: dict) -> dict:
        """Newest first, `limit` per page with a cursor, between `oldest` and `latest` when given.

        As on Slack, a message's metadata keeps only its event_type unless include_all_metadata
        is set; slack_sdk sends booleans in a GET query as "1" / "0".
        """
        error = self._channel_error(args.get("channel"))
        if error:
            return {"ok": False, "error": error}
        with_metadata = str(args.get("include_all_metadata", "")).lower() in ("true", "1")
        oldest, latest = float(args.get("oldest") or 0), float(args.get("latest") or "inf")
        found = [_as_listed(message, with_metadata) for (channel, ts), message in self.messages.items()
                 if channel == args["channel"] and oldest <= float(ts) <= latest
                 and message.get("thread_ts", ts) == ts]  # a thread's replies are listed by conversations.replies
        found.sort(key=lambda message: message["ts"], reverse=True)
        start, limit = int(args.get("cursor") or 0), min(int(args.get("limit", 100)), 999)
        page, more = found[start:start + limit], start + limit < len(found)
        return {"ok": True, "messages": page, "has_more": more,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""}}

    async def _publish(self, args: dict) -> dict:
        """Publish a user's App Home view: up to 100 blocks, each as a message block must be."""
        view = json.loads(args["view"]) if isinstance(args.get("view"), str) else args.get("view") or {}
        blocks = view.get("blocks") or []
        if view.get("type") != "home" or not args.get("user_id") or len(blocks) > 100 \
                or not all(_block_ok(block) for block in blocks):
            return {"ok": False, "error": "invalid_arguments"}
        self.home_views[args["user_id"]] = view
        return {"ok": True, "view": {"id": "V0HOME", **view}}

    async def _open(self, args: dict) -> dict:
        """Open a DM with one user: its channel id is D + the user id here."""
        users = str(args.get("users", ""))
        if not users or "," in users:
            return {"ok": False, "error": "invalid_arguments" if not users else "not_implemented"}
        channel = f"D{users}"
        self.channels.add(channel)
        return {"ok": True, "channel": {"id": channel}}

    async def _replies(self, args: dict) -> dict:
        """A thread: its parent, then its replies, oldest first."""
        error = self._channel_error(args.get("channel"))
        if not error and (args.get("channel"), args.get("ts")) not in self.messages:
            error = "thread_not_found"
        if error:
            return {"ok": False, "error": error}
        with_metadata = str(args.get("include_all_metadata", "")).lower() in ("true", "1")
        found = [_as_listed(message, with_metadata) for (channel, ts), message in sorted(self.messages.items())
                 if channel == args["channel"] and (ts == args["ts"] or message.get("thread_ts") == args["ts"])]
        return {"ok": True, "messages": found[: int(args.get("limit", 100))], "has_more": False}

    async def _update(self, args: dict) -> dict:
        key = (args.get("channel"), args.get("ts"))
        error = self._channel_error(args.get("channel")) or message_error(args)
        if not error and key not in self.messages:
            error = "message_not_found"
        if error:
            return {"ok": False, "error": error}
        self.messages[key] = {"text": args.get("text", ""), "blocks": _blocks(args), "ts": key[1]}
        return {"ok": True, "channel": key[0], "ts": key[1], "text": args.get("text", "")}

    async def _users_info(self, args: dict) -> dict:
        user = self.users.get(args.get("user"))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": {"id": args["user"], "team_id": TEAM_ID, **user}}

    async def _connections_open(self, args: dict) -> dict:
        return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}

    async def _get_upload_url(self, args: dict) -> dict:
        if not args.get("filename") or not str(args.get("length", "")).isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{next(self._sequence):07d}"
        self.uploads[file_id] = {"filename": args["filename"], "length": int(args["length"]),
                                 "data": None, "channel": None}
        return {"ok": True, "upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}

    async def _complete_upload(self, args: dict) -> dict:
        files = json.loads(args.get("files", "[]"))
        error = self._channel_error(args.get("channel_id"))
        for entry in files:
            upload = self.uploads.get(entry.get("id"))
            if upload is None or upload["data"] is None or len(upload["data"]) != upload["length"]:
                error = error or "file_upload_not_found"
        if error:
            return {"ok": False, "error": error}
        for entry in files:
            self.uploads[entry["id"]].update(channel=args["channel_id"], title=entry.get("title"))
        return {"ok": True, "files": [{"id": entry["id"], "title": entry.get("title"),
                                       "name": self.uploads[entry["id"]]["filename"]}
                                      for entry in files]}

    async def _upload(self, request: web.Request) -> web.Response:
        upload = self.uploads.get(request.match_info["file_id"])
        data = await request.read()
        self.calls.append(ApiCall("upload", {"file_id": request.match_info["file_id"],
                                             "size": len(data)}, None))
        await self._changed()
        if upload is None:
            return web.Response(status=404, text="not found", content_type="text/plain")
        upload["data"] = data
        return web.Response(text=f"OK - {len(data)}", content_type="text/plain")

    # response_url

    async def _response_url(self, request: web.Request) -> web.Response:
        payload = await request.json()
        self.responses.append({"name": request.match_info["name"], **payload})
        await self._changed()
        error = message_error(payload)
        if error:
            return web.Response(status=400, text=error, content_type="text/plain")
        return web.Response(text="ok", content_type="text/plain")

    # Socket Mode

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_json({"type": "hello", "num_connections": 1,
                                "debug_info": {"host": "fake-slack"},
                                "connection_info": {"app_id": "A0FAKE"}})
        self._sockets.append(socket)
        await self._changed()
        try:
            async for message in socket:
                if message.type.name == "TEXT":
                    self.acks.append(json.loads(message.data))
                    await self._changed()
        finally:
            self._sockets.remove(socket)
            await self._changed()
        return socket

    async def push_slash_command(self, payload: dict, timeout: float = 5.0) -> str:
        """Send a slash_commands envelope on the open socket; return its envelope_id."""
        return await self._push("slash_commands", payload, timeout)

    async def push_interactive(self, payload: dict, timeout: float = 5.0) -> str:
        """Send an interactive envelope (a block_actions payload) on the open socket; return its id."""
        return await self._push("interactive", payload, timeout)

    async def _push(self, kind: str, payload: dict, timeout: float) -> str:
        await self.wait_for(lambda: self._sockets, timeout)
        envelope_id = f"envelope-{next(self._sequence)}"
        await self._sockets[-1].send_json({"envelope_id": envelope_id, "type": kind,
                                           "payload": payload, "accepts_response_payload": True})
        return envelope_id


def _blocks(args: dict) -> list:
    blocks = args.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else blocks


def message_error(args: dict) -> str | None:
    """Slack's verdict on a message payload: None, or the error Slack would return."""
    text, blocks = args.get("text") or "", _blocks(args)
    if not text and not blocks:
        return "no_text"
    if len(text) > 40000:
        return "msg_too_long"
    if len(blocks) > 50 or not all(_block_ok(block) for block in blocks):
        return "invalid_blocks"
    return None


def _text_ok(text: object, limit: int, types=("mrkdwn", "plain_text")) -> bool:
    return (isinstance(text, dict) and text.get("type") in types
            and isinstance(text.get("text"), str) and 0 < len(text["text"]) <= limit)


def _block_ok(block: dict) -> bool:
    kind = block.get("type")
    if kind == "header":
        return _text_ok(block.get("text"), 150, types=("plain_text",))
    if kind == "section":
        fields = block.get("fields", [])
        if "text" not in block and not fields:
            return False
        text_ok = "text" not in block or _text_ok(block["text"], 3000)
        return text_ok and len(fields) <= 10 and all(_text_ok(item, 2000) for item in fields)
    if kind == "context":
        elements = block.get("elements", [])
        return 0 < len(elements) <= 10 and all(_text_ok(item, 3000) for item in elements)
    if kind == "actions":
        return _actions_ok(block)
    return kind == "divider"


def _actions_ok(block: dict) -> bool:
    """Slack's limits on an actions block: 1 to 25 elements; action_ids up to 255 characters and
    unique; a button's text up to 75, its value up to 2000; a static_select has 1 to 100 options
    of up to 75 (text) and 150 (value) characters and a placeholder up to 150."""
    elements = block.get("elements") or []
    action_ids = [element.get("action_id") for element in elements]
    if not 0 < len(elements) <= 25 or len(set(action_ids)) != len(action_ids) or len(block.get("block_id", "")) > 255:
        return False
    for element in elements:
        if not element.get("action_id") or len(element["action_id"]) > 255:
            return False
        if element.get("type") == "button":
            if not _text_ok(element.get("text"), 75, types=("plain_text",)) or len(element.get("value", "")) > 2000:
                return False
        elif element.get("type") == "static_select":
            options = element.get("options") or []
            if not 0 < len(options) <= 100 or ("placeholder" in element
                                                and not _text_ok(element["placeholder"], 150, ("plain_text",))):
                return False
            if not all(_text_ok(option.get("text"), 75, ("plain_text",))
                       and 0 < len(option.get("value", "")) <= 150 for option in options):
                return False
        else:
            return False
    return True


def block_actions(blocks: list, action_id: str, *, channel: str, user: str, response_url: str,
                  selected: str | None = None, message_ts: str | None = None) -> dict:
    """The block_actions payload Slack sends when `user` clicks `action_id` in these blocks (a
    message's, or an ephemeral reply's); `selected` picks that option's value of a static_select.

    The element must be in the blocks, and the option in its menu, as on Slack.
    """
    element = next((element for block in blocks if block.get("type") == "actions"
                    for element in block["elements"] if element.get("action_id") == action_id), None)
    if element is None:
        raise AssertionError(f"no element {action_id!r} in the blocks")
    action = {"action_id": action_id, "block_id": next(b.get("block_id", "") for b in blocks
                                                       if element in b.get("elements", [])),
              "type": element["type"], "action_ts": "1700000000.000200"}
    if element["type"] == "button":
        action.update(text=element["text"], value=element.get("value", ""))
    else:
        option = next((o for o in element["options"] if o["value"] == selected), None)
        if option is None:
            raise AssertionError(f"{selected!r} is not an option of {action_id!r}")
        action["selected_option"] = option
    container = {"type": "message", "channel_id": channel, "is_ephemeral": message_ts is None,
                 **({"message_ts": message_ts} if message_ts else {})}
    return {"type": "block_actions", "user": {"id": user, "username": "someone", "team_id": TEAM_ID},
            "api_app_id": "A0FAKE", "token": "legacy", "container": container, "trigger_id": "1.2.3",
            "team": {"id": TEAM_ID, "domain": "fake"}, "channel": {"id": channel, "name": "general"},
            **({"message": {"type": "message", "ts": message_ts, "blocks": blocks}} if message_ts else {}),
            "response_url": response_url, "actions": [action]}


def _as_listed(message: dict, with_metadata: bool) -> dict:
    """A stored message as conversations.history lists it."""
    if "metadata" not in message or with_metadata:
        return dict(message)
    return {**message, "metadata": {"event_type": message["metadata"].get("event_type")}}
