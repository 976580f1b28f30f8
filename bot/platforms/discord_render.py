"""Render a platform-neutral Reply as Discord messages, within Discord's limits.

A Reply becomes embeds: one for its title and text, one per section (more when a section has
more fields than an embed holds), the footer on the last one. Embeds are packed into messages
of at most 10 embeds and 6000 characters; long text is cut at a word boundary with "…".
All text is plain: Discord markdown is escaped and @everyone, @here and raw mention syntax are
broken with a zero-width space. The only pings are the role ids in Reply.mentions, written into
the first message's content (allowed_mentions, set by the adapter, decides whether they ping).
"""

from __future__ import annotations

import logging

import discord
from discord.utils import escape_markdown, escape_mentions

from bot.models import Field, Reply, Section

log = logging.getLogger(__name__)

CONTENT_LIMIT = 2000
EMBEDS_PER_MESSAGE = 10
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELDS_PER_EMBED = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
MESSAGE_EMBED_TEXT_LIMIT = 6000
URL_LIMIT = 2048
ELLIPSIS = "…"
EMPTY = "\u200b"  # Discord refuses empty field names and values
ERROR_COLOUR = discord.Colour.red()


def plain(text: str) -> str:
    """Escape feed text so Discord shows it literally and nobody gets pinged."""
    return escape_markdown(escape_mentions(text or ""))


def clip(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` characters at a word boundary, ending with "…"."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS)]
    boundary = max(cut.rfind(" "), cut.rfind("\n"))
    if boundary >= limit // 2:
        cut = cut[:boundary]
    cut = cut.rstrip()
    trailing = len(cut) - len(cut.rstrip("\\"))
    if trailing % 2:  # never leave half of an escape sequence
        cut = cut[:-1]
    return cut + ELLIPSIS


def safe_url(url: str | None) -> str | None:
    """Return `url` if Discord accepts it as an embed link, otherwise None."""
    if url and url.startswith(("http://", "https://")) and len(url) <= URL_LIMIT:
        return url
    if url:
        log.debug("dropping a link Discord would refuse: %.80s", url)
    return None


def render_messages(reply: Reply) -> list[dict]:
    """Render `reply` as one or more messages, each dict(content=..., embeds=[...])."""
    colour = ERROR_COLOUR if reply.error else None
    embeds = _section_embeds(Section(reply.title, reply.text, reply.url), colour)
    for section in reply.sections:
        embeds.extend(_section_embeds(section, colour))
    if reply.footer:
        _add_footer(embeds, clip(plain(reply.footer), FOOTER_LIMIT), colour)
    content = " ".join(f"<@&{role}>" for role in reply.mentions)[:CONTENT_LIMIT] or None
    messages = [{"content": content, "embeds": batch} for batch in _pack(embeds)]
    if not messages:
        messages = [{"content": content or plain(reply.title) or EMPTY, "embeds": []}]
    elif content:
        for message in messages[1:]:
            message["content"] = None
    return messages


def render_reply(reply: Reply) -> dict:
    """Render `reply` as a single message; parts beyond one message are left out."""
    messages = render_messages(reply)
    if len(messages) > 1:
        log.warning("reply %r needs %d messages; only the first is used", reply.title[:80],
                    len(messages))
    return messages[0]


def _section_embeds(section: Section, colour: discord.Colour | None) -> list[discord.Embed]:
    """Build the embeds of one section: the first carries title and text, the rest more fields."""
    url = safe_url(section.url)
    title = clip(plain(section.title) or url or "", TITLE_LIMIT) or None
    description = clip(plain(section.text), DESCRIPTION_LIMIT) or None
    embed = discord.Embed(title=title, description=description, url=url, colour=colour)
    embeds = [embed]
    for field in section.fields:
        name, value = _field_text(field)
        too_big = len(embed) + len(name) + len(value) > MESSAGE_EMBED_TEXT_LIMIT
        if len(embed.fields) >= FIELDS_PER_EMBED or too_big:
            embed = discord.Embed(url=url, colour=colour)
            embeds.append(embed)
        embed.add_field(name=name, value=value, inline=field.inline)
    return [embed for embed in embeds if len(embed) or embed.fields]


def _field_text(field: Field) -> tuple[str, str]:
    """Return a field's escaped and clipped name and value, never empty."""
    name = clip(plain(field.name), FIELD_NAME_LIMIT) or EMPTY
    value = clip(plain(field.value), FIELD_VALUE_LIMIT) or EMPTY
    return name, value


def _add_footer(embeds: list[discord.Embed], footer: str, colour: discord.Colour | None) -> None:
    """Put the footer on the last embed, or on an embed of its own if it would not fit."""
    if embeds and len(embeds[-1]) + len(footer) <= MESSAGE_EMBED_TEXT_LIMIT:
        embeds[-1].set_footer(text=footer)
    else:
        embeds.append(discord.Embed(colour=colour).set_footer(text=footer))


def _pack(embeds: list[discord.Embed]) -> list[list[discord.Embed]]:
    """Group embeds, in order, into messages of at most 10 embeds and 6000 characters."""
    batches: list[list[discord.Embed]] = []
    size = 0
    for embed in embeds:
        length = len(embed)
        full = bool(batches) and len(batches[-1]) >= EMBEDS_PER_MESSAGE
        if not batches or full or size + length > MESSAGE_EMBED_TEXT_LIMIT:
            batches.append([])
            size = 0
        batches[-1].append(embed)
        size += length
    return batches
