"""What the incident tests read: the shipped catalog's matcher, and the incidents of one item."""
from bot.incidents import item_incidents
from bot.matching.loader import load_matcher

MATCHER = load_matcher(None)


def incidents(title, summary=""):
    """Every incident an item's title and summary report, as the contract's records."""
    return [incident.record() for incident in item_incidents(MATCHER, {"title": title, "summary": summary})]


def one(title, summary=""):
    """The item's only incident (fails when it reports none or several)."""
    [incident] = item_incidents(MATCHER, {"title": title, "summary": summary})
    return incident
