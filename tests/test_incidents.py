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


def _one(title, summary=""):
    """The incidents of an item, matched with the shipped catalog."""
    return [i.record() for i in item_incidents(load_matcher(), {"title": title, "summary": summary})]


def test_number_words_compounds_and_digits():
    assert number("twenty-one") == 21 and number("one hundred and five") == 105
    assert number("1,200") == 1200 and number("eighteen") == 18


def test_numbered_parts_add_and_vague_parts_give_no_figure():
    [event] = _one("Roadside bomb hits army vehicle in Kech",
                   "Three soldiers and four civilians were killed when the bomb went off, officials said.")
    assert event["killed"] == 7
    [event] = _one("Blast hits market in Quetta", "Two guards and several passers-by were killed, police said.")
    assert event["killed"] is None
    [event] = _one("A dozen militants killed as security forces raid hideout in Bannu",
                   "Security forces killed a dozen militants in an intelligence-based operation.")
    assert event["type"] == "security-operation" and event["killed"] is None


def test_ranges_and_at_least_give_the_low_firm_figure():
    [event] = _one("Between 15 and 20 killed in Kunduz mosque blast",
                   "Between 15 and 20 worshippers were killed when an explosion tore through a mosque in Kunduz.")
    assert event["killed"] == 15
    [event] = _one("Drones strike houses in Paktika", "Pakistani drones struck houses in Paktika, killing 10 to 12 "
                   "people and wounding at least 7, the Taliban said.")
    assert (event["type"], event["killed"], event["injured"]) == ("air-strike", 10, 7)
    assert event["actor"] == "pakistani-security-forces"


def test_a_claim_sets_actor_and_claimed_and_no_claim_does_not():
    [event] = _one("Suicide attack on checkpoint in Mohmand",
                   "Jamaat-ul-Ahrar said it carried out the suicide attack, which killed four soldiers.")
    assert (event["actor"], event["claimed"], event["killed"]) == ("jamaat-ul-ahrar", True, 4)
    [event] = _one("Bomb kills five in Kabul", "No group claimed the bombing, but IS-K has repeatedly targeted the area.")
    assert (event["actor"], event["claimed"]) == (None, False)


def test_background_recaps_are_not_new_incidents_but_a_recent_trigger_is():
    assert _one("Families still wait for answers",
                "A year after the suicide bombing at a mosque in Peshawar that killed 80 people, relatives wait.") == []
    assert _one("Attacks have surged", "The attack was the latest in a series of attacks since 2021.") == []
    events = _one("Pakistani jets strike hideouts in Khost",
                  "Pakistani jets struck hideouts in Khost, two days after militants killed seven soldiers in Bannu.")
    assert sorted((e["type"], e["place"], e["killed"]) for e in events) == [
        ("air-strike", "Khost", None), ("armed-attack", "Bannu", 7)]


def test_threats_protests_disasters_and_ordinary_arrests_are_no_incident():
    assert _one("TTP warns of attacks on army-run businesses", "The group said they would be targeted.") == []
    assert _one("Police clash with protesters in Peshawar", "Dozens were hurt as police fired tear gas.") == []
    assert _one("Floods kill 20 in Swat", "At least 20 people were killed by flash floods.") == []
    assert _one("Police arrest man over shop theft in Lahore", "He was detained after a chase.") == []


def test_place_is_the_most_specific_and_region_comes_from_the_catalog_or_the_text():
    [event] = _one("Gunman kills six at mosque in Afghanistan's Herat",
                   "A gunman opened fire on worshippers in Herat province's Guzara district, killing six people.")
    assert (event["place"], event["region"], event["killed"]) == ("Guzara", "afghanistan", 6)
    [event] = _one("Fighters overrun army base in northeast Nigeria",
                   "Militants overran a base in Borno state, killing at least 20 soldiers.")
    assert (event["place"], event["region"]) == ("Borno", "nigeria")
    [event] = _one("Gunmen kill 42 in attack on convoy in Kurram",
                   "Gunmen opened fire on a convoy travelling from Parachinar to Peshawar in Kurram district, killing 42.")
    assert event["place"] == "Kurram" and event["region"] == "khyber-pakhtunkhwa"


def test_state_forces_killing_militants_is_an_operation_and_two_states_firing_is_cross_border():
    [event] = _one("Security forces kill five terrorists in Lakki Marwat",
                   "Five terrorists were killed in an intelligence-based operation, the ISPR said.")
    assert (event["type"], event["actor"], event["killed"]) == ("security-operation", "pakistani-security-forces", 5)
    [event] = _one("Afghan forces open fire on Pakistani posts near Chaman",
                   "Afghan Taliban forces opened fire on Pakistani border posts near Chaman, wounding three civilians.")
    assert (event["type"], event["actor"], event["injured"]) == ("cross-border-fire", "afghan-taliban", 3)


def test_every_field_keeps_the_span_it_came_from():
    title, summary = "TTP claims attack on police station in Bannu", "Two policemen were martyred, police said."
    matcher = load_matcher()
    [incident] = item_incidents(matcher, {"title": title, "summary": summary})
    text = f"{title}\n{summary}"
    assert text[slice(*incident.spans["place"])] == "Bannu"
    assert text[slice(*incident.spans["actor"])] == "TTP"
    assert "Two policemen" in text[slice(*incident.spans["killed"])]
    assert "claim" in text[slice(*incident.spans["claimed"])]



def test_items_without_a_trigger_word_give_no_incident_at_once():
    assert extract("Wheat flour prices ease in Peshawar markets",
                   "Traders said supplies from Punjab had improved over the week.") == []


def _read(matcher, title, summary):
    return [incident.record() for incident in item_incidents(matcher, {"title": title, "summary": summary})]


def test_a_wire_dateline_is_where_the_story_was_filed_not_the_place(matcher):
    (filed_elsewhere,) = _read(matcher, "Gunmen storm police post near Afghan border",
                               "PESHAWAR, Pakistan (Reuters) - Gunmen stormed a police post in Mohmand district on "
                               "Sunday, killing three policemen, officials said.")
    assert (filed_elsewhere["place"], filed_elsewhere["killed"]) == ("Mohmand", 3)
    (only_there,) = _read(matcher, "Bus stop blast kills two",
                          "QUETTA: A bomb hidden in a rickshaw went off at a bus stop on Friday, killing two people.")
    assert (only_there["place"], only_there["region"], only_there["killed"]) == ("Quetta", "balochistan", 2)


def test_one_victim_by_an_article_a_role_and_name_or_a_name_and_others(matcher):
    (guard,) = _read(matcher, "Attack on vaccination team in Khyber",
                     "Militants fired on a vaccination team in Khyber district, killing a constable guarding the "
                     "workers.")
    assert guard["killed"] == 1
    (judge,) = _read(matcher, "Retired judge killed in Mardan",
                     "Two gunmen gunned down retired judge Abdul Karim Khattak near his house in Mardan.")
    assert judge["killed"] == 1
    (commander,) = _read(matcher, "Peace committee head killed in Bajaur blast",
                         "Peace committee chief Malik Sher Zaman and three of his guards were killed when a bomb "
                         "exploded under his car in Bajaur.")
    assert commander["killed"] == 4


def test_a_denial_names_no_actor_and_last_years_attack_is_no_news(matcher):
    (denied,) = _read(matcher, "TTP denies hand in Nowshera blast",
                      "The TTP denied any role in the bombing at a bus terminal in Nowshera that killed three people.")
    assert (denied["type"], denied["actor"], denied["claimed"]) == ("bombing", None, False)
    assert _read(matcher, "Court hears Jamrud case",
                 "Lawyers argued over evidence in last year's Jamrud mosque bombing that killed 27 worshippers.") == []


def test_a_states_strikes_and_an_enforcement_drive_met_by_gunfire(matcher):
    (strikes,) = _read(matcher, "Iranian strikes hit villages near Panjgur, officials say",
                       "Iranian strikes hit two villages near Panjgur, killing three people, Pakistani officials said.")
    assert (strikes["type"], strikes["actor"], strikes["killed"]) == ("air-strike", "iranian-security-forces", 3)
    (drive,) = _read(matcher, "Three dead in Badakhshan poppy clash",
                     "Three people were killed when farmers resisted a poppy eradication drive by Taliban forces in "
                     "Jurm district of Badakhshan.")
    assert (drive["type"], drive["actor"], drive["region"], drive["killed"]) == (
        "security-operation", "afghan-taliban", "badakhshan", 3)


def test_dozens_and_scores_counted_in_words_give_no_figure(matcher):
    (raid,) = _read(matcher, "Gunmen raid village in Borno",
                    "Gunmen killed three dozen villagers in an overnight raid on a village in Borno state.")
    assert raid["killed"] is None


def test_a_sentence_that_tells_a_separate_incident_gives_its_own(matcher):
    read = _read(matcher, "Two soldiers martyred in Kurram ambush",
                 "Two soldiers were martyred when militants ambushed a patrol in Kurram on Friday. In a separate "
                 "incident, a grenade thrown at a police station in Hangu wounded three constables.")
    assert [(r["type"], r["place"], r["killed"], r["injured"]) for r in read] == [
        ("armed-attack", "Kurram", 2, None), ("bombing", "Hangu", None, 3)]
    (one,) = _read(matcher, "Two soldiers martyred in Kurram ambush",
                   "Two soldiers were martyred when militants ambushed a patrol in Kurram on Friday. Officials said "
                   "a grenade was also thrown at the patrol.")
    assert one["type"] == "armed-attack"
