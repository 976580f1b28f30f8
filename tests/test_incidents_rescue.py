"""A rescue or recovery of people held earlier reports no abduction; a seizure still does."""
from bot.incidents import extract


def _types(title, summary):
    return [incident.type for incident in extract(title, summary, [], {})]


def test_rescued_hostage_is_no_abduction():
    assert _types("Army frees abducted surveyors near Kharan",
                  "Troops recovered four surveyors who were abducted by armed men a fortnight ago.") == []
    assert _types("Kidnapped doctor rescued in Swabi",
                  "The doctor, kidnapped for ransom in August, was rescued on Friday.") == []


def test_abduction_without_rescue_still_counts():
    assert _types("Armed men kidnap two surveyors near Kharan",
                  "Armed men kidnapped two surveyors working on a road near Kharan.") == ["abduction"]
