"""How a /watch subcommand is declared: its arguments with types, defaults and bounds, its rights, its help.

`bot.commands.REGISTRY` declares each subcommand once with these. Discord's slash commands, Slack's
and the console's typed text, the console's help, the CLI's one-shot commands and the README's
command table all derive from (or are tested against) that declaration, and `Subcommand.validate`
is the one place that turns what a user typed into a handler's typed arguments.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.errors import CommandError
from bot.models import Reply

DESCRIPTION_LIMIT = 100  # Discord's limit for a command's or an option's description


@dataclass(frozen=True)
class Argument:
    """One argument: what it is, its type, whether it is required, its default and bounds."""

    name: str
    help: str  # one line (Discord shows it): at most DESCRIPTION_LIMIT characters
    needs: str = ""  # for a required argument left out: "lookup needs <needs>, e.g. ..."
    kind: type = str  # str or int
    required: bool = True
    default: object = None
    bounds: tuple[int, int] | None = None  # inclusive, for int arguments
    shape: str | None = None  # how an optional argument looks at the end of typed text ("7d", "30")
    complete: tuple[str, ...] = ()  # what autocomplete offers for it: ("entity",) or ("entity", "theme")
    choices: tuple[str, ...] = ()  # the only values it takes, when it is one of a few words
    metavar: str = ""  # its name in usage lines, when not its own name

    def parse(self, value) -> object:
        """The typed value of what was given; CommandError when it is out of type or bounds."""
        if self.kind is int:
            text = str(value).strip()
            low, high = self.bounds or (0, 10**9)
            if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
                raise CommandError(f"{self.name} must be a number from {low} to {high}, not {value!r}")
            return int(text)
        if self.choices and str(value).strip().lower() not in self.choices:
            raise CommandError(f"{self.name} must be {' or '.join(self.choices)}, not {value!r}")
        return str(value).strip().lower() if self.choices else str(value)

    def looks_like(self, word: str) -> bool:
        """Whether a word at the end of typed text is this optional argument."""
        return bool(self.shape) and re.fullmatch(self.shape, word, re.IGNORECASE) is not None


@dataclass(frozen=True)
class Subcommand:
    """One /watch subcommand, declared once."""

    name: str
    handler: Callable[..., Awaitable[Reply]]  # handler(deps, ctx, **typed arguments)
    help: str  # one line (Discord shows it): at most DESCRIPTION_LIMIT characters
    example: str  # a complete example, without "/watch"
    arguments: tuple[Argument, ...] = ()
    manage: bool = False  # needs the right to manage the server or workspace
    cli: bool = False  # also a one-shot `watchdesk` command

    def usage(self) -> str:
        """`search <query> [since]`: the subcommand and its arguments, optional ones in brackets."""
        return " ".join([self.name, *(f"<{a.metavar or a.name}>" if a.required else f"[{a.metavar or a.name}]"
                                      for a in self.arguments)])

    def validate(self, given: dict) -> dict:
        """The handler's keyword arguments from what was given: typed, bounded, defaults filled in.

        A value of None or blank text counts as not given. Raises CommandError naming the mistake.
        """
        declared = {argument.name: argument for argument in self.arguments}
        unknown = [name for name in given if name not in declared]
        if unknown:
            takes = f"; it takes {', '.join(declared)}" if declared else ""
            raise CommandError(f"{self.name} has no argument {unknown[0]!r}{takes}")
        values = {}
        for argument in self.arguments:
            value = given.get(argument.name)
            if value is None or not str(value).strip():
                if argument.required:
                    raise CommandError(f"{self.name} needs {argument.needs or argument.name}, e.g. `{self.example}`")
                values[argument.name] = argument.default
            else:
                values[argument.name] = argument.parse(value)
        return values
