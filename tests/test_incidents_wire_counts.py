"""Counts and claims as wires and local papers write them: the injured who later died, 'both', 'no loss of
life', a claim for 'both attacks', an attack repulsed, and the speaker before the attackers."""
from tests.incident_text import incidents as _all, one as _one


def test_the_injured_who_later_died_are_dead_not_a_wounded_count():
    incident = _one("Wounded soldier succumbs, Kurram blast toll rises to four", "A soldier wounded in Friday's "
                    "roadside bombing in Kurram's Sadda area succumbed to his injuries, raising the toll to four.")
    assert (incident.killed, incident.injured) == (4, None)
    incident = _one("Dozens hurt in Khuzdar rally blast", "Dozens of people were wounded when a bomb went off at a "
                    "rally in Khuzdar; three of the injured later died in hospital, doctors said.")
    assert incident.killed == 3


def test_both_counts_two_and_no_loss_of_life_counts_none():
    assert _one("Both policemen killed in Sibi ambush", "Gunmen ambushed a police van near Sibi; both constables on "
                "board were killed.").killed == 2
    assert _one("Rockets fired at Wana camp", "Militants fired two rockets at an army camp in Wana; no loss of life "
                "was reported.").killed == 0


def test_a_claim_of_both_attacks_covers_each():
    events = _all("Two days after Turbat blast, gunmen kill two in Panjgur", "Gunmen shot dead two labourers in "
                  "Panjgur on Sunday, two days after a bomb killed three soldiers in Turbat. The BLF claimed both "
                  "attacks.")
    assert [(e["type"], e["claimed"]) for e in events] == [("armed-attack", True), ("bombing", True)]


def test_an_attack_repulsed_in_the_headline_stays_the_attack():
    incident = _one("Three soldiers martyred, four terrorists killed as attack on Kurram post repulsed",
                    "Terrorists attacked a check post in Kurram's Alizai area. Three soldiers were martyred in the "
                    "ensuing exchange of fire, while four terrorists were killed, the ISPR said.")
    assert (incident.type, incident.killed) == ("armed-attack", 3)


def test_the_attackers_after_the_words_of_the_speaker_are_the_subject():
    incident = _one("Iran says guards killed near border", "Tehran said militants who crossed from Pakistan killed "
                    "three border guards near Saravan on Monday.")
    assert (incident.type, incident.killed, incident.region) == ("armed-attack", 3, "iran")


def test_a_part_of_an_unnamed_capital_is_the_capital_and_another_states_army_is_its_forces():
    assert _one("Blast in Afghan capital", "A bomb went off in the Karte Sakhi area of the Afghan capital, "
                "killing two worshippers, police said.").place == "Kabul"
    assert _one("Somali army kills militants", "Somalia's army said it killed 20 al-Shabaab fighters in an "
                "operation near Baidoa.").actor == "somali-security-forces"


def test_a_targeted_attack_on_one_person_is_a_targeted_killing():
    assert _one("Trader wounded in targeted attack in Quetta", "A trader was wounded when a gunman fired at him "
                "outside his shop in Quetta.").type == "targeted-killing"
