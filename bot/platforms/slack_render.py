"""Render a Reply as Slack Block Kit messages, escaped and within Slack's limits.

Nothing in a Reply is markup: every text goes through `escape`, so feed text cannot produce
`<!channel>`, `<@U...>`, labelled links, bold, italic, strike or code. The only `<url|label>`
links are the ones watchdesk writes for a reply's or a section's own url (a bare URL in the text
still shows its own address, as digest lines rely on); only `Reply.mentions` (user-group ids
such as S0123) are turned into `<!subteam^ID>` pings. Long replies are split into several
messages; text that cannot be split is cut at a word boundary, and a section's link is always kept.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from bot.models import Reply, Section
from bot.platforms.base import button_id, menu_id

MAX_BLOCKS = 50
MAX_HEADER = 150
MAX_SECTION_TEXT = 3000
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_CONTEXT_TEXT = 3000
MAX_FALLBACK = 300  # Slack allows 40,000; the fallback only feeds notifications
MAX_MESSAGES = 5  # a response_url accepts five messages
MAX_URL = 2000
MAX_LINK_LABEL = 300
MAX_BUTTON_TEXT = 75
MAX_OPTIONS = 25  # Slack allows 100; watchdesk offers what Discord allows
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_PLACEHOLDER = 150
ELLIPSIS = "…"
TOO_LONG = f"{ELLIPSIS} the rest of this reply is too long for Slack"

_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
# Slack's mrkdwn has no backslash escape, and only ASCII * _ ~ ` open bold, italic, strike and
# code; a look-alike character is therefore inert whatever the neighbouring characters are
# (a zero-width character next to the marker only works if Slack happens to class it the way
# one hopes). Between two ASCII letters or digits (user_not_found, a*b) * _ ~ cannot open or close
# anything and stay as they are, so identifiers and URLs read and copy unchanged.
_LOOK_ALIKE = {
    "*": "\u2217",  # ∗ ASTERISK OPERATOR
    "_": "\u02cd",  # ˍ MODIFIER LETTER LOW MACRON
    "~": "\u223c",  # ∼ TILDE OPERATOR
    "`": "\u02cb",  # ˋ MODIFIER LETTER GRAVE ACCENT
}
_MARKER = re.compile(r"`|(?<![A-Za-z0-9])[*_~]|[*_~](?![A-Za-z0-9])")
# A line-start ">" is a quote even when sent as "&gt;": it gets a look-alike arrowhead.
_QUOTE = re.compile(r"^([ \t]*)>", re.MULTILINE)
# A bare URL is left whole (Slack links it showing its own address); a look-alike would break it.
_URL = re.compile(r"(https?://[^\s<>|*`]+)")
QUOTE_LOOK_ALIKE = "\u02c3"  # ˃ MODIFIER LETTER RIGHT ARROWHEAD
_GROUP_ID = re.compile(r"^S[A-Z0-9]{2,}$")
_SPACE = re.compile(r"\s")

Message = tuple[str, list[dict]]


def escape(text: str) -> str:
    """Make feed text inert in mrkdwn: no formatting, no `<...>` control sequence, no ping.

    Slack has no escape character, so the formatting characters * _ ~ ` become look-alike
    characters (see _LOOK_ALIKE), except * _ ~ inside a word and anything in a bare URL; a
    line-start ">" becomes "˃"; `&`, `<` and `>` become `&amp;`, `&lt;` and `&gt;` (Slack's
    only entities); and bare @channel/@here/@everyone get a zero-width space after the "@".
    """
    parts = _URL.split(text)
    for index in range(0, len(parts), 2):  # the odd parts are URLs
        parts[index] = _MARKER.sub(lambda match: _LOOK_ALIKE[match.group()], parts[index])
    text = _QUOTE.sub("\\1" + QUOTE_LOOK_ALIKE, "".join(parts))
    return escape_entities(text)


def escape_entities(text: str) -> str:
    """Escape `&`, `<`, `>` and defuse broadcast words: enough for plain_text, which shows
    formatting characters as they are."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub("@\u200b\\1", text)


def link(url: str, label: str) -> str:
    """A `<url|label>` link with both parts escaped; a non-web or oversized URL gives the label."""
    label = truncate(escape(label or _host(url)), MAX_LINK_LABEL)
    if urlsplit(url).scheme.lower() not in ("http", "https") or len(url) > MAX_URL:
        return label
    target = url.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")
    return f"<{target}|{label}>"


def truncate(text: str, limit: int) -> str:
    """Cut escaped `text` to `limit` characters at a word boundary, ending with an ellipsis."""
    if len(text) <= limit:
        return text
    head = text[: max(limit - len(ELLIPSIS), 0)]
    boundary = max((match.start() for match in _SPACE.finditer(head)), default=-1)
    if boundary > limit // 2:
        head = head[:boundary]
    else:
        head = _outside_entity(head)
    return head.rstrip() + ELLIPSIS


def split_text(text: str, limit: int) -> list[str]:
    """Split escaped `text` into pieces of at most `limit` characters, at line or word ends."""
    pieces = []
    while len(text) > limit:
        head = text[:limit]
        cut = head.rfind("\n")
        if cut <= limit // 2:
            cut = max((match.start() for match in _SPACE.finditer(head)), default=-1)
        if cut <= limit // 2:
            cut = len(_outside_entity(head))
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        pieces.append(text)
    return [piece for piece in pieces if piece]


def _outside_entity(head: str) -> str:
    """Drop a trailing, partly cut `&amp;`-style entity."""
    amp = head.rfind("&", max(len(head) - 5, 0))
    if amp != -1 and ";" not in head[amp:]:
        return head[:amp]
    return head


def _host(url: str) -> str:
    return urlsplit(url).hostname or url


def _mrkdwn(text: str) -> dict:
    return {"type": "mrkdwn", "text": text}


def _section(text: str) -> dict:
    return {"type": "section", "text": _mrkdwn(text)}


def _context(text: str) -> dict:
    return {"type": "context", "elements": [_mrkdwn(truncate(text, MAX_CONTEXT_TEXT))]}


def _mentions(reply: Reply) -> str:
    return " ".join(f"<!subteam^{group}>" for group in reply.mentions if _GROUP_ID.match(group))


def _intro_blocks(reply: Reply) -> list[dict]:
    blocks: list[dict] = []
    mentions = _mentions(reply)
    if mentions:
        blocks.append(_section(mentions))
    body = escape(reply.text.strip())
    if reply.error:
        title = escape(reply.title.strip())
        lead = ":warning: " + (f"*{truncate(title, MAX_HEADER)}*\n" if title else "")
        return blocks + [_section((lead + truncate(body, MAX_SECTION_TEXT - len(lead))).rstrip())]
    if reply.title.strip():
        header = truncate(escape_entities(reply.title.strip()), MAX_HEADER)
        blocks.append({"type": "header", "text": {"type": "plain_text", "text": header}})
    if reply.url:
        blocks.append(_context(":link: " + link(reply.url, _host(reply.url))))
    blocks.extend(_section(piece) for piece in split_text(body, MAX_SECTION_TEXT))
    return blocks


def _section_blocks(section: Section) -> list[dict]:
    if section.url:
        heading = f"*{link(section.url, section.title.strip())}*"
    else:
        title = truncate(escape(section.title.strip()), MAX_LINK_LABEL)
        heading = f"*{title}*" if title else ""
    body = escape(section.text.strip())
    room = MAX_SECTION_TEXT - len(heading) - 1
    text = "\n".join(part for part in (heading, truncate(body, max(room, 0)) if body else "") if part)
    blocks = []
    fields = [
        _mrkdwn(truncate(f"*{truncate(escape(field.name), 200)}*\n{escape(field.value)}", MAX_FIELD_TEXT))
        for field in section.fields
    ]
    for start in range(0, max(len(fields), 1), MAX_FIELDS):
        block: dict = {"type": "section"}
        if start == 0 and text:
            block["text"] = _mrkdwn(text)
        if fields[start : start + MAX_FIELDS]:
            block["fields"] = fields[start : start + MAX_FIELDS]
        if len(block) > 1:
            blocks.append(block)
    return blocks


def _plain(text: str, limit: int) -> dict:
    return {"type": "plain_text", "text": truncate(escape_entities(text), limit) or ELLIPSIS}


def _action_blocks(reply: Reply) -> list[dict]:
    """An `actions` block with the reply's buttons (an alert's Why, Track, Mute, Not relevant), and
    one with its menu; the action_id carries the action and the item, so a click needs no memory."""
    blocks = []
    if reply.actions:
        blocks.append({"type": "actions", "block_id": "watchdesk_actions", "elements": [
            {"type": "button", "action_id": button_id(action.name, action.item_id),
             "text": _plain(action.label, MAX_BUTTON_TEXT), "value": action.item_id}
            for action in reply.actions]})
    menu = reply.menu
    if menu is not None and menu.options:
        blocks.append({"type": "actions", "block_id": "watchdesk_menu", "elements": [
            {"type": "static_select", "action_id": menu_id(menu.name, menu.item_id),
             "placeholder": _plain(menu.placeholder, MAX_PLACEHOLDER),
             "options": [{"text": _plain(label, MAX_OPTION_TEXT), "value": value[:MAX_OPTION_VALUE]}
                         for label, value in menu.options[:MAX_OPTIONS]]}]})
    return blocks


def _groups(reply: Reply) -> list[list[dict]]:
    """Blocks in groups that should stay in one message: the intro, each section, the footer, the buttons."""
    groups = [_intro_blocks(reply)]
    groups.extend(_section_blocks(section) for section in reply.sections)
    if reply.footer.strip():
        groups.append([_context(escape(reply.footer.strip()))])
    groups.append(_action_blocks(reply))
    return [group for group in groups if group]


def _fallback(reply: Reply, part: int, parts: int) -> str:
    title = reply.title.strip() or reply.text.strip() or "watchdesk"
    text = truncate(escape(title), MAX_FALLBACK)
    if part == 0:
        mentions = _mentions(reply)
        return f"{mentions} {text}" if mentions else text
    return f"{text} ({part + 1}/{parts})"


def render_messages(reply: Reply) -> list[Message]:
    """Render `reply` as one or more (fallback_text, blocks) messages, each within Slack limits."""
    messages: list[list[dict]] = [[]]
    for group in _groups(reply):
        if messages[-1] and len(messages[-1]) + len(group) > MAX_BLOCKS:
            messages.append([])
        for block in group:
            if len(messages[-1]) == MAX_BLOCKS:
                messages.append([])
            messages[-1].append(block)
    if len(messages) > MAX_MESSAGES:
        messages = messages[:MAX_MESSAGES]
        messages[-1] = messages[-1][: MAX_BLOCKS - 1] + [_context(TOO_LONG)]
    if not messages[0]:
        messages[0] = [_section(truncate(escape(reply.title.strip() or "(empty)"), MAX_SECTION_TEXT))]
    return [(_fallback(reply, index, len(messages)), blocks) for index, blocks in enumerate(messages)]


def render_blocks(reply: Reply) -> Message:
    """Render `reply` as a single message (for edits): what does not fit is cut with a note."""
    blocks = [block for group in _groups(reply) for block in group]
    if len(blocks) > MAX_BLOCKS:
        blocks = blocks[: MAX_BLOCKS - 1] + [_context(TOO_LONG)]
    if not blocks:
        blocks = [_section(truncate(escape(reply.title.strip() or "(empty)"), MAX_SECTION_TEXT))]
    return _fallback(reply, 0, 1), blocks
