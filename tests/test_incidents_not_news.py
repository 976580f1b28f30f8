"""Industrial accidents and period tallies report no incident; a year's deadliest attack still does."""
from bot.incidents import extract


def _types(title, summary):
    return [incident.type for incident in extract(title, summary, [], {})]


def test_a_boiler_or_gas_explosion_is_an_accident():
    assert _types("Boiler explosion kills three at Faisalabad mill", "Three labourers were killed when a boiler "
                  "exploded at a textile mill in Faisalabad, rescue officials said.") == []
    assert _types("Gas leak blast wounds six in Hyderabad", "Six people were injured when a gas leak caused an "
                  "explosion in a house in Hyderabad.") == []


def test_a_periods_tally_is_statistics():
    assert _types("Police arrested 150 suspects in Sindh this year", "Sindh police said they arrested more than "
                  "150 suspected militants so far this year.") == []
    assert _types("Data shows 90 soldiers killed in November", "Militants killed 90 soldiers in November, a "
                  "security think tank said.") == []


def test_the_deadliest_attack_this_year_is_still_an_incident():
    assert _types("Bomb kills 14 in Kurram market", "A bomb killed 14 people at a market in Parachinar, the "
                  "deadliest attack in the district this year, officials said.") == ["bombing"]
