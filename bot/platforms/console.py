"""The console: a platform with no token. Alerts and digests print here; commands are typed here.

`watchdesk run` without chat tokens reads commands from the terminal (`/watch lookup ttp` or
`lookup ttp`). On a terminal the line is edited with prompt_toolkit: a `watchdesk> ` prompt,
history (Up/Down, Ctrl-R), Tab to complete a command name, and log lines and alerts printed above
the line being typed, never over it. Ctrl-C, Ctrl-D or `quit` stop the service at once.
Piped input (the demo, the tests) is read line by line on a daemon thread, so a stop never waits
for a line that will not come.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import sys
import threading
from pathlib import Path
from typing import TextIO

from bot.models import CommandContext, Reply
from bot.platforms.base import SUBCOMMANDS, parse_command_text
from bot.render_text import render_text

log = logging.getLogger(__name__)

PROMPT = "watchdesk> "
FLUSH_PAUSE = 0.02  # seconds output waits to be printed above the prompt in one piece
QUIT_WORDS = ("quit", "exit", "/quit")
GREETING = ("watchdesk console: type a command (e.g. `lookup ttp`, `search torkham 7d`), `help`, or `quit`. "
            "Up/Down: history · Tab: complete · Ctrl-C or Ctrl-D: stop")


class ConsoleAdapter:
    """Prints messages meant for console channels; message ids are a running count."""

    platform = "console"

    def __init__(self, output: TextIO | None = None):
        self._output = output
        self._ids = itertools.count(1)
        self.sent: list[tuple[str, str, Reply]] = []  # (channel, message id, reply), for the demo and tests

    @property
    def output(self) -> TextIO:
        """Where messages go; sys.stdout is looked up each time, so a prompt's patched stdout is used."""
        return self._output if self._output is not None else sys.stdout

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



async def run_console(runner, *, input_stream: TextIO, output_stream: TextIO | None = None,
                      channel: str = "console", console: ConsoleAdapter | None = None) -> None:
    """Answer typed commands until end of input, `quit`, Ctrl-C or cancellation.

    `act MESSAGE N [OPTION]` presses button N of a message `console` showed (an alert's Why,
    Track, Mute 24h, Not relevant) and picks OPTION of the menu it opens.
    """
    context = CommandContext(platform="console", channel_id=channel, user_id="operator", can_manage=True)
    if _is_terminal(input_stream) and output_stream in (None, sys.stdout):
        await _interactive(runner, context, console)
        return
    output = output_stream or sys.stdout
    output.write(GREETING + "\n")
    output.flush()
    async for text in _lines(input_stream):
        if text in QUIT_WORDS:
            return
        output.write(await answer_line(runner, context, text, console=console) + "\n")
        output.flush()


def _is_terminal(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


async def _lines(stream: TextIO):
    """Yield the stripped non-empty lines of a stream read on a daemon thread."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue = asyncio.Queue()

    def read() -> None:
        try:
            for line in iter(stream.readline, ""):
                loop.call_soon_threadsafe(queue.put_nowait, line)
        except (OSError, ValueError, RuntimeError):  # closed stream or loop: stop reading
            pass
        try:
            loop.call_soon_threadsafe(queue.put_nowait, None)
        except RuntimeError:  # the loop is closed: nobody is waiting
            pass

    threading.Thread(target=read, name="console-input", daemon=True).start()
    while (line := await queue.get()) is not None:
        if line.strip():
            yield line.strip()


async def _interactive(runner, context: CommandContext, console=None) -> None:
    """The terminal console: prompt, history, completion; output printed above the prompt."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.completion import WordCompleter

    session = PromptSession(history=_history(), complete_while_typing=False, reserve_space_for_menu=0,
                            completer=WordCompleter([*SUBCOMMANDS, "help", "quit"], sentence=True))
    with _printed_above_the_prompt():
        restore = _log_to(sys.stderr)
        try:
            print(GREETING)
            while True:
                try:
                    # handle_sigint=False: Ctrl-C is a key here; a SIGINT sent by kill stays the service's
                    text = (await session.prompt_async(PROMPT, handle_sigint=False)).strip()
                except (KeyboardInterrupt, EOFError):  # Ctrl-C, Ctrl-D: stop the service
                    return
                if text in QUIT_WORDS:
                    return
                if text:
                    print(await answer_line(runner, context, text, console=console))
        finally:
            restore()


@contextlib.contextmanager
def _printed_above_the_prompt():
    """prompt_toolkit's patch_stdout, with a short flush pause so that a stop is not held up."""
    from prompt_toolkit.patch_stdout import StdoutProxy

    with StdoutProxy(raw=True, sleep_between_writes=FLUSH_PAUSE) as proxy:
        stdout, stderr = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = proxy
        try:
            yield
        finally:
            sys.stdout, sys.stderr = stdout, stderr


def _history():
    """The console's history file, ~/.local/state/watchdesk/history (WATCHDESK_HISTORY overrides)."""
    from prompt_toolkit.history import FileHistory, InMemoryHistory

    path = Path(os.environ.get("WATCHDESK_HISTORY") or
                Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "watchdesk" / "history")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
        return FileHistory(str(path))
    except OSError:
        return InMemoryHistory()


def _log_to(stream) -> callable:
    """Point the log handlers that write to the real terminal at `stream` (the patched one, which
    prints above the prompt); return the function that points them back."""
    moved = []
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler) and handler.stream in (sys.__stderr__, sys.__stdout__):
            moved.append((handler, handler.setStream(stream)))
    return lambda: [handler.setStream(previous) for handler, previous in moved]


async def answer_line(runner, context: CommandContext, text: str, *, console: ConsoleAdapter | None = None) -> str:
    """Answer one typed command line as text (`help` and `help <command>` included)."""
    words = text.split()
    if words and words[0].lstrip("/") == "watch":
        words = words[1:]
    if words and words[0] in ("help", "?"):
        return help_text(words[1] if len(words) > 1 else None)
    if words[:1] == ["act"] and console is not None:
        return await answer_action(runner, context, console, words[1:])
    try:
        name, args = parse_command_text(text)
    except ValueError as exc:
        return f"error: {exc}"
    return render_text(await runner.run(context, name, args))


def help_text(command: str | None = None) -> str:
    """Every command with what it does and an example; or one command's usage and arguments."""
    from bot.commands import REGISTRY

    if command is None:
        lines = ["commands (also as /watch <command>):"]
        for declared in REGISTRY.values():
            lines.append(f"  {declared.usage()}")
            lines.append(f"      {declared.help} · e.g. {declared.example}")
        lines.append("act <message> <action> [<option>]: press a button of an alert shown here, e.g. act 1 4")
        lines.append("help <command>: its arguments · quit, Ctrl-C or Ctrl-D: stop watchdesk")
        return "\n".join(lines)
    declared = REGISTRY.get(command.lstrip("/").lower())
    if declared is None:
        return f"error: unknown command {command!r}; `help` lists them: {', '.join(REGISTRY)}"
    lines = [f"usage: {declared.usage()}", declared.help]
    if declared.arguments:
        lines.append("arguments:")
        for argument in declared.arguments:
            extra = "" if argument.required else f" (optional{f', default {argument.default}' if argument.default else ''})"
            lines.append(f"  {argument.metavar or argument.name}: {argument.help}{extra}")
    lines.append(f"example: {declared.example}")
    return "\n".join(lines)


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
