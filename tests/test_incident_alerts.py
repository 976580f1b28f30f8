"""Incident alerts: a one-line summary with its tier first, rules on type/region/tier, and a later
report of the same incident (another outlet, another headline) editing the alert as its toll rises."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from bot.alerts import enqueue_alerts
from bot.config import AlertLimits, AlertRule, IncidentTiers
from bot.delivery import DeliveryWorker
from bot.incident_log import file_incidents, tier
from bot.incidents import item_incidents
from bot.models import Feed, Item, reply_from_dict
from bot.platforms.console import ConsoleAdapter
from store.catalog import sync_catalog
from store.feeds import sync_feeds
from store.items import insert_item
from store.matches import save_matches

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)
FEEDS = tuple(Feed(id=f, url=f"http://127.0.0.1/{f}", name=name, interval=600, timeout=10, max_bytes=10**6)
              for f, name in (("dawn", "Dawn"), ("tribune", "Express Tribune"), ("wire", "Wire")))
DESK = AlertRule(platform="console", channel="#desk", entities=("ttp", "lakki-marwat"), mention_role="1234")
KP_URGENT = AlertRule(platform="console", channel="#kp", incident_types=("armed-attack", "bombing"),
                      regions=("khyber-pakhtunkhwa",), min_tier="urgent")
FLASH = AlertRule(platform="console", channel="#flash", min_tier="flash")


class _Sink:
    def write(self, text):
        return len(text)

    def flush(self):
        pass


@pytest.fixture
def store(db, matcher):
    sync_feeds(db, FEEDS, NOW)
    with db.conn:
        sync_catalog(db, matcher.catalog)
    return db


def add(db, matcher, feed_id, title, summary, minutes=0) -> str:
    """Store an item with its matches and its incidents, in one transaction, as a poll does."""
    when = NOW + timedelta(minutes=minutes)
    item = Item(feed_id=feed_id, dedup_key=f"{feed_id}:{title}", guid=None, link=f"https://{feed_id}.example/{minutes}",
                title=title, summary=summary, published_at=when, fetched_at=when)
    result = matcher.match(title, summary)
    with db.conn:
        insert_item(db, item, baseline=False)
        save_matches(db, item.id, result)
        file_incidents(db, item.id, when.isoformat(),
                       item_incidents(matcher, {"title": title, "summary": summary}, result))
    return item.id


def enqueue(db, ids, rules=(DESK, KP_URGENT, FLASH), now=NOW):
    with db.conn:
        return enqueue_alerts(db, ids, rules=rules, limits=AlertLimits(), now=now, tiers=IncidentTiers())


def payloads(db, channel):
    return [(kind, json.loads(payload)) for kind, payload in db.execute(
        "SELECT kind, payload FROM outbox WHERE channel_id = ? ORDER BY id", [channel])]


def test_tiers_by_toll_place_and_type():
    tiers = IncidentTiers()
    assert tier({"type": "armed-attack", "killed": 12, "place": "Bannu"}, tiers) == "flash"
    assert tier({"type": "arrest", "killed": None, "place": "Torkham"}, tiers) == "flash"
    assert tier({"type": "armed-attack", "killed": 3, "place": "Bannu"}, tiers) == "urgent"
    assert tier({"type": "bombing", "killed": None, "place": "Bannu"}, tiers) == "urgent"
    assert tier({"type": "arrest", "killed": None, "place": "Peshawar"}, tiers) == "routine"


def test_the_alert_opens_with_the_incident_and_rules_filter_on_type_region_and_tier(store, matcher):
    attack = add(store, matcher, "dawn", "TTP claims attack on police post in Lakki Marwat",
                 "Four policemen were martyred and two injured when militants attacked a police post in Lakki "
                 "Marwat. The Tehreek-i-Taliban Pakistan claimed responsibility.")
    arrest = add(store, matcher, "wire", "CTD arrests two suspected militants in Peshawar",
                 "The Counter Terrorism Department arrested two suspected TTP militants in Peshawar.", minutes=1)
    enqueue(store, [attack, arrest])
    (kind, desk), *_ = payloads(store, "#desk")
    reply = reply_from_dict(desk)
    assert reply.text.startswith("[URGENT] Armed attack · Lakki Marwat, Khyber Pakhtunkhwa")
    assert "4 killed, 2 injured" in reply.text and reply.text.endswith("· claimed")
    assert [reply_from_dict(p).title for _, p in payloads(store, "#kp")] == [
        "TTP claims attack on police post in Lakki Marwat"]  # the routine arrest is below the rule's tier
    assert payloads(store, "#flash") == []


async def test_a_later_report_raising_the_toll_edits_the_alert_without_a_ping(store, matcher):
    console = ConsoleAdapter(output=_Sink())
    clock = [NOW]
    worker = DeliveryWorker(store, {"console": console}, now=lambda: clock[0], channel_spacing=0)
    first = add(store, matcher, "dawn", "Four policemen martyred in attack on Lakki Marwat checkpoint",
                "Four policemen were martyred when terrorists attacked a police checkpoint in Lakki Marwat "
                "district late on Monday, officials said.")
    enqueue(store, [first], rules=(DESK,))
    assert await worker.deliver_due() == 1
    clock[0] = NOW + timedelta(hours=3)
    later = add(store, matcher, "tribune", "Lakki Marwat checkpoint attack: toll rises to 12",
                "The death toll from the attack on a police checkpoint in Lakki Marwat rose to 12 on Tuesday, "
                "police said.", minutes=180)
    enqueue(store, [later], rules=(DESK,), now=clock[0])
    assert await worker.deliver_due() == 1
    (channel, first_id, sent), (_, edited_id, edit) = console.sent
    assert edited_id == first_id and channel == "#desk"  # the same message, edited
    assert sent.mentions == ("1234",) and edit.mentions == ()  # nobody pinged again
    assert "4 killed" in sent.text and "toll rises to 12 killed" in edit.text
    assert "Express Tribune" in {f.value for f in edit.sections[0].fields}
    enqueue(store, [later], rules=(DESK,), now=clock[0] + timedelta(minutes=1))  # the same report again
    assert await worker.deliver_due() == 0


def test_the_digest_opens_with_the_days_incidents(store, matcher):
    from bot.digest import build_digest, digest_replies

    add(store, matcher, "dawn", "Four policemen martyred in attack on Lakki Marwat checkpoint",
        "Four policemen were martyred when terrorists attacked a police checkpoint in Lakki Marwat district.")
    add(store, matcher, "tribune", "TTP claims overnight assault on police post in Lakki Marwat",
        "The Tehreek-i-Taliban Pakistan claimed an overnight attack on a police checkpoint in Lakki Marwat that "
        "killed five officers.", minutes=30)
    add(store, matcher, "wire", "Blast near police van in Quetta leaves two dead, 11 injured",
        "At least two people were killed and 11 others injured when a bomb went off near a police van in Quetta.",
        minutes=60)
    digest = build_digest(store, start=NOW - timedelta(hours=1), end=NOW + timedelta(hours=23))
    (reply,) = digest_replies(digest)
    first = reply.sections[0]
    assert first.title == "Incidents"
    lines = first.text.splitlines()
    assert lines[0] == "2 incidents: 1 armed attack, 1 bombing"
    assert lines[1] == "By region: Khyber Pakhtunkhwa 1, Balochistan 1"
    assert lines[2].startswith("Killed 7, injured 11")
    assert lines[3].startswith("• Armed attack · Lakki Marwat") and lines[3].endswith("— Dawn, Express Tribune")
    assert lines[4].startswith("• Bombing · Quetta, Balochistan · 2 killed, 11 injured — Wire")


async def test_watch_incidents_lists_them_newest_first_by_place_or_group(store, matcher, tmp_path):
    from bot.commands import Commands, Deps
    from bot.models import CommandContext
    from bot.platforms.base import parse_command_text

    add(store, matcher, "dawn", "TTP claims attack on police post in Lakki Marwat",
        "Four policemen were martyred when militants attacked a police post in Lakki Marwat. The "
        "Tehreek-i-Taliban Pakistan claimed responsibility.")
    add(store, matcher, "wire", "Blast near police van in Quetta leaves two dead",
        "At least two people were killed when a bomb went off near a police van in Quetta.", minutes=60)
    runner = Commands(Deps(db=store, now=lambda: NOW + timedelta(hours=2), started_at=NOW, chart_dir=tmp_path,
                           catalog=matcher.catalog))
    ctx = CommandContext(platform="console", channel_id="#desk", user_id="u1")
    every = await runner.run(ctx, "incidents", {})
    assert every.title == "2 incidents in the last 7 days"
    assert [s.title.split(" · ")[0] for s in every.sections] == ["Bombing", "Armed attack"]  # newest first
    assert "Dawn" in every.sections[1].text
    name, args = parse_command_text("/watch incidents lakki marwat 24h")
    at_place = await runner.run(ctx, name, args)
    assert at_place.title == "1 incident at Lakki Marwat since 24h"
    by_group = await runner.run(ctx, "incidents", {"target": "TTP"})
    assert by_group.title.startswith("1 incident by ") and "4 killed" in by_group.sections[0].title
    in_province = await runner.run(ctx, "incidents", {"target": "balochistan"})
    assert in_province.sections[0].title.startswith("Bombing · Quetta, Balochistan")


def test_watchdesk_export_incidents_writes_acled_like_csv_and_jsonl(store, matcher, tmp_path, capsys):
    import csv
    import io

    from bot.cli import main

    add(store, matcher, "dawn", "Four policemen martyred in attack on Lakki Marwat checkpoint",
        "Four policemen were martyred when terrorists attacked a police checkpoint in Lakki Marwat district.")
    add(store, matcher, "tribune", "TTP claims overnight assault on police post in Lakki Marwat",
        "The Tehreek-i-Taliban Pakistan claimed an overnight attack on a police checkpoint in Lakki Marwat that "
        "killed five officers.", minutes=30)
    config = tmp_path / "feeds.yml"
    config.write_text("feeds:\n  - {id: dawn, url: 'http://127.0.0.1/dawn', name: Dawn}\n")
    store_path = store.execute("PRAGMA database_list").fetchone()[2]
    assert main(["--config", str(config), "--db", store_path, "export", "incidents", "--since", "2026-11-01"]) == 0
    (row,) = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert (row["event_date"], row["event_type"], row["actor"], row["claimed"]) == ("2026-11-20", "armed-attack",
                                                                                     "ttp", "yes")
    assert (row["location"], row["region"], row["fatalities"], row["source_count"]) == (
        "Lakki Marwat", "khyber-pakhtunkhwa", "5", "2")
    assert row["sources"] == "Dawn; Express Tribune"
    assert main(["--config", str(config), "--db", store_path, "export", "incidents", "--format", "jsonl"]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert json.loads(line)["fatalities"] == 5
    with pytest.raises(SystemExit) as exited:  # a usage error: argparse exits 2 with the choices
        main(["--config", str(config), "--db", store_path, "export", "incidents", "--format", "xls"])
    assert exited.value.code == 2
