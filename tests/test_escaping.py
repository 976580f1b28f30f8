"""Feed text is inert on Discord and Slack: one table per platform, then real replies rendered.

The tables give the exact escaped form of every construct each platform renders. The second
half stores hostile items and a hostile feed name in a real SQLite store, builds the alert,
search, lookup and digest replies the bot would send, renders them for both platforms and
checks that no masked link, mention, timestamp, emoji, spoiler, code or block markup is live.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

import pytest

from bot.alerts import enqueue_alerts
from bot.commands import Commands, Deps
from bot.config import AlertLimits, AlertRule
from bot.models import CommandContext, Feed, Item, Reply, reply_from_dict
from bot.platforms import discord_render, slack_render
from bot.platforms.discord_render import plain
from bot.platforms.slack_render import escape
from store.catalog import sync_catalog
from store.feeds import sync_feeds
from store.items import insert_item
from store.matches import save_matches

ZWSP = "\u200b"

DISCORD_TABLE = [
    # masked links, wherever they are on a line
    ("[Bank login](https://evil.example)", "\\[Bank login\\](https://evil.example)"),
    ("x [y] z [Bank login](https://evil.example)", "x \\[y\\] z \\[Bank login\\](https://evil.example)"),
    ("[https://bank.example](https://evil.example)",
     "\\[https://bank.example\\](https://evil.example)"),
    ("https://ok.example/[Bank](https://evil.example)",
     "https://ok.example/\\[Bank\\](https://evil.example)"),
    ("<https://evil.example>", "\\<https://evil.example>"),
    # block markup at the start of a line (and after leading spaces)
    ("# Header", "\\# Header"),
    ("### Header", "\\### Header"),
    ("-# subtext", "\\-# subtext"),
    ("- item", "\\- item"),
    ("* item", "\\* item"),
    ("+ item", "\\+ item"),
    ("1. first", "1\\. first"),
    ("12) twelfth", "12\\) twelfth"),
    ("> quote", "\\> quote"),
    (">>> quote block", "\\>>> quote block"),
    ("  # indented", "  \\# indented"),
    ("a\n# b\n> c", "a\n\\# b\n\\> c"),
    # the same characters mid-line stay as they are
    ("Pakistan-Afghanistan border, #1 > 2", "Pakistan-Afghanistan border, #1 > 2"),
    # <...> forms: channel, user, role, timestamp, emoji, animated emoji, slash command
    ("<#123456>", "\\<#123456>"),
    ("<@123456>", "\\<@123456>"),
    ("<@!123456>", "\\<@!123456>"),
    ("<@&123456>", "\\<@&123456>"),
    ("<t:1700000000:R>", "\\<t:1700000000:R>"),
    ("<:pwn:789>", "\\<:pwn:789>"),
    ("<a:dance:789>", "\\<a:dance:789>"),
    ("</watch lookup:42>", "\\</watch lookup:42>"),
    # inline formatting
    ("||spoiler||", "\\|\\|spoiler\\|\\|"),
    ("`code`", "\\`code\\`"),
    ("```block```", "\\`\\`\\`block\\`\\`\\`"),
    ("**bold**", "\\*\\*bold\\*\\*"),
    ("*italic* _italic_", "\\*italic\\* \\_italic\\_"),
    ("__underline__", "\\_\\_underline\\_\\_"),
    ("~~strike~~", "\\~\\~strike\\~\\~"),
    ("back\\slash", "back\\\\slash"),
    ("\\[not a link](https://evil.example)", "\\\\\\[not a link\\](https://evil.example)"),
    # broadcasts, as text too
    ("@everyone and @here", f"@{ZWSP}everyone and @{ZWSP}here"),
    ("@Everyone", f"@{ZWSP}Everyone"),
    # bare URLs stay whole: Discord shows their own address
    ("see https://dawn.example/a_b/~c?d=1.", "see https://dawn.example/a_b/~c?d=1."),
    ("", ""),
]

SLACK_TABLE = [
    # formatting characters become look-alikes (Slack has no escape character)
    ("*bold*", "\u2217bold\u2217"),
    ("_italic_", "\u02cditalic\u02cd"),
    ("~strike~", "\u223cstrike\u223c"),
    ("`code`", "\u02cbcode\u02cb"),
    ("```block```", "\u02cb\u02cb\u02cbblock\u02cb\u02cb\u02cb"),
    ("x *y* z", "x \u2217y\u2217 z"),
    # inside a word they cannot open or close anything and stay
    ("user_not_found 3*4", "user_not_found 3*4"),
    # control sequences
    ("<https://evil.example|Bank login>", "&lt;https://evil.example|Bank login&gt;"),
    ("<!here> <!channel> <!everyone>", "&lt;!here&gt; &lt;!channel&gt; &lt;!everyone&gt;"),
    ("<!subteam^S0123>", "&lt;!subteam^S0123&gt;"),
    ("<@U123> <#C123>", "&lt;@U123&gt; &lt;#C123&gt;"),
    ("<!date^1700000000^{date}|x>", "&lt;!date^1700000000^{date}|x&gt;"),
    ("Rates & taxes", "Rates &amp; taxes"),
    ("&lt;", "&amp;lt;"),
    ("a < b > c", "a &lt; b &gt; c"),
    # a line-start quote
    ("> quote", "\u02c3 quote"),
    ("a\n  > b", "a\n  \u02c3 b"),
    # broadcast words
    ("@here @channel @everyone", f"@{ZWSP}here @{ZWSP}channel @{ZWSP}everyone"),
    # bare URLs stay whole
    ("see https://dawn.example/a_b/~c now", "see https://dawn.example/a_b/~c now"),
    ("", ""),
]


@pytest.mark.parametrize(("text", "expected"), DISCORD_TABLE)
def test_discord_escaping_table(text, expected):
    assert plain(text) == expected


@pytest.mark.parametrize(("text", "expected"), SLACK_TABLE)
def test_slack_escaping_table(text, expected):
    assert escape(text) == expected


# ---------------------------------------------------------------- real replies with hostile text

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)
EVIL = "https://evil.example"
HOSTILE_TITLE = (f"TTP attack in Bannu x [y] z [Bank login]({EVIL}) <@123> <#456> <t:1700000000:R> "
                 f"<:pwn:789> ||spoiler|| *bold* _it_ ~strike~ `code` @everyone <!here> <{EVIL}|Bank>")
HOSTILE_SUMMARY = (f"# Header\n-# sub\n> quote\n>>> block\n- item\n1. first\n```code block```\n"
                   f"<@&999> </cmd:1> <a:dance:2> __u__ <!channel> <@U123> [Reset password]({EVIL}/r)")
HOSTILE_FEED = f"Dawn [Official]({EVIL}) *x* <!channel>"
ITEM_LINK = "https://dawn.example/story"
CHANNEL = CommandContext(platform="console", channel_id="#desk", user_id="u1", can_manage=True)


@pytest.fixture
def hostile(db, matcher, tmp_path):
    """A store with one hostile feed and one hostile item that matches the TTP."""
    sync_feeds(db, (Feed(id="dawn", url="http://127.0.0.1/dawn", name=HOSTILE_FEED, interval=600,
                         timeout=5, max_bytes=10**6),), NOW)
    with db.conn:
        sync_catalog(db, matcher.catalog)
    item = Item(feed_id="dawn", dedup_key="hostile", guid=None, link=ITEM_LINK, title=HOSTILE_TITLE,
                summary=HOSTILE_SUMMARY, published_at=NOW - timedelta(hours=1),
                fetched_at=NOW - timedelta(hours=1))
    with db.conn:
        insert_item(db, item, baseline=False)
        save_matches(db, item.id, matcher.match(item.title, item.summary))
    commands = Commands(Deps(db=db, now=lambda: NOW, started_at=NOW, chart_dir=tmp_path,
                             catalog=matcher.catalog))
    return db, item.id, commands


async def _replies(db, item_id, commands) -> dict[str, Reply]:
    rule = AlertRule(platform="console", channel="#desk", entities=("ttp",))
    with db.conn:
        enqueue_alerts(db, [item_id], rules=(rule,), limits=AlertLimits(), now=NOW)
    [payload] = [row[0] for row in db.execute("SELECT payload FROM outbox")]
    replies = {"alert": reply_from_dict(json.loads(payload))}
    for name, args in (("search", {"query": "bannu"}), ("lookup", {"entity": "ttp"}),
                       ("digest", {"period": "24h"}), ("feeds", {})):
        replies[name] = await commands.run(CHANNEL, name, args)
    return replies


def _discord_texts(message: dict) -> list[str]:
    texts = [message["content"] or ""]
    for embed in message["embeds"]:
        data = embed.to_dict()
        texts += [data.get("title", ""), data.get("description", ""), data.get("footer", {}).get("text", "")]
        texts += [part for field in data.get("fields", []) for part in (field["name"], field["value"])]
    return texts


_DISCORD_ESCAPED = re.compile(r"\\.", re.DOTALL)
_DISCORD_URL = re.compile(r"https?://[^\s<]+[^<.,:;\"')\]\s]")
_DISCORD_BLOCK = re.compile(r"^[ \t]*([#>+*-]|\d+[.)])", re.MULTILINE)


def _live_discord_markup(text: str) -> list[str]:
    """What Discord would still read as markup in `text`: unescaped markers outside URLs."""
    bare = _DISCORD_URL.sub("URL", _DISCORD_ESCAPED.sub("", text))
    found = re.findall(r"[\[\]<|`*_~]", bare) + _DISCORD_BLOCK.findall(text)
    found += re.findall(r"@(?:everyone|here)", text)
    return found


async def test_hostile_feed_text_renders_inert_on_discord(hostile):
    replies = await _replies(*hostile)
    assert HOSTILE_TITLE in {section.title for section in replies["search"].sections}
    assert HOSTILE_TITLE in {section.title for section in replies["lookup"].sections}
    assert any("[Bank login]" in section.text for section in replies["digest"].sections)
    assert any(HOSTILE_FEED in section.title for section in replies["feeds"].sections)
    for name, reply in replies.items():
        for message in discord_render.render_messages(reply):
            for text in _discord_texts(message):
                assert not _live_discord_markup(text), (name, text)
                assert not re.search(r"(?<!\\)\[[^\]]*\]\(", text), (name, text)
            urls = {embed.url for embed in message["embeds"]} - {None}
            assert urls <= {ITEM_LINK}, name  # the only labelled links are watchdesk's own
    alert = discord_render.render_messages(replies["alert"])[0]["embeds"][0].to_dict()
    assert alert["url"] == ITEM_LINK
    assert "x \\[y\\] z \\[Bank login\\](https://evil.example)" in alert["title"]


def _slack_texts(message: tuple[str, list[dict]]) -> list[tuple[str, str]]:
    """(type, text) of the fallback and every text object; plain_text shows * _ ~ ` as they are."""
    fallback, blocks = message
    texts = [("mrkdwn", fallback)]
    for block in blocks:
        objects = [block.get("text")] + block.get("fields", []) + block.get("elements", [])
        for element in block.get("elements", []) if block["type"] == "actions" else ():  # buttons, menus
            objects += [element.get("text"), element.get("placeholder")]
            objects += [option["text"] for option in element.get("options", [])]
        texts += [(item["type"], item["text"]) for item in objects if item and isinstance(item["text"], str)]
    return texts


async def test_hostile_feed_text_renders_inert_on_slack(hostile):
    replies = await _replies(*hostile)
    for name, reply in replies.items():
        for message in slack_render.render_messages(reply):
            for kind, text in _slack_texts(message):
                for sequence in re.findall(r"<[^>]*>?", text):  # every control sequence left
                    assert sequence.startswith(f"<{ITEM_LINK}|"), (name, text)
                for marker in ("<!", "<@", "<#", "<" + EVIL, "@everyone", "@here"):
                    assert marker not in text, (name, text)
                if kind == "mrkdwn":
                    feed_text = re.sub(rf"<{re.escape(ITEM_LINK)}\|[^>]*>", "", text)
                    assert "*bold*" not in feed_text, (name, text)
                    assert not re.search(r"(?<![A-Za-z0-9])[_~]|[_~](?![A-Za-z0-9])|`", feed_text), (name, text)
    fallback, blocks = slack_render.render_messages(replies["alert"])[0]
    assert "x [y] z [Bank login](https://evil.example)" in json.dumps(blocks, ensure_ascii=False)
