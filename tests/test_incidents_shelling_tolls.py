"""Shelling by one state that lands in the other, garrisons stormed, victims abducted and killed, the two
sides' dead of a security operation, and a few casualty wordings."""
from bot.incidents import extract, item_incidents
from tests.incident_text import MATCHER, one as _one


def test_one_states_shelling_landing_in_the_other_is_cross_border_fire():
    incident = _one("Afghan officials say Pakistani shelling hit Kunar villages",
                    "Pakistani forces shelled villages in Kunar province on Tuesday, wounding four civilians, "
                    "Afghan officials said.")
    assert (incident.type, incident.actor, incident.region, incident.injured) == (
        "cross-border-fire", "pakistani-security-forces", "afghanistan", 4)
    incident = _one("Shells land in Chaman homes", "Shells fired by Afghan Taliban forces hit houses in Chaman, "
                    "killing a child, Pakistani officials said.")
    assert (incident.type, incident.actor, incident.region) == ("cross-border-fire", "afghan-taliban", "balochistan")


def test_a_state_shelling_its_own_ground_is_no_cross_border_fire():
    assert [i.type for i in item_incidents(MATCHER, {
        "title": "Army shells hideouts in Tirah", "summary": "Pakistani troops shelled militant hideouts in "
        "Khyber district on Monday, officials said."})] != ["cross-border-fire"]


def test_militants_storming_a_garrison_is_an_armed_attack():
    assert _one("Militants storm Bannu garrison", "Heavily armed militants stormed the Bannu garrison before "
                "dawn, killing five soldiers, the military said.").type == "armed-attack"


def test_victims_abducted_and_killed_are_coded_by_the_killing():
    assert _one("Abducted labourers killed in Kech", "Gunmen abducted three labourers from a construction site "
                "in Kech and later killed them, police said.").type == "armed-attack"


def test_a_security_operations_toll_adds_the_forces_and_the_militants_dead():
    incident = _one("Two soldiers, four militants killed in Tank clash", "Two soldiers were martyred and four "
                    "militants were killed in an exchange of fire in Tank district, the military said.")
    assert (incident.type, incident.killed) == ("security-operation", 6)


def test_unhurt_is_no_one_injured_and_a_named_leader_is_one_killed():
    [incident] = extract("Gunmen set fire to trucks in Kalat", "Armed men set fire to four trucks in Kalat on "
                         "Friday; the drivers escaped unhurt, officials said.", [], {})
    assert incident.injured == 0
    assert _one("Drone strike kills ISKP commander", "A drone strike killed ISKP commander Abu Omar Khorasani "
                "near Jalalabad, officials said.").killed == 1


def test_an_official_in_a_province_who_was_killed_is_placed_there():
    incident = _one("Gunmen kill Taliban official", "Gunmen killed a Taliban district official in Kunduz on "
                    "Sunday, police said.")
    assert (incident.place, incident.region) == ("Kunduz", "afghanistan")
