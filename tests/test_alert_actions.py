"""An alert's buttons in the neutral layer: Why, Track, Mute 24h, Not relevant, on a real store."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from bot.actions import alert_actions, feedback_reply
from bot.alerts import enqueue_alerts
from bot.cli import main
from bot.config import AlertLimits, AlertRule
from bot.models import CommandContext, reply_from_dict, reply_to_dict
from bot.platforms.console import ConsoleAdapter, answer_line
from store import outbox
from store.feedback import feedback_counts
from tests.alert_store import NOW, Clock, add_item, build, the_alert

EDITOR = CommandContext(platform="discord", channel_id="42", user_id="u-editor", can_manage=True)
READER = CommandContext(platform="discord", channel_id="42", user_id="u-reader", can_manage=False)
LIMITS = AlertLimits(batch_threshold=50, batch_window=60, hourly_cap=100)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def store(db, matcher, clock):
    return build(db, matcher, clock)


def test_every_alert_carries_the_four_buttons_and_keeps_them_in_the_outbox(db, store):
    _, ids = store
    alert = the_alert(db, ids["attack"])
    assert alert.actions == alert_actions(ids["attack"])
    labels = [action.label for action in alert.actions]
    for word in ("Why", "Track", "Mute", "Relevant"):
        assert any(word.lower() in label.lower() for label in labels), word
    assert reply_from_dict(reply_to_dict(alert)).actions == alert.actions


async def test_why_answers_privately_with_the_alerts_own_entities(db, store):
    runner, ids = store
    reply = await runner.act(READER, "why", ids["kabul"])
    assert reply.ephemeral and not reply.error
    entities = next(section.text for section in reply.sections if section.title == "Entities")
    assert "Islamic State Khorasan Province" in entities and "Kabul" in entities
    assert "Tehrik" not in entities  # the other alert's entity


async def test_not_relevant_records_one_row_per_user_and_narrows_to_a_cue(db, store, clock):
    runner, ids = store
    first = await runner.act(READER, "irrelevant", ids["attack"])
    again = await runner.act(READER, "irrelevant", ids["attack"])
    assert first.ephemeral and again.ephemeral and "already" in again.title
    rows = list(db.query("SELECT item_id, story_id, platform, channel_id, user_id, created_at, target_id "
                         "FROM feedback"))
    story = db.execute("SELECT story_id FROM items WHERE id = ?", [ids["attack"]]).fetchone()[0]
    assert rows == [{"item_id": ids["attack"], "story_id": story, "platform": "discord", "channel_id": "42",
                     "user_id": "u-reader", "created_at": NOW.isoformat(), "target_id": None}]
    counted = {(row["kind"], row["id"]): row["count"] for row in feedback_counts(db)}
    assert counted[("entity", "ttp")] == 1 and ("entity", "iskp") not in counted
    values = [value for _, value in first.menu.options]
    assert "entity:ttp" in values
    narrowed = await runner.act(READER, "irrelevant", ids["attack"], "entity:ttp")
    assert "misfired" in narrowed.title
    counted = {(row["kind"], row["id"]): row["count"] for row in feedback_counts(db)}
    assert counted == {("entity", "ttp"): 1}
    await runner.act(EDITOR, "irrelevant", ids["attack"])
    status = await runner.run(READER, "status", {})
    shown = {field.name: field.value for field in status.sections[0].fields}
    assert shown["Not relevant (alert feedback)"].startswith("2 — Tehrik-e-Taliban Pakistan 2")
    text = "\n".join(section.text for section in feedback_reply(db).sections)
    assert "2  entity  Tehrik-e-Taliban Pakistan (ttp)" in text


async def test_a_pick_that_is_not_on_the_alert_is_refused(db, store):
    runner, ids = store
    reply = await runner.act(READER, "irrelevant", ids["attack"], "entity:iskp")
    assert reply.error
    reply = await runner.act(EDITOR, "track", ids["attack"], "entity:iskp")
    assert reply.error and not list(db.query("SELECT * FROM subscriptions"))


async def test_track_offers_the_alerts_entities_and_themes_and_needs_the_right(db, store):
    runner, ids = store
    refused = await runner.act(READER, "track", ids["attack"])
    assert refused.error and refused.ephemeral and "track" in refused.title
    menu = (await runner.act(EDITOR, "track", ids["attack"])).menu
    values = [value for _, value in menu.options]
    assert "entity:ttp" in values and any(value.startswith("theme:") for value in values)
    refused = await runner.act(READER, "track", ids["attack"], "entity:ttp")
    assert refused.error and not list(db.query("SELECT * FROM subscriptions"))
    done = await runner.act(EDITOR, "track", ids["attack"], "entity:ttp")
    assert done.ephemeral and "now tracks" in done.title
    assert [(row["platform"], row["channel_id"], row["target_id"], row["created_by"])
            for row in db.query("SELECT * FROM subscriptions")] == [("discord", "42", "ttp", "u-editor")]


def _alerted_channels(db, item_id: str, rule: AlertRule, now) -> list[str]:
    with db.conn:
        enqueue_alerts(db, [item_id], rules=(rule,), limits=LIMITS, now=now)
    return [row["idem_key"] for row in db.query("SELECT idem_key FROM outbox WHERE kind = 'alert' ORDER BY id")]


async def test_mute_the_story_or_an_entity_for_24_hours_in_this_channel_only(db, matcher, store, clock):
    runner, ids = store
    menu = (await runner.act(EDITOR, "mute", ids["attack"])).menu
    story = db.execute("SELECT story_id FROM items WHERE id = ?", [ids["attack"]]).fetchone()[0]
    assert menu.options[0] == ("This story", f"story:{story}")
    assert "theme:militant-attacks" in [value for _, value in menu.options]  # the theme too (tests/test_theme_mute.py)
    assert (await runner.act(READER, "mute", ids["attack"], f"story:{story}")).error
    assert "24 hours" in (await runner.act(EDITOR, "mute", ids["attack"], f"story:{story}")).title
    rule = AlertRule(platform="discord", channel="42", entities=("ttp", "iskp"))
    elsewhere = AlertRule(platform="discord", channel="99", entities=("ttp",))
    assert _alerted_channels(db, ids["attack"], rule, clock()) == []
    assert _alerted_channels(db, ids["attack"], elsewhere, clock()) == [f"alert:discord:99:{story}"]
    assert (await runner.act(EDITOR, "mute", ids["attack"], "entity:ttp")).ephemeral
    later = add_item(db, matcher, "later", title="TTP commander killed in Bannu raid",
                     summary="Tehrik-e-Taliban Pakistan confirmed the death.")
    both = add_item(db, matcher, "both", title="TTP and ISKP rivalry grows", summary="Analysts said so.")
    assert _alerted_channels(db, later, rule, clock()) == [f"alert:discord:99:{story}"]
    alerted = _alerted_channels(db, both, rule, clock())
    assert alerted[-1].startswith("alert:discord:42:")  # ISKP still counts here
    clock.moment = NOW + timedelta(hours=24, minutes=1)
    assert _alerted_channels(db, later, rule, clock())[-1].startswith("alert:discord:42:")


async def test_console_shows_numbered_actions_and_act_presses_them(db, store):
    runner, ids = store
    out = io.StringIO()
    console = ConsoleAdapter(out)
    message_id = await console.send("#desk", the_alert(db, ids["attack"]))
    assert f"actions (act {message_id} N): [1] Why  [2] Track  [3] Mute 24h  [4] Not Relevant" in out.getvalue()
    context = CommandContext(platform="console", channel_id="ignored", user_id="operator", can_manage=True)
    why = await answer_line(runner, context, f"act {message_id} 1", console=console)
    assert why.startswith("Why: TTP fighters") and "Tehrik-e-Taliban Pakistan" in why
    noted = await answer_line(runner, context, f"act {message_id} 4", console=console)
    assert "Noted: not relevant" in noted and f"(act {message_id} 4 N)" in noted
    assert db.execute("SELECT channel_id, user_id FROM feedback").fetchall() == [("#desk", "operator")]
    option = next(number for number, line in enumerate(noted.splitlines()[3:], 1) if "Bannu" in line)
    narrowed = await answer_line(runner, context, f"act {message_id} 4 {option}", console=console)
    assert narrowed.startswith("Noted: Bannu misfired")
    assert (await answer_line(runner, context, "act 9 1", console=console)).startswith("error: no message 9")
    assert (await answer_line(runner, context, f"act {message_id} 7", console=console)).startswith("error:")


def test_watchdesk_feedback_prints_counts_per_entity_and_theme(db, store, tmp_path, capsys):
    import asyncio

    runner, ids = store
    asyncio.run(runner.act(READER, "irrelevant", ids["kabul"]))
    config = tmp_path / "feeds.yml"
    config.write_text("feeds:\n  - {id: dawn, url: 'http://127.0.0.1/dawn'}\n")
    store_path = db.execute("PRAGMA database_list").fetchone()[2]
    assert main(["--config", str(config), "--db", store_path, "feedback"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("Not relevant: 1 answers")
    assert "1  entity  Islamic State Khorasan Province (iskp)" in printed
    assert f"item {ids['kabul']} · 2026-11-20 08:00 · discord 42" in printed
    assert main(["--config", str(config), "--db", store_path, "feedback", "--since", "soon"]) == 2


def test_queued_alert_payload_keeps_buttons_through_also_reported(db, store):
    _, ids = store
    rule = AlertRule(platform="discord", channel="42", entities=("ttp",))
    with db.conn:
        enqueue_alerts(db, [ids["attack"]], rules=(rule,), limits=LIMITS, now=NOW)
    row = outbox.due(db, NOW)[0]
    assert reply_from_dict(__import__("json").loads(row["payload"])).actions == alert_actions(ids["attack"])
