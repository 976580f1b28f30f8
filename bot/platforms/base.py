"""The adapter protocol every chat platform implements, and the command runner it calls."""

from __future__ import annotations

from typing import Protocol

from bot.models import CommandContext, Reply

# The /watch subcommands and their arguments, in order. Adapters build their menus from this.
SUBCOMMANDS: dict[str, tuple[str, ...]] = {
    "lookup": ("entity",),
    "search": ("query", "since"),
    "digest": ("period",),
    "track": ("target",),
    "untrack": ("target",),
    "tracking": (),
    "feeds": (),
    "why": ("item",),
    "status": (),
    "trend": ("entity", "days"),
}
OPTIONAL_ARGUMENTS = {"since", "period", "days"}
MANAGE_COMMANDS = {"track", "untrack"}


class CommandRunner(Protocol):
    """What an adapter calls to answer a command; the neutral layer implements it."""

    async def run(self, ctx: CommandContext, name: str, args: dict[str, str]) -> Reply:
        """Answer subcommand `name`; user mistakes come back as a Reply with error=True."""

    async def complete(self, ctx: CommandContext, argument: str, prefix: str) -> list[tuple[str, str]]:
        """Suggest (label, value) pairs for an argument being typed."""


class Adapter(Protocol):
    """A chat platform: answers commands and sends what the outbox gives it."""

    platform: str

    async def start(self) -> None:
        """Connect and start answering commands."""

    async def stop(self) -> None:
        """Disconnect cleanly."""

    async def send(self, channel_id: str, reply: Reply) -> str:
        """Post `reply` to a channel and return the platform's message id.

        Raises DeliveryError (retry later, honouring retry_after) or PermanentDeliveryError.
        """

    async def edit(self, channel_id: str, message_id: str, reply: Reply) -> None:
        """Replace a message this adapter sent earlier, without a new notification."""
