"""The buttons on every alert, platform-neutral: Why, Track, Mute 24h and Not relevant.

    alert_actions(item_id)                  the buttons an alert carries (renderers draw them)
    run_action(deps, ctx, name, item, value) a click (value None) or a pick from its menu -> Reply

A click on Track or Mute answers with a menu of the alert's entities and themes (and, for
Mute, the story first); picking one does it. Track and Mute change what a channel hears, so they need
the same right as `/watch track`; Why and Not relevant are open to everyone and answered only
to the user who clicked. Not relevant is recorded at once against the whole alert; its menu can
then name the entity or theme that misfired.
"""

from __future__ import annotations

from datetime import timedelta

from bot.errors import CommandError
from bot.models import Action, CommandContext, Field, Menu, Reply, Section
from store import feedback

ACTIONS = {"why": "Why", "track": "Track", "mute": "Mute 24h", "irrelevant": "Not Relevant"}
MANAGE_ACTIONS = {"track", "mute"}
MUTE_HOURS = 24
MENU_OPTIONS = 25  # Discord's limit on a select's options
LABEL_LIMIT = 75  # Slack's limit on an option's text (Discord allows 100)


def alert_actions(item_id: str) -> tuple[Action, ...]:
    """The buttons under an alert about this item."""
    return tuple(Action(name, item_id, label) for name, label in ACTIONS.items())


def refusal(name: str) -> str:
    """Why a user without the right may not use a button."""
    return f"{ACTIONS.get(name, name)} changes what this channel is alerted about: it needs the right to use /watch track."


async def run_action(deps, ctx: CommandContext, name: str, item_id: str, value: str | None = None) -> Reply:
    """Answer a click on button `name` of the alert about `item_id` (or a pick `value` from its menu)."""
    if name not in ACTIONS and name != "follow":  # follow: a personal Track, from a message's menu
        raise CommandError(f"unknown action {name!r}")
    if name in MANAGE_ACTIONS and not ctx.can_manage:
        raise CommandError(refusal(name))
    item = feedback.item_story(deps.db, item_id)
    if item is None:
        raise CommandError("this alert's item is no longer stored")
    if name == "why":
        return await _why(deps, ctx, item)
    if name == "irrelevant":
        return _not_relevant(deps, ctx, item, value)
    if value is None:
        return _menu(deps, name, item)
    kind, _, target = value.partition(":")
    if name in ("track", "follow"):
        personal = name == "follow" or _is_personal(ctx)
        return await _track(deps, ctx, item, kind, target, personal=personal)
    return _mute(deps, ctx, item, kind, target)


async def _why(deps, ctx: CommandContext, item: dict) -> Reply:
    from bot.commands import REGISTRY

    reply = await REGISTRY["why"].handler(deps, ctx, item=item["item_id"])
    return Reply(title=reply.title, text=reply.text, sections=reply.sections, footer=reply.footer, ephemeral=True)


def _targets(deps, item: dict) -> list[tuple[str, str]]:
    """(label, value) for each entity and theme the item matched."""
    label = deps.resolver.label
    return ([(label("entity", entity), f"entity:{entity}") for entity in item["entities"]]
            + [(label("theme", theme), f"theme:{theme}") for theme in item["themes"]])


def _menu(deps, name: str, item: dict) -> Reply:
    options = _targets(deps, item)
    if name == "mute":  # the story, each entity, and each theme (the alert may have come from one)
        options = [("This story", f"story:{item['story_id']}")] + options
        title = "Mute for 24 hours in this channel:"
        placeholder = "This story, an entity or a theme" if item["themes"] else "This story, or an entity"
    elif name == "follow":
        title, placeholder = "Track for yourself (alerts by direct message):", "One of this alert's entities or themes"
    else:
        title, placeholder = "Track in this channel:", "One of this alert's entities or themes"
    if not options:
        raise CommandError("this alert matched nothing that can be tracked")
    options = [(label[:LABEL_LIMIT], value) for label, value in options[:MENU_OPTIONS]]
    return Reply(title=title, text=item["title"][:200], ephemeral=True,
                 menu=Menu(name, item["item_id"], placeholder, tuple(options)))


async def _track(deps, ctx: CommandContext, item: dict, kind: str, target: str, *, personal: bool = False) -> Reply:
    from bot.commands import REGISTRY

    if (kind, target) not in {tuple(value.split(":", 1)) for _, value in _targets(deps, item)}:
        raise CommandError("pick one of this alert's entities or themes")
    reply = await REGISTRY["track"].handler(deps, ctx, target=target, scope="personal" if personal else "channel")
    return Reply(title=reply.title, text=reply.text, ephemeral=True)


def _mute(deps, ctx: CommandContext, item: dict, kind: str, target: str) -> Reply:
    if not ((kind == "story" and target == item["story_id"]) or (kind == "entity" and target in item["entities"])
            or (kind == "theme" and target in item["themes"])):
        raise CommandError("pick this story or one of this alert's entities or themes")
    now = deps.now()
    with deps.db.conn:
        feedback.mute(deps.db, platform=ctx.platform, channel_id=ctx.channel_id, target_type=kind,
                      target_id=target, until=now + timedelta(hours=MUTE_HOURS), user_id=ctx.user_id, now=now)
    what = "this story" if kind == "story" else deps.resolver.label(kind, target)
    text = ("No alert about it will be posted here until then; it still reaches the digest." if kind == "story"
            else "Until then it no longer counts as a match here (an item that matches something else this "
                 "channel tracks still alerts); items still reach the digest.")
    if _is_personal(ctx):
        return Reply(title=f"Muted {what} in your personal alerts for {MUTE_HOURS} hours", ephemeral=True,
                     text=text.replace("posted here", "sent to you").replace("this channel tracks", "you track"))
    return Reply(title=f"Muted {what} in this channel for {MUTE_HOURS} hours", text=text, ephemeral=True)


def _is_personal(ctx: CommandContext) -> bool:
    """Whether the click came from a personal alert (a direct message), which acts on the watchlist."""
    from bot.commands import personal_channel

    return ctx.channel_id == personal_channel(ctx.user_id)


def _not_relevant(deps, ctx: CommandContext, item: dict, value: str | None) -> Reply:
    where = {"item_id": item["item_id"], "platform": ctx.platform, "channel_id": ctx.channel_id,
             "user_id": ctx.user_id}
    if value is not None:
        kind, _, target = value.partition(":")
        if value not in {v for _, v in _targets(deps, item)}:
            raise CommandError("pick one of this alert's entities or themes")
        with deps.db.conn:
            feedback.record_feedback(deps.db, story_id=item["story_id"], now=deps.now(), **where)
            feedback.narrow_feedback(deps.db, target_type=kind, target_id=target, **where)
        return Reply(title=f"Noted: {deps.resolver.label(kind, target)} misfired on this alert", ephemeral=True)
    with deps.db.conn:
        added = feedback.record_feedback(deps.db, story_id=item["story_id"], now=deps.now(), **where)
    options = tuple((label[:LABEL_LIMIT], value) for label, value in _targets(deps, item)[:MENU_OPTIONS])
    title = "Noted: not relevant" if added else "You had already marked this alert not relevant"
    return Reply(title=title, text="Thank you. Which match was wrong? (optional)" if options else "Thank you.",
                 ephemeral=True,
                 menu=Menu("irrelevant", item["item_id"], "The entity or theme that misfired", options)
                 if options else None)


def feedback_summary(db, limit: int = 5) -> str:
    """"N — TTP 2, Cross-border attacks 1": the Not relevant answers and the cues they blame most."""
    total = feedback.feedback_total(db)
    counts = feedback.feedback_counts(db)[:limit]
    blamed = ", ".join(f"{row['name']} {row['count']}" for row in counts)
    return f"{total}" + (f" — {blamed}" if blamed else "")


def feedback_counts_data(db) -> dict:
    """The Not relevant answers as plain data: the total, and the count per entity and theme."""
    return {"total": feedback.feedback_total(db),
            "per_target": [{"kind": row["kind"], "id": row["id"], "count": row["count"]}
                           for row in feedback.feedback_counts(db)]}


def feedback_reply(db, since=None) -> Reply:
    """`watchdesk feedback`: Not relevant answers per entity and theme, and the latest ones."""
    counts = feedback.feedback_counts(db, since)
    per_target = "\n".join(f"{row['count']:>4}  {row['kind']:<6}  {row['name']} ({row['id']})" for row in counts)
    latest = tuple(Field((row["title"] or row["item_id"])[:200],
                         f"item {row['item_id']} · {row['created_at'][:16].replace('T', ' ')} · "
                         f"{row['platform']} {row['channel_id']} · {row['user_id']}"
                         + (f" · blames {row['target_type']} {row['target_id']}" if row["target_id"] else ""))
                   for row in feedback.latest_feedback(db))
    return Reply(title=f"Not relevant: {feedback.feedback_total(db)} answers",
                 sections=(Section(title="Per entity and theme (an answer counts against each match it names)",
                                   text=per_target or "none yet"),
                           Section(title="Latest", fields=latest)))
