"""Wordings of the Pakistani and Afghan press: official names of the groups, 'sent to hell', crackers,
Rangers, 'no casualties', times of day, and the state forces of other countries."""
from tests.incident_text import one as _one


def test_the_group_the_attackers_belong_to_is_the_actor():
    incident = _one("Three Levies men martyred in Zhob", "Three Levies personnel were martyred when militants of "
                    "Fitna al-Khawarij attacked their post in Zhob on Monday, officials said.")
    assert incident.actor == "ttp"


def test_militants_sent_to_hell_in_an_operation_are_its_dead():
    incident = _one("Seven khwarij sent to hell in Mohmand", "Security forces carried out an intelligence-based "
                    "operation in Mohmand and sent seven khwarij to hell, the military said.")
    assert (incident.type, incident.killed) == ("security-operation", 7)


def test_a_cracker_thrown_is_a_bombing_and_a_fire_set_is_an_attack():
    assert _one("Two policemen hurt in cracker attack in Panjgur", "Two policemen were hurt when men on a motorbike "
                "threw a cracker at a police van in Panjgur.").type == "bombing"
    assert _one("Armed men burn trucks in Kalat", "Armed men set two fuel tankers ablaze on the highway near "
                "Kalat, officials said.").type == "armed-attack"


def test_rangers_detaining_a_sectarian_suspect_is_an_arrest_by_the_state():
    incident = _one("Rangers hold suspect in Karachi", "Pakistan Rangers said they detained a suspected target "
                    "killer of a banned sectarian group in a raid in Karachi's Korangi area.")
    assert (incident.type, incident.actor) == ("arrest", "pakistani-security-forces")


def test_no_casualties_reported_is_none_killed_or_injured():
    incident = _one("Attack on police station in Kulachi repulsed", "Militants attacked a police station in Kulachi, "
                    "Dera Ismail Khan, with rockets overnight. No casualties were reported.")
    assert (incident.killed, incident.injured) == (0, 0)


def test_a_time_of_day_after_the_incident_is_not_an_earlier_incident():
    incident = _one("Bomber strikes mosque in Bajaur", "A suicide bomber struck a mosque in Khar, Bajaur, after "
                    "evening prayers, killing its imam and four worshippers.")
    assert incident.killed == 5


def test_taliban_fighters_killing_a_man_at_home_are_the_taliban_government():
    incident = _one("Former policeman killed in Baghlan", "Taliban fighters shot dead a former police officer at his "
                    "home in Baghlan's Andarab district, relatives said.")
    assert (incident.type, incident.actor) == ("targeted-killing", "afghan-taliban")


def test_another_states_security_forces_are_that_states():
    incident = _one("Four militants killed in Dagestan", "Russia's anti-terrorism committee said security forces "
                    "killed four militants in a shootout in Derbent, Dagestan.")
    assert incident.actor == "russian-security-forces"


def test_a_village_named_for_its_tribe_is_not_the_province_inside_its_name():
    incident = _one("Gunmen fire on police patrol in Lakki Marwat", "Unidentified men opened fire on a police "
                    "patrol in Lakki Marwat's Ghazni Khel area, martyring a constable.")
    assert incident.place == "Ghazni Khel"


def test_a_nationality_of_the_victims_is_not_where_it_happened():
    incident = _one("Two Chinese hurt in attack near Gharo", "Gunmen fired on a van carrying Chinese engineers near "
                    "Gharo, injuring two of them.")
    assert incident.region != "china"


def test_intruders_killed_after_the_forces_engaged_them_and_a_headline_placed_by_its_lede():
    incident = _one("Nine infiltrators killed on the border", "Troops intercepted a group of militants trying to "
                    "cross into Bajaur from Afghanistan near Nawa Pass and killed nine of them, the military said.")
    assert (incident.type, incident.killed) == ("security-operation", 9)
    incident = _one("Security forces kill 12 khwarij in infiltration bid", "Troops engaged a group of terrorists "
                    "trying to cross into Pakistan in the Ghulam Khan area of North Waziristan, the ISPR said.")
    assert (incident.actor, incident.region) == ("pakistani-security-forces", "khyber-pakhtunkhwa")
