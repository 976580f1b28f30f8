"""Incident extraction from title and summary, and its scoring by `watchdesk eval`."""

import json

from bot.incidents import extract, number, region_of
from bot.cli.match import match_line
from bot.incidents import item_incidents
from bot.matching.loader import load_matcher
from bot.matching.evaluate import EventScore

LOCATED = {"lakki-marwat": ["khyber-pakhtunkhwa"], "khyber-pakhtunkhwa": ["pakistan"],
           "quetta": ["balochistan"], "balochistan": ["pakistan"]}


def test_word_numbers_and_vague_words():
    assert number("three") == 3 and number("12") == 12
    assert number("dozens") is None


def test_attack_with_word_figure_claim_and_region_from_hierarchy():
    title = "Gunmen attack police post in Lakki Marwat"
    summary = "Three policemen were killed and five injured. The TTP claimed responsibility."
    text = f"{title}\n{summary}"
    start = text.index("Lakki Marwat")
    ttp = text.index("TTP")
    [incident] = extract(title, summary, [("lakki-marwat", start, start + 12), ("ttp", ttp, ttp + 3)], LOCATED)
    assert incident.type == "armed-attack"
    assert (incident.killed, incident.injured) == (3, 5)
    assert incident.actor == "ttp" and incident.claimed
    assert incident.place == "Lakki Marwat" and incident.region == "khyber-pakhtunkhwa"
    start, end = incident.spans["killed"]
    assert "Three" in text[start:end]


def test_lowest_firm_figure_and_at_least():
    [incident] = extract("Blast in Quetta market", "At least 9 people were killed, officials said; "
                         "residents said 12 were killed.", [], LOCATED)
    assert incident.type == "bombing" and incident.killed == 9


def test_no_incident_in_diplomacy_or_designation():
    assert extract("Pakistan upgrades mission in Kabul", "Officials framed it as engagement.") == []
    assert extract("US designates group as terrorist organisation", "The move follows attacks.") == []


def test_region_of_walks_located_in():
    assert region_of("lakki-marwat", LOCATED) == "khyber-pakhtunkhwa"
    assert region_of("unknown", LOCATED) is None


def test_match_line_has_events_in_contract_shape():
    matcher = load_matcher()
    line = match_line(matcher, {"id": "x", "title": "Suicide bomber kills four soldiers in Quetta", "summary": ""})
    [event] = line["events"]
    assert set(event) == {"type", "actor", "claimed", "place", "region", "killed", "injured"}
    assert event["type"] == "bombing" and event["killed"] == 4
    json.dumps(line)
    assert item_incidents(matcher, {"title": "Cabinet meets on budget"}) == []


def test_event_score_pairs_over_item_and_type():
    score = EventScore()
    gold = [{"type": "bombing", "killed": 4, "place": "Quetta"}]
    score.add([{"type": "bombing", "killed": 4, "place": "quetta"}, {"type": "arrest"}], gold)
    assert (score.score.true_positives, score.score.false_positives, score.score.false_negatives) == (1, 1, 0)
    assert score.share("killed") == 1.0 and score.share("place") == 1.0
