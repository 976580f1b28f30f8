"""Places and groups the catalog does not list: regions abroad, armed groups abroad, and the desk's own
district names that the matcher takes only beside their region."""
from tests.incident_text import one as _one


def test_a_town_named_as_the_town_of_is_the_place_and_its_region_abroad_gives_the_country():
    incident = _one("Air raid kills family in northwest Syria", "An air raid on a house in the town of Sarmada "
                    "in Idlib killed five members of one family, rescue workers said.")
    assert (incident.place, incident.region) == ("Sarmada", "syria")


def test_a_region_abroad_without_its_country_is_that_country_not_the_desks_region():
    incident = _one("Gunmen kill 18 villagers in Zamfara", "Armed men on motorbikes raided a farming village in "
                    "Zamfara on Sunday, killing 18 people, a local official said.")
    assert (incident.place, incident.region, incident.killed) == ("Zamfara", "nigeria", 18)
    incident = _one("Six killed in attack near Mogadishu", "Gunmen stormed a hotel on the outskirts of Mogadishu, "
                    "killing six guests, police said.")
    assert incident.region == "somalia"


def test_a_foreign_armed_group_is_the_actor_by_its_short_name():
    incident = _one("Boko Haram insurgents kill nine fishermen in Borno", "Boko Haram insurgents killed nine "
                    "fishermen on the shores of Lake Chad in Borno, residents said.")
    assert (incident.actor, incident.region, incident.killed) == ("boko-haram", "nigeria", 9)
    incident = _one("Al-Shabaab claims Mogadishu hotel siege", "Al-Shabaab said its fighters stormed a hotel in "
                    "Mogadishu, where at least 12 people were killed.")
    assert (incident.actor, incident.claimed) == ("al-shabaab", True)


def test_a_district_the_matcher_wants_with_its_region_is_placed_where_something_happened_there():
    incident = _one("Five terrorists killed in Kalat operation", "Security forces killed five terrorists in an "
                    "intelligence-based operation in Kalat, the military said.")
    assert (incident.place, incident.region) == ("Kalat", "balochistan")
    incident = _one("Two constables hurt in Karak attack", "Gunmen fired on a police patrol in Karak's Banda Daud "
                    "Shah tehsil, wounding two constables.")
    assert incident.region == "khyber-pakhtunkhwa"
    # the same name ruled out by its other country stays out of the desk's province
    incident = _one("Blast kills two in Qalat", "A roadside bomb killed two Taliban fighters near Kalat, the capital "
                    "of Zabul province in Afghanistan, officials said.")
    assert incident.region != "balochistan"
