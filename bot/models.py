"""Plain frozen dataclasses that cross module boundaries.

No feedparser dict, Slack body or discord.Interaction ever leaves the module that received it:
they are turned into these first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import NamedTuple


@dataclass(frozen=True)
class Feed:
    """A feed as configured in feeds.yml."""

    id: str
    url: str
    name: str
    interval: float  # seconds
    timeout: float  # seconds
    max_bytes: int
    tags: tuple[str, ...] = ()
    enabled: bool = True


@dataclass(frozen=True)
class Item:
    """One entry of a feed, cleaned: text normalised, dates in UTC."""

    feed_id: str
    dedup_key: str
    guid: str | None
    link: str | None
    title: str
    summary: str
    published_at: datetime
    fetched_at: datetime
    author: str | None = None
    source: str = "feed"

    @property
    def id(self) -> str:
        """Stable id of the item: a hash of its feed and dedup key."""
        import hashlib

        return hashlib.sha1(f"{self.feed_id}\x00{self.dedup_key}".encode()).hexdigest()[:16]


class Match(NamedTuple):
    """One entity mention in a text: which alias, where, and the rule that accepted it.

    `start` and `end` index the matched text (title, a newline, then summary). A named tuple:
    the matcher makes many of them.
    """

    entity: str
    alias: str
    start: int
    end: int
    rule: str = "alias"


@dataclass(frozen=True)
class ThemeScore:
    """A theme an item is about, its score and the cues that fired."""

    theme: str
    score: float
    cues: tuple[str, ...] = ()


@dataclass(frozen=True)
class MatchResult:
    """Everything the matcher found in one item."""

    entities: tuple[str, ...]
    themes: tuple[ThemeScore, ...]
    matches: tuple[Match, ...]

    @property
    def theme_ids(self) -> tuple[str, ...]:
        """Ids of the themes, best first."""
        return tuple(score.theme for score in self.themes)


@dataclass(frozen=True)
class Field:
    """A labelled value inside a reply section."""

    name: str
    value: str
    inline: bool = False


@dataclass(frozen=True)
class Section:
    """One block of a reply: a heading, plain text, an optional link and fields."""

    title: str = ""
    text: str = ""
    url: str | None = None
    fields: tuple[Field, ...] = ()


@dataclass(frozen=True)
class Action:
    """A button under a message: the action it runs (why, track, mute, irrelevant) on an item."""

    name: str
    item_id: str
    label: str


@dataclass(frozen=True)
class Menu:
    """A choice offered under a reply; picking an option completes action `name` on the item.

    `options` are (label, value) pairs, value "entity:<id>", "theme:<id>" or "story:<id>".
    """

    name: str
    item_id: str
    placeholder: str
    options: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Reply:
    """What a command, an alert or a digest says, platform-neutral and in plain text.

    Renderers escape all text: nothing in a Reply is markup. `mentions` holds the only
    role ids a renderer may ping.
    """

    title: str
    text: str = ""
    sections: tuple[Section, ...] = ()
    footer: str = ""
    url: str | None = None
    ephemeral: bool = False
    error: bool = False
    file: Path | None = None
    mentions: tuple[str, ...] = field(default=())
    data: dict | None = field(default=None, compare=False)  # the same answer as plain data, for --json
    actions: tuple[Action, ...] = ()  # buttons on the message (an alert's Why, Track, Mute, Not Relevant)
    menu: Menu | None = None


@dataclass(frozen=True)
class CommandContext:
    """Who asked, and where: the part of a chat event the neutral commands may see."""

    platform: str  # "discord" | "slack" | "console"
    channel_id: str
    user_id: str = ""
    can_manage: bool = False


def reply_to_dict(reply: Reply) -> dict:
    """A JSON-ready form of a Reply, for the outbox."""
    return {
        "title": reply.title, "text": reply.text, "footer": reply.footer, "url": reply.url,
        "ephemeral": reply.ephemeral, "error": reply.error,
        "file": str(reply.file) if reply.file else None, "mentions": list(reply.mentions),
        "sections": [{"title": s.title, "text": s.text, "url": s.url,
                      "fields": [[f.name, f.value, f.inline] for f in s.fields]} for s in reply.sections],
        **({"actions": [[a.name, a.item_id, a.label] for a in reply.actions]} if reply.actions else {}),
    }


def reply_from_dict(data: dict) -> Reply:
    """Rebuild a Reply stored with `reply_to_dict`."""
    sections = tuple(Section(title=s.get("title", ""), text=s.get("text", ""), url=s.get("url"),
                             fields=tuple(Field(*f) for f in s.get("fields", ())))
                     for s in data.get("sections", ()))
    return Reply(title=data.get("title", ""), text=data.get("text", ""), sections=sections,
                 footer=data.get("footer", ""), url=data.get("url"), ephemeral=data.get("ephemeral", False),
                 error=data.get("error", False), file=Path(data["file"]) if data.get("file") else None,
                 mentions=tuple(data.get("mentions", ())),
                 actions=tuple(Action(*action) for action in data.get("actions", ())))
