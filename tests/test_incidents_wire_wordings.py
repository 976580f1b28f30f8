"""Press-release and wire wordings: "sent to hell", "assassinated", a place named in an "after" clause."""
from tests.incident_text import one as _one


def test_sent_to_hell_counts_the_militants_dead():
    incident = _one("Security forces kill khawarij in Datta Khel", "During the exchange of fire in Datta Khel, "
                    "four khawarij were sent to hell, while one soldier embraced martyrdom, the ISPR said.")
    assert (incident.type, incident.killed) == ("security-operation", 5)


def test_assassinated_a_commander_is_one_killed():
    assert _one("Group says it killed Taliban commander in Kunar", "Islamic State Khorasan said it "
                "assassinated a Taliban commander in Asadabad.").killed == 1


def test_the_place_of_an_after_clause_is_the_incidents_when_nothing_else_names_one():
    incident = _one("Gunmen abduct nine road workers", "Gunmen abducted nine road workers after stopping their "
                    "bus in Lakki Marwat on Monday, police said.")
    assert (incident.type, incident.place, incident.region) == ("abduction", "Lakki Marwat", "khyber-pakhtunkhwa")
