"""The daily digest on fixed rows: selection, grouping, ranking, rendering limits, queueing, catch-up."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from bot import digest as digest_module
from bot.config import DigestTarget
from bot.digest import (Digest, DigestStory, build_digest, digest_replies, enqueue_digest, last_scheduled,
                        missed_digests)
from bot.models import reply_from_dict
from bot.clock import iso
from store.feeds import set_meta
from tests.test_search_lookup import add_entity, add_feed, add_item, add_theme

END = datetime(2026, 11, 25, 3, 0, tzinfo=timezone.utc)  # 08:00 in Karachi
START = END - timedelta(hours=24)
TARGET = DigestTarget(id="desk", time="08:00", timezone="Asia/Karachi", platform="slack", channel="C42")


@pytest.fixture
def desk(db):
    """Four matching stories in the period, and items that must stay out of the digest."""
    with db.conn:
        for feed_id, name in (("dawn", "Dawn"), ("geo", "Geo News"), ("express", "Express Tribune")):
            add_feed(db, feed_id, name)
        add_entity(db, "ttp", "Tehrik-e-Taliban Pakistan")
        add_entity(db, "pakistan", "Pakistan")
        add_entity(db, "kabul", "Kabul")
        add_theme(db, "cross-border-attacks", "Cross-border attacks")
        add_theme(db, "border-trade", "Border trade")
        hour = lambda number: START + timedelta(hours=number)  # noqa: E731
        # s1: three outlets, two entities, best theme cross-border attacks
        add_item(db, "s1-dawn", story="s1", title="Militants attack border posts", published=hour(2),
                 entities=("ttp", "pakistan"), themes=(("cross-border-attacks", 5.0), ("border-trade", 2.0)))
        add_item(db, "s1-geo", story="s1", title="Border posts attacked", published=hour(3), feed="geo",
                 entities=("ttp",), themes=(("cross-border-attacks", 4.0),))
        add_item(db, "s1-express", story="s1", title="Attack on posts", published=hour(4), feed="express")
        # s4: two outlets, one entity, same theme: ranked after s1
        add_item(db, "s4-dawn", story="s4", title="Shelling reported in Kurram", published=hour(20),
                 entities=("pakistan",), themes=(("cross-border-attacks", 3.0),))
        add_item(db, "s4-geo", story="s4", title="Kurram shelling", published=hour(21), feed="geo",
                 entities=("pakistan",), themes=(("cross-border-attacks", 3.5),))
        # s2: one outlet, best theme border trade; a baseline item still counts
        add_item(db, "s2-dawn", story="s2", title="Torkham reopens for trade", published=hour(5),
                 entities=("ttp",), themes=(("border-trade", 4.0),), baseline=True)
        # s3: two outlets, no theme: other news
        add_item(db, "s3-geo", story="s3", title="Kabul airport flights resume", published=hour(6), feed="geo",
                 entities=("kabul",))
        add_item(db, "s3-express", story="s3", title="Flights resume in Kabul", published=hour(7),
                 feed="express", entities=("kabul",))
        # s5: same outlets and entities as s3 but newer: ranked first in its group
        add_item(db, "s5-dawn", story="s5", title="Kabul water protest", published=hour(12), entities=("kabul",))
        add_item(db, "s5-geo", story="s5", title="Water protest in Kabul", published=hour(13), feed="geo",
                 entities=("kabul",))
        # out: no matches, before the period, at its end
        add_item(db, "plain", title="Cricket scores", published=hour(8))
        add_item(db, "early", title="Old Pakistan story", published=START - timedelta(minutes=1),
                 entities=("pakistan",))
        add_item(db, "late", title="Next TTP story", published=END, entities=("ttp",))
        # the week before: TTP named on 7 items (1 a day), Kabul on 14 (2 a day), Pakistan on 1 ("early")
        for day in range(1, 8):
            add_item(db, f"week-ttp-{day}", title="TTP", published=START - timedelta(days=day, hours=-1),
                     entities=("ttp",))
            for copy in range(2):
                add_item(db, f"week-kabul-{day}-{copy}", title="Kabul",
                         published=START - timedelta(days=day, hours=-2 - copy), entities=("kabul",))
    return db


def _ids(result: Digest) -> list[tuple[str, list[str]]]:
    return [(name, [story.story_id for story in stories]) for name, stories in result.groups]


def test_build_digest_groups_ranks_and_counts(desk):
    result = build_digest(desk, start=START, end=END)
    assert _ids(result) == [("Cross-border attacks", ["s1", "s4"]), ("Border trade", ["s2"]),
                            ("Other news", ["s5", "s3"])]
    assert result.story_count == 5
    assert result.item_count == 9  # matching items: s1's third outlet matched nothing
    first = result.groups[0][1][0]
    assert first == DigestStory(
        story_id="s1", title="Militants attack border posts", link="https://dawn.example/s1-dawn",
        outlets=("Dawn", "Geo News", "Express Tribune"), entities=("Pakistan", "Tehrik-e-Taliban Pakistan"),
        themes=("cross-border-attacks", "border-trade"), first_seen_at=START + timedelta(hours=2), score=3.02)


def test_top_entities_count_stories_and_compare_with_the_week_before(desk):
    result = build_digest(desk, start=START, end=END)
    # Kabul: 4 items but 2 stories (s3, s5); the week before 14 stories, 2 a day.
    assert result.top_entities == (("kabul", "Kabul", 2, 2.0, 14), ("pakistan", "Pakistan", 2, 1 / 7, 1),
                                   ("ttp", "Tehrik-e-Taliban Pakistan", 2, 1.0, 7))
    text = digest_replies(result)[0].sections[0].text.splitlines()
    # Pakistan's baseline is one story: too few to judge, so no percentage at all.
    assert text == ["Kabul 2 (same as 7-day avg)", "Pakistan 2", "Tehrik-e-Taliban Pakistan 2 (+100% vs 7-day avg)"]


def test_a_short_period_is_compared_with_the_same_hours_of_the_days_before(desk):
    # 8 hours: TTP items of the week before fall at START-day+1h, inside the same 8 hours each day.
    result = build_digest(desk, start=START, end=START + timedelta(hours=8))
    top = {entity_id: rest for entity_id, *rest in result.top_entities}
    assert top["ttp"] == ["Tehrik-e-Taliban Pakistan", 2, 1.0, 7]
    text = digest_replies(result)[0].sections[0].text.splitlines()
    assert "Tehrik-e-Taliban Pakistan 2 (+100% vs same hours, 7-day avg)" in text
    assert not any("%" in line for line in text if line.startswith("Pakistan"))


def test_imported_documents_are_not_news_in_the_digest(desk):
    with desk.conn:
        add_item(desk, "doc-1", title="Background: the TTP since 2007", published=START + timedelta(hours=9),
                 feed="corpus", entities=("ttp",), themes=(("cross-border-attacks", 9.0),))
        desk.execute("UPDATE items SET source = 'corpus' WHERE id = 'doc-1'")
    result = build_digest(desk, start=START, end=END)
    assert "doc-1" not in [story.story_id for _, stories in result.groups for story in stories]
    assert result.story_count == 5


def test_filters_keep_stories_matching_one_of_them(desk):
    by_entity = build_digest(desk, start=START, end=END, entities=("kabul",))
    assert _ids(by_entity) == [("Other news", ["s5", "s3"])]
    assert [entity_id for entity_id, *_ in by_entity.top_entities] == ["kabul"]
    by_theme = build_digest(desk, start=START, end=END, themes=("border-trade",))
    assert _ids(by_theme) == [("Cross-border attacks", ["s1"]), ("Border trade", ["s2"])]
    either = build_digest(desk, start=START, end=END, entities=("kabul",), themes=("border-trade",))
    assert either.story_count == 4


def test_max_stories_keeps_the_best_and_counts_all(desk):
    result = build_digest(desk, start=START, end=END, max_stories=2)
    assert _ids(result) == [("Cross-border attacks", ["s1", "s4"])]
    assert result.story_count == 5
    assert "the top 2 are listed" in digest_replies(result)[0].text


def test_quiet_period_gives_one_short_reply(desk):
    quiet_start = START - timedelta(days=30)
    result = build_digest(desk, start=quiet_start, end=quiet_start + timedelta(days=1))
    assert result.groups == () and result.story_count == 0 and result.top_entities == ()
    replies = digest_replies(result)
    assert len(replies) == 1
    assert "Nothing matched" in replies[0].text and replies[0].sections == ()
    assert "25 Oct 03:00 – 26 Oct 2026 03:00 UTC" in replies[0].title


def test_first_reply_has_period_top_entities_and_story_lines(desk):
    replies = digest_replies(build_digest(desk, start=START, end=END))
    assert len(replies) == 1
    first = replies[0]
    assert first.title == "Daily digest: 24 Nov 03:00 – 25 Nov 2026 03:00 UTC"
    assert first.text == "5 stories from 9 matching items."
    assert [section.title for section in first.sections] == ["Most mentioned (stories)", "Cross-border attacks",
                                                             "Border trade", "Other news"]
    assert first.sections[1].text.splitlines() == [
        "• Militants attack border posts — Dawn, Geo News, Express Tribune (3)",
        "  https://dawn.example/s1-dawn",
        "• Shelling reported in Kurram — Dawn, Geo News (2)",
        "  https://dawn.example/s4-dawn"]


def _many_stories(count: int) -> Digest:
    stories = tuple(DigestStory(
        story_id=f"s{number}", title=("Very long headline about the border " * 12) + str(number),
        link=f"https://outlet.example/{'news/' * 40}{number}",
        outlets=tuple(f"Outlet with a rather long name {outlet}" for outlet in range(number % 7 + 1)),
        entities=("Pakistan",), themes=("t",), first_seen_at=START, score=1.0) for number in range(count))
    groups = tuple((f"Theme {index} " + "x" * 300, stories[index::5]) for index in range(5))
    top = tuple((f"e{index}", "Entity " * 20 + str(index), 40 + index, 10.0, 70) for index in range(10))
    return Digest(start=START, end=END, groups=groups, top_entities=top, item_count=5000, story_count=count)


def _reply_text_size(reply) -> int:
    return len(reply.title) + len(reply.text) + len(reply.footer) + sum(
        len(section.title) + len(section.text) for section in reply.sections)


@pytest.mark.parametrize("count", [1, 9, 60, 400])
def test_split_replies_stay_within_discord_and_slack_limits(count):
    replies = digest_replies(_many_stories(count))
    for reply in replies:
        assert len(reply.sections) <= digest_module.MAX_SECTIONS <= 10
        assert _reply_text_size(reply) <= 3500
        assert len(reply.title) <= 150 and len(reply.footer) <= 40
        for section in reply.sections:
            assert len(section.text) <= 1000 and len(section.title) <= 150
    lines = [line for reply in replies for section in reply.sections for line in section.text.splitlines()]
    links = [line.strip() for line in lines if line.startswith("  https://")]
    assert sorted(links) == sorted(f"https://outlet.example/{'news/' * 40}{number}" for number in range(count))
    assert "24 Nov" in replies[0].title and replies[0].sections[0].title == "Most mentioned (stories)"
    if len(replies) > 1:
        assert [reply.footer for reply in replies] == [f"Part {n} of {len(replies)}" for n in
                                                        range(1, len(replies) + 1)]


def test_last_scheduled_in_the_targets_time_zone():
    karachi = DigestTarget(id="k", time="08:00", timezone="Asia/Karachi", platform="slack", channel="C")
    assert last_scheduled(karachi, datetime(2026, 11, 25, 3, 0, tzinfo=timezone.utc)) == \
        datetime(2026, 11, 25, 3, 0, tzinfo=timezone.utc)
    assert last_scheduled(karachi, datetime(2026, 11, 25, 2, 59, tzinfo=timezone.utc)) == \
        datetime(2026, 11, 24, 3, 0, tzinfo=timezone.utc)
    london = DigestTarget(id="l", time="07:30", timezone="Europe/London", platform="slack", channel="C")
    assert last_scheduled(london, datetime(2026, 7, 1, 12, 0, tzinfo=timezone.utc)) == \
        datetime(2026, 7, 1, 6, 30, tzinfo=timezone.utc)  # summer time
    assert last_scheduled(london, datetime(2026, 12, 1, 7, 0, tzinfo=timezone.utc)) == \
        datetime(2026, 11, 30, 7, 30, tzinfo=timezone.utc)


def _outbox(db) -> list[dict]:
    return list(db.query("SELECT idem_key, kind, platform, channel_id, payload FROM outbox ORDER BY id"))


def test_enqueue_digest_queues_once_a_day_and_records_the_period(desk):
    now = END
    with desk.conn:
        queued = enqueue_digest(desk, TARGET, now)
    rows = _outbox(desk)
    assert queued == len(rows) == 1
    assert rows[0]["idem_key"] == "digest:desk:2026-11-25:1"
    assert (rows[0]["kind"], rows[0]["platform"], rows[0]["channel_id"]) == ("digest", "slack", "C42")
    reply = reply_from_dict(json.loads(rows[0]["payload"]))
    assert reply.title.startswith("Daily digest") and "5 stories" in reply.text
    digests = list(desk.query("SELECT * FROM digests"))
    assert digests == [{"target_id": "desk", "period_start": iso(now - timedelta(hours=24)), "period_end": iso(now),
                        "created_at": iso(now), "story_count": 5}]
    with desk.conn:
        assert enqueue_digest(desk, TARGET, now + timedelta(hours=5)) == 0
    assert len(_outbox(desk)) == 1 and desk.execute("SELECT count(*) FROM digests").fetchone()[0] == 1
    tomorrow = now + timedelta(days=1)
    with desk.conn:
        assert enqueue_digest(desk, TARGET, tomorrow) == 1
    assert _outbox(desk)[-1]["idem_key"] == "digest:desk:2026-11-26:1"
    latest = desk.execute("SELECT period_start, period_end FROM digests ORDER BY period_end DESC").fetchone()
    assert latest == (iso(now), iso(tomorrow))


def test_enqueue_digest_queues_every_part_of_a_long_digest(desk, monkeypatch):
    monkeypatch.setattr(digest_module, "MAX_SECTIONS", 1)
    with desk.conn:
        queued = enqueue_digest(desk, TARGET, END)
    rows = _outbox(desk)
    assert queued == len(rows) == 4
    assert [row["idem_key"] for row in rows] == [f"digest:desk:2026-11-25:{part}" for part in (1, 2, 3, 4)]
    footers = [reply_from_dict(json.loads(row["payload"])).footer for row in rows]
    assert footers == ["Part 1 of 4", "Part 2 of 4", "Part 3 of 4", "Part 4 of 4"]


def test_missed_digests_once_after_a_missed_time(desk):
    late = END + timedelta(hours=2)  # 10:00 in Karachi, the 08:00 digest not sent
    assert missed_digests(desk, [TARGET], late) == []  # no first start recorded: nothing missed
    with desk.conn:
        set_meta(desk, "first_started_at", iso(END - timedelta(days=3)))
    assert missed_digests(desk, [TARGET], late) == [TARGET]
    with desk.conn:
        assert enqueue_digest(desk, TARGET, late) == 1
    assert missed_digests(desk, [TARGET], late) == []
    assert missed_digests(desk, [TARGET], late + timedelta(hours=12)) == []  # next 08:00 not yet here
    assert missed_digests(desk, [TARGET], late + timedelta(days=1)) == [TARGET]


def test_no_missed_digest_before_the_first_start(desk):
    with desk.conn:
        set_meta(desk, "first_started_at", iso(END + timedelta(hours=1)))  # started after today's 08:00
    assert missed_digests(desk, [TARGET], END + timedelta(hours=2)) == []
    other = DigestTarget(id="night", time="07:00", timezone="UTC", platform="discord", channel="1")
    assert missed_digests(desk, [TARGET, other], END + timedelta(hours=5)) == [other]


@pytest.mark.parametrize("count, baseline, total, expected", [
    (42, 31.0, 217, "+35% vs 7-day avg"), (10, 20.0, 140, "-50% vs 7-day avg"),
    (2, 2.0, 14, "same as 7-day avg"), (41, 1 / 7, 1, ""), (3, 0.0, 0, ""), (9, 0.8, 4, "")])
def test_change_text_only_with_a_baseline_big_enough_to_judge(count, baseline, total, expected):
    assert digest_module.change_text(count, baseline, total) == expected


def test_baseline_label_names_what_is_compared():
    assert digest_module.baseline_label(START, END) == "7-day avg"
    assert digest_module.baseline_label(START, START + timedelta(hours=8)) == "same hours, 7-day avg"
    assert digest_module.baseline_label(START, START + timedelta(days=7)) == "previous 7d"


def test_digest_period_is_shown_in_the_desk_time_zone(desk):
    reply = digest_replies(build_digest(desk, start=START, end=END, zone="Asia/Karachi"))[0]
    assert reply.title == "Daily digest: 24 Nov 08:00 – 25 Nov 2026 08:00 PKT"
