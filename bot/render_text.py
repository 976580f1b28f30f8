"""Render a Reply, or a poll pass, as plain terminal text (console adapter, one-shot CLI commands, the demo)."""

from __future__ import annotations

import textwrap

WIDTH = 100


def render_text(reply, *, message_id: str | None = None, pressed: str = "") -> str:
    """A Reply as indented plain text; links on their own lines, mentions shown as @role.

    A console message's buttons are numbered actions (`act MESSAGE N` presses one); a menu's
    options are numbered after the action that opened it (`pressed`, e.g. "act 3 2").
    """
    lines = []
    prefix = "error: " if reply.error else ""
    lines.append(prefix + reply.title)
    if reply.mentions:
        lines.append("  mentions: " + " ".join(f"@role:{role}" for role in reply.mentions))
    if reply.text:
        lines.extend(_wrap(reply.text, "  "))
    if reply.url:
        lines.append(f"  {reply.url}")
    for section in reply.sections:
        if section.title:
            lines.append(f"  • {section.title}")
        if section.text:
            lines.extend(_wrap(section.text, "    "))
        for field in section.fields:
            lines.extend(_wrap(f"{field.name}: {field.value}", "    "))
        if section.url and section.url != reply.url:
            lines.append(f"    {section.url}")
    if reply.file:
        lines.append(f"  file: {reply.file}")
    if reply.footer:
        lines.append(f"  — {reply.footer}")
    if reply.actions:
        how = f" (act {message_id} N)" if message_id else ""
        lines.append(f"  actions{how}: " + "  ".join(f"[{number}] {action.label}"
                                                    for number, action in enumerate(reply.actions, 1)))
    if reply.menu is not None and reply.menu.options:
        how = f" ({pressed} N)" if pressed else ""
        lines.append(f"  {reply.menu.placeholder}{how}:")
        lines.extend(f"    [{number}] {label}" for number, (label, _) in enumerate(reply.menu.options, 1))
    return "\n".join(lines)


def _wrap(text: str, indent: str) -> list[str]:
    out = []
    for paragraph in str(text).splitlines() or [""]:
        # A URL (or any long word) is never broken: a line may run past WIDTH rather than cut a link.
        out.extend(textwrap.wrap(paragraph, WIDTH, initial_indent=indent, subsequent_indent=indent,
                                 break_long_words=False, break_on_hyphens=False) or [indent])
    return out


def format_pass(summary) -> str:
    """Summarise a poll pass for a terminal."""
    lines = [
        f"polled {len(summary.results)} feeds: {summary.ok} ok, {summary.failing} failing; "
        f"{summary.new_items} new items, {summary.new_stories} new stories "
        f"({summary.stored} stored, first-poll baselines included)"
    ]
    if summary.matched:
        lines.append(f"matched {summary.matched} stored items that waited for it (first-poll baselines)")
    if summary.outage:
        lines.append("network outage: nearly every feed failed at once; no feed was penalised")
    for result in summary.results:
        if result.outcome == "error":
            lines.append(f"  failing  {result.feed_id:<16} {result.error}")
    for feed_id, before, after in summary.state_changes:
        lines.append(f"  state    {feed_id:<16} {before} -> {after}")
    return "\n".join(lines)
