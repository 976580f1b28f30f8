"""An alert's buttons on Discord, as persistent components (discord.py `DynamicItem`).

Each button's custom_id carries the action and the item (`watchdesk:why:<item id>`), and the
menu a button opens carries the same (`watchdesk:pick:track:<item id>`). The client registers
both classes with `Client.add_dynamic_items` before it connects, so a click on an alert posted
before a restart is still answered: nothing about the message needs to be remembered.
"""

from __future__ import annotations

import logging

import discord

from bot.actions import ACTIONS
from bot.models import Reply
from bot.platforms.base import BUTTON_ID, MENU_ID, button_id, menu_id

log = logging.getLogger(__name__)

LABEL_LIMIT = 80  # a button's label
OPTION_LIMIT = 100  # an option's label and value
PLACEHOLDER_LIMIT = 150
OPTIONS_PER_MENU = 25


class AlertButton(discord.ui.DynamicItem[discord.ui.Button], template=BUTTON_ID):
    """Why, Track, Mute 24h or Not relevant, on one alert."""

    def __init__(self, action: str, item_id: str, label: str = "") -> None:
        style = discord.ButtonStyle.primary if action == "why" else discord.ButtonStyle.secondary
        super().__init__(discord.ui.Button(label=(label or ACTIONS[action])[:LABEL_LIMIT], style=style,
                                           custom_id=button_id(action, item_id)))
        self.action, self.item_id = action, item_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match, /):
        """Rebuild the button from a click's custom_id."""
        return cls(match["action"], match["item"], item.label or "")

    async def callback(self, interaction: discord.Interaction) -> None:
        """Hand the click to the adapter."""
        await interaction.client.adapter.act(interaction, self.action, self.item_id)


class AlertMenu(discord.ui.DynamicItem[discord.ui.Select], template=MENU_ID):
    """The choice a Track, Mute or Not relevant click offers: one of the alert's entities or themes."""

    def __init__(self, action: str, item_id: str, placeholder: str = "",
                 options: tuple[tuple[str, str], ...] = ()) -> None:
        choices = [discord.SelectOption(label=label[:OPTION_LIMIT], value=value[:OPTION_LIMIT])
                   for label, value in options[:OPTIONS_PER_MENU]]
        super().__init__(discord.ui.Select(custom_id=menu_id(action, item_id), options=choices,
                                           placeholder=placeholder[:PLACEHOLDER_LIMIT] or None))
        self.action, self.item_id = action, item_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Select, match, /):
        """Rebuild the menu from a pick's custom_id."""
        return cls(match["action"], match["item"])

    async def callback(self, interaction: discord.Interaction) -> None:
        """Hand the picked option to the adapter."""
        values = (interaction.data or {}).get("values") or [None]
        await interaction.client.adapter.act(interaction, self.action, self.item_id, values[0])


def action_view(reply: Reply) -> discord.ui.View | None:
    """The components of a reply: its buttons in one action row, its menu in the next; None if neither."""
    if not reply.actions and reply.menu is None:
        return None
    view = discord.ui.View(timeout=None)
    for action in reply.actions[:5]:
        view.add_item(AlertButton(action.name, action.item_id, action.label))
    if reply.menu is not None and reply.menu.options:
        menu = reply.menu
        view.add_item(AlertMenu(menu.name, menu.item_id, menu.placeholder, menu.options))
    return view


def view_options(reply: Reply) -> dict:
    """`view=` for a send or an edit when the reply has components, else nothing."""
    view = action_view(reply)
    return {"view": view} if view is not None else {}
