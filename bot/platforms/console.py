"""The console: a platform with no token. Alerts and digests print here; commands are typed here.

`watchdesk run` without chat tokens reads commands from the terminal (`/watch lookup ttp` or
`lookup ttp`); `quit` stops it. The demo and the tests use the same adapter.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from typing import TextIO

from bot.models import CommandContext, Reply
from bot.platforms.base import parse_command_text
from bot.render_text import render_text

log = logging.getLogger(__name__)


class ConsoleAdapter:
    """Prints messages meant for console channels; message ids are a running count."""

    platform = "console"

    def __init__(self, output: TextIO):
        self.output = output
        self._ids = itertools.count(1)
        self.sent: list[tuple[str, str, Reply]] = []  # (channel, message id, reply), for the demo and tests

    async def start(self) -> None:
        """Nothing to connect."""

    async def stop(self) -> None:
        """Nothing to disconnect."""

    async def send(self, channel_id: str, reply: Reply, *, idempotency_key: str | None = None) -> str:
        """Print a message for a channel and return its id."""
        message_id = str(next(self._ids))
        self.sent.append((channel_id, message_id, reply))
        self.output.write(f"[{channel_id}] {render_text(reply)}\n")
        self.output.flush()
        return message_id

    async def edit(self, channel_id: str, message_id: str, reply: Reply) -> None:
        """Print the new version of an earlier message."""
        self.sent.append((channel_id, message_id, reply))
        self.output.write(f"[{channel_id}] (message {message_id} updated) {render_text(reply)}\n")
        self.output.flush()


async def run_console(runner, *, input_stream: TextIO, output_stream: TextIO, channel: str = "console") -> None:
    """Read commands line by line until end of input or `quit`, answering each."""
    context = CommandContext(platform="console", channel_id=channel, user_id="operator", can_manage=True)
    output_stream.write("watchdesk console: type a command (e.g. `lookup ttp`, `search torkham 7d`), "
                        "`help`, or `quit`\n")
    output_stream.flush()
    while True:
        line = await asyncio.to_thread(input_stream.readline)
        if not line:
            return
        text = line.strip()
        if not text:
            continue
        if text in ("quit", "exit", "/quit"):
            return
        output_stream.write(await answer_line(runner, context, text) + "\n")
        output_stream.flush()


async def answer_line(runner, context: CommandContext, text: str) -> str:
    """Answer one typed command line as text."""
    from bot.commands import REGISTRY

    if text in ("help", "/watch help", "?"):
        return ("commands: " + "; ".join(command.usage() for command in REGISTRY.values())
                + "\ne.g. " + "; ".join(command.example for command in REGISTRY.values() if command.arguments))
    try:
        name, args = parse_command_text(text)
    except ValueError as exc:
        return f"error: {exc}"
    return render_text(await runner.run(context, name, args))
