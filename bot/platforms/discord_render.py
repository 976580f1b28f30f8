"""Render a platform-neutral Reply as Discord messages, within Discord's limits.

A Reply becomes embeds: one for its title and text, one per section (more when a section has
more fields than an embed holds), the footer on the last one. Embeds are packed into messages
of at most 10 embeds and 6000 characters; long text is cut at a word boundary with "…".
All text is plain (see `plain`): no Markdown, masked link, mention, timestamp or emoji in feed
text renders. The only link with a label is the embed's own url, which watchdesk sets; the only
pings are the role ids in Reply.mentions, written into the first message's content
(allowed_mentions, set by the adapter, decides whether they ping).
"""

from __future__ import annotations

import logging
import re

import discord

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
REFERENCE_ROOM = 48  # kept free in every message for the outbox reference the adapter appends
TEXT_ROOM = MESSAGE_EMBED_TEXT_LIMIT - REFERENCE_ROOM
URL_LIMIT = 2048
ELLIPSIS = "…"
EMPTY = "\u200b"  # Discord refuses empty field names and values
ERROR_COLOUR = discord.Colour.red()


# Discord's parser takes a backslash before any ASCII punctuation as "this character, literally".
# Inline markup can start anywhere: emphasis, underline, strike (* _ ~), code (`), spoilers (|),
# masked links ([ ]), and every <...> form: <@id>, <@&id>, <#id>, <t:123:R>, <:name:id>,
# <a:name:id>, </cmd:id>, <https://...>. All of these, and the backslash itself, are escaped
# wherever they occur (discord.utils.escape_markdown escapes only a line's first "[").
_INLINE = re.compile(r"([\\*_~`|\[\]<])")
# Block markup only counts at the start of a line: headers (#, ##, ###), subtext (-#), lists
# (- * + and "1." or "1)"), block quotes (> and >>>).
_LINE_START = re.compile(r"^([ \t]*)([#>+-]|\d+(?=[.)]))", re.MULTILINE)
_BROADCAST = re.compile(r"@(everyone|here)\b", re.IGNORECASE)
# A bare URL: Discord links it showing its own address, so it is left whole (a backslash inside
# would break the link). It ends before any "[", "]", "|" or "`", which are escaped, so a masked
# link or spoiler can never hide inside something taken for a URL.
_URL = re.compile(r"((?:https?|steam)://[^\s<>\[\]|`]*[^\s<>\[\]|`.,:;\"')])")


def plain(text: str) -> str:
    """Escape feed text so Discord shows it literally: no markup, no masked link, no ping.

    Every inline markup character is backslash-escaped wherever it occurs and block markup at
    the start of a line; @everyone and @here get a zero-width space after the "@"
    (allowed_mentions blocks those pings anyway). A bare URL is left whole: Discord shows its
    own address, never other text, and digest lines carry their stories' links that way.
    """
    parts = _URL.split(text or "")
    for index in range(0, len(parts), 2):  # the odd parts are URLs
        parts[index] = _BROADCAST.sub("@\u200b\\1", _INLINE.sub(r"\\\1", parts[index]))
    return _LINE_START.sub(_escape_line_start, "".join(parts))


def _escape_line_start(match: re.Match) -> str:
    """Escape the block marker a line starts with: "# x" -> "\\# x", "1. x" -> "1\\. x"."""
    indent, marker = match.groups()
    if marker.isdigit():
        return indent + marker + "\\"  # the "." or ")" that follows is what Discord reads
    return indent + "\\" + marker


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
        _add_footer(embeds, clip(plain(reply.footer), FOOTER_LIMIT - REFERENCE_ROOM), colour)
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
        too_big = len(embed) + len(name) + len(value) > TEXT_ROOM
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
    if embeds and len(embeds[-1]) + len(footer) <= TEXT_ROOM:
        embeds[-1].set_footer(text=footer)
    else:
        embeds.append(discord.Embed(colour=colour).set_footer(text=footer))


def _pack(embeds: list[discord.Embed]) -> list[list[discord.Embed]]:
    """Group embeds, in order, into messages of at most 10 embeds and 6000 characters (less the reference's room)."""
    batches: list[list[discord.Embed]] = []
    size = 0
    for embed in embeds:
        length = len(embed)
        full = bool(batches) and len(batches[-1]) >= EMBEDS_PER_MESSAGE
        if not batches or full or size + length > TEXT_ROOM:
            batches.append([])
            size = 0
        batches[-1].append(embed)
        size += length
    return batches
