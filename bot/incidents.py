"""Incidents an item reports: type, actor, claim, place, region and casualties, each traced to its words.

Pure rules over title and summary (no I/O). The caller passes the matcher's entity matches and a
`located_in` map (entity id -> parent ids from the catalog's located-in relations), so the region of
a place improves as the catalog's place hierarchy grows. Every field keeps the span of text
(start, end in `title + "\\n" + summary`) it came from, so a reader can see why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

PROVINCES = ("khyber-pakhtunkhwa", "balochistan", "balkh", "badakhshan")
COUNTRIES = ("pakistan", "afghanistan", "iran", "tajikistan", "russia", "united-states")
GROUPS = ("ttp", "iskp", "islamic-state", "balochistan-liberation-army", "jaish-al-adl",
          "national-resistance-front")

_WORDS = {"one": 1, "a": 1, "an": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
          "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
          "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
          "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50}
_NUM = r"(?:\d+|" + "|".join(w for w in _WORDS if w not in ("a", "an")) + r")"

# Types in order of precedence: the first whose pattern fires in the title, else the summary, wins.
_TYPES = (
    ("cross-border-fire", r"\b(?:border (?:clash|clashes|fire|firing|skirmish)|clash(?:ed|es)? (?:along|on|near|at) the border|"
                          r"(?:pakistani|afghan) (?:troops|forces) (?:and|exchanged)|exchanged? fire)"),
    ("air-strike", r"\b(?:air ?strikes?|airstrikes?|drone strikes?|drone attack|precision strikes?|air raids?|"
                   r"(?:struck|strikes? on) (?:militant |suspected )?hideouts|missile strikes?)"),
    ("bombing", r"\b(?:bomb(?:s|ing|er|ers|ed)?|blasts?|explosions?|explosive|ied|grenade|landmine|"
                r"blew (?:himself|themselves) up|suicide attack)\b"),
    ("abduction", r"\b(?:kidnap(?:ped|ping|s)?|abduct(?:ed|ion|s)?|hostages?|seized (?:a|the) train)\b"),
    ("security-operation", r"\b(?:(?:intelligence-based |security |military |counter-terrorism )?operations?\b.{0,60}"
                           r"(?:killed|kill|killing|dead)|(?:security forces|troops|soldiers|ctd|police) "
                           r"(?:killed|kill) (?:at least )?\S+ (?:militants|terrorists|insurgents|intruders))"),
    ("arrest", r"\b(?:arrest(?:ed|s)?|detain(?:ed|s)?|captured|extradit(?:ed|ion)|handed over)\b"),
    ("targeted-killing", r"\b(?:shot dead|gunned down|shot and killed|assassinat(?:ed|ion))\b"),
    ("armed-attack", r"\b(?:attack(?:ed|s)?|ambush(?:ed)?|storm(?:ed)?|raid(?:ed)?|gunmen|militants killed|"
                     r"opened fire|overr(?:a|u)n)\b"),
)
_NOT_NEWS = re.compile(r"\b(?:designat\w*|warn\w*|vow\w*|threat\w*|anniversary|years? after|urges?|"
                       r"plans? to|bounty|charged|indicted|sentenced)\b", re.I)
_KILLED = re.compile(rf"\b(?P<q>at least |more than |over )?(?P<n>{_NUM})(?: to {_NUM})?(?P<who>(?: [\w-]+){{0,3}}?)"
                     rf"(?: (?:were|was|have been|had been))? (?:killed|dead|died|martyred|lost their lives)\b"
                     rf"|\b(?:killing|killed|kills|kill|left) (?P<q2>at least |more than |over )?(?P<n2>{_NUM})\b", re.I)
_INJURED = re.compile(rf"\b(?:at least |more than |over )?(?P<n>{_NUM})(?: to {_NUM})?(?: [\w-]+){{0,3}}?"
                      rf"(?: (?:were|was|others))? (?:injured|wounded|hurt)\b"
                      rf"|\b(?:injuring|wounding|wounded|injured) (?:at least |more than |over )?(?P<n2>{_NUM})\b", re.I)
_CLAIM = re.compile(r"\b(?:claimed(?: responsibility)?|said (?:its|one of its) (?:fighters|members|men)|"
                    r"said it (?:carried out|was behind)|via amaq)\b", re.I)
_NO_CLAIM = re.compile(r"\bno (?:group|one) (?:has |had )?(?:yet )?claimed\b", re.I)
_STATE = re.compile(r"\b(?:pakistani? (?:army|troops|forces|military|security forces|air force)|security forces|ctd|"
                    r"\bFC\b|frontier corps|soldiers|police)\b", re.I)


@dataclass
class Incident:
    """One incident an item reports, with the span each field came from."""

    type: str
    actor: str | None = None
    claimed: bool = False
    place: str | None = None
    region: str | None = None
    killed: int | None = None
    injured: int | None = None
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)

    def record(self) -> dict:
        """The contract's shape: type, actor, claimed, place, region, killed, injured."""
        return {"type": self.type, "actor": self.actor, "claimed": self.claimed, "place": self.place,
                "region": self.region, "killed": self.killed, "injured": self.injured}


def number(word: str) -> int | None:
    """An integer from digits or a number word; None for vague words."""
    word = word.lower()
    return int(word) if word.isdigit() else _WORDS.get(word)


def _first_type(text: str) -> tuple[str, tuple[int, int]] | None:
    best = None
    for name, pattern in _TYPES:
        found = re.search(pattern, text, re.I)
        if found and (best is None or _TYPES_ORDER[name] < _TYPES_ORDER[best[0]]):
            best = (name, found.span())
    return best


_TYPES_ORDER = {name: index for index, (name, _) in enumerate(_TYPES)}


def _figure(pattern: re.Pattern, text: str) -> tuple[int | None, tuple[int, int] | None]:
    """The lowest firm figure of the text (ACLED's conservative rule), and its span."""
    figures = []
    for found in pattern.finditer(text):
        value = found.group("n") or found.group("n2")
        if value and number(value) is not None:
            figures.append((number(value), found.span()))
    if not figures:
        return None, None
    return min(figures, key=lambda f: f[0])


def extract(title: str, summary: str = "", matches=(), located_in: dict | None = None) -> list[Incident]:
    """The incidents the item reports as news (at most one in this version: the lead incident).

    `matches` are the matcher's (entity, start, end) for `title + "\\n" + summary`; `located_in`
    maps an entity id to its parents, from which a place's province or country is derived.
    """
    located_in = located_in or {}
    text = f"{title}\n{summary}"
    lead = _first_type(title) or _first_type(summary)
    if lead is None:
        return []
    kind, span = lead
    if _NOT_NEWS.search(title) and not re.search(r"\b(?:killed|dead|wounded|injured)\b", text, re.I):
        return []
    incident = Incident(type=kind, spans={"type": span})
    for name, pattern in (("killed", _KILLED), ("injured", _INJURED)):
        value, where = _figure(pattern, summary)
        offset = len(title) + 1
        if value is None:
            value, where = _figure(pattern, title)
            offset = 0
        if value is not None:
            setattr(incident, name, value)
            incident.spans[name] = (where[0] + offset, where[1] + offset)
    claim = _CLAIM.search(text)
    if claim and not _NO_CLAIM.search(text):
        incident.claimed = True
        incident.spans["claimed"] = claim.span()
    _set_actor(incident, text, matches)
    _set_place(incident, text, matches, located_in)
    return [incident]


def _set_actor(incident: Incident, text: str, matches) -> None:
    groups = [m for m in matches if m[0] in GROUPS]
    if groups:
        entity, start, end = groups[0]
        incident.actor, incident.spans["actor"] = entity, (start, end)
        return
    if incident.type in ("security-operation", "arrest", "air-strike"):
        state = _STATE.search(text)
        if state and incident.type != "air-strike":
            incident.actor, incident.spans["actor"] = "pakistani-security-forces", state.span()
        elif re.search(r"\bpakistan(?:i)?\b", text, re.I):
            found = re.search(r"\bpakistan(?:i)?\b", text, re.I)
            incident.actor, incident.spans["actor"] = "pakistani-security-forces", found.span()


def region_of(entity: str, located_in: dict, depth: int = 6) -> str | None:
    """The province, else the country, of a place, following located-in relations."""
    seen = entity
    for _ in range(depth):
        if seen in PROVINCES or seen in COUNTRIES:
            return seen
        parents = located_in.get(seen) or ()
        if not parents:
            return None
        seen = parents[0]
    return None


def _set_place(incident: Incident, text: str, matches, located_in: dict) -> None:
    places = [m for m in matches if m[0] in located_in or m[0] in PROVINCES or m[0] in COUNTRIES]
    if not places:
        return

    def depth(entity: str) -> int:
        count, seen = 0, entity
        while located_in.get(seen) and count < 6:
            seen, count = located_in[seen][0], count + 1
        return count

    entity, start, end = max(places, key=lambda m: (depth(m[0]), -m[1]))
    incident.place, incident.spans["place"] = text[start:end], (start, end)
    region = region_of(entity, located_in)
    if region:
        incident.region, incident.spans["region"] = region, (start, end)


def located_in(catalog) -> dict:
    """Each catalog entity's located-in parents, the place hierarchy incidents take regions from."""
    return {entity.id: [target for relation, target in entity.relations if relation == "located-in"]
            for entity in catalog.entities.values()
            if any(relation == "located-in" for relation, _ in entity.relations)}


def item_incidents(matcher, item: dict, result=None):
    """The incidents an item reports, from its text and the matcher's entity matches."""
    title, summary = str(item.get("title") or ""), str(item.get("summary") or "")
    result = result or matcher.match(title, summary)
    return extract(title, summary, [(m.entity, m.start, m.end) for m in result.matches],
                   located_in(matcher.catalog))
