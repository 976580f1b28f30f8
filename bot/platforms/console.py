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

    connected = True  # nothing to lose

    async def wait_closed(self) -> str:
        """The console never disconnects."""
        await asyncio.Event().wait()
        return "closed"

    async def send(self, channel_id: str, reply: Reply, *, idempotency_key: str | None = None) -> str:
        """Print a message for a channel and return its id."""
        message_id = str(next(self._ids))
        self.sent.append((channel_id, message_id, reply))
        self.output.write(f"[{channel_id}] {render_text(reply, message_id=message_id)}\n")
        self.output.flush()
        return message_id

    async def send_followup(self, channel_id: str, message_id: str, reply: Reply, *,
                            idempotency_key: str | None = None, thread_name: str = "") -> str:
        """Print a message in the thread of an earlier one and return its id."""
        followup_id = str(next(self._ids))
        self.sent.append((channel_id, followup_id, reply))
        self.output.write(f"[{channel_id}] (in the thread of message {message_id}) {render_text(reply)}\n")
        self.output.flush()
        return followup_id

    async def edit(self, channel_id: str, message_id: str, reply: Reply) -> None:
        """Print the new version of an earlier message."""
        self.sent.append((channel_id, message_id, reply))
        self.output.write(f"[{channel_id}] (message {message_id} updated) "
                          f"{render_text(reply, message_id=message_id)}\n")
        self.output.flush()

    def message(self, message_id: str) -> tuple[str, Reply] | None:
        """The channel and latest version of a message this console showed, or None."""
        for channel_id, sent_id, reply in reversed(self.sent):
            if sent_id == message_id:
                return channel_id, reply
        return None


async def run_console(runner, *, input_stream: TextIO, output_stream: TextIO, channel: str = "console",
                      console: ConsoleAdapter | None = None) -> None:
    """Read commands line by line until end of input or `quit`, answering each.

    `act MESSAGE N [OPTION]` presses button N of a message `console` showed (an alert's Why,
    Track, Mute 24h, Not relevant) and picks OPTION of the menu it opens.
    """
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
        output_stream.write(await answer_line(runner, context, text, console=console) + "\n")
        output_stream.flush()


async def answer_line(runner, context: CommandContext, text: str, *, console: ConsoleAdapter | None = None) -> str:
    """Answer one typed command line as text."""
    from bot.commands import REGISTRY

    if text in ("help", "/watch help", "?"):
        return ("commands: " + "; ".join(command.usage() for command in REGISTRY.values())
                + "; act <message> <action> [<option>] (an alert's buttons)"
                + "\ne.g. " + "; ".join(command.example for command in REGISTRY.values() if command.arguments))
    if text.split()[:1] == ["act"] and console is not None:
        return await answer_action(runner, context, console, text.split()[1:])
    try:
        name, args = parse_command_text(text)
    except ValueError as exc:
        return f"error: {exc}"
    return render_text(await runner.run(context, name, args))


async def answer_action(runner, context: CommandContext, console: ConsoleAdapter, words: list[str]) -> str:
    """`act MESSAGE N [OPTION]`: press button N of a console message, picking OPTION of its menu."""
    if not 2 <= len(words) <= 3 or not all(word.isdigit() for word in words):
        return "error: act needs a message number, an action number and maybe an option: act 1 4"
    shown = console.message(words[0])
    if shown is None:
        return f"error: no message {words[0]} was shown here"
    channel_id, reply = shown
    number = int(words[1])
    if not 1 <= number <= len(reply.actions):
        return f"error: message {words[0]} has {len(reply.actions)} actions"
    action = reply.actions[number - 1]
    context = CommandContext(platform="console", channel_id=channel_id, user_id=context.user_id,
                             can_manage=context.can_manage)
    value = None
    if len(words) == 3:
        offered = await runner.act(context, action.name, action.item_id)
        options = offered.menu.options if offered.menu else ()
        if not 1 <= int(words[2]) <= len(options):
            return f"error: {action.label} offers {len(options)} options"
        value = options[int(words[2]) - 1][1]
    answer = await runner.act(context, action.name, action.item_id, value)
    return render_text(answer, pressed=f"act {words[0]} {number}")
