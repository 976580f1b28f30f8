"""A shooting that only wounds is still an incident: the victim shot and wounded, nobody killed."""
from bot.incidents import extract


def test_a_person_shot_and_wounded_is_a_targeted_shooting_with_one_injured():
    [incident] = extract("Teacher shot and injured near his school in Swabi",
                         "Two men on a motorbike shot and wounded a schoolteacher near his school in Swabi on "
                         "Saturday, police said.", [], {})
    assert incident.type == "targeted-killing" and incident.killed is None and incident.injured == 1


def test_shot_dead_is_unchanged_and_a_threat_to_shoot_is_no_incident():
    [incident] = extract("Trader shot dead in Quetta", "Gunmen shot dead a trader outside his shop in Quetta.", [], {})
    assert incident.type == "targeted-killing" and incident.killed == 1
    assert extract("Militants threaten to shoot officials",
                   "A militant group warned it would shoot officials who attend the jirga.", [], {}) == []
