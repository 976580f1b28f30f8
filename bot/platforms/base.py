"""The adapter protocol every chat platform implements, and the command runner it calls."""

from __future__ import annotations

import logging
import re
import shlex
from dataclasses import replace
from typing import Protocol

from bot.actions import MANAGE_ACTIONS  # noqa: F401 - alert buttons that change what a channel hears
from bot.commands import REGISTRY, personal_channel
from bot.models import CommandContext, Reply

# Views of bot.commands.REGISTRY for the adapters: each subcommand's arguments in order, and the
# subcommands that need the right to manage the server or workspace.
SUBCOMMANDS: dict[str, tuple[str, ...]] = {name: tuple(argument.name for argument in command.arguments)
                                           for name, command in REGISTRY.items()}
MANAGE_COMMANDS = {name for name, command in REGISTRY.items() if command.manage}
# custom_id / action_id of an alert's buttons and of the menus they open (Discord allows 100 characters)
BUTTON_ID = re.compile(r"watchdesk:(?P<action>why|track|mute|irrelevant):(?P<item>[0-9a-f]{6,40})")
MENU_ID = re.compile(r"watchdesk:pick:(?P<action>track|mute|irrelevant|follow):(?P<item>[0-9a-f]{6,40})")
ANY_ACTION_ID = re.compile(r"^watchdesk:(?:pick:)?(?:why|track|mute|irrelevant|follow):[0-9a-f]{6,40}$")


def button_id(name: str, item_id: str) -> str:
    """The custom id of an alert's button: the action and the item, so a click needs no memory."""
    return f"watchdesk:{name}:{item_id}"


def menu_id(name: str, item_id: str) -> str:
    """The custom id of the menu a button opens."""
    return f"watchdesk:pick:{name}:{item_id}"


class CommandRunner(Protocol):
    """What an adapter calls to answer a command; the neutral layer implements it."""

    async def run(self, ctx: CommandContext, name: str, args: dict[str, str]) -> Reply:
        """Answer subcommand `name`; user mistakes come back as a Reply with error=True."""

    async def complete(self, ctx: CommandContext, argument: str, prefix: str) -> list[tuple[str, str]]:
        """Suggest (label, value) pairs for an argument being typed."""

    async def home(self, ctx: CommandContext) -> Reply:
        """What the user's personal watchlist and the platform's channels track (an App Home tab)."""

    async def act(self, ctx: CommandContext, name: str, item_id: str, value: str | None = None) -> Reply:
        """Answer a click on an alert's button `name` (why, track, mute, irrelevant) or a pick from its menu."""


class Adapter(Protocol):
    """A chat platform: answers commands and sends what the outbox gives it."""

    platform: str

    async def start(self) -> None:
        """Connect and start answering commands."""

    async def stop(self) -> None:
        """Disconnect cleanly."""

    @property
    def connected(self) -> bool:
        """True while messages can be sent (False while the library reconnects)."""

    async def wait_closed(self) -> str:
        """Return, with a reason, once the connection has ended for good (start() must be called again)."""

    async def send(self, channel_id: str, reply: Reply, *, idempotency_key: str | None = None) -> str:
        """Post `reply` to a channel and return the platform's message id.

        The outbox row's key comes along so the platform can refuse a second copy after a crash.

        Raises DeliveryError (retry later, honouring retry_after) or PermanentDeliveryError.
        """

    async def edit(self, channel_id: str, message_id: str, reply: Reply) -> None:
        """Replace a message this adapter sent earlier, without a new notification."""


def parse_command_text(text: str) -> tuple[str, dict[str, str]]:
    """Split typed text ("/watch search "spin boldak" 7d") into a subcommand and its arguments.

    Optional arguments are recognised by their registered shape at the end (7d, 24h, 30); `name:value`
    or `name=value` set any argument explicitly; the required argument (else an optional one with no
    shape) takes the other words.
    Raises ValueError with a readable reason for an unknown subcommand or unbalanced quotes.
    """
    try:
        words = shlex.split(text.strip())
    except ValueError as exc:
        raise ValueError(f"cannot read the command: {exc}") from exc
    if words and words[0].lstrip("/") == "watch":
        words = words[1:]
    if not words:
        raise ValueError("no subcommand given; try: " + ", ".join(SUBCOMMANDS))
    name, words = words[0].lower(), words[1:]
    if name not in SUBCOMMANDS:
        raise ValueError(f"unknown subcommand {name!r}; try: " + ", ".join(SUBCOMMANDS))
    declared = SUBCOMMANDS[name]
    optional = [argument for argument in REGISTRY[name].arguments if not argument.required]
    args: dict[str, str] = {}
    positional = []
    for word in words:
        key, sep, value = word.partition(":") if ":" in word else word.partition("=")
        if sep and key in declared and value:
            args[key] = value
        else:
            positional.append(word)
    for argument in reversed(optional):
        if argument.name not in args and positional and argument.looks_like(positional[-1]):
            args[argument.name] = positional.pop()
    required = [argument.name for argument in REGISTRY[name].arguments if argument.required and argument.name not in args]
    rest = [argument.name for argument in optional if not argument.shape and argument.name not in args]
    if required and positional:
        args[required[0]] = " ".join(positional)
    elif positional and rest:  # an optional argument of any shape takes the other words ("incidents lakki marwat")
        args[rest[0]] = " ".join(positional)
    elif positional:
        raise ValueError(f"{name} takes no argument {' '.join(positional)!r}")
    return name, args


_parts_log = logging.getLogger("bot.platforms")


class PartsLedger:
    """What was found of a long message that a crash cut short, so `send` posts only the rest.

    Keyed by (channel, outbox key); each entry maps a part's index to the id the platform gave it.
    """

    def __init__(self) -> None:
        self._found: dict[tuple[str, str], dict[int, str]] = {}

    def take(self, channel_id: str, key: str | None) -> dict[int, str]:
        """The parts already posted for this message (forgotten once taken)."""
        return self._found.pop((channel_id, key), {}) if key else {}

    def remember(self, channel_id: str, key: str, found: dict[int, str]) -> None:
        self._found[(channel_id, key)] = found

    def settle(self, channel_id: str, key: str, found: dict[int, str], parts: int) -> str | None:
        """Part 0's id when every part was posted; else None, remembering the parts that were."""
        if all(part in found for part in range(parts)):
            return found[0]
        self.remember(channel_id, key, found)
        _parts_log.info("%s was cut short after %d of %d messages; the rest will be sent",
                        key, len(found), parts)
        return None


def direct_click(ctx: CommandContext) -> CommandContext:
    """A click on an alert in a direct message: it acts on the clicker's personal watchlist.

    Personal alerts are the only ones sent by DM. Track there tracks personally and Mute mutes the
    watchlist (where the alerts are addressed), and neither needs a server right, as
    `/watch track ... personal` needs none.
    """
    return replace(ctx, channel_id=personal_channel(ctx.user_id), can_manage=True)
