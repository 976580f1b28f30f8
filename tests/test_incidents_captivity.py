"""Hostage-taking is an abduction even without a kidnap word; a state's forces firing on another
state's posts is fire between two states."""
from bot.incidents import extract


def _one(title, summary):
    [incident] = extract(title, summary, [], {})
    return incident


def test_people_held_or_taken_captive_are_an_abduction():
    assert _one("Armed men hold lorry crew hostage near Awaran",
                "Armed men halted three lorries near Awaran and were holding their crews hostage on Sunday, "
                "officials said.").type == "abduction"
    assert _one("Gunmen take road workers captive in Kharan",
                "Gunmen took six road workers captive at a construction camp in Kharan, the Levies said.").type \
        == "abduction"
    assert _one("Minibus hijacked near Turbat",
                "Armed men hijacked a minibus with 12 people aboard near Turbat late on Friday.").type == "abduction"


def test_hostages_freed_or_a_threat_to_take_them_is_no_abduction():
    assert extract("Troops free hostages near Awaran",
                   "Troops freed eight travellers who had been held hostage near Awaran for two days.", [], {}) == []
    assert extract("Group threatens to take officials hostage",
                   "A militant group warned that it would take government officials hostage.", [], {}) == []


def test_a_states_forces_firing_on_anothers_posts_is_cross_border_fire():
    incident = _one("Soldier wounded as Afghan forces fire rockets on Kurram posts",
                    "Afghan forces fired rockets at Pakistani border posts in Kurram on Monday, wounding a soldier, "
                    "officials said.")
    assert (incident.type, incident.actor, incident.injured) == ("cross-border-fire", "afghan-taliban", 1)
    incident = _one("Border posts come under fire in Chaman",
                    "Afghan Taliban opened unprovoked fire with artillery on Pakistani checkpoints near Chaman, "
                    "martyring three soldiers, the military said.")
    assert (incident.type, incident.actor, incident.killed) == ("cross-border-fire", "afghan-taliban", 3)
    incident = _one("Pakistani troops fire mortars at Afghan posts, ministry says",
                    "Pakistani troops fired mortar rounds at Afghan posts in Khost province, wounding two Afghan "
                    "border guards, the defence ministry in Kabul said.")
    assert (incident.type, incident.actor) == ("cross-border-fire", "pakistani-security-forces")


def test_militants_firing_on_posts_stay_an_armed_attack():
    assert _one("Militants fire rockets at check post in Tank",
                "Militants fired rockets at a police check post in Tank, wounding two policemen.").type \
        == "armed-attack"
