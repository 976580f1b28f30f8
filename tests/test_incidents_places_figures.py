"""Places at the level the contract asks for, and the figures, claims and actors of a few wordings."""
from bot.incidents import extract
from tests.incident_text import one as _one


def test_a_part_of_a_city_folds_into_the_city():
    assert _one("Blast hits Kabul's Wazir Akbar Khan", "A bomb went off in the Wazir Akbar Khan area of Kabul on "
                "Sunday, wounding two guards, police said.").place == "Kabul"
    assert _one("Two held in Gulbahar raid", "Police said two suspected militants were arrested in a raid in "
                "Gulbahar, Peshawar, on Friday.").place == "Peshawar"


def test_an_acronym_is_no_place_and_a_hyphenated_based_is_no_origin():
    incident = _one("Three soldiers killed in IED blast in Kohlu",
                    "Three soldiers were killed when an IED exploded near their vehicle in Kohlu, the army said.")
    assert incident.place == "Kohlu"
    incident = _one("Four militants killed in intelligence-based operation in Kohlu",
                    "Security forces killed four militants in an intelligence-based operation in Kohlu district.")
    assert (incident.place, incident.region) == ("Kohlu", "balochistan")


def test_a_town_named_with_its_province_or_as_a_capital_is_the_place():
    assert _one("Gunmen kill two police in Ingushetia", "Gunmen killed two police officers at a checkpoint in "
                "Nazran, Ingushetia, on Monday, officials said.").place == "Nazran"
    assert _one("Aid workers kidnapped in Daykundi", "Gunmen kidnapped two aid workers in Nili, the capital of "
                "Daykundi province, officials said.").place == "Nili"


def test_one_person_shot_and_injured_is_one_injured():
    [incident] = extract("Shopkeeper shot and injured in Mardan",
                         "A shopkeeper was shot and injured near his shop in Mardan, police said.", [], {})
    assert (incident.killed, incident.injured) == (None, 1)


def test_a_group_saying_on_a_day_it_carried_out_the_attack_claims_it():
    incident = _one("Group claims Swat checkpoint bombing", "Jamaat-ul-Ahrar said on Monday that it carried out the "
                    "bombing at a police checkpoint in Swat that killed two policemen.")
    assert (incident.actor, incident.claimed) == ("jamaat-ul-ahrar", True)


def test_explosions_said_to_be_caused_by_drone_strikes_are_an_air_strike():
    incident = _one("Kabul blames Pakistan for Paktika blasts", "The Taliban government said explosions in Paktika "
                    "on Sunday were caused by Pakistani drone strikes that killed four people.")
    assert (incident.type, incident.actor, incident.killed) == ("air-strike", "pakistani-security-forces", 4)


def test_counter_terrorism_officials_are_state_forces():
    incident = _one("Three militants killed in Quetta raid", "Counter-terrorism officials said three suspected "
                    "militants were killed in a shootout during a raid in Quetta.")
    assert (incident.type, incident.actor) == ("security-operation", "pakistani-security-forces")


def test_officials_in_a_place_are_its_victims_unless_they_speak_of_it():
    incident = _one("Gunmen abduct three customs officials in Dera Ismail Khan",
                    "Armed men stopped a car and took away three customs officials on Tuesday.")
    assert (incident.type, incident.place, incident.region) == ("abduction", "Dera Ismail Khan", "khyber-pakhtunkhwa")
    incident = _one("Two soldiers killed in Kurram attack",
                    "Two soldiers were killed when militants attacked a checkpost in Kurram, according to officials "
                    "in Peshawar.")
    assert incident.place == "Kurram"
