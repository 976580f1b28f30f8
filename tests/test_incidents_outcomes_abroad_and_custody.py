"""What is not an incident (an arrest weeks ago, a mine's gas, smugglers at a border) and the details that
decide the type or the count of one that is."""
from tests.incident_text import incidents as _all, one as _one


def test_an_arrest_dated_weeks_back_is_no_news_and_mine_gas_is_an_accident():
    assert _all("Militant suspect dies in custody", "A suspected militant arrested last month died in police "
                "custody in Multan, his relatives said.") == []
    assert _all("Blast in Duki coal mine kills four", "Four miners were killed when methane exploded inside a coal "
                "mine in Duki.") == []


def test_border_troops_and_smugglers_are_no_fire_between_two_states():
    assert all(e["type"] != "cross-border-fire" for e in _all(
        "Iranian guards clash with smugglers on border", "Iranian border guards killed three fuel smugglers in a "
        "clash near the border at Saravan, officials said."))


def test_one_colleague_injured_counts_one():
    assert _one("Bomb disposal man martyred in Lakki Marwat", "A bomb disposal official was martyred and a colleague "
                "injured when a device exploded in Lakki Marwat.").injured == 1


def test_fighters_killed_with_an_aside_about_some_of_them_are_the_operations_dead():
    incident = _one("Infiltration bid foiled in Bajaur", "The military said nine infiltrators, including four foreign "
                    "nationals, were killed while trying to cross into Bajaur.")
    assert (incident.type, incident.killed) == ("security-operation", 9)


def test_three_people_shot_at_a_market_are_an_armed_attack():
    assert _one("Gunmen kill traders in Turbat", "Gunmen shot dead four traders in Turbat's main bazaar, police "
                "said.").type == "armed-attack"


def test_a_bomber_arrested_is_an_arrest():
    incident = _one("Police: suspected suicide bomber arrested in Lahore", "Police arrested a suspected suicide bomber "
                    "wearing an explosives vest near a church in Lahore.")
    assert incident.type == "arrest"


def test_rangers_named_with_their_country_are_no_place():
    incident = _one("Pakistan's Rangers kill two militants in Karachi", "Rangers said two militants of a banned "
                    "group were killed in an encounter in Karachi's Orangi area.")
    assert incident.place == "Karachi"
