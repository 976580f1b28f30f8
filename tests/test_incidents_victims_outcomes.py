"""Victims counted the way the contract counts them, and the type an incident's outcome gives it."""
from tests.incident_text import incidents as _all, one as _one


def test_a_headline_naming_one_victim_without_a_number_counts_one():
    assert _one("Constable shot dead in Kohat").killed == 1
    assert _one("Journalist gunned down in Khuzdar", "Unknown men on a motorcycle fired at the reporter as he "
                "left the press club, police said.").killed == 1


def test_the_parts_a_count_includes_are_not_the_count():
    incident = _one("Gunmen attack wedding party in Kohistan", "At least six guests including a woman and a child "
                    "were killed when gunmen fired on a wedding party in Kohistan.")
    assert incident.killed == 6
    incident = _one("Afghan shelling hits Chaman homes", "Shells fired by Afghan forces landed on houses in Chaman, "
                    "killing three people including a boy and wounding eight, officials said.")
    assert (incident.killed, incident.injured) == (3, 8)


def test_an_attack_repulsed_with_attackers_killed_stays_one_armed_attack():
    events = _all("Two soldiers martyred as militants storm Spinwam post",
                  "Militants stormed a security post in Spinwam, North Waziristan. In the gunbattle that followed, "
                  "two soldiers were martyred and five terrorists were killed, the ISPR said.")
    assert [(e["type"], e["killed"]) for e in events] == [("armed-attack", 2)]


def test_a_raid_whose_only_outcome_is_arrests_is_an_arrest():
    assert _one("CTD raid in Mardan", "Counter-terrorism officials raided a house in Mardan and took three "
                "suspected militants into custody, seizing a suicide vest.").type == "arrest"
    assert _one("Police raid compound in Quetta, detain two", "Police raided a compound in Quetta's Sariab area and "
                "detained two suspected terrorists.").type == "arrest"


def test_a_poppy_eradication_drive_met_with_gunfire_is_the_taliban_governments_operation():
    incident = _one("Three dead as growers resist poppy destruction in Badakhshan", "Three people died when "
                    "villagers with rifles resisted a Taliban eradication campaign in Khash district, Badakhshan.")
    assert (incident.type, incident.actor) == ("security-operation", "afghan-taliban")


def test_captives_killed_are_counted_from_their_capture():
    incident = _one("Militants kidnap two teachers in Khyber, kill them", "Militants kidnapped two schoolteachers "
                    "in Bara, Khyber, and later killed them, police said.")
    assert (incident.type, incident.killed) == ("armed-attack", 2)
    incident = _one("Bodies of kidnapped workers found in Panjgur", "The bodies of four mobile-tower workers who "
                    "were kidnapped by armed men in Panjgur were found on Tuesday, the Levies said.")
    assert (incident.type, incident.killed) == ("armed-attack", 4)


def test_one_victim_and_the_people_with_him():
    assert _one("Tribal elder killed in Mohmand blast", "A bomb planted under the car of tribal elder Malik "
                "Jan Gul went off in Mohmand, killing him and his two nephews.").killed == 3


def test_people_taken_away_by_armed_men_are_abducted():
    assert _one("Gunmen stop vehicles in Kalat", "Armed men blocked the highway near Mangochar and took away six "
                "travellers, officials said.").type == "abduction"


def test_a_states_fire_from_across_the_border_is_cross_border_fire():
    incident = _one("Two hurt as shells hit Chaman", "Shells fired from across the border by Afghan forces landed "
                    "in Chaman, wounding two children, Pakistani officials said.")
    assert (incident.type, incident.actor, incident.region) == ("cross-border-fire", "afghan-taliban", "balochistan")
    incident = _one("Taliban say forces hit Pakistani posts", "Afghanistan's defence ministry said its forces targeted "
                    "several Pakistani border posts overnight in response to airspace violations.")
    assert (incident.type, incident.actor, incident.region) == ("cross-border-fire", "afghan-taliban", "pakistan")


def test_a_bare_attack_takes_the_means_the_lede_gives():
    assert _one("Drone attack on police post in Lakki Marwat wounds two", "Militants dropped explosives from a "
                "quadcopter on a police post in Lakki Marwat, wounding two constables.").type == "bombing"


def test_intruders_met_inside_a_district_are_placed_there():
    incident = _one("Tajik guards kill intruders", "Tajik border guards killed two armed men who had crossed from "
                    "Afghanistan into the Panj district, officials said.")
    assert (incident.place, incident.region) == ("Panj", "tajikistan")
    incident = _one("Six khwarij killed in Bajaur infiltration bid", "Security forces foiled an attempt by khwarij to "
                    "cross into Bajaur's Salarzai area, killing six of them; one soldier was martyred, the ISPR said.")
    assert (incident.type, incident.place, incident.killed) == ("security-operation", "Salarzai", 7)


def test_a_port_named_with_its_authority_is_the_town():
    incident = _one("Attack on Gwadar port complex repulsed", "Gunmen attacked the Gwadar Port Authority complex; two "
                    "guards were killed, officials said.")
    assert incident.place == "Gwadar"
