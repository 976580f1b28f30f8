"""Quiet hours per channel and per person, and the urgency that breaks them.

Items are stored and matched as a poll does (real SQLite, the real matcher, incidents filed);
held alerts are delivered by the real worker, across a restart, to the console and to the fake
Discord on loopback.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, time, timedelta, timezone

import pytest

from bot.alerts import enqueue_alerts
from bot.config import AlertLimits, AlertRule, DiscordSettings, IncidentTiers, load_settings
from bot.delivery import DeliveryWorker
from bot.errors import ConfigError
from bot.incident_log import file_incidents
from bot.incidents import item_incidents
from bot.models import Feed, Item, reply_from_dict
from bot.platforms.console import ConsoleAdapter
from bot.platforms.discord_bot import DiscordAdapter
from bot.quiet import QuietHours, Urgency, parse_window
from store import open_db, outbox
from store.catalog import sync_catalog
from store.feeds import sync_feeds
from store.quiet import set_quiet
from store.subscriptions import subscribe
from tests.fakes.discord_fake import FakeDiscord

NIGHT = datetime(2026, 11, 20, 20, 0, tzinfo=timezone.utc)  # 01:00 in Karachi
MORNING = datetime(2026, 11, 21, 2, 0, tzinfo=timezone.utc)  # 07:00 in Karachi: the window ends
KARACHI = QuietHours(start=time(23, 0), end=time(7, 0), timezone="Asia/Karachi")
FEEDS = tuple(Feed(id=f, url=f"http://127.0.0.1/{f}", name=name, interval=600, timeout=10, max_bytes=10**6)
              for f, name in (("frontier", "Frontier Post"), ("ledger", "Kabul Ledger"), ("wire", "Border Wire"),
                              ("radio", "Valley Radio")))
TANK = AlertRule(platform="console", channel="#tank", entities=("tank",), quiet=KARACHI)
STORY = "Militants storm checkpoint near Tank city"
STORY_TEXT = "Militants stormed a security checkpoint near Tank city in Khyber Pakhtunkhwa overnight, officials said."


class _Sink:
    def write(self, text):
        return len(text)

    def flush(self):
        pass


@pytest.fixture
def store(db, matcher):
    sync_feeds(db, FEEDS, NIGHT)
    with db.conn:
        sync_catalog(db, matcher.catalog)
    return db


def report(db, matcher, feed_id: str, title: str, summary: str = "", *, at: datetime = NIGHT) -> str:
    """Store an item seen at `at` with its matches and incidents, in one transaction, as a poll does."""
    item = Item(feed_id=feed_id, dedup_key=f"{feed_id}:{title}", guid=None,
                link=f"https://{feed_id}.example/{abs(hash(title)) % 10**8}", title=title, summary=summary,
                published_at=at, fetched_at=at)
    result = matcher.match(title, summary)
    from store.items import insert_item
    from store.matches import save_matches

    with db.conn:
        insert_item(db, item, baseline=False)
        save_matches(db, item.id, result)
        file_incidents(db, item.id, at.isoformat(), item_incidents(matcher, {"title": title, "summary": summary}, result))
    return item.id


def enqueue(db, ids, *, now=NIGHT, rules=(TANK,), urgency=None):
    with db.conn:
        return enqueue_alerts(db, ids, rules=rules, limits=AlertLimits(), now=now, tiers=IncidentTiers(),
                              urgency=urgency)


def rows(db, kind="alert"):
    return [dict(row) for row in db.query("SELECT * FROM outbox WHERE kind = ? ORDER BY id", [kind])]


def quiet_field(payload: dict) -> str | None:
    reply = reply_from_dict(payload)
    return next((f.value for f in reply.sections[0].fields if f.name == "Quiet hours"), None)


def test_parse_window_reads_what_a_person_types():
    assert parse_window("23:00-07:00") == (time(23, 0), time(7, 0))
    assert parse_window("9:30 – 12:00") == (time(9, 30), time(12, 0))
    for wrong in ("11pm-7am", "23:00", "25:00-07:00", "07:00-07:00"):
        with pytest.raises(ValueError, match="23:00-07:00"):
            parse_window(wrong)


def test_urgency_is_read_from_feeds_yml_with_defaults(tmp_path):
    def load(text: str):
        path = tmp_path / "feeds.yml"
        path.write_text(text)
        return load_settings(path, environ={})

    assert load("timezone: UTC\n").urgency == Urgency(min_tier="flash", outlets=3, within=3600.0)
    assert load("urgency: {min_tier: urgent, outlets: 4, within: 30m}\n").urgency == Urgency("urgent", 4, 1800.0)
    with pytest.raises(ConfigError, match="urgency.min_tier: must be one of routine, urgent, flash"):
        load("urgency: {min_tier: severe}\n")
    with pytest.raises(ConfigError, match="urgency.outlets: must be from 2 to 50"):
        load("urgency: {outlets: 1}\n")


def test_a_held_alert_waits_for_the_end_of_the_window_and_says_so(store, matcher):
    enqueue(store, [report(store, matcher, "frontier", STORY, STORY_TEXT)])
    [row] = rows(store)
    assert outbox.due(store, NIGHT) == [] and outbox.due(store, MORNING - timedelta(seconds=1)) == []
    assert [r["id"] for r in outbox.due(store, MORNING)] == [row["id"]]
    payload = json.loads(row["payload"])
    assert payload["quiet_until"] == MORNING.isoformat()
    assert quiet_field(payload) == "Held during quiet hours (23:00–07:00 Asia/Karachi); sent when they ended"


def test_three_outlets_within_an_hour_release_a_held_alert_and_it_says_why(store, matcher):
    enqueue(store, [report(store, matcher, "frontier", STORY, STORY_TEXT)])
    later = NIGHT + timedelta(minutes=20)
    enqueue(store, [report(store, matcher, "ledger", STORY, STORY_TEXT, at=later)], now=later)
    assert outbox.due(store, later) == []  # two outlets: still waiting
    third = NIGHT + timedelta(minutes=50)
    enqueue(store, [report(store, matcher, "wire", STORY, STORY_TEXT, at=third)], now=third)
    [row] = outbox.due(store, third)
    payload = json.loads(row["payload"])
    assert "quiet_until" not in payload
    assert payload["quiet_broken"] == ("reported by 3 outlets within an hour: Frontier Post, Kabul Ledger, "
                                       "Border Wire")
    assert quiet_field(payload).startswith("Sent during quiet hours (23:00–07:00 Asia/Karachi): reported by 3")
    assert len(rows(store)) == 1  # the same alert, released: not a second one


def test_outlets_spread_over_more_than_an_hour_do_not_wake_anyone(store, matcher):
    enqueue(store, [report(store, matcher, "frontier", STORY, STORY_TEXT)])
    for minutes, feed in ((50, "ledger"), (130, "wire")):
        when = NIGHT + timedelta(minutes=minutes)
        enqueue(store, [report(store, matcher, feed, STORY, STORY_TEXT, at=when)], now=when)
    assert outbox.due(store, NIGHT + timedelta(minutes=130)) == []
    [row] = rows(store)
    assert "Border Wire" in row["payload"]  # the alert that waits names every outlet


def test_the_outlet_count_and_the_hour_are_configurable(store, matcher):
    two = Urgency(outlets=2, within=600.0)
    enqueue(store, [report(store, matcher, "frontier", STORY, STORY_TEXT)], urgency=two)
    late = NIGHT + timedelta(minutes=15)  # a second outlet, but after 10 minutes
    enqueue(store, [report(store, matcher, "ledger", STORY, STORY_TEXT, at=late)], now=late, urgency=two)
    assert outbox.due(store, late) == []
    soon = late + timedelta(minutes=5)
    enqueue(store, [report(store, matcher, "wire", STORY, STORY_TEXT, at=soon)], now=soon, urgency=two)
    assert len(outbox.due(store, soon)) == 1


FLASH = ("Militants storm police station in Tank district, 14 policemen killed",
         "At least 14 policemen were killed when militants stormed a police station in Tank district overnight.")
URGENT = ("Attack on police station in Tank district kills three",
          "Three policemen were killed when militants attacked a police station in Tank district overnight.")
TOLL = ("Tank police station attack: death toll climbs to 11",
        "The number of policemen killed in the overnight attack on a police station in Tank district rose to 11.")


def test_a_flash_incident_goes_out_at_once_and_the_alert_says_why(store, matcher):
    enqueue(store, [report(store, matcher, "frontier", *FLASH)])
    [row] = outbox.due(store, NIGHT)
    payload = json.loads(row["payload"])
    assert payload["quiet_broken"].startswith("a flash incident: Armed attack · Tank")
    assert "14 killed" in payload["quiet_broken"]
    assert quiet_field(payload).startswith("Sent during quiet hours (23:00–07:00 Asia/Karachi): a flash incident")


def test_below_the_tier_it_waits_unless_the_desk_lowers_the_tier(store, matcher):
    enqueue(store, [report(store, matcher, "frontier", *URGENT)])
    assert outbox.due(store, NIGHT) == []
    with store.conn:
        store.execute("DELETE FROM outbox")
    enqueue(store, [report(store, matcher, "ledger", *URGENT)], urgency=Urgency(min_tier="urgent"))
    [row] = outbox.due(store, NIGHT)
    assert json.loads(row["payload"])["quiet_broken"].startswith("an urgent incident")


def test_a_toll_that_rises_to_flash_releases_the_held_alert(store, matcher):
    enqueue(store, [report(store, matcher, "frontier", *URGENT)])
    assert outbox.due(store, NIGHT) == []
    later = NIGHT + timedelta(minutes=90)
    enqueue(store, [report(store, matcher, "ledger", *TOLL, at=later)], now=later)
    [row] = outbox.due(store, later)
    payload = json.loads(row["payload"])
    assert "toll rises to 11 killed" in reply_from_dict(payload).text
    assert payload["quiet_broken"].startswith("a flash incident") and "quiet_until" not in payload


def test_a_person_has_their_own_window_and_a_channel_window_set_from_chat_replaces_the_rules(store, matcher):
    with store.conn:
        subscribe(store, platform="console", channel_id="@u7", target_type="entity", target_id="tank",
                  created_by="u7", now=NIGHT)
        subscribe(store, platform="console", channel_id="@u8", target_type="entity", target_id="tank",
                  created_by="u8", now=NIGHT)
        set_quiet(store, platform="console", channel_id="@u7", start="22:00", end="06:00", timezone="UTC",
                  set_by="u7", now=NIGHT)
        set_quiet(store, platform="console", channel_id="#tank", start="12:00", end="13:00", timezone="UTC",
                  set_by="admin", now=NIGHT)
    enqueue(store, [report(store, matcher, "frontier", STORY, STORY_TEXT, at=NIGHT + timedelta(hours=3))],
            now=NIGHT + timedelta(hours=3))  # 23:00 UTC
    held = {row["channel_id"]: row["next_attempt_at"] for row in rows(store)}
    assert held == {"@u7": "2026-11-21T06:00:00+00:00",  # their own window, in their zone
                    "@u8": "2026-11-20T23:00:00+00:00",  # no window: at once
                    "#tank": "2026-11-20T23:00:00+00:00"}  # the chat-set 12:00-13:00 replaced 23:00-07:00


async def test_held_alerts_survive_a_restart_and_go_out_once_at_the_end(tmp_path, matcher):
    path = tmp_path / "desk.db"
    db = open_db(path)
    sync_feeds(db, FEEDS, NIGHT)
    with db.conn:
        sync_catalog(db, matcher.catalog)
    enqueue(db, [report(db, matcher, "frontier", STORY, STORY_TEXT)])
    console = ConsoleAdapter(output=_Sink())
    assert await DeliveryWorker(db, {"console": console}, now=lambda: NIGHT, channel_spacing=0).deliver_due() == 0
    db.close()  # the process stops during the night

    db = open_db(path)
    console = ConsoleAdapter(output=_Sink())
    clock = [MORNING - timedelta(minutes=1)]
    worker = DeliveryWorker(db, {"console": console}, now=lambda: clock[0], channel_spacing=0)
    assert await worker.deliver_due() == 0
    clock[0] = MORNING
    assert await worker.deliver_due() == 1
    assert await worker.deliver_due() == 0
    clock[0] = MORNING + timedelta(hours=5)
    assert await worker.deliver_due() == 0
    assert [reply.title for _, _, reply in console.sent] == [STORY]
    db.close()


async def test_a_crash_while_a_held_alert_is_sent_at_the_end_posts_it_once_on_discord(tmp_path, matcher):
    path = tmp_path / "desk.db"
    db = open_db(path)
    sync_feeds(db, FEEDS, NIGHT)
    with db.conn:
        sync_catalog(db, matcher.catalog)
    async with FakeDiscord() as fake:
        rule = replace(TANK, platform="discord", channel=str(fake.channel_id))
        enqueue(db, [report(db, matcher, "frontier", STORY, STORY_TEXT)], rules=(rule,))
        settings = DiscordSettings(token=fake.token, guild_ids=(fake.guild_id,), api_base=fake.api_base,
                                   gateway_url=fake.gateway_url)
        adapter = DiscordAdapter(settings, runner=None, guild_ready_timeout=0.05)
        await adapter.start()
        try:
            [row] = outbox.due(db, MORNING)
            with db.conn:  # 07:00: the send started and reached Discord, then the process died
                outbox.mark_sending(db, row["id"])
            await adapter.send(row["channel_id"], reply_from_dict(json.loads(row["payload"])),
                               idempotency_key=row["idem_key"])
            db.close()
            db = open_db(path)
            fake.ignore_nonces = True  # only the reference in the footer can tell it was sent
            worker = DeliveryWorker(db, {"discord": adapter}, now=lambda: MORNING, channel_spacing=0)
            assert await worker.deliver_due() == 1
            assert await worker.deliver_due() == 0
        finally:
            await adapter.stop()
        posted = [m for m in fake.messages.values() if m["channel_id"] == str(fake.channel_id)]
        assert [m["embeds"][0]["title"] for m in posted] == [STORY]
        assert outbox.get(db, row["idem_key"])["status"] == outbox.SENT
    db.close()


def test_a_thread_followup_waits_for_the_end_of_quiet_hours_too(store, matcher):
    threaded = replace(TANK, followups="thread")
    evening = NIGHT - timedelta(hours=3)  # 22:00 in Karachi: not quiet yet
    enqueue(store, [report(store, matcher, "frontier", STORY, STORY_TEXT, at=evening)], now=evening,
            rules=(threaded,))
    [alert] = outbox.due(store, evening)
    with store.conn:
        outbox.mark_sending(store, alert["id"])
        outbox.mark_sent(store, alert["id"], "m1", evening)
    enqueue(store, [report(store, matcher, "ledger", STORY, STORY_TEXT)], rules=(threaded,))
    [followup] = rows(store, "followup")
    assert followup["next_attempt_at"] == MORNING.isoformat()
    assert outbox.due(store, NIGHT) == []


async def test_why_on_the_alert_says_why_it_broke_quiet_hours_or_until_when_it_waits(store, matcher, tmp_path):
    from bot.commands import Commands, Deps
    from bot.models import CommandContext

    runner = Commands(Deps(db=store, now=lambda: NIGHT, started_at=NIGHT, chart_dir=tmp_path,
                           catalog=matcher.catalog, timezone="Asia/Karachi"))
    here = CommandContext(platform="console", channel_id="#tank", user_id="u1")
    flash = report(store, matcher, "frontier", *FLASH)
    held = report(store, matcher, "ledger", "Traders in Tank city protest long power outages",
                  "Shopkeepers in Tank city, Khyber Pakhtunkhwa, closed their shops over power cuts.")
    enqueue(store, [flash, held])
    why = await runner.act(here, "why", flash)
    quiet = next(section.text for section in why.sections if section.title == "Quiet hours")
    assert quiet.startswith("sent during quiet hours (23:00–07:00 Asia/Karachi) because it is urgent: a flash incident")
    waiting = await runner.act(here, "why", held)
    assert next(s.text for s in waiting.sections if s.title == "Quiet hours").startswith(
        "held during quiet hours (23:00–07:00 Asia/Karachi) until 2026-11-21 07:00")
    elsewhere = await runner.act(CommandContext(platform="console", channel_id="#other", user_id="u1"), "why", flash)
    assert not any(section.title == "Quiet hours" for section in elsewhere.sections)


NIGHT_NEWS = ["Traders in Tank city protest long power outages", "Tank district council meets over water shortage",
              "Tank city students protest exam delays", "Tank city hospital gets new emergency ward",
              "Polio drive begins in Tank district villages", "Flood warning issued for Tank city low areas"]


async def test_a_night_of_held_alerts_ends_as_a_few_alerts_and_one_summary_not_a_flood(store, matcher):
    limits = AlertLimits(batch_threshold=2, batch_window=600)
    for n, title in enumerate(NIGHT_NEWS):  # 40 minutes apart: never a burst by the batch window
        when = NIGHT + timedelta(minutes=40 * n)
        item = report(store, matcher, ["frontier", "ledger", "wire"][n % 3], title,
                      f"{title}, officials in Tank, Khyber Pakhtunkhwa, said.", at=when)
        with store.conn:
            enqueue_alerts(store, [item], rules=(TANK,), limits=limits, now=when, tiers=IncidentTiers())
    assert outbox.due(store, MORNING - timedelta(seconds=1)) == []
    due = outbox.due(store, MORNING)
    assert [row["kind"] for row in due] == ["alert", "alert", "batch"]
    assert len(json.loads(due[-1]["payload"])["lines"]) == len(NIGHT_NEWS) - 2
    console = ConsoleAdapter(output=_Sink())
    worker = DeliveryWorker(store, {"console": console}, now=lambda: MORNING, channel_spacing=0)
    assert await worker.deliver_due() == 3 and await worker.deliver_due() == 0


def test_a_summary_due_before_the_window_ends_does_not_carry_a_held_item_out(store, matcher):
    limits = AlertLimits(batch_threshold=1, batch_window=600)
    evening = NIGHT - timedelta(hours=2, minutes=5)  # 22:55 in Karachi: not quiet yet
    first, second = (report(store, matcher, "frontier", title, f"{title}, officials in Tank said.", at=evening)
                     for title in NIGHT_NEWS[:2])
    with store.conn:
        enqueue_alerts(store, [first, second], rules=(TANK,), limits=limits, now=evening, tiers=IncidentTiers())
    late = evening + timedelta(minutes=6)  # 23:01: quiet, and the evening's summary is still collecting
    third = report(store, matcher, "ledger", NIGHT_NEWS[2], f"{NIGHT_NEWS[2]}, officials in Tank said.", at=late)
    with store.conn:
        enqueue_alerts(store, [third], rules=(TANK,), limits=limits, now=late, tiers=IncidentTiers())
    batches = rows(store, "batch")
    assert len(batches) == 2 and batches[1]["next_attempt_at"] == MORNING.isoformat()
    assert NIGHT_NEWS[2] not in batches[0]["payload"] and NIGHT_NEWS[2] in batches[1]["payload"]
