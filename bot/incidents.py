"""Incidents an item reports: type, actor, claim, place, region and casualties, each traced to its words.

Pure rules over title and summary (no I/O). The caller passes the matcher's entity matches, a
`located_in` map (entity id -> parent ids from the catalog's located-in relations) and the ids of
the catalog's armed groups, so places and actors improve as the catalog grows. Every field keeps
the span of text (start, end in `title + "\\n" + summary`) it came from, so a reader can see why.

How an item is read:

- the text is cut into sentences (the title is the first) and each sentence into its main part and
  its background clauses ("two days after militants killed...", "weeks after a bombing...");
- a trigger is a word sense that reports something happening ("stormed", "a roadside bomb",
  "struck hideouts", "were arrested"); its type comes from the words around it (who did it to whom:
  state forces killing militants is a security operation, militants killing soldiers an armed
  attack, fire between two states' forces cross-border fire). Triggers under a threat, a plan, a
  charge or a dated recap ("vowed to attack", "the 2013 drone strike") report nothing;
- the main part gives one incident (the title's lead trigger, else the first sentence's); a
  background clause gives another only when it is recent and single ("a day after", or the item
  is a reaction to it) and it was something that happened;
- casualties follow ACLED's conservative rule: "at least N" -> N, "N to M" -> N, the lowest firm
  figure, numbered parts added ("three soldiers and four civilians" -> 7), vague words -> none.
"""

from __future__ import annotations

import functools
import itertools
import re
import sys
from dataclasses import dataclass, field
from re import _constants as _sre, _parser as _sre_parser

import ahocorasick_rs

PROVINCES = ("khyber-pakhtunkhwa", "balochistan", "balkh", "badakhshan")
COUNTRIES = ("pakistan", "afghanistan", "iran", "tajikistan", "russia", "united-states")
GROUPS = ("ttp", "iskp", "islamic-state", "balochistan-liberation-army", "jaish-al-adl",
          "national-resistance-front")
STATE_GROUPS = ("afghan-taliban",)  # a group that is the state: its forces act as a state's


class _Compiled:
    """re's module functions over patterns compiled once and kept: the rules here use several hundred
    patterns, more than re's own cache holds, so through it they would be compiled again and again."""

    def __init__(self):
        self._patterns: dict = {}

    def _get(self, pattern, flags: int):
        key = (pattern, flags)
        found = self._patterns.get(key)
        if found is None:
            if len(self._patterns) >= 4096:
                self._patterns.clear()  # patterns made from names of places: kept bounded
            found = self._patterns[key] = re.compile(pattern, flags)
        return found

    def search(self, pattern, string, flags=0):
        found = self._patterns.get((pattern, flags))
        return (found or self._get(pattern, flags)).search(string)

    def match(self, pattern, string, flags=0):
        found = self._patterns.get((pattern, flags))
        return (found or self._get(pattern, flags)).match(string)

    def fullmatch(self, pattern, string, flags=0):
        found = self._patterns.get((pattern, flags))
        return (found or self._get(pattern, flags)).fullmatch(string)

    def finditer(self, pattern, string, flags=0):
        found = self._patterns.get((pattern, flags))
        return (found or self._get(pattern, flags)).finditer(string)

    def findall(self, pattern, string, flags=0):
        found = self._patterns.get((pattern, flags))
        return (found or self._get(pattern, flags)).findall(string)

    def sub(self, pattern, repl, string, count=0, flags=0):
        return self._get(pattern, flags).sub(repl, string, count)


_rx = _Compiled()


class _PLAIN:
    """Patterns tried on most triggers or places, kept as plain compiled patterns."""
    dated_after = re.compile(r"\s+(?:[\w-]+\s+){0,2}?(?:last (?:month|year)|(?:weeks|months|years) (?:ago|earlier)|"
                             r"in (?:19|20)\d\d)\b")
    capital = re.compile(r"\s+(?:area|neighbou?rhood|district|suburb|part|quarter|locality)?\s*of the "
                         r"(afghan|pakistani|iranian|iraqi|syrian|somali|tajik) capital\b", re.I)


class _FastPattern:
    """A pattern tried only where it can match: faster in `re`, the same matches at the same offsets.

    - Every match begins with one of a few literal words (`_starts` derives them from the
      pattern): the pattern is tried only where one begins, found by one Aho-Corasick scan.
      Otherwise, every match contains one (`_gate`): text with none of them is not searched.
    - A case-insensitive pattern runs case-sensitively over lowercased text (lowercasing keeps
      every character in place): `re` folds the case of each character it tries. It must name
      only lowercase letters, and the text its matches return is lowercased.
    """

    __slots__ = ("_compiled", "pattern", "folds", "_gate", "_starts")

    def __init__(self, compiled: re.Pattern):
        self.folds = bool(compiled.flags & re.I)
        bare = _rx.sub(r"\\.|\(\?P<\w+>|\(\?P=\w+\)", "", compiled.pattern)
        if self.folds and _rx.search(r"[A-Z]", bare):
            raise ValueError(f"a case-insensitive pattern names an uppercase letter: {compiled.pattern[:60]}")
        self._compiled, self.pattern = re.compile(compiled.pattern, compiled.flags & ~re.I), compiled.pattern
        parsed = _sre_parser.parse(compiled.pattern, compiled.flags & ~re.I)
        words, starts = _gate(parsed), _starts(list(parsed))
        self._gate = ahocorasick_rs.AhoCorasick(sorted(words)) if words and min(map(len, words)) >= 2 else None
        self._starts = ahocorasick_rs.AhoCorasick(sorted(starts)) if starts else None

    def _open(self, text: str, bounds) -> str | None:
        lowered = _lower(text) if self.folds else text
        if self._gate is None or self._starts is not None:  # a search by starts needs no gate
            return lowered
        window = lowered[bounds[0]:bounds[1] if len(bounds) > 1 else None] if bounds else lowered
        return lowered if self._gate.find_matches_as_indexes(window) else None

    def search(self, text: str, *bounds):
        if self._starts is not None:
            return self._search_from(_lower(text) if self.folds else text, *bounds)
        lowered = self._open(text, bounds)
        return None if lowered is None else self._compiled.search(lowered, *bounds)

    def _begins(self, lowered: str, pos: int, endpos: int) -> tuple[int, list[int]]:
        """`endpos` within the text, and where in lowered[pos:endpos] one of the start words begins, in order."""
        pos, endpos = max(pos, 0), min(endpos, len(lowered))
        window = lowered[pos:endpos] if pos or endpos < len(lowered) else lowered
        found = self._starts.find_matches_as_indexes(window, overlapping=True)
        if not found:
            return endpos, []
        return endpos, sorted({pos + start for _, start, _ in found})

    def _search_from(self, lowered: str, pos: int = 0, endpos: int = sys.maxsize):
        """The leftmost match, tried only where one of the words every match begins with begins."""
        endpos, starts = self._begins(lowered, pos, endpos)
        for start in starts:
            found = self._compiled.match(lowered, start, endpos)
            if found:
                return found
        return None

    def match(self, text: str, *bounds):
        lowered = self._open(text, bounds)
        return None if lowered is None else self._compiled.match(lowered, *bounds)

    def finditer(self, text: str, *bounds):
        lowered = self._open(text, bounds)
        if lowered is None:
            return iter(())
        if self._starts is None:
            return self._compiled.finditer(lowered, *bounds)
        return self._iterate(lowered, *bounds)

    def _iterate(self, lowered: str, pos: int = 0, endpos: int = sys.maxsize):
        # as re's finditer: each search starts where the last match ended (no match is empty); the
        # start words found in the whole window are the same as those found again from there on
        endpos, starts = self._begins(lowered, pos, endpos)
        for start in starts:
            if start >= pos and (found := self._compiled.match(lowered, start, endpos)):
                yield found
                pos = found.end()


def _starts(parsed: list) -> set[str] | None:
    """Literal words one of which every match of this parsed pattern begins with (after a word
    boundary); None if a match may begin otherwise, or be empty."""
    run = ""
    for index, (op, value) in enumerate(parsed):
        if op is _sre.LITERAL:
            run += chr(value)
            continue
        if run:
            return {run}
        if op is _sre.AT and value is _sre.AT_BOUNDARY:
            continue
        rest = parsed[index + 1:]
        if op is _sre.SUBPATTERN and not value[1] and not value[2]:  # a group with no inline flags
            return _starts(list(value[-1]) + rest)
        if op is _sre.BRANCH:
            words = set()
            for option in value[1]:
                found = _starts(list(option) + rest)
                if not found:
                    return None
                words |= found
            return words
        if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) and value[0] >= 1:
            return _starts(list(value[2]))
        if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) and value[0] == 0:
            inside, after = _starts(list(value[2])), _starts(rest)
            return inside | after if inside and after else None
        return None
    return {run} if run else None


def _gate(parsed) -> set[str] | None:
    """Literal words one of which every match of this parsed pattern contains; None if none is sure.

    Of a sequence's parts that every match goes through, the one whose shortest word is longest.
    """
    best, runs = None, {""}  # runs: the literal text just read, each way it can be written

    def consider(words):
        nonlocal best
        if words and "" not in words and (best is None or min(map(len, words)) > min(map(len, best))):
            best = words

    for op, value in parsed:
        if op is _sre.LITERAL:
            runs = {run + chr(value) for run in runs}
            continue
        if op is _sre.IN and len(value) <= 3 and all(kind is _sre.LITERAL for kind, _ in value):
            runs = {run + chr(char) for run in runs for _, char in value}  # ['’]: a character of a few
            continue
        consider(runs)
        runs = {""}
        if op is _sre.SUBPATTERN:
            consider(_gate(value[-1]))
        elif op is _sre.BRANCH:
            words = set()
            for option in value[1]:
                found = _gate(option)
                if found is None:
                    words = None
                    break
                words |= found
            consider(words)
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) and value[0] >= 1:
            consider(_gate(value[2]))
    consider(runs)
    return best


def _lower(text: str) -> str:
    """`text` lowercased, each character in its place (a character whose lowercase is longer stays).

    The last text's is kept (one item's text is lowered for each of a few dozen patterns in turn),
    as one tuple, so a thread never reads one text's lowercase for another's."""
    global _last_lowered
    last = _last_lowered
    if text is last[0]:
        return last[1]
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = "".join(low if len(low) == 1 else char for char, low in ((char, char.lower()) for char in text))
    _last_lowered = (text, lowered)
    return lowered


_last_lowered: tuple = (None, None)  # the text last lowered, and its lowercase


# Countries the catalog may not list, for the region of a place it does not know.
_COUNTRY_NAMES = {
    "pakistan": "pakistan", "afghanistan": "afghanistan", "iran": "iran", "tajikistan": "tajikistan",
    "russia": "russia", "united states": "united-states", "u.s.": "united-states", "us": "united-states",
    "nigeria": "nigeria", "syria": "syria", "iraq": "iraq", "india": "india", "china": "china",
    "uzbekistan": "uzbekistan", "turkmenistan": "turkmenistan", "kyrgyzstan": "kyrgyzstan",
    "kazakhstan": "kazakhstan", "somalia": "somalia", "mali": "mali", "niger": "niger",
    "burkina faso": "burkina-faso", "mozambique": "mozambique", "yemen": "yemen", "turkey": "turkey",
    "egypt": "egypt", "libya": "libya", "cameroon": "cameroon", "chad": "chad", "philippines": "philippines",
    "bangladesh": "bangladesh", "sri lanka": "sri-lanka", "lebanon": "lebanon", "israel": "israel",
    "jordan": "jordan", "saudi arabia": "saudi-arabia", "qatar": "qatar", "congo": "congo",
}
_ADJECTIVES = {
    "pakistani": "pakistan", "afghan": "afghanistan", "iranian": "iran", "tajik": "tajikistan",
    "russian": "russia", "american": "united-states", "u.s.": "united-states", "us": "united-states",
    "nigerian": "nigeria", "syrian": "syria", "iraqi": "iraq", "indian": "india", "chinese": "china",
    "uzbek": "uzbekistan", "turkish": "turkey", "somali": "somalia", "malian": "mali", "yemeni": "yemen",
    "egyptian": "egypt", "libyan": "libya",
}
# Armed groups abroad that the catalog does not list: the contract's short lowercase-hyphenated names.
_FOREIGN_GROUPS = re.compile(
    r"\b(?:(?P<boko_haram>Boko Haram)|(?P<al_shabaab>al-Shabaa?b|Al-Shabaa?b|al Shabaa?b|Shabaab)|"
    r"(?P<jnim>JNIM|Jama['’]?at Nusrat al-Islam wal-Muslimin)|(?P<hamas>Hamas)|(?P<hezbollah>Hezbollah)|"
    r"(?P<houthis>Houthis?)|(?P<hayat_tahrir_al_sham>Hayat Tahrir al-Sham|HTS)|(?P<pkk>PKK)|"
    r"(?P<allied_democratic_forces>Allied Democratic Forces))\b")
_FOREIGN_GROUP_WORDS = ("Boko", "Shaba", "JNIM", "Nusrat", "Hamas", "Hezbollah", "Houthi", "HTS", "Tahrir", "PKK",
                        "Allied Democratic")
# The country of regions and cities abroad that incidents are often placed in with no country named
# ("in Zamfara", "the town of Sarmada in Idlib"): certain geography, read when the catalog does not know them.
_FOREIGN_REGIONS = {
    **dict.fromkeys(("borno", "yobe", "adamawa", "zamfara", "katsina", "kaduna", "sokoto", "kebbi", "plateau",
                     "benue", "maiduguri", "kano", "gwoza", "bama"), "nigeria"),
    **dict.fromkeys(("idlib", "aleppo", "raqqa", "deir ez-zor", "deir el-zour", "deir al-zor", "hasakah", "homs",
                     "hama", "daraa", "latakia", "damascus", "palmyra", "sarmada", "al-bab", "manbij"), "syria"),
    **dict.fromkeys(("anbar", "nineveh", "mosul", "kirkuk", "diyala", "salahuddin", "baghdad", "fallujah",
                     "ramadi", "erbil", "basra", "tikrit"), "iraq"),
    **dict.fromkeys(("mogadishu", "jubaland", "lower shabelle", "middle shabelle", "puntland", "galmudug", "hiraan",
                     "kismayo", "baidoa", "jilib", "beledweyne"), "somalia"),
    **dict.fromkeys(("mopti", "gao", "timbuktu", "kidal", "menaka", "segou", "bamako"), "mali"),
    **dict.fromkeys(("tillaberi", "tahoua", "diffa", "niamey"), "niger"),
    **dict.fromkeys(("ouagadougou", "djibo"), "burkina-faso"),
    **dict.fromkeys(("cabo delgado", "palma", "mocimboa da praia"), "mozambique"),
    **dict.fromkeys(("sanaa", "aden", "marib", "hodeidah"), "yemen"),
    **dict.fromkeys(("dagestan", "chechnya", "ingushetia", "kabardino-balkaria", "makhachkala", "derbent",
                     "grozny", "nazran"), "russia"),
    **dict.fromkeys(("mindanao", "marawi", "sulu"), "philippines"),
    **dict.fromkeys(("sinai", "north sinai", "el-arish"), "egypt"),
}
# The state actor of each country, as the contract names it.
_STATE_ACTOR = {"pakistan": "pakistani-security-forces", "afghanistan": "afghan-taliban",
                "united-states": "united-states"}

_UNITS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
          "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
          "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}
_WORD = r"(?:" + "|".join(sorted([*_UNITS, *_TENS], key=len, reverse=True)) + r")"
NUMBER = (rf"(?:\d{{1,3}}(?:,\d{{3}})+|\d+|{_WORD}(?:[- ]{_WORD})?(?: hundred(?: and {_WORD}(?:[- ]{_WORD})?)?)?"
          rf"(?: thousand)?)")
_QUAL = r"(?:at least|more than|over|nearly|almost|up to|about|around|roughly|some|as many as|between|approximately)"
_VAGUE = (r"(?:dozens|scores|several|many|hundreds|thousands|a dozen|a few|a number of|numerous|"
          r"a handful of|tens)")
_FIRM_QUAL = ("at least", "more than", "over", "between")  # "N to M" and these give N; the rest are vague


def number(word: str) -> int | None:
    """An integer from digits or number words ("three", "twenty-one", "one hundred and five"); None if vague."""
    word = word.strip().lower()
    if _rx.fullmatch(r"\d{1,3}(?:,\d{3})+|\d+", word):
        return int(word.replace(",", ""))
    try:
        from text_to_num import text2num
    except ImportError:  # the library is a dependency; this keeps a bare checkout usable
        text2num = None
    if text2num is not None and _rx.fullmatch(NUMBER, word):
        try:
            return int(text2num(word.replace(" and ", " "), "en"))
        except ValueError:
            pass
    parts = re.split(r"[- ]", word)
    if len(parts) == 1:
        return _UNITS.get(word, _TENS.get(word))
    if len(parts) == 2 and parts[0] in _TENS and parts[1] in _UNITS:
        return _TENS[parts[0]] + _UNITS[parts[1]]
    return None


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


# --- the words --------------------------------------------------------------------------------

_STATE_FORCE = (r"(?:security forces|(?:pakistani |afghan |iranian |tajik |iraqi |taliban |islamic emirate |iea )?"
                r"(?:troops|soldiers|forces|army|military|border guards|border forces|border police|border service|"
                r"paramilitar(?:y|ies)|police|policemen|intelligence(?: forces| officers| directorate)?|"
                r"counter-terrorism (?:service|department|forces)|counter-narcotics forces|rangers)|"
                r"\bctd\b|\bfc\b|frontier corps|ispr|the taliban|taliban|islamic emirate|iea)")
_ATTACKERS = (r"(?:militants?|gunm[ae]n|insurgents?|attackers?|assailants?|terrorists?|armed m[ae]n|"
              r"separatists?|fighters?|rebels?|bombers?|khawarij|khwarij|kidnappers?|unknown men|"
              r"unidentified (?:men|gunmen|attackers|assailants|motorcyclists))")
_MILITANT_VICTIMS = (r"(?:militants?|terrorists?|insurgents?|khawarij|khwarij|'khawarij'|intruders|infiltrators|"
                     r"armed (?:men|intruders)|members of|commanders?|fighters of|daesh|isis|suspects?)")
_AIR = (r"(?:air ?strikes?|airstrikes?|air raids?|drone strikes?|drone attacks?|drones?|jets?|warplanes?|"
        r"aircraft|fighter planes|missiles?|precision strikes?|air force)")

# A trigger: a word sense that says something happened. Each alternative names its sense.
_TRIGGER = re.compile(r"""
    \b(?:
    (?P<air>air\ ?strikes?|airstrikes?|air\ raids?|drone\ strikes?|drone\ attacks?|missile\ strikes?|precision\ strikes?|
    (?:drones?|jets|warplanes|aircraft|missiles)(?:\ and\ drones)?\ (?:allegedly\ )?(?:struck|strike|hit|hits|bombed|pounded|targeted)|
    (?:struck|strike|strikes|hit|hits|pound|pounded)\ (?:on\ )?(?:what\ [\w\ ]{0,30}?\ called\ )?(?:suspected\ |militant\ |terrorist\ )*[\w-]*\ ?hideouts|
    strikes?\ (?:on|against)\ (?:suspected\ |militant\ )*[\w-]*\ ?hideouts|
    (?:a|an|the)\ (?:u\.s\.\ |us\ |american\ )?strike\ (?:in|on|near)|
    killed\ by\ an?\ (?:american|u\.s\.|us|pakistani|iranian)\ drone|
    (?:pakistani|american|u\.s\.|iranian|israeli|russian|turkish)\ (?:air\ )?strikes(?!\ (?:by|over|against\ the))
    )
    | (?P<bomb>suicide\ (?:bomb(?:er|ers|ing|ings)?|attacks?|blasts?|car\ bomb(?:ing)?)|car\ bomb(?:ing|s)?|
    (?:roadside\ |time\ |remote-controlled\ |magnetic\ )?bomb(?:s|ing|ings|ed)?(?!-making|\ squad|\ disposal)|
    blasts?|explosions?|explosives?(?:-laden|\ device)?|improvised\ explosive\ device|ieds?|grenades?|landmines?|crackers?|
    blew\ (?:himself|themselves|herself)\ up|blown\ up|detonated|went\ off|exploded)
    | (?P<abduct>kidnap(?:ped|s)?|abduct(?:ed|s)?|hijack(?:ed|s|ing)?|
    (?:took|take|takes|taking|taken|held|hold|holds|holding|kept|keeping)\ (?:[\w'-]+\ ){0,6}?(?:hostages?|captives?)|
    seiz(?:e|ed|es)\ (?:a|the)\ [\w\ ]{0,20}?(?:train|express|bus|passengers)|
    (?:took|taken|whisked|bundled|carried)\ (?:[\w'’-]+\ ){0,4}?away)
    | (?P<arrest>arrest(?:ed|s)?|detain(?:ed|s)?|captur(?:ed|es)|apprehend(?:ed|s)?|nabbed|extradit(?:ed|es)|
    hand(?:ed|s)?\ (?:over\ )?[\w\ -]{0,40}?(?:suspects?|militants?|commanders?)\ to|handed\ over)
    | (?P<shot>shot\ dead|gunned\ down|shot\ and\ killed|shot\ and\ (?:wounded|injured)|assassinat(?:ed|ion)|shot\ (?:him|her)\ dead)
    | (?P<border>exchang(?:e|ed|es|ing)\ (?:[\w-]+\ )?fire|exchanges\ of\ fire|traded?\ (?:[\w-]+\ )?(?:and\ [\w-]+\ )?fire|clash(?:ed|es)?|
    fighting\ broke\ out|heavy\ fighting|skirmish(?:es)?|shell(?:ed|ing|s)|pound(?:ed)?)
    | (?P<op>operations?|ibo|raids?|raided|search\ operation|crackdown|dismantled)
    | (?P<attack>attack(?:ed|s|ing)?|ambush(?:ed|es)?|storm(?:ed|s|ing)?|overr(?:an|un|uns)|assaults?|massacre|
    opened\ (?:unprovoked\ |indiscriminate\ |heavy\ )?fire|open\ fire|fired\ (?:[\w-]+\ ){0,3}?(?:at|on|towards|into)|
    fire\ (?:with\ [\w-]+\ )?on|set\ fire|set\ (?:[\w'’-]+\ ){0,5}?(?:ablaze|alight|on\ fire)|torch(?:ed|es)?|
    killed\ by\ (?:gunmen|militants|unknown|unidentified|armed)|mortar\ shells|rockets?|repulsed|
    target(?:ed|ing)\ (?:[\w'’-]+\ ){0,3}?(?:posts|positions|check\ ?posts|checkpoints))
    | (?P<kill>kill(?:s|ed|ing)?|martyred|embraced\ martyrdom|slain|died)
    )\b
""", re.I | re.X)

_EVIDENCE = re.compile(
    r"\b(?:killed|killing|dead|died|martyred|martyrdom|wounded|wounding|injured|injuring|hurt|slain|"
    r"attacked|stormed|ambushed|struck|bombed|shelled|fired|opened fire|exchanged|traded|clashed|ablaze|"
    r"blew|went off|exploded|tore|ripped|rammed|shook|overran|raided|torched|set fire|abducted|kidnapped|"
    r"seized|arrested|detained|captured|extradited|handed|blamed|claimed|carried out|was behind|were behind|"
    r"gunned down|shot|assassinated|hostages?|captives?|hijack\w*|martyring|resorted|"
    r"(?:took|taken|whisked|bundled) (?:[\w'’-]+ ){0,4}?away|sent (?:[\w'’-]+ ){0,4}?to hell|"
    r"responsible|repulsed|pounded|targeted|hurled|dismantled|death toll|rose|left|massacred|broke out|erupted|"
    r"destroyed|(?:hit|hits)(?= (?:on|in|near|at|against|what|suspected|militant|homes|houses|a |the ))|"
    r"(?:was|were) hit|hit (?:a|the|targets|homes|houses))\b", re.I)
_HEADLINE = re.compile(
    r"\b(?:kill|kills|strike|strikes|hit|hits|storm|storms|attack|attacks|ambush|ambushes|overrun|overruns|"
    r"abduct|abducts|kidnap|kidnaps|seize|seizes|arrest|arrests|detain|detains|claim|claims|blame|blames|"
    r"clash|trade|exchange|fire|pound|pounds|shell|shells|raid|raids|leaves|rises|toll|dead|killed|hurt|injured|"
    r"hands|hand over|hands over|hold|holds|take|takes|hijack|hijacks|hostages?|captives?|target|targets|"
    r"wounded|martyred|gunned down|shot dead|shot|sent to hell)\b", re.I)

# Words that turn what follows into something not (yet) happened, or not news.
_MODAL = re.compile(
    r"\b(?:warn(?:s|ed|ing)?|vow(?:s|ed)?|threat(?:en(?:s|ed)?)?|plan(?:s|ned|ning)?|plot(?:s|ted|ting)?|"
    r"order(?:s|ed)?|urg(?:e|es|ed)|intent|intend(?:s|ed)?|could|would|will|may|might|should|ready to|"
    r"step up|call(?:s|ed)? for|prevent(?:ed)?|foil(?:ed)?|thwart(?:ed)?|fear(?:s|ed)?|face|risk(?:s)?|"
    r"possible|potential|future|base for|against any|any attack|reward|bounty|leading to|designat\w+|"
    r"charged|indicted|sentenced|convicted|court|accus(?:e|es|ed|ing) [\w\s]{0,30}of (?:pressing|using|allowing)|"
    r"accused of|pressing|blaming [\w\s]{0,30}for attacks|have attacked|has attacked|have targeted|"
    r"has repeatedly|have repeatedly|who have|expertise|helping|surged|rose by|risen|since \d{4}|"
    r"surveillance|trainers?|demand(?:s|ed|ing)?|ask(?:s|ed)?|call(?:s|ed)? on|press(?:es|ed)? for)\b", re.I)
_RETRO_TITLE = re.compile(r"\b(?:year on|years on|decade on|anniversary|revisits?|remember(?:s|ing)?|"
                          r"book|documentary|analysis|explainer|timeline|think tank|report finds|report:|"
                          r"monthly report|annual report|data shows|figures show|tally|"
                          r"\d+ ?(?:pc|per ?cent|%))\b|^analysis\b", re.I)
_DATED = re.compile(r"\b(?:19|20)\d\d\b|\b(?:years?|decades?|months?) (?:ago|earlier|after|on)\b|"
                    r"\blast (?:month|year)(?:['’]s)?|\bearlier this year\b", re.I)
_OUTSIDE = re.compile(
    r"\b(?:protest\w*|demonstrat\w+|supporters|marchers|rioters|mob|earthquakes?|floods?|landslides?|"
    r"avalanche|accident|crash(?:ed)?|ravine|plunged?|skidded|fire broke out|cloudburst|"
    r"traders|tear gas|baton)\b", re.I)
_SECURITY_SUSPECT = re.compile(
    r"\b(?:militants?|terror\w*|insurgents?|extremists?|jihadi\w*|commanders?|cells?|bombers?|bombing|"
    r"explosives|suicide vests?|attack plot|plotters?|daesh|isis|isil|is-k|iskp|ttp|taliban|al-qaeda|al qaeda|"
    r"qaida|separatists?|khawarij|members of|facilitators?|handlers?|banned (?:outfits?|organi[sz]ations?|groups?)|"
    r"proscribed|sectarian|target killers?)\b", re.I)
_VIOLENT = re.compile(
    r"\b(?:killed|killing|kills?|dead|died|deaths?|wounded|wounding|injured|injuring|casualties|martyred|"
    r"gunm[ae]n|gunfire|guns?|rifles?|rockets?|mortars?|grenades?|bombs?|bomber|explosive\w*|arson|set fire|"
    r"militants?|insurgents?|terrorists?|rebels?|fighters|attackers|assailants|armed|separatists?|"
    r"police|policemen|soldiers|troops|forces|army|military|post|check ?post|checkpoint|convoy|base|camp|"
    r"claimed|claims?|hostages?|jets?|drones?|missiles?|shot|shooting|stabb\w+|massacre)\b", re.I)
_IMMIGRATION = re.compile(r"\b(?:deport\w*|undocumented|without (?:valid )?documents|refugees|migrants|resettlement|"
                          r"smuggl\w+|proof of registration|visa|cards?)\b", re.I)
# a rescue or recovery of people held earlier: its outcome is freedom, not captivity
# an explosion of a boiler, a gas cylinder or a leak: an accident, even when the text says "blast"
_ACCIDENT = re.compile(r"\b(?:boilers?|gas cylinders?|cylinder|gas leak(?:age)?|gas explosion|short circuit|"
                       r"transformer|gas pipeline|lpg|methane|firedamp)\b", re.I)
# a period a figure sums ("arrested 300 suspects this year"): statistics, not an incident
_PERIOD = re.compile(r"\b(?:(?:so far )?this year|this month|last year|since january|in the past (?:\w+ )?"
                     r"(?:weeks|months|years)|in the first (?:half|quarter)|during the year)\b", re.I)
_RESCUE = re.compile(r"\b(?:rescu(?:e|ed|es)|recover(?:ed|s)?|free(?:d|s)?|releas(?:e|ed|es))\b", re.I)
_BACKGROUND = re.compile(
    r"(?P<gap>\b(?:a|one|two|three|four|five|six|\d+) (?:day|days|hours?|nights?)(?: [\w-]+)? after\b|"
    r"\bhours after\b|\bdays after\b|\ba day after\b)|"
    r"(?P<old>\b(?:weeks|months|years|decades?|a year|a decade|a week) (?:after|since)\b|\bsince\b|"
    r"\bweeks? after\b|\bmonths? after\b)|"
    r"(?P<plain>\bafter\b|\bfollowing\b|\bfollowed\b|\bin the wake of\b|\bin retaliation for\b|\bretaliation for\b|"
    r"\bin response to\b|\bover\b(?= (?:alleged|the|a|an|pakistani|afghan|iranian|us|u\.s\.)\b))", re.I)
_UNSPECIFIC = re.compile(r"\b(?:recent|series|wave|spate|string|repeated|surge|string|heaviest|ongoing|"
                         r"campaign|months of|weeks of|years of|deadly border clashes|border fighting|"
                         r"fighting along|clashes between|a third|latest in)\b", re.I)
_CLAUSE_END = re.compile(r"[;:]|, (?=officials|police|the military|security|sources|residents|witnesses|he |she |"
                         r"they |according|a spokesman|state media)|\.(?=\s|$)|\n")

_CLAIM = re.compile(
    r"\b(?:claimed(?: responsibility)?|claims? (?:responsibility|the|an?|killing|bombing|attack|attacks|"
    r"ambush|assault|raid|pre-dawn|overnight|deadly|suicide)|claim (?:the|an?|pre-dawn|overnight|responsibility|"
    r"attack|attacks|bombing|killing|raid)|"
    r"said (?:its|one of its|that its) (?:fighters|members|men|militants|bombers?|suicide bombers?)|"
    r"said (?:on \w+ )?(?:that )?it (?:had )?(?:carried out|was behind|conducted)|told (?:journalists|reporters|media) (?:that )?the group "
    r"(?:was|had been) behind|via (?:its )?amaq|amaq news agency|through its amaq|on telegram|claimed by)\b", re.I)
_NO_CLAIM = re.compile(r"\b(?:no (?:group|one|organi[sz]ation)(?: has| had)?(?: yet| immediately)? claimed|"
                       r"not (?:yet )?(?:been )?claimed|yet to claim|denied|disowned|each side claiming|"
                       r"claiming (?:that|to)|dismissed the claims?|rejected the claims?|denied the claim)\b", re.I)
_ATTRIBUTION = re.compile(
    r"\b(?:blam(?:e|es|ed|ing)(?: it)?(?: on)?|accus(?:e|es|ed|ing)|w(?:as|ere) (?:behind|responsible)|"
    r"responsible for|w(?:as|ere) linked to|carried out|attributed (?:it )?to|described as|"
    r"said to be)\b", re.I)


# --- text structure ---------------------------------------------------------------------------

@dataclass
class _Clause:
    start: int
    end: int
    sentence: int
    kind: str  # "main", "gap" (a day after...), "plain" (after...), "old" (weeks after, since)


# A sentence's end: its stop, unless that stops an initial, "U.S" or a title (the look-behinds
# follow the stop, so `re` looks for a stop first and tries them only there).
_SENTENCE_END = re.compile(r"[.!?](?<![A-Z]\.[.!?])(?<!\b[A-Z][a-z]\.[.!?])(?<!\bU\.S[.!?])(?<!\bGen[.!?])"
                           r"(?<!\bCol[.!?])(?<!\bMaj[.!?])(?<!\bLt[.!?])(?<!\bMr[.!?])(?<!\bDr[.!?])(?<!\bNo[.!?])"
                           r"(?<!\bSt[.!?])(?<!\bCapt[.!?])(?<!\bBrig[.!?])(?=\s+[A-Z'\"‘“]|\s*$)")


def _sentences(title: str, summary: str) -> list[tuple[int, int]]:
    spans = [(0, len(title))]
    offset = len(title) + 1
    start = 0
    for found in _SENTENCE_END.finditer(summary):
        end = found.end()
        if summary[start:end].strip():
            spans.extend(_split_separate(summary, offset, start, end))
        start = end
    if summary[start:].strip():
        spans.extend(_split_separate(summary, offset, start, len(summary)))
    return spans


# "..., while in Turbat gunmen killed two labourers in a separate attack": a second incident in one sentence
_WHILE_SEPARATE = re.compile(r"(?:,|;)\s+(?=while\b[^.;]*\bin (?:a|another) separate (?:incident|attack)\b)", re.I)


def _split_separate(summary: str, offset: int, start: int, end: int) -> list[tuple[int, int]]:
    found = _WHILE_SEPARATE.search(summary, start, end)
    if found is None:
        return [(offset + start, offset + end)]
    return [(offset + start, offset + found.start()), (offset + found.end(), offset + end)]


_TIME_OF_DAY = re.compile(r"\s+(?:the\s+)?(?:(?:friday|evening|morning|night|maghrib|isha|asr|zuhr|juma|jumma|eid|"
                          r"taraweeh)\s+)?(?:prayers?|sunset|sunrise|midnight|dark|darkness|dusk|dawn|iftar|sehri|"
                          r"nightfall|noon|mass|service)\b", re.I)


def _clauses(text: str, sentences) -> list[_Clause]:
    """Each sentence's main part and background clauses, in text order."""
    clauses = []
    for index, (start, end) in enumerate(sentences):
        position = start
        for found in _BACKGROUND.finditer(text, start, end):
            if found.start() < position:
                continue
            if found.group("plain") and found.group(0).lower().startswith("follow") and _rx.search(
                    r"\b(?:the|ensuing|that|which)\s+$", text[max(start, found.start() - 8):found.start()], re.I):
                continue  # "the exchange of fire that followed": the incident itself, not what came before
            if found.group("plain") and _TIME_OF_DAY.match(text, found.end()):
                continue  # "after Friday prayers", "after midnight": when it happened, not an earlier incident
            kind = "gap" if found.group("gap") else "old" if found.group("old") else "plain"
            stop = _CLAUSE_END.search(text, found.end(), end)
            stop_at = stop.start() if stop else end
            if found.start() > position:
                clauses.append(_Clause(position, found.start(), index, "main"))
            clauses.append(_Clause(found.start(), stop_at, index, kind))
            position = stop_at
        if position < end:
            clauses.append(_Clause(position, end, index, "main"))
    return clauses


def _subject(text: str, start: int, floor: int) -> str:
    """The words before a position back to the clause start: who did it."""
    window = text[max(floor, start - 120):start]
    cut = max(window.rfind(mark) for mark in ("; ", ": ", " when ", " as ", " after ", " said ", " that ",
                                              ", ", "\n", " and "))
    subject = window[cut + 1:] if cut >= 0 else window
    if cut >= 0 and subject.startswith(("said ", "says ", "that ")):
        subject = subject.split(" ", 1)[1]  # "Iran said militants ... killed": the militants
    return subject


_STATE_RE = re.compile(_STATE_FORCE, re.I)
# state forces that open a sentence and act in it ("Security forces intercepted ..."), not ones that speak
_ACTING_STATE = re.compile(r"(?:the\s+)?" + _STATE_FORCE + r"\s+(?!said\b|say\b|says\b|told\b|claimed\b|added\b)[a-z]+",
                           re.I)
_ATTACKERS_RE = re.compile(_ATTACKERS, re.I)
_VICTIMS_RE = re.compile(_MILITANT_VICTIMS, re.I)
_AIR_RE = re.compile(_AIR, re.I)
_NATION_RE = re.compile(r"\b(?:pakistani|pakistan(?:'s)?|afghan|afghanistan(?:'s)?|iranian|iran(?:'s)?|tajik|"
                        r"tajikistan(?:'s)?|iraqi|iraq(?:'s)?|u\.s\.|us|american|united states|taliban|"
                        r"islamic emirate|iea|russian|russia(?:'s)?|indian|syrian|nigerian|nigeria(?:'s)?|somali|"
                        r"somalia(?:'s)?|syria(?:'s)?|turkish|turkey(?:'s)?|egyptian|egypt(?:'s)?|malian|mali(?:'s)?|"
                        r"yemeni|yemen(?:'s)?)\b", re.I)


def _nation(word: str) -> str | None:
    word = word.lower().removesuffix("'s")
    if word in ("taliban", "islamic emirate", "iea"):
        return "afghanistan"
    return _ADJECTIVES.get(word) or _COUNTRY_NAMES.get(word)


def _state_actor(country: str | None) -> str | None:
    if country is None:
        return None
    return _STATE_ACTOR.get(country, f"{_ADJECTIVES_REVERSE.get(country, country)}-security-forces")


_ADJECTIVES_REVERSE = {"iran": "iranian", "tajikistan": "tajik", "iraq": "iraqi", "russia": "russian",
                       "india": "indian", "syria": "syrian", "nigeria": "nigerian", "china": "chinese",
                       "uzbekistan": "uzbek", "turkey": "turkish", "somalia": "somali", "egypt": "egyptian",
                       "mali": "malian", "yemen": "yemeni", "libya": "libyan"}


@dataclass
class _Trigger:
    type: str
    start: int
    end: int
    clause: _Clause
    strength: int = 1  # 2: decides the type over earlier triggers (a security operation over an arrest)
    plain: bool = False  # a bare "kill" whose means the words do not state
    shelling: str | None = None  # the country whose forces shelled: fire across the border if it landed elsewhere
    word: str = ""  # the trigger's words as written
    repulse: bool = False  # militants killed with no operation named: the forces' answer to an attack


_SHOOTER = re.compile(r"\b(?:by|of)\s+(?:the\s+)?(?:afghan|taliban|pakistani|iranian|tajik|islamic emirate)\b"
                      r"(?:\s+[\w-]+){0,2}?\s+(?:forces|troops|border guards|soldiers|army|military)\b", re.I)
_ACROSS = re.compile(r"\bacross the (?:border|frontier|durand line)\b|\bfrom the (?:afghan|pakistani|other) side\b", re.I)
_NATION_WORD = re.compile(r"\b(?:afghan|taliban|pakistani|iranian|tajik)\b", re.I)


def _sense(found: re.Match, text: str, clause: _Clause) -> _Trigger | None:
    """The incident type of a trigger word in its context, or None when it reports no incident."""
    word = found.group(0).lower()
    start, end = found.span()
    sentence_words = text[clause.start:clause.end]
    if word == "died" and "resist" not in sentence_words.lower():
        return None  # "died" reports an incident only where an enforcement drive met resistance (below)
    before = text[max(clause.start, start - 70):start].lower()
    after = text[end:min(clause.end, end + 90)].lower()
    subject = _subject(text, start, clause.start).lower()
    if _MODAL.search(before[-45:]) or _rx.search(r"\b(?:wave|series|spate|string|campaign|surge|dozens|hundreds|"
                                                 r"scores|number) of\s+(?:[\w-]+\s+)?$", before):
        return None
    if _rx.search(r"\bto\s+$", before) and _rx.match(r"[a-z]+$", word) and not word.endswith(("ed", "ing", "s")):
        return None  # an infinitive: "to attack", "to strike"
    if _DATED.search(text[max(clause.start, start - 25):min(clause.end, end + 5)]) or _PLAIN.dated_after.match(
            text, end, min(clause.end, end + 40)):
        return None  # "arrested last month": before the news
    period = _PERIOD.search(text, end, min(clause.end, end + 80))
    if period and not _rx.search(r"\b(?:deadliest|worst|biggest|largest|first|second|third|latest)\b",
                                text[max(clause.start, start - 40):period.start()], re.I):
        return None
    if _rx.search(r"\b(?:last|previous) (?:month|year)['’]s\s+(?:[\w-]+\s+){0,3}$", before):
        return None  # "last month's Parachinar market bombing": weeks or more before the news
    kind = None
    strength = 1
    if found.group("air"):
        kind = "air-strike"
        if _rx.match(r"drone attacks?$", word) and _rx.search(
                r"\b(?:militants|terrorists|insurgents|khwarij|khawarij|attackers)\s+(?:[\w-]+\s+){0,3}?(?:used|using|flew|"
                r"dropped|launched|fitted|with)\b[^.;]{0,40}\b(?:quadcopters?|drones?)\b", text, re.I):
            kind = "bombing"  # "militants dropped explosives from a quadcopter"
        if word.startswith(("strike", "struck", "hit", "pound")) and not _rx.search(
                r"jets?|aircraft|warplanes?|drones?|air|strikes?|forces|military|army|pakistan|said its", before + word):
            kind = None
    elif found.group("bomb"):
        kind = "bombing"
        if word.endswith(("bomber", "bombers")) and _rx.search(
                r"\b(?:arrest\w*|detain\w*|captur\w*|apprehend\w*|nabbed|held)\b",
                text[max(clause.start, start - 40):min(clause.end, end + 30)], re.I) and not _rx.search(
                r"\b(?:blew|exploded|detonated|went off|blast|killed|injured|wounded)\b", sentence_words, re.I):
            return None  # "police arrested a suspected suicide bomber": the arrest is the news
        if _rx.search(r"\b(?:atomic|nuclear)\s+$", before):
            return None
        if _rx.search(r"(?:described as|blamed on|attributed to|caused by|the result of)\s+(?:an?\s+)?[\w.]+\s+"
                     r"(?:air ?strike|airstrike|drone)",
                     sentence_words, re.I):
            kind, strength = "air-strike", 2
    elif found.group("abduct"):
        kind = "abduction"
        if word.endswith("away") and not (_ATTACKERS_RE.search(sentence_words) or _rx.search(
                r"\b(?:kidnap\w*|abduct\w*)\b", text, re.I)):
            return None  # "took away" by someone who is no attacker
        if _rx.search(r"\b(?:and (?:later |then )?(?:killed|shot dead|executed|beheaded)|(?:have|had|later) killed them|"
                     r"(?:kidnapped|abducted)\s+(?:[\w-]+\s+){1,3}(?:killed|shot dead|found dead|beheaded)|"
                     r"kill(?:s|ed)? them|bod(?:y|ies) (?:was|were) found|bod(?:y|ies) of\b|found dead)\b", sentence_words, re.I):
            kind = "armed-attack"  # victims abducted and killed are coded by the killing
        if word in ("kidnapped", "abducted") and _RESCUE.search(sentence_words):
            return None  # "police rescued a kidnapped engineer", "recovered a trader who was abducted"
        if _rx.search(r"\b(?:freed|released|rescued|recovered)\b", sentence_words, re.I) and not _rx.search(
                r"\b(?:kidnapped|abducted|seized)\b", sentence_words, re.I):
            return None
    elif found.group("arrest"):
        if _rx.search(r"\b(?:of|the|for)\s+$", before) and word.startswith("detain"):
            return None
        if _IMMIGRATION.search(sentence_words) or _rx.search(r"\bafghans?\b|\bnationals\b", after[:40]):
            return None
        if not (_SECURITY_SUSPECT.search(sentence_words) or _SECURITY_SUSPECT.search(text[:clause.start][-200:])):
            return None  # arrests for ordinary crime are no incident type
        kind = "arrest"
    elif found.group("shot"):
        kind = "targeted-killing"
        victims = (subject + " " + after[:50])
        if clause.sentence == 0:  # a headline's words are few: its first sentence says where it happened
            sentence_words = text[clause.start:clause.end + 250]
        targeted = _rx.search(r"\btarget(?:ed)?[ -](?:attack|killing)\b", text, re.I) and not _rx.search(
            rf"\b(?:{_VAGUE}|five|six|seven|eight|nine|ten|\d\d)\s+(?:[\w-]+\s+){{0,2}}(?:men|people)", victims, re.I)
        if (not targeted and (_rx.search(rf"\b(?:{NUMBER}|several|{_VAGUE})\s+(?:[\w-]+\s+){{0,2}}(?:men|people|policemen|officers|"
                      rf"soldiers|passengers|labou?rers|workers|guards|persons|of them)", victims, re.I) or _rx.search(
                          r"\b(?:three|four|five|six|seven|eight|nine|ten|eleven|twelve|\d+)\s+(?:[\w-]+\s+){0,2}?[a-z]+s\b",
                          victims, re.I))
                or _rx.search(r"escort|guarding|on duty|patrol|convoy|check ?post|checkpoint|bus|passengers",
                             sentence_words, re.I)):
            kind = "armed-attack"
    elif found.group("border"):
        sides = set()
        for m in _NATION_RE.finditer(text, clause.start, clause.end):
            if _rx.match(r"(?:['’]s)?\s*(?:and\s+[\w ]{0,30}?)?(?:[\w-]+\s+){0,2}(?:troops|forces|border|soldiers|army|"
                        r"military|guards|posts?|positions|side)", text[m.end():m.end() + 45], re.I):
                sides.add(_nation(m.group(0)))
        sides.discard(None)
        if len(sides) >= 2 or (_rx.search(r"\bborder\b|\bposts?\b|\bpositions\b", sentence_words, re.I)
                               and len(sides) == 1 and _rx.search(r"across|border", sentence_words, re.I)
                               and _rx.search(r"shell|pound|exchange|traded|clash|fir", word)
                               and not _rx.search(r"\b(?:smugglers?|traffickers?|bandits|dacoits|poachers)\b",
                                                  sentence_words, re.I)):
            kind = "cross-border-fire"
        elif word.startswith("clash") and _STATE_RE.search(subject) and _rx.search(
                r"resist|militants|insurgents|terrorists|poppy|eradication", sentence_words, re.I):
            kind, strength = "security-operation", 2
        elif word.startswith(("shell", "pound")) and _ATTACKERS_RE.search(sentence_words):
            kind = "armed-attack"
        elif word.startswith(("shell", "pound")) and len(sides) == 1 and not _ATTACKERS_RE.search(subject):
            # one state's forces shelling: fire between two states when it landed in the other (checked by place)
            return _Trigger("cross-border-fire", start, end, clause, 1, shelling=sides.pop())
        else:
            return None
    elif found.group("op"):
        if word in ("search operation", "crackdown") or _IMMIGRATION.search(sentence_words) or \
                _rx.search(r"\bafghans\b|\bnationals\b", sentence_words, re.I):
            return None
        if _rx.search(r"kill|dead|detain|arrest|dismantl|raid|to hell", sentence_words, re.I) and (
                _STATE_RE.search(sentence_words) or _VICTIMS_RE.search(sentence_words)):
            if _rx.search(r"\b(?:militants|gunmen|attackers|fighters)\b", subject) and "raid" in word:
                kind = "armed-attack"
            elif _rx.search(r"claim|said it carried out|said its fighters", sentence_words, re.I) and "raid" in word:
                kind = "armed-attack"
            else:
                kind, strength = "security-operation", 2
                if not _rx.search(r"\b(?:kill(?:s|ed|ing)?|dead|died|martyr\w*|slain|injur\w*|wound\w*|hurt|exchange of fire|"
                                 r"gunfights?|shoot-?outs?|clash\w*|firing|fired|fire|casualt\w+|bodies)\b", text, re.I) and \
                        _rx.search(r"\b(?:arrest\w*|detain\w*|captur\w*|apprehend\w*|nabbed|held|custody)\b",
                                  text, re.I):
                    if not _SECURITY_SUSPECT.search(text):
                        return None
                    kind, strength = "arrest", 1  # a raid that only detains: the arrest is the outcome
        elif "raid" in word and _rx.search(r"claim", sentence_words, re.I):
            kind = "armed-attack"
        else:
            return None
    elif found.group("attack"):
        kind = "armed-attack"
        if word.startswith("storm") and not _rx.match(
                r"\s+(?:(?:a|an|the|his|their)\s+)?(?:[\w-]+\s+){0,5}?(?:post|check ?post|checkpoint|compound|base|camp|"
                r"hospital|hotel|mosque|school|prison|jail|station|office|building|village|town|house|convoy|"
                r"garrison|cantonment|cantt|academy|fort|outpost|lines|court|"
                r"bus|train|headquarters|hq|centre|center|complex|gurdwara|church|temple|shrine|parliament)s?\b",
                text[end:end + 60], re.I):
            return None
        if word.startswith("overr") and _rx.search(r"\b(?:cost|costs|budget|time)\s+$", before):
            return None
        if not _VIOLENT.search(sentence_words) and not _VIOLENT.search(text[:clause.start][-300:] if
                                                                         clause.sentence else ""):
            return None  # "the government attacks public television": no weapon, no casualty, no armed side
        if word in ("rocket", "rockets") and not _rx.search(r"fired|hit|landed|struck", sentence_words, re.I):
            return None
        if word.startswith(("attack", "fire", "fired", "open", "repulsed", "storm", "assault", "mortar", "rocket")):
            # a state's forces firing on the posts of another: fire between two states
            forces_before = _rx.search(r"\b(?:(afghan|taliban|pakistani|iranian|tajik|islamic emirate)\b[\w\s]{0,25}"
                                      r"(?:forces|troops|border guards|soldiers|army|military)\b|afghan taliban\b)",
                                      subject + " " + after[:45])
            posts = _rx.search(r"\b(?:border )?posts?\b|check ?posts?|checkpoints?|positions", after + " " + subject)
            if forces_before and posts and _rx.search(r"\bborder\b|\bposts?\b|check ?posts?|checkpoints?",
                                                     sentence_words, re.I):
                if not _ATTACKERS_RE.search(subject):
                    kind, strength = "cross-border-fire", 2
            # "shells fired from across the border by Afghan forces landed in Chaman"
            if kind == "armed-attack" and _ACROSS.search(sentence_words) and (
                    _SHOOTER.search(after + " ") or forces_before and not _ATTACKERS_RE.search(subject) and
                    _NATION_WORD.search(subject)) and not _ATTACKERS_RE.search(sentence_words):
                kind, strength = "cross-border-fire", 2
        if word.startswith("target"):
            # "said its forces targeted Pakistani military posts": a state's fire on the other state's posts
            if not (_rx.search(r"\b(?:its|afghan|taliban|pakistani|iranian|tajik|islamic emirate)\b(?:\s+[\w-]+){0,2}?\s+"
                              r"(?:forces|troops|border guards|soldiers|army|military)\s*$", subject, re.I) and
                    not _ATTACKERS_RE.search(subject)):
                return None
            kind, strength = "cross-border-fire", 2
        if word.startswith("attack") and _rx.search(r"\b(?:suicide|bomb|car bomb)\b", before[-20:]):
            kind = "bombing"
        if word.startswith("attack") and _rx.search(r"\btarget(?:ed)?\s+$", before) and not _rx.search(
                rf"\b(?:{_VAGUE}|two|three|four|five|six|seven|eight|nine|ten|\d+)\s+(?:[\w-]+\s+)?(?:men|people|"
                rf"policemen|soldiers|passengers|workers)\b", sentence_words, re.I):
            kind = "targeted-killing"  # "a targeted attack" on one chosen person
        if kind == "armed-attack" and word.startswith(("opened", "open fire", "fired")) and _rx.match(
                r"\s*(?:on|at)\s+(?:(?:a|an|the)\s+(?:[\w-]+\s+){0,3}?" + _SINGLE_VICTIM + r"|him|her)\b", text[end:end + 70],
                re.I) \
                and _rx.search(r"\b(?:near|outside|at|in front of|on (?:his|her) way)\b[^.;]{0,25}?\b(?:his|her) (?:home|house|"
                              r"residence|shop|clinic|office|hujra|way|door|workplace)", sentence_words, re.I) and not \
                _rx.search(r"escort|guarding|on duty|patrol|convoy|check ?post|checkpoint|\bbus\b|passengers", sentence_words,
                          re.I):
            kind = "targeted-killing"  # one chosen person in a personal setting
    elif found.group("kill"):
        if word in ("martyred", "embraced martyrdom", "slain"):
            return None  # a casualty word: the type comes from what killed them
        obj = after[:60]
        if word == "died":
            if _rx.search(r"\bresist(?:ed|ing|ance)?\b", sentence_words, re.I) and _rx.search(
                    r"\b(?:eradication|operation|drive|raid|campaign|search)\b", sentence_words, re.I) and \
                    _STATE_RE.search(sentence_words):
                return _Trigger("security-operation", start, end, clause, 2)
            return None
        passive = word == "killed" and not _rx.match(rf"\s*(?:{_QUAL}\s+)?(?:{NUMBER}|{_VAGUE}|an?\b|the\b|one\b|his\b|her\b|"
                                                   rf"their|[A-Z])", text[end:end + 30])
        # a headline's words are few: its lede says who killed them
        context = sentence_words if clause.sentence else text[clause.start:clause.end + 250]
        if subject.strip() in ("", "were", "was", "have been", "had been"):
            # "seven infiltrators, including three Afghan nationals, were killed": the subject before the aside
            subject = _subject(_rx.sub(r",\s*(?:including|among them|most of them)[^,]*,",
                                       lambda m: " " * len(m.group(0)), text[:start]), start, clause.start).lower()
        if passive and _rx.search(rf"{_MILITANT_VICTIMS}\s+(?:were\s+|have been\s+|had been\s+)?$", subject) and \
                _rx.search(r"operation|ibo|raid|security forces|ispr|military|army|ctd|shootout|exchange of fire|"
                          r"troops|forces|infiltrat", context, re.I):
            return _Trigger("security-operation", start, end, clause, 2, repulse=not _rx.search(
                r"operation|\bibo\b|raid|intelligence|infiltrat|search|cordon|encounter|shootout|hideout", context, re.I))
        elif passive and _rx.search(r"\bresist(?:ed|ing|ance)?\b", sentence_words, re.I) and _rx.search(
                r"\b(?:eradication|operation|drive|raid|campaign|search)\b", sentence_words, re.I) and \
                _STATE_RE.search(sentence_words):
            kind, strength = "security-operation", 2  # an enforcement drive that met armed resistance
        elif passive:
            return None
        elif _STATE_RE.search(subject) and not _ATTACKERS_RE.search(subject) and (
                _VICTIMS_RE.search(obj) or _rx.search(r"\b(?:members|commander|cell)\b", obj)):
            kind, strength = "security-operation", 2
        elif not subject.strip() and _ACTING_STATE.match(sentence_words.lstrip()) and \
                not _ATTACKERS_RE.match(sentence_words.lstrip()) and (
                _VICTIMS_RE.search(obj) or _rx.match(rf"\s*(?:{_QUAL}\s+)?(?:{NUMBER}|all)\s+of\s+them\b", obj, re.I) and
                _VICTIMS_RE.search(text[clause.start:start])):
            kind, strength = "security-operation", 2
        elif _rx.search(rf"{_ATTACKERS}\s*(?:[\w-]+\s+){{0,3}}$", subject) or _rx.search(
                rf"^{_ATTACKERS}\b", subject.strip()):
            if _rx.search(r"\b(?:tajik|iranian|afghan|pakistani) border guards\b", subject):
                kind, strength = "security-operation", 2
            else:
                return _Trigger("armed-attack", start, end, clause, 1, plain=True)
        elif _rx.search(rf"{_MILITANT_VICTIMS}\s+(?:were\s+|have been\s+)?$", subject) and word == "killed" and (
                _rx.search(r"operation|ibo|raid|security forces|ispr|military|army|ctd|shootout|exchange of fire",
                          sentence_words, re.I)):
            kind, strength = "security-operation", 2
        else:
            return None
    if kind is None:
        return None
    return _Trigger(kind, start, end, clause, strength)


def _triggers(text: str, clause: _Clause) -> list[_Trigger]:
    words = text[clause.start:clause.end]
    outside = _OUTSIDE.search(words) and not _rx.search(r"\b(?:bomb|blast|suicide|gunmen|militants|attack)", words, re.I)
    accident = _ACCIDENT.search(text) and not _rx.search(r"\b(?:bomb\w*|suicide|gunm[ae]n|militants|terrorists|"
                                                        r"attackers|ied|grenade)\b", text, re.I)
    found = []
    for match in _TRIGGER.finditer(text, clause.start, clause.end):
        if outside and not match.group("arrest") or accident and match.group("bomb"):
            continue  # protests, riots, disasters and accidents are no incident type
        trigger = _sense(match, text, clause)
        if trigger:
            trigger.word = match.group(0)
            found.append(trigger)
    return found


def _evidence(text: str, clause: _Clause, triggers) -> bool:
    """Whether the clause says the incident happened (a verb, a casualty, a claim), not just names it."""
    return _evidence_in(text[clause.start:clause.end], clause.sentence == 0 and clause.kind == "main")


@functools.lru_cache(maxsize=4096)
def _evidence_in(words: str, headline: bool) -> bool:
    """_evidence of a clause's words alone (a title's main part is a headline)."""
    pattern = _HEADLINE if headline else _EVIDENCE
    for found in itertools.chain(_EVIDENCE.finditer(words), pattern.finditer(words) if pattern is _HEADLINE else ()):
        before = words[max(0, found.start() - 40):found.start()]
        if _MODAL.search(before[-30:]) and not _rx.search(r"\b(?:said|says)\b", before[-12:]):
            continue
        return True
    return False


# --- casualties -------------------------------------------------------------------------------

_PART = re.compile(
    rf"(?P<qual>{_QUAL}\s+)?(?:(?:his|her|their|its)\s+(?=(?:{_QUAL}\s+)?{NUMBER}\b))?(?:(?P<vague>{_VAGUE})|(?P<n>{NUMBER})(?:\s+(?:to|and|or)\s+(?P<m>{NUMBER}))?|"
    rf"(?P<both>both)\b|(?P<one>an?|one|his|her|their|its|the)\b)"
    rf"(?P<noun>(?:\s+(?!and\b|in\b|at\b|on\b|near\b|when\b|as\b|during\b|inside\b|from\b|after\b|while\b|"
    rf"including\b|were\b|was\b|have\b|had\b|who\b|with\b|by\b|for\b|to\b|of\b(?!\s+(?:them|his|their|its|the injured)))"
    rf"[\w'’.-]+){{0,5}})"
    rf"(?:\s+of\s+(?:them|his|their|its|the injured)(?:\s+[\w-]+)?)?", re.I)
_NOUN_STOP = re.compile(r"\s(?:and|in|at|on|near|when|as|during|inside|from|after|while|including|were|was|"
                        r"have|had|who|with|by|for|to)\b", re.I)
_KILL_VERB = re.compile(r"\b(?:killed|killing|dead|died|martyred|martyring|embraced martyrdom|sent to hell|lost their lives|shot dead|gunned down|"
                        r"slain|perished|succumbed)\b", re.I)
_NONE_HURT = re.compile(r"\bno (?:casualties|injuries|one was (?:killed|hurt|injured)|loss of (?:life|lives))\b", re.I)
_HURT_VERB = re.compile(r"\b(?:injured|wounded|hurt|injuring|wounding)\b", re.I)
_PASSIVE_KILL = re.compile(r"\b(?:killed|dead|died|martyred|embraced martyrdom|sent to hell|lost their lives|shot dead|gunned down|"
                           r"slain|perished|succumbed)\b", re.I)
_PASSIVE_HURT = re.compile(r"\b(?:injured|wounded|hurt)\b", re.I)
_ACTIVE = {"killed": re.compile(r"\b(?:sent(?=\s+(?:[\w-]+\s+){1,4}to hell\b)|kill(?:s|ed|ing)?|martyring|assassinat(?:ed|ing)|shot dead|gunned down|claimed the lives of|leaving|"
                                r"leaves|left|killed at least)\s+", re.I),
           "injured": re.compile(r"\b(?:injur(?:ing|ed|es)|wound(?:ing|ed|s)|hurt(?:ing)?)\s+", re.I)}


# "five civilians including a woman and a child were killed": the parts of a counted whole, without commas
_SUBSTITUTIONS = {"including": re.compile(r"(?<=[a-z])\s+including\s+[^,.;]*?(?=\s+(?:were|was|have|had|are|died|lost|killed|dead)\b|"
                        r"\s+(?:and\s+)?[a-z]+ing\b|[,.;]|$)", re.I)}  # kept as re patterns: they rewrite text
_BODIES = re.compile(rf"\bbod(?:y|ies) of\s+(?:(?:the|their|his)\s+)?(?P<n>(?:{_QUAL}\s+)?(?:{NUMBER}|an?|one)\b)", re.I)
_FOUND = re.compile(r"\b(?:found|recovered|discovered|dumped|handed over|retrieved|lying)\b", re.I)
_PRONOUN = re.compile(r"(?:him|her|them)\b", re.I)
_COUNTED = re.compile(rf"(?<![\w-])(?:{_QUAL}\s+)?{NUMBER}\s+(?:[\w'’-]+\s+){{0,2}}?[\w'’-]+s\b", re.I)
_ANY_COUNT = re.compile(rf"\b(?:{NUMBER}|{_VAGUE})\b", re.I)


@dataclass
class _Figure:
    value: int | None  # None: vague
    start: int
    end: int
    victims: str  # the noun it counts


# one person, singular and without a number: "Policeman", "Shia prayer leader", "Police constable Ali Khan"
_SINGLE_VICTIM = (r"(?:governor|minister|commander|chief|leader|head|official|officer|mayor|judge|cleric|imam|"
                  r"journalist|deputy|spokesman|driver|son|brother|father|guard|bodyguard|emir|scholar|lawmaker|"
                  r"politician|candidate|director|principal|teacher|doctor|engineer|elder|man|woman|boy|girl|child|"
                  r"civilian|soldier|policeman|worker|shopkeeper|trader|student|passer-by|resident|member|"
                  r"constable|cop|jawan|sepoy|inspector|sub-inspector|lawyer|activist|warden|vendor|"
                  r"labou?rer|tailor|barber|councill?or|pharmacist|shopowner|landlord|farmer)")
_ROLE = re.compile(r"\b(?:governor|minister|commander|chief|leader|head|official|officer|mayor|judge|cleric|imam|"
                   r"journalist|deputy|spokesman|driver|son|brother|father|guard|bodyguard|emir|scholar|lawmaker|"
                   r"politician|candidate|director|principal|teacher|doctor|engineer|elder|man|woman|boy|girl|child|"
                   r"civilian|soldier|policeman|worker|shopkeeper|trader|student|passer-by|resident|member|"
                   r"colleague|companion|relative|friend|cousin|nephew|wife|husband|daughter|mother|sister|"
                   r"passenger|pedestrian|bystander|constable|labou?rer)\b", re.I)
_BARE_VICTIM = re.compile(r"(?:an?\s+)?(?:[\w'’-]+\s+){0,3}?" + _SINGLE_VICTIM +
                          r"(?:\s+(?!and\b|or\b|with\b)[\w'’.-]+){0,3}$", re.I)
_NEXT_PART = rf"(?=(?:{_QUAL}\s+)?(?:{NUMBER}|{_VAGUE}|an?|one|his|her|their|the)\b)"


# One named person: "shot dead former lawmaker Malik Nawaz Khan", and "elder Haji Gul Rehman and ..."
_NAMED_VICTIM = re.compile(r"\s*(?:(?:former|senior|local|retired|prominent|tribal|provincial|district|police|"
                           r"religious|a)\s+)*(?:(?:al-)?[A-Z][\w'’-]*\s+)?" + _ROLE.pattern + r"\s+(?:[A-Z][\w'’.-]+\s+){0,3}[A-Z][\w'’.-]+(?![\w-])")
_NAMED_BEFORE = re.compile(_ROLE.pattern + r"\s+(?:[A-Z][\w'’.-]+\s+){1,4}and\s+$")


def _parts(text: str, start: int, limit: int) -> tuple[int | None, int, str] | None:
    """Parse a conjunction of counted parts from `start`: (total or None if vague, end, first noun)."""
    position, total, noun, seen, vague = start, 0, "", False, False
    while True:
        found = _PART.match(text, position, limit)
        if not found:
            break
        rest = (found.group("noun") or "").strip().lower()
        if found.group("vague"):
            vague = True
        elif found.group("both"):
            total += 2
        elif found.group("n"):
            value = number(found.group("n"))
            qualifier = (found.group("qual") or "").strip().lower()
            if value is None or (qualifier and qualifier not in _FIRM_QUAL) or \
                    rest.split()[:1] in (["dozen"], ["dozens"], ["score"], ["scores"]):  # "two dozen": vague
                vague = True
            else:
                total += value
        elif found.group("one"):
            word = found.group("one").lower()
            # the counted noun ends where a participle or another phrase begins: "a policeman escorting the workers"
            noun_words = list(itertools.takewhile(
                lambda w: not (w.endswith("ing") and len(w) > 5) and w not in ("the", "a", "an", "his", "her", "their"),
                rest.split()))
            head = (noun_words or rest.split() or [""])[-1]
            if rest.split()[:1] and rest.split()[0] in ("dozen", "few", "number", "handful", "score"):
                vague = True
            elif not rest or (word in ("the", "his", "her", "their", "its") and not _ROLE.search(rest)):
                break
            elif head.endswith("s") and not head.endswith(("ss", "us")) and word != "one":
                break
            else:
                total += 1
        if not seen:
            noun = rest
        seen = True
        position = found.end()
        skip = _rx.match(r"\s+of\s+(?:[\w'’-]+\s+){1,6}?(?=and\s+(?:his|her|their|an?|one|\d|"
                        + _WORD + r")\b)", text[position:limit], re.I)
        if skip:
            position += skip.end() - 1
        joint = _rx.match(r"(?:\s*,\s*[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,3}\s*,)?(?:\s*,\s*and\s+|\s+and\s+)"
                         + _NEXT_PART, text[position:limit], re.I) or _rx.match(
                             rf"\s*,\s*(?=(?:{_QUAL}\s+)?(?:{NUMBER}|{_VAGUE})\b)", text[position:limit], re.I)
        if not joint:
            break
        position += joint.end()
    if not seen:
        return None
    return (None if vague else total), position, noun


def _figures(text: str, start: int, end: int, which: str) -> list[_Figure]:
    """Casualty figures for killed or injured between start and end."""
    return [_Figure(figure.value, start + figure.start, start + figure.end, figure.victims)
            for figure in _figures_in(text[start:end], which)]


@functools.lru_cache(maxsize=4096)
def _figures_in(words: str, which: str) -> tuple[_Figure, ...]:
    """The figures of these words alone (they read nothing around them; offsets into `words`).
    Kept per text: news repeats its boilerplate sentences."""
    figures = []
    start = 0
    lowered = words.lower()
    if "toll" not in lowered and "no " not in lowered and "unhurt" not in lowered and "unharmed" not in lowered and \
            not (which == "killed" and ("bodies" in lowered or "body of" in lowered)) and \
            not (_PASSIVE_KILL if which == "killed" else _PASSIVE_HURT).search(words) and \
            not _ACTIVE[which].search(words):
        return ()  # every figure below starts from one of these words, which blanking only removes
    # neutralise parentheticals: ", including women and children," ", most of them policemen,"
    blank = _rx.sub(r",\s*(?:including|most of them|many of them|among them|mostly|all of them|mainly)[^,.;]*(?=[,.;]|$)",
                   lambda m: " " * len(m.group(0)), words, flags=re.I)
    # "five civilians including a woman and a child were killed": the parts of a counted whole, without commas
    if "including" in lowered:
        blank = _SUBSTITUTIONS["including"].sub(lambda m: " " * len(m.group(0)), blank)
    local = blank
    verbs = _PASSIVE_KILL if which == "killed" else _PASSIVE_HURT
    if which == "killed":
        # "the bodies of three labourers were found": the dead counted by their bodies
        for found in (_BODIES.finditer(local) if "bod" in lowered else ()):
            if _FOUND.search(local[found.end():]):
                parsed = _parts(local, found.start("n"), len(local))
                if parsed:
                    figures.append(_Figure(parsed[0], start + found.start("n"), start + parsed[1], parsed[2]))
        for found in _rx.finditer(rf"\b(?:death toll|toll)\b[^.;]{{0,60}}?\b(?:rose|rises|risen|climbed|climbs|reached|"
                                 rf"reaches|jumped|stands? at|stood at|to)\s+(?:to\s+)?(?:{_QUAL}\s+)?(?P<n>{NUMBER})\b",
                                 local, re.I):
            figures.append(_Figure(number(found.group("n")), start + found.start("n"), start + found.end("n"), "toll"))
        if _rx.search(r"\bno (?:one|deaths?|casualties|lives)\b[^.;]{0,20}\b(?:killed|reported|lost|were)|"
                     r"\bno casualties\b|\bno one was killed|\bno loss of (?:life|lives)\b", local, re.I):
            figures.append(_Figure(0, start, start, "none"))
    else:
        if _rx.search(r"\bsuccumb\w*|\blater died\b|\bdied of (?:his|her|their) (?:injuries|wounds)", local, re.I):
            return ()  # "a constable wounded in the bombing succumbed": one more dead, not a wounded count
        if _rx.search(r"\bno one was (?:killed or )?(?:injured|hurt|wounded)|\bno casualties\b|"
                     r"\bno (?:injuries|one was hurt)\b|\b(?:escaped|were|was) (?:unhurt|unharmed|unscathed)\b",
                     local, re.I):
            figures.append(_Figure(0, start, start, "none"))
    # active: "killing at least 20 soldiers", "wounding seven", "leaves two dead"
    for found in _ACTIVE[which].finditer(local):
        parsed = _parts(local, found.end(), len(local))
        pronoun = _PRONOUN.match(local[found.end():found.end() + 5]) if parsed is None else None
        if parsed is None and pronoun:
            if pronoun.group(0).lower() == "them":
                # "abducted two engineers and killed them": the people counted before
                counted = list(_COUNTED.finditer(local[:found.start()]))
                if counted:
                    earlier = _parts(local, counted[-1].start(), found.start())
                    if earlier:
                        figures.append(_Figure(earlier[0], start + counted[-1].start(), start + found.end() + 4,
                                               earlier[2]))
                continue
            # "killing him and his two guards": the one person and the parts after him
            value, stop, noun = 1, found.end() + pronoun.end(), "person"
            more = _rx.match(r"\s*,?\s*(?:and|along with)\s+", local[stop:], re.I)
            if more:
                rest = _parts(local, stop + more.end(), len(local))
                if rest:
                    value = None if rest[0] is None else 1 + rest[0]
                    stop = rest[1]
            figures.append(_Figure(value, start + found.end(), start + stop, noun))
            continue
        if parsed is None:
            named = _NAMED_VICTIM.match(local, found.end())
            if named and found.group(0).lower().startswith(("kill", "shot", "gunned")):
                figures.append(_Figure(1, start + found.end(), start + named.end(), "person"))
            continue
        value, stop, noun = parsed
        verb = found.group(0).lower()
        if verb.startswith(("leav", "left")):
            if not _rx.match(rf"\s*(?:{'dead|killed' if which == 'killed' else 'injured|wounded|hurt'})\b",
                            local[stop:]) and not _rx.search(
                    rf"\b(?:{'dead|killed' if which == 'killed' else 'injured|wounded|hurt'})$", noun):
                continue
        figures.append(_Figure(value, start + found.end(), start + stop, noun))
    # passive: "three soldiers and four civilians were killed", "11 others injured", "X was killed with two others"
    active_at = {f.start for f in figures}
    for found in verbs.finditer(local):
        if start + found.end() + 1 in active_at or start + found.end() in active_at:
            continue  # "a car bomb killed the governor": the count follows the verb
        head = local[:found.start()]
        cut = max([head.rfind(mark) for mark in (";", ":", "\n", " when ", " said ", " says ", " that ")] + [-1])
        for previous in _rx.finditer(r"(?<!\bthe )\b(?:killed|dead|died|martyred|martyrdom|lost their lives|perished|injured|"
                                     r"wounded|hurt)\b\s*,?\s*(?:and\s+)?", head):
            cut = max(cut, previous.end() - 1)
        segment = head[cut + 1:]
        segment_clean = _rx.sub(r",[^,]*,", lambda m: " " * len(m.group(0)), segment)
        end_at = len(_rx.sub(r"(?:\s|,)*(?:\b(?:were|was|have been|had been|has been|are|is|also|later|all|"
                            r"reportedly|were also|others?)\b(?:\s|,)*)*$", "", segment_clean))
        tail = local[found.end():found.end() + 40]
        others = _rx.match(rf"\s+(?:along\s+)?with\s+(?P<n>{NUMBER})\s+others\b", tail, re.I)
        taken = False
        for start_at in _rx.finditer(rf"(?<![\w-])(?:{_QUAL}\s+)?(?:{NUMBER}|{_VAGUE}|an?|one|both)\b", segment_clean, re.I):
            parsed = _parts(segment_clean, start_at.start(), len(segment_clean))
            if parsed and _rx.match(r"an?\b", start_at.group(0), re.I) and not _ROLE.search(parsed[2]):
                continue
            if parsed and parsed[1] >= end_at - 1 and start_at.start() < end_at:
                value, _, noun = parsed
                if value is not None and others:
                    value += number(others.group("n")) or 0
                if value is not None and _NAMED_BEFORE.search(segment_clean[:start_at.start()]):
                    value += 1  # "Tribal elder Haji Gul Rehman and two of his guards were killed"
                figures.append(_Figure(value, start + cut + 1 + start_at.start(), start + found.end(), noun))
                taken = True
                break
        if taken:
            continue
        if _rx.search(r"\b(?:was|has been|had been|is)\s+(?:\w+\s+)?$" if which == "killed" else
                     r"\b(?:was|has been|had been|is)\s+(?:shot\s+and\s+|critically\s+|seriously\s+)?$",
                     segment_clean) and \
                not _rx.search(rf"\b(?:{NUMBER}|{_VAGUE}|people|civilians|soldiers|policemen|persons)\b",
                              segment_clean, re.I):
            value = 1 + ((number(others.group("n")) or 0) if others else 0)
            figures.append(_Figure(value, start + cut + 1, start + found.end(), "person"))
        elif _BARE_VICTIM.match(segment_clean.strip()) and not _ANY_COUNT.search(segment_clean):
            # a headline's one victim with no article: "Policeman shot dead in Bannu", "Journalist Ali Raza killed"
            value = 1 + ((number(others.group("n")) or 0) if others else 0)
            figures.append(_Figure(value, start + cut + 1, start + found.end(), "person"))
    return tuple(figures)


def _casualties(text: str, scopes, which: str, kind: str) -> tuple[int | None, tuple[int, int] | None]:
    """The lowest firm figure of the first scope that has one (summary before title)."""
    for scope in scopes:
        figures = []
        for start, end in scope:
            figures.extend(_figures(text, start, end, which))
        if kind in ("armed-attack", "bombing", "targeted-killing", "abduction", "cross-border-fire"):
            figures = [f for f in figures if not _ATTACKERS_RE.match(f.victims or "") or
                       f.victims.startswith(("fighters", "taliban fighters"))]
        if not figures:
            continue
        firm = [f for f in figures if f.value is not None]
        if not firm:
            return None, (figures[0].start, figures[0].end)
        if kind == "security-operation" and which == "killed":
            # the forces' dead and the militants' dead are two parts of one toll, not competing figures
            forces = [f for f in firm if _rx.match(r"(?:[\w-]+\s+)?(?:soldiers?|troops|policem[ae]n|personnel|officers?|"
                                                   r"security (?:personnel|officials)|guards?|border guards)\b", f.victims)]
            fighters = [f for f in firm if _VICTIMS_RE.match(f.victims or "") or
                        (f.victims == "of them" and _VICTIMS_RE.search(text[max(0, f.start - 150):f.start]))]
            if forces and fighters:
                low = min(forces, key=lambda f: f.value), min(fighters, key=lambda f: f.value)
                return low[0].value + low[1].value, (min(f.start for f in low), max(f.end for f in low))
        best = min(firm, key=lambda f: f.value)
        return best.value, (best.start, best.end)
    return None, None


# --- places -----------------------------------------------------------------------------------

_SUFFIX = (r"(?:area|district|province|city|town|village|valley|tehsil|state|region|subdivision|sub-division|"
           r"governorate|county|agency|border crossing|crossing|cantonment)")
_NAME = r"(?:(?:al|el|ad|ar|as|ash|az)-)?[A-Z][\w-]*(?:[^\S\n]+(?:(?:al|ez|el|ud|ul|e|i)-[A-Z][\w-]*|al|ez|el|e|i|ul|[A-Z][\w-]*)(?=[\s,.;'’]|$))*"
_LOCATIVE = re.compile(
    rf"\b(?P<prep>in|near|at|outside|inside|on the outskirts of|around|off|of|across|into)\s+(?:the\s+)?"
    rf"(?:(?:north|south|east|west|central|northern|southern|eastern|western|northeast|northwest|southeast|"
    rf"southwest|north-east|north-west|south-east|south-west|northeastern|northwestern|southeastern|"
    rf"southwestern|remote|restive|volatile|troubled|tribal|border|frontier)\s+)*"
    rf"(?P<name>{_NAME})(?P<suffix>\s+{_SUFFIX}\b)?")
_POSSESSED = re.compile(rf"(?P<owner>{_NAME})(?:\s+{_SUFFIX})?['’]s\s+(?:(?:northern|southern|eastern|western|northeastern|northwestern|"
                        rf"southeastern|southwestern|central|restive|remote|volatile)\s+)*(?P<name>{_NAME})"
                        rf"(?P<suffix>\s+{_SUFFIX}\b)?")
_NOT_PLACE = re.compile(r"^(?:The|A|An|Friday|Saturday|Sunday|Monday|Tuesday|Wednesday|Thursday|January|February|"
                        r"March|April|May|June|July|August|September|October|November|December|Shia|Sunni|"
                        r"Islamic|Taliban|Pakistani|Afghan|Iranian|Police|Officials|Ramadan|Eid|Muharram|"
                        r"He|She|It|They|His|Her|Its|Their|This|That|Western|Eastern|Northern|Southern)$")
_CAPITALS = {"afghanistan": "Kabul", "pakistan": "Islamabad", "iran": "Tehran", "iraq": "Baghdad", "syria": "Damascus",
             "somalia": "Mogadishu", "tajikistan": "Dushanbe"}
_BIG_CITIES = ("kabul", "peshawar", "quetta", "karachi", "lahore", "islamabad", "rawalpindi", "herat", "kandahar",
               "jalalabad", "mazar-i-sharif", "kunduz", "multan", "faisalabad")


@dataclass
class _Place:
    name: str
    start: int
    end: int
    entity: str | None
    depth: int
    region: str | None
    fold: bool = False  # a street, neighbourhood or venue: the incident's place is its city


def _depth(entity: str, located_in: dict) -> int:
    count, seen = 0, entity
    while located_in.get(seen) and count < 6:
        seen, count = located_in[seen][0], count + 1
    return count


_GENERIC = re.compile(rf"\s+{_SUFFIX}$", re.I)
_FOLDS = re.compile(r"\s+(?:Road|Street|Bazaar|Market|Chowk|Square|Colony|Lines|Cantonment|Mosque|Hospital|"
                    r"Airport|Station|Camp|Compound|Complex|Gate|Town|Sector|Block|Phase)$")
_NOT_PLACE_TAIL = re.compile(r"\b(?:Office|Ministry|Department|Army|Front|Group|Brigade|Movement|Party|Service|"
                             r"Command|Agency|Organi[sz]ation|Council|Court|University|Institute|Authority|Corps|"
                             r"Forces|Police|Government|Province|Emirate|State|Taliban|Rangers|Levies)$")


def _title_case(title: str) -> bool:
    words = [w for w in _rx.findall(r"[A-Za-z][\w'’-]*", title) if len(w) > 3]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.8 * len(words)


# a name that goes on with a tribe's or a village's word is another place: "Ghazni Khel", "Kabul Kalay"
_VILLAGE_TAIL = re.compile(r"[ -](?:Khel|Kalay|Kaley|Kalle|Killi|Kili|Banda|Dheri|Garhi|Kot|Qila|Kandao|Zai)\b")


def _excluded(text: str, start: int) -> bool:
    """A place that is an origin, destination, base or venue of something else, not the incident's; or where
    the people who speak of it are ("officials in X said", "according to police in X")."""
    before = text[max(0, start - 45):start].lower()
    if _rx.search(r"(?:(?<![\w-])(?:from|to|towards?|for|headed|bound|based|arrived|returned|travell?ing)\s+(?:the\s+)?"
                 r"(?:(?!in\s|at\s|near\s|into\s)[\w'’-]+\s+){0,2}$)|"
                 r"(?:\b(?:court|trial|hearing|conference|summit|talks|meeting|forum|ceremony|jirga|protest|sit-in)\s+"
                 r"(?:[\w-]+\s+){0,2}(?:in|at)\s+(?:the\s+)?(?:[\w-]+\s+){0,1}$)", before):
        return True
    if not _rx.search(r"\b(?:officials?|police|authorities|sources|spokesman|government|administration|residents|"
                     r"elders?)\s+(?:in|of)\s+(?:the\s+)?$", before):
        return False
    # the speakers' place, not the victims' ("three customs officials in DI Khan were abducted")
    return bool(_rx.match(r"[\w\s'’-]{0,30}?\b(?:said|say|says|told|confirmed)\b", text[start:start + 50])) or \
        bool(_rx.search(r"\baccording to\s+(?:the\s+)?(?:[\w-]+\s+){0,2}(?:in|of)\s+(?:the\s+)?$", before))


def _places(text: str, scopes, matches, located_in: dict, groups) -> list[_Place]:
    """Locations named in the incident's clauses, with how specific each is and its region."""
    places: list[_Place] = []
    title_end = text.find("\n") if "\n" in text else len(text)
    non_places = [(s, e) for entity, s, e in matches
                  if entity in groups or entity in STATE_GROUPS
                  or (entity not in located_in and entity not in PROVINCES and entity not in COUNTRIES)]
    known = [(entity, s, e) for entity, s, e in matches
             if (entity in located_in or entity in PROVINCES or entity in COUNTRIES) and not _VILLAGE_TAIL.match(text, e)]
    for scope_start, scope_end in scopes:
        for entity, start, end in known:
            if not (scope_start <= start < scope_end) or _excluded(text, start):
                continue
            written = text[start:end]
            capital = entity in COUNTRIES and written.lower() not in _COUNTRY_NAMES and len(written) > 4 and \
                "." not in written and \
                written.lower() not in _ADJECTIVES and written.lower() != entity.replace("-", " ")
            if capital and _rx.match(r"\s+(?:said|says|has|had|have|would|will|warned|accused|denied|and)\b",
                                    text[end:end + 10]):
                continue  # "Washington warned": the government, not the place
            if (entity in COUNTRIES and not capital) or entity not in located_in and entity not in COUNTRIES:
                # a country (or a place the catalog does not locate) only where the text places something in it
                before = text[max(scope_start, start - 60):start]
                if not _rx.search(r"\b(?:in|inside|across|near|outside|at)\s+(?:the\s+)?(?:[a-z-]+\s+){0,2}$", before):
                    continue
                if written.lower() in _ADJECTIVES:
                    continue
            if _rx.match(r"\s+(?:river|hydropower|dam|project|gladiators|zalmi|qalandars|united|format|process)\b|-bound\b",
                        text[end:end + 14], re.I):
                continue  # a river, a project, a team; "the Peshawar-bound train" goes there
            if _rx.match(r"\s+(?:officials?|police|authorities|government|forces|troops|army|military|side)\b",
                        text[end:end + 14], re.I) and entity in COUNTRIES:
                continue
            if written.lower().endswith(" port") and _rx.match(r"\s+(?:authority|complex|trust|city|area)\b",
                                                               text[end:end + 12], re.I):
                written = written[:written.lower().rindex(" port")]
            places.append(_Place(_GENERIC.sub("", written), start, end, entity,
                                 1 if capital else _depth(entity, located_in), region_of(entity, located_in)))
        if scope_start < title_end and _title_case(text[:title_end]):
            continue  # In A Title Cased Headline every word looks like a name: only the catalog's places count
        for pattern in (_LOCATIVE, _POSSESSED):
            for found in pattern.finditer(text, scope_start, scope_end):
                name = found.group("name").strip()
                start, end = found.span("name")
                while name and name.split()[-1] in ("and", "of", "al", "e", "i", "ul"):
                    name = name.rsplit(" ", 1)[0]
                    end = start + len(name)
                if not name or _NOT_PLACE.match(name.split()[0]) or _NOT_PLACE_TAIL.search(name) or \
                        _excluded(text, start) or _rx.fullmatch(r"[A-Z]{2,5}s?", name):
                    continue
                if any(s <= start < e for s, e in non_places) or any(s <= start < e for _, s, e in known):
                    continue
                if any(p.start == start for p in places):
                    continue
                suffix = (found.group("suffix") or "").strip().lower()
                if pattern is _LOCATIVE and found.group("prep") in ("of", "at", "on the outskirts of", "across", "off",
                                                                     "into") \
                        and not suffix and not (found.group("prep") == "of" and _rx.search(
                            r"\b(?:town|city|village|hamlet|township|port city|border town|district|province|region)"
                            r"\s+$", text[max(0, found.start() - 20):found.start()], re.I)):
                    continue
                if _rx.match(r"\s+(?:river|project|hydropower|dam|hospital|stadium|airport|university|school|"
                            r"mosque|gurdwara|shrine|station|hotel|office|compound|"
                            r"brigade|army|front|group|movement|party|service|command|agency|organi[sz]ation|"
                            r"ministry|department|officials|police|forces)\b", text[end:end + 16], re.I) and not suffix:
                    continue
                if name.lower() in _COUNTRY_NAMES:
                    places.append(_Place(name, start, end, None, 0, _COUNTRY_NAMES[name.lower()]))
                    continue
                depth = 1 if suffix in ("province", "state", "region", "governorate") else 2
                fold = bool(_FOLDS.search(name))
                places.append(_Place(name, start, end, None, depth, _FOREIGN_REGIONS.get(name.lower()), fold))
    # containment: "X in Y", "X, Y", "Y's X", "the X area of Y", "X, a neighbourhood of Y"
    places.sort(key=lambda p: p.start)
    renamed: dict[str, _Place] = {}
    for place in places:
        # "in Makhachkala, Dagestan, ...": a name the text places elsewhere, after a comma, contains this one
        after = _rx.match(r",\s+([A-Z][\w-]+(?:[^\S\n]+[A-Z][\w-]+)?)(?=[,.;])", text[place.end:place.end + 40])
        if place.entity is None and after and after.group(1) != place.name:
            outer = [p.depth for p in places if p.name == after.group(1)]
            if outer:
                place.depth = max(place.depth, max(outer) + 1)
        for other in places:
            if other is place or other.name == place.name:
                continue
            gap = text[place.end:other.start] if other.start >= place.end else None
            back = text[other.end:place.start] if other.end <= place.start else None
            inside = (gap is not None and _rx.fullmatch(
                rf"(?:\s+{_SUFFIX})?(?:\s*,\s*|\s+(?:in|of)\s+(?:the\s+)?(?:[A-Z][\w-]*['’]s\s+)?(?:[a-z-]+\s+){{0,2}})",
                gap)) or \
                (back is not None and _rx.fullmatch(rf"(?:\s+{_SUFFIX})?['’]s\s+(?:[a-z-]+\s+){{0,2}}", back))
            described = gap is not None and _rx.fullmatch(
                r",\s+(?:an?|the)\s+[^,.;]{0,50}?\b(?P<what>neighbou?rhood|suburb|district|area|quarter|part|"
                r"sector|town|village|city|capital|headquarters)\s+(?:of|in)\s+(?:the\s+)?(?:[a-z-]+\s+){0,2}", gap)
            if not (inside or described):
                continue
            if place.entity is not None and place.entity in located_in and other.depth >= place.depth and \
                    other.entity != place.entity:
                continue  # the catalog knows this place better than a loose reading of the sentence
            city = other.entity in _BIG_CITIES
            if city and gap is not None and place.entity is None and _rx.fullmatch(
                    r"\s+(?:area|neighbou?rhood|locality|quarter|sector|suburb)\s+of\s+|\s*,\s*", gap):
                place.fold = True
            if (described and described.group("what") in ("neighbourhood", "neighborhood", "suburb", "quarter",
                                                          "part", "sector", "area")) or \
                    (city and back is not None and not _rx.search(r"district|tehsil|village", back + text[
                        place.end:place.end + 10])):
                place.fold = True
            if place.fold:
                renamed.setdefault(place.name, other)
                place.name, place.start, place.end = other.name, other.start, other.end
                place.entity, place.region = other.entity, other.region
                place.depth = other.depth
            else:
                place.depth = max(place.depth, 1 + max(p.depth for p in places if p.name == other.name))
                place.region = place.region or other.region
            break
    # "the Dasht-e-Barchi area of the Afghan capital": a part of the capital the text does not name
    for place in places if "capital" in text else ():
        capital = _PLAIN.capital.match(text, place.end, place.end + 50)
        if capital and place.entity is None:
            country = _ADJECTIVES.get(capital.group(1).lower())
            place.name = _CAPITALS.get(country, place.name)
            place.region, place.fold = country, True
    # a part of a city, once folded into it, is that city wherever it is named ("the Manghopir raid")
    for place in places:
        city = renamed.get(place.name)
        if city is not None and place.entity is None:
            place.name, place.entity, place.region, place.depth = city.name, city.entity, city.region, city.depth
            place.fold = True
    return _after_dateline(text, title_end, places)


# A wire story's dateline ("QUETTA, Pakistan (Reuters) -", "KABUL, Afghanistan (AP) —", "MIRANSHAH:")
# names where it was filed, not always where the incident was.
_DATELINE = re.compile(r"(?:[A-Z][A-Z.'’-]+(?:\s+[A-Z][A-Z.'’-]+)*)(?:,\s+[A-Z][\w.]+(?:\s+[A-Z][\w.]+)*)?"
                       r"(?:\s*\([A-Za-z .]+\))?\s*(?:[-—–:])\s")


def _after_dateline(text: str, title_end: int, places: list[_Place]) -> list[_Place]:
    """The places, less those of the summary's dateline when the text names any other; a dateline's
    own capitals are written as a name ("QUETTA" -> "Quetta")."""
    dateline = _DATELINE.match(text, title_end + 1)
    if dateline is None or not _rx.fullmatch(r"[A-Z .'’-]+", text[dateline.start():dateline.end()].split(",")[0]
                                            .split("(")[0].rstrip(" :-—–")):
        return places
    within = [p for p in places if dateline.start() <= p.start < dateline.end()]
    if not within:
        return places
    if len(within) < len(places):
        return [p for p in places if p not in within]
    for place in within:
        if place.name.isupper():
            place.name = place.name.title()
    return places


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


def _country_in(text: str, scopes) -> str | None:
    """A country the incident's clauses name, for a place the catalog does not know."""
    for start, end in scopes:
        words = text[start:end]
        for found in _rx.finditer(r"\b(?:[A-Z][a-z]+(?: [A-Z][a-z]+)?|U\.S\.)(?:['’]s)?", words):
            word = found.group(0).removesuffix("'s").removesuffix("’s")
            country = _COUNTRY_NAMES.get(word.lower())
            if country and word != "US" and not _excluded(text, start + found.start()):
                return country
    for start, end in scopes:
        for found in _rx.finditer(r"\b[A-Z][a-z]+\b", text[start:end]):
            country = _ADJECTIVES.get(found.group(0).lower())
            if country and country not in ("pakistan", "afghanistan", "united-states") and _rx.match(
                    r"\s+(?:[a-z-]+\s+)?(?:city|town|village|province|region|state|capital|border|territory|soil|side|"
                    r"forces|troops|army|military|police|security|officials?|government|authorities|media|"
                    r"jets|warplanes|drones|guards)\b", text[start + found.end():start + found.end() + 30]):
                return country  # "Iraqi security officials", "a Syrian town"; not the victims' nationality
    return None


# --- the extractor ----------------------------------------------------------------------------

def extract(title: str, summary: str = "", matches=(), located_in: dict | None = None,
            groups=None, written=None) -> list[Incident]:
    """The incidents the item reports as news: the lead incident, then recent ones it follows.

    `matches` are the matcher's (entity, start, end) for `title + "\\n" + summary`; `located_in`
    maps an entity id to its parents, from which a place's province or country is derived;
    `groups` are the entity ids of armed groups (default: the contract's named groups); `written(text,
    matches)`, if given, adds matches of places the matcher left out (see `_places_as_written`).
    """
    located_in = located_in or {}
    groups = frozenset(groups or GROUPS) - set(STATE_GROUPS)
    text = f"{title}\n{summary}"
    if _RETRO_TITLE.search(title) or not _TRIGGER.search(text):
        return []  # every incident starts from a trigger word: most items have none, and cost nothing
    abroad = [(name.replace("_", "-"), found.start(), found.end()) for found in _FOREIGN_GROUPS.finditer(text)
              for name, value in found.groupdict().items() if value] if any(
        word in text for word in _FOREIGN_GROUP_WORDS) else []
    abroad = [g for g in abroad if not any(s <= g[1] < e for _, s, e in matches)]
    more = written(text, matches) if written is not None else []
    if abroad or more:
        matches = sorted([*matches, *abroad, *more], key=lambda m: m[1])
        groups = groups | {g[0] for g in abroad}
    sentences = _sentences(title, summary)
    clauses = _clauses(text, sentences)
    # a later sentence that says it tells another incident ("In a separate attack", "Hours later")
    separate = {index for index, (start, end) in enumerate(sentences)
                if index >= 1 and (_SEPARATE.match(text[start:end].lstrip()) or
                                   text[start:end].startswith("while ") and _SEPARATE.search(text, start, end))}
    later = [c for c in clauses if c.sentence in separate]
    clauses = [c for c in clauses if c.sentence not in separate]
    if separate and "; " in title:
        # "Two soldiers killed in Kurram; policeman shot dead in Tank": the title's second half heads the
        # separate incident
        cut = title.index("; ")
        clauses = [_Clause(c.start, min(c.end, cut), c.sentence, c.kind) if c.sentence == 0 else c
                   for c in clauses if c.sentence != 0 or c.start < cut]
    main = [c for c in clauses if c.kind == "main"]
    # a noun headline ("Blast in Quetta market") reports an incident when the first sentence says it happened
    lede = any(_evidence(text, c, None) for c in main if c.sentence == 1)
    found_main = [t for c in main if _evidence(text, c, None) or (c.sentence == 0 and lede)
                  for t in _triggers(text, c)]
    # plain "after" clauses belong to the lead incident when the main text reports one
    plain = [c for c in clauses if c.kind == "plain"]
    incidents: list[Incident] = []
    lead = _lead(found_main)
    attached = []
    if lead is not None:
        for clause in plain:
            words = text[clause.start:clause.end]
            triggers = _triggers(text, clause)
            if triggers and not _UNSPECIFIC.search(words) and all(t.type == lead.type or t.type in (
                    "bombing", "armed-attack") and lead.type in ("bombing", "armed-attack") for t in triggers) \
                    and (clause.sentence in {t.clause.sentence for t in found_main} or clause.sentence <= 1):
                attached.append(clause)
        same = [t for t in found_main if t.type == lead.type]
        same_plain = [c for c in plain if any(t.type == lead.type for t in _triggers(text, c))
                      and not _UNSPECIFIC.search(text[c.start:c.end])]
        incident = _build(text, lead, same, main + attached, matches, located_in, groups, len(title),
                          extra=same_plain if lead.type == "arrest" else ())
        if incident and incident.place is None:
            # "abducted 16 employees after stopping their vehicle in Lakki Marwat": the circumstances of the
            # lead sentence name where it happened
            around = [(c.start, c.end) for c in plain if c.sentence in (0, 1, lead.clause.sentence)
                      and c not in attached and not _triggers(text, c)]
            if around:
                _set_place(incident, text, lead, around, matches, located_in, groups)
        if incident and incident.place is None and lead.clause.sentence == 0:
            # a headline that names no place: its lede names where ("Troops engaged ... in the Hassan Khel area")
            lede = [(c.start, c.end) for c in main if c.sentence == 1]
            if lede:
                _set_place(incident, text, lead, lede, matches, located_in, groups)
        if incident:
            incidents.append(incident)
    background = [c for c in clauses if c.kind == "gap" or (c.kind == "plain" and c not in attached)]
    for clause in background:
        words = text[clause.start:clause.end]
        if _UNSPECIFIC.search(words) or not _evidence(text, clause, None):
            continue
        if clause.kind == "plain" and lead is not None and not _rx.search(
                r"\b(?:retaliat\w+|response|responded|answer)\b", text, re.I):
            # a plain "after" in an item that reports its own incident: background unless it differs in kind
            triggers = _triggers(text, clause)
            if not triggers or all(t.type == lead.type for t in triggers):
                continue
        triggers = _triggers(text, clause)
        if not triggers:
            continue
        first = _lead(triggers)
        incident = _build(text, first, [t for t in triggers if t.type == first.type], [clause], matches,
                          located_in, groups, len(title))
        if incident is None:
            continue
        same = next((i for i in incidents if i.type == incident.type and (
            i.place is None or incident.place is None or i.place.lower() == incident.place.lower()) and (
            i.actor == incident.actor or None in (i.actor, incident.actor))), None)
        if same is not None:
            if same is incidents[0] and lead is not None:
                continue
            for name in ("actor", "place", "region", "killed", "injured"):
                if getattr(same, name) is None and getattr(incident, name) is not None:
                    setattr(same, name, getattr(incident, name))
                    if name in incident.spans:
                        same.spans[name] = incident.spans[name]
            continue
        incidents.append(incident)
    if len(incidents) > 1 and _rx.search(r"\bclaim(?:ed|s)?\s+(?:responsibility\s+for\s+)?(?:both|the two|all(?: the)?|"
                                         r"each of the)\s+(?:attacks|bombings|incidents|assaults|killings)\b", text, re.I):
        claimant = next((i for i in incidents if i.claimed), None)
        for incident in incidents if claimant else ():
            if incident.type not in ("air-strike", "security-operation", "arrest", "cross-border-fire"):
                incident.claimed, incident.actor = True, incident.actor or claimant.actor
    for index in sorted(separate):
        incident = _separate_incident(text, [c for c in later if c.sentence == index], matches, located_in, groups,
                                      len(title))
        if incident is not None and not any(i.type == incident.type and (i.place or "").lower() ==
                                            (incident.place or "").lower() for i in incidents):
            incidents.append(incident)
    return incidents


_SEPARATE = re.compile(r"(?:in (?:a|another) separate (?:incident|attack)|in (?:another|a second|a later) "
                       r"(?:incident|attack)|separately|elsewhere|hours later|later (?:that|the same) (?:day|night))\b",
                       re.I)


def _separate_incident(text: str, clauses, matches, located_in, groups, title_length: int) -> Incident | None:
    """The incident a sentence of its own tells ("In a separate attack, ..."), read like a lead."""
    found = [t for c in clauses if c.kind == "main" and _evidence(text, c, None) for t in _triggers(text, c)]
    first = _lead(found)
    if first is None:
        return None
    return _build(text, first, [t for t in found if t.type == first.type], clauses, matches, located_in, groups,
                  title_length)


def _lead(triggers: list[_Trigger]) -> _Trigger | None:
    """The trigger that gives the incident its type: the title's first, else the first sentence's;
    a stronger sense in the same sentence wins (a raid that kills some and detains others)."""
    if not triggers:
        return None
    first_sentence = min(t.clause.sentence for t in triggers)
    candidates = [t for t in triggers if t.clause.sentence == first_sentence]
    if first_sentence == 0 and all(t.plain for t in candidates):
        # "Gunmen kill official in X": the first sentence says how (shot dead at home, a roadside bomb)
        means = [t for t in triggers if t.clause.sentence == 1 and t.type in ("targeted-killing", "bombing")]
        if means:
            return means[0]
    if first_sentence == 0 and candidates and all(
            t.type == "armed-attack" and t.strength == 1 and t.word.lower() in ("attack", "attacks", "attacked")
            for t in candidates):
        # "Quadcopter attack on police station": a bare "attack" takes the means the lede gives, when it gives
        # only explosives
        lede = [t for t in triggers if t.clause.sentence == 1]
        if lede and lede[0].type == "bombing" and all(t.type == "bombing" for t in lede):
            return lede[0]
    lead_scope = [t for t in triggers if t.clause.sentence <= max(first_sentence, 1)]
    attacked = any(t.type in ("armed-attack", "bombing") and not t.plain for t in lead_scope)
    # "terrorists attacked a post ...; three terrorists were killed": the attack, not an operation
    strong = [t for t in lead_scope if t.strength > 1 and not (t.repulse and attacked)]
    if strong and not any(t.strength == 1 and t.type in ("armed-attack", "bombing") and t.clause.sentence == 0
                          and t.start < strong[0].start and strong[0].clause.sentence == 0 for t in candidates):
        title_strong = [t for t in strong if t.clause.sentence == first_sentence]
        return (title_strong or strong)[0]
    return min([t for t in candidates if not (t.repulse and attacked)] or candidates, key=lambda t: t.start)


def _build(text: str, lead: _Trigger, same_type, clauses, matches, located_in, groups,
           title_length: int, extra=()) -> Incident | None:
    incident = Incident(type=lead.type, spans={"type": (lead.start, lead.end)})
    kind = lead.type
    title_scope = [(c.start, c.end) for c in clauses if c.sentence == 0]
    summary_scope = [(c.start, c.end) for c in clauses if c.sentence > 0]
    # which summary clauses are about this incident: those with one of its triggers, or (for a violent
    # incident) a casualty figure
    trig_sentences = {t.clause.sentence for t in same_type} | {lead.clause.sentence}
    violent = kind not in ("arrest", "abduction")
    about = [(c.start, c.end) for c in clauses if c.sentence > 0 and (
        (c.sentence in trig_sentences and (c.kind == "main" or any(c is t.clause for t in same_type))) or
        violent and (_KILL_VERB.search(text[c.start:c.end]) or _HURT_VERB.search(text[c.start:c.end]) or
                     _NONE_HURT.search(text[c.start:c.end])))]
    about += [(c.start, c.end) for c in extra]
    if kind != "arrest":
        for name in ("killed", "injured"):
            value, where = _casualties(text, [about or summary_scope, title_scope], name, kind)
            if where is not None:
                setattr(incident, name, value)
                if value is not None:
                    incident.spans[name] = where
    _set_claim(incident, text, clauses)
    _set_actor(incident, text, lead, clauses, matches, groups)
    title_clause = [c for c in title_scope if c[0] <= lead.start < c[1]] if lead.clause.sentence == 0 else []
    place_scopes = [_cut_title(text, s, lead.start if lead.clause.sentence == 0 else None)
                    for s in (title_clause or title_scope)] + \
        [s for s in about if s[0] >= title_length]
    _set_place(incident, text, lead, place_scopes, matches, located_in, groups)
    if lead.shelling is not None:
        landed = {"khyber-pakhtunkhwa": "pakistan", "balochistan": "pakistan", "balkh": "afghanistan",
                  "badakhshan": "afghanistan"}.get(incident.region, incident.region)
        if landed is None or landed == lead.shelling:
            return None  # a state shelling its own ground, or no place to tell
        incident.actor = incident.actor or _state_actor(lead.shelling)
    return incident


def _cut_title(text: str, scope, at: int | None):
    """A title's incident part: "clash near Spin Boldak as civilians flee Chaman" stops before "as";
    "Twenty-three killed as gunmen attack vehicles in Musakhel" keeps the part with the lead trigger."""
    start, end = scope
    cuts = [start] + [start + m.start() for m in _rx.finditer(r"\s(?:as|amid|while|sparking|prompting)\s",
                                                            text[start:end])] + [end]
    if at is None or not (start <= at < end):
        return (start, cuts[1])
    for left, right in zip(cuts, cuts[1:]):
        if left <= at < right:
            return (left, right)
    return scope


def _set_claim(incident: Incident, text: str, clauses) -> None:
    if incident.type in ("air-strike", "security-operation", "arrest", "cross-border-fire"):
        return
    for clause in clauses:
        found = _claim_in(text[clause.start:clause.end])
        if found is not None:
            incident.claimed = True
            incident.spans["claimed"] = (clause.start + found[0], clause.start + found[1])
            incident.spans["_claim_clause"] = (clause.start, clause.end)
            return


@functools.lru_cache(maxsize=4096)
def _claim_in(words: str) -> tuple[int, int] | None:
    """Where a clause's words claim the incident (offsets into `words`), if they do."""
    for found in _CLAIM.finditer(words):
        window = words[max(0, found.start() - 60):found.end() + 10]
        if _NO_CLAIM.search(window) or _rx.search(r"\b(?:the|these|its|their)\s+$", words[:found.start()]):
            continue
        if _rx.search(r"\b(?:police|officials?|military|army|ministry|government|spokesman for the (?:army|police))\b"
                     r"[\w\s]{0,15}$", words[:found.start()]) and "responsibility" not in found.group(0):
            continue
        return found.start(), found.end()
    return None


def _groups_in(matches, groups, start: int, end: int):
    return [(entity, s, e) for entity, s, e in matches if entity in groups and start <= s < end]


def _set_actor(incident: Incident, text: str, lead: _Trigger, clauses, matches, groups) -> None:
    kind = incident.type
    scopes = [(c.start, c.end) for c in clauses]
    state_kind = kind in ("air-strike", "security-operation", "arrest", "cross-border-fire")
    if not state_kind:
        # a claim names the claimant; an attribution the accused; else the subject of the trigger
        if "_claim_clause" in incident.spans:
            start, end = incident.spans.pop("_claim_clause")
            claim_at = incident.spans["claimed"][0]
            claimant = text[start:claim_at]
            claimant_clean = _rx.sub(r",[^,]*,", lambda m: " " * len(m.group(0)), claimant)
            if _rx.search(r"\b(?:faction|splinter|wing|affiliate|offshoot)\s+(?:linked|allied|close|loyal)\b",
                         claimant_clean, re.I) and not _rx.search(r"^\s*(?:the\s+)?[A-Z]", claimant_clean[:3] + "x"):
                return
            if _rx.search(r"\bfaction linked to\b|\bgroup linked to\b|\blinked to\b", claimant_clean, re.I):
                return
            named = [g for g in _groups_in(matches, groups, start, claim_at)
                     if claimant_clean[g[1] - start:g[2] - start].strip()]
            if not named:
                named = _groups_in(matches, groups, claim_at, min(end, claim_at + 60)) \
                    if _rx.search(r"claimed by", text[claim_at:claim_at + 12], re.I) else []
            if named:
                _actor(incident, named[-1][0] if len(named) > 1 and named[-1][0] == "iskp" else named[0][0],
                       (named[0][1], named[0][2]))
                return
            new = _rx.search(r"([A-Z][\w]*(?:-[\w]+)+|(?:[A-Z][\w]+\s){1,3}(?:Army|Front|Group|Brigade|Movement|"
                            r"Lashkar|Jaish|Jamaat))\s*(?:,|$)?\s*(?:has\s+|had\s+|later\s+|initially\s+)?$",
                            claimant_clean.rstrip())
            if new and not _rx.match(r"(?:Islamic|Pakistani|Afghan)\b", new.group(1)):
                name = new.group(1).strip()
                _actor(incident, _rx.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-"),
                       (start + new.start(1), start + new.end(1)))
                return
            if _rx.search(r"\b(?:the group|the militant group|the outfit|it)\b", claimant_clean, re.I) or \
                    not claimant_clean.strip() or _rx.search(r"\bclaims?\b", text[claim_at:claim_at + 7]):
                earlier = [g for s, e in scopes for g in _groups_in(matches, groups, s, e)]
                if earlier and _rx.search(r"\b(?:the group|the militant group|the outfit|it)\b", claimant_clean, re.I):
                    _actor(incident, earlier[0][0], (earlier[0][1], earlier[0][2]))
                return
        for start, end in scopes:
            words = text[start:end]
            for found in _ATTRIBUTION.finditer(words):
                if _rx.search(r"\brepeatedly\b", words[max(0, found.start() - 30):found.start()]):
                    continue
                around = [g for g in _groups_in(matches, groups, start, end)
                          if abs(g[1] - (start + found.start())) < 70]
                if around:
                    after = [g for g in around if g[1] >= start + found.end()]
                    chosen = (after or around)[0]
                    if _rx.search(r"\b(?:accus\w+)\b", found.group(0), re.I) and after:
                        chosen = after[0]
                    _actor(incident, chosen[0], (chosen[1], chosen[2]))
                    return
                if _rx.search(r"blam|accus|behind|responsible", found.group(0), re.I):
                    state = _rx.search(r"\b(?:the\s+)?(afghan taliban|taliban|islamic emirate)\b",
                                      words[found.end():found.end() + 40], re.I)
                    if state and "blam" in found.group(0).lower():
                        incident.actor = "afghan-taliban"
                        incident.spans["actor"] = (start + found.end() + state.start(1), start + found.end() + state.end(1))
                        return
        # the subject of the trigger: "ISWAP fighters overran", "Jaish al-Adl militants attacked"
        for trigger_clause in clauses:
            if not (trigger_clause.start <= lead.start < trigger_clause.end):
                continue
            floor = trigger_clause.start
            near = [g for g in _groups_in(matches, groups, floor, lead.start)
                    if lead.start - g[2] < 50 and (not _rx.search(r"\b(?:on|against|of|targeting|hideouts of|members of)\s+"
                                                                 r"(?:the\s+)?$", text[max(floor, g[1] - 25):g[1]], re.I) or
                                                   _rx.search(rf"\b{_ATTACKERS}\s+of\s+(?:the\s+)?$",
                                                             text[max(floor, g[1] - 25):g[1]], re.I))]
            if near and not _rx.search(r"[;:]", text[near[-1][2]:lead.start]) and not _rx.search(
                    r"\b(?:denie[sd]|deny|denying|rejected|disowned|distanced)\b", text[near[-1][2]:lead.start], re.I):
                _actor(incident, near[-1][0], (near[-1][1], near[-1][2]))
                return
            state = _rx.search(r"(?<!pakistani )(?<!pakistan )\b(?:the\s+)?(?:afghan\s+)?(taliban|islamic emirate)(?:['’]s)?"
                              r"(?:\s+(?:fighters|forces|gunmen|members|men|intelligence|police|officials|commanders?))?\s*$",
                              text[max(floor, lead.start - 45):lead.start], re.I)
            if state:
                incident.actor = "afghan-taliban"
                incident.spans["actor"] = (lead.start - len(text[max(floor, lead.start - 45):lead.start]) + state.start(1),
                                           lead.start - len(text[max(floor, lead.start - 45):lead.start]) + state.end(1))
                return
        return
    if kind == "cross-border-fire":
        words = text[lead.clause.start:lead.clause.end]
        if _rx.search(r"exchang|traded|trade fire|clash|fighting|skirmish", text[lead.start:lead.end], re.I):
            return
        side = None
        if text[lead.start:lead.end].lower().startswith("repuls"):
            beyond = text[lead.end:lead.clause.end]
            found = _NATION_RE.search(beyond[:60])
            if found and _nation(found.group(0)):
                incident.actor = _state_actor(_nation(found.group(0)))
                return
        adjective = _rx.search(r"\b(afghan|taliban|pakistani|iranian|tajik)\s+$", text[max(0, lead.start - 12):lead.start],
                              re.I)
        if adjective:
            incident.actor = _state_actor(_nation(adjective.group(1)))
            return
        by = _rx.search(r"\b(?:attack|fired|fire|shelling|shells)(?:\s+[\w-]+){0,4}? by\s+(?:the\s+)?(\w+(?: \w+)?)\s+"
                       r"(?:forces|troops)",
                       words, re.I)
        if by:
            side = _nation(by.group(1).split()[0]) or _nation(by.group(1))
        if side is None:
            subject = _subject(text, lead.start, lead.clause.start)
            for found in _NATION_RE.finditer(subject):
                side = _nation(found.group(0)) or side
                if side:
                    break
        if side is None:
            for found in _NATION_RE.finditer(words[:lead.start - lead.clause.start]):
                side = _nation(found.group(0))
                if side:
                    break
        if side:
            incident.actor = _state_actor(side)
        return
    # a state's strike, operation or arrest: whose forces
    sentence_scopes = [(c.start, c.end) for c in clauses if c.sentence == lead.clause.sentence] + scopes
    for start, end in sentence_scopes:
        window_start, window_end = start, end
        words = text[window_start:window_end]
        candidates = []
        for found in _NATION_RE.finditer(words):
            country = _nation(found.group(0))
            if country is None:
                continue
            position = window_start + found.start()
            after_word = text[window_start + found.end():window_start + found.end() + 35].lower()
            before_word = text[max(0, position - 30):position].lower()
            attributed = kind == "air-strike" and _rx.search(r"(?:described as|blamed on|attributed to)\s+(?:an?\s+)?$",
                                                            before_word)
            if not attributed and kind == "air-strike" and _rx.search(
                    r"\b(?:in|of|across|into|on)\s+(?:the\s+)?(?:(?:north|south|east|west|central)[\w-]*\s+)?$", before_word):
                continue  # where the strike landed, not who struck
            if _rx.search(r"^\s*(?:'s)?\s*(?:border|side|soil|territory|airspace|posts|positions|villages?|province)",
                         after_word) and kind == "air-strike":
                continue
            if _rx.search(r"\b(?:near|along|across|on|at|to|from|off)\s+(?:the\s+)?(?:[a-z]+-)?$", before_word) and \
                    _rx.match(r"\s*(?:border|frontier|side)\b", after_word):
                continue  # "near the Afghan border": where, not whose forces
            weight = 0
            if _rx.match(r"(?:'s)?\s*(?:\w+\s+){0,2}(?:jets?|aircraft|drones?|warplanes?|missiles?|air ?strikes?|"
                        r"airstrike|forces|troops|military|army|security forces|intelligence|border|counter|strike|"
                        r"said its|said it)", after_word):
                weight = 2
            if _rx.match(r"\s*(?:has\s+|had\s+)?(?:hands?|handed|extradit\w*|arrest\w*|detain\w*|captur\w*|"
                        r"struck|strikes?|hits?|bombed|raided|killed|kills?|carried out|launched)\b", after_word):
                weight = 2  # the country is the subject: "Pakistan hands the suspect to the US"
            if kind in ("security-operation", "arrest") and country == "afghanistan" and _rx.match(
                    r"\s*(?:[\w-]+\s+)?(?:drive|campaign|eradication|personnel|authorities|administration|fighters|"
                    r"teams?|government|officers|commanders?|guards)\b", after_word) and \
                    not _rx.search(r"\bpakistani\s+$|\btehree?k\b", before_word):
                weight = 2  # "a Taliban drive to destroy poppy": the Taliban government's forces
            if attributed:
                weight = 3
            candidates.append((weight, -abs(position - lead.start), country, position, found.end() - found.start()))
        if kind == "air-strike":
            for found in _rx.finditer(r"\bblam\w*\s+(?:the\s+)?(afghan taliban|taliban)\b", words, re.I):
                candidates.append((4, 0, "afghanistan", window_start + found.start(1), len(found.group(1))))
        if candidates:
            best = max(candidates)
            if best[0] > 0:
                incident.actor = _state_actor(best[2])
                incident.spans["actor"] = (best[3], best[3] + best[4])
                return
    if kind == "air-strike":
        return
    words = " ".join(text[s:e] for s, e in scopes)
    state = _rx.search(r"\b(?:security forces|ctd|counter[ -]terrorism(?: department| officials| police)?|ispr|"
                      r"inter-services public relations|frontier corps|fc|police|army|military|soldiers|troops|rangers)\b",
                      words, re.I)
    if state:
        # another state's forces when the text names that state and nothing Pakistani ("Russia's anti-terrorism
        # committee said security forces killed")
        foreign = None
        if not _rx.search(r"\b(?:pakistan\w*|ispr|ctd|fc|frontier corps|levies|rangers|khyber pakhtunkhwa|balochistan|"
                         r"punjab|sindh)\b", words, re.I):
            for found in _NATION_RE.finditer(words):
                country = _nation(found.group(0))
                if country not in (None, "pakistan", "afghanistan"):
                    foreign = country
                    break
        incident.actor = _state_actor(foreign) if foreign else "pakistani-security-forces"


def _actor(incident: Incident, entity: str, span) -> None:
    incident.actor, incident.spans["actor"] = entity, span


def _set_place(incident: Incident, text: str, lead: _Trigger, scopes, matches, located_in, groups) -> None:
    places = _places(text, scopes, matches, located_in, groups)
    if not places:
        _state_region(incident, text, scopes)
        return
    best = max(places, key=lambda p: (p.depth, -abs(p.start - lead.start)))
    name = best.name
    incident.place, incident.spans["place"] = name, (best.start, best.end)
    region = best.region
    if region is None:
        # a place the catalog does not know: the province the incident's words name, else the country
        provinces = {p.region for p in places if p.entity in PROVINCES}
        region = provinces.pop() if len(provinces) == 1 else None
        region = region or next((p.region for p in places if p.region), None) or _country_in(text, scopes)
    if incident.type == "cross-border-fire" and incident.actor is None:
        # an exchange: placed on a side only when the text says which
        explicit = _rx.search(re.escape(name) + r"\s+(?:in|on)\s+(?:the\s+)?(?:[A-Z][\w]+(?:['’]s)?|Pakistani|Afghan)",
                             text)
        if not explicit or best.region is None:
            region = None
    if region:
        incident.region, incident.spans["region"] = region, (best.start, best.end)


def _state_region(incident: Incident, text: str = "", scopes=()) -> None:
    """No place named: a state's forces acting against intruders act on their own ground; a state's fire on
    the other state's posts lands in that state."""
    if incident.type == "cross-border-fire" and incident.actor is not None:
        for start, end in scopes:
            target = _rx.search(r"\b(pakistani|afghan|iranian|tajik)\s+(?:[\w-]+\s+){0,2}?(?:posts|positions|check ?posts|"
                               r"checkpoints|territory|soil|villages)\b", text[start:end], re.I)
            if target:
                country = _ADJECTIVES.get(target.group(1).lower())
                if country and _state_actor(country) != incident.actor:
                    incident.region = country
                    incident.spans["region"] = (start + target.start(1), start + target.end(1))
                return
    if incident.type == "security-operation" and incident.actor and incident.actor.endswith("-security-forces"):
        nation = incident.actor.removesuffix("-security-forces")
        country = "pakistan" if nation == "pakistani" else next(
            (c for c, adjective in _ADJECTIVES_REVERSE.items() if adjective == nation), None)
        if country:
            incident.region = country


def located_in(catalog) -> dict:
    """Each catalog entity's located-in parents, the place hierarchy incidents take regions from."""
    return {entity.id: [target for relation, target in entity.relations if relation == "located-in"]
            for entity in catalog.entities.values()
            if any(relation == "located-in" for relation, _ in entity.relations)}


def armed_groups(catalog) -> frozenset:
    """The catalog's armed groups: the actors an incident can name."""
    return frozenset(entity.id for entity in catalog.entities.values() if entity.type == "group")


def incident_context(matcher) -> tuple[dict, frozenset]:
    """The catalog's place hierarchy and armed groups, computed once per matcher."""
    context = getattr(matcher, "_incident_context", None)
    if context is None or context[0] is not matcher.catalog:
        context = (matcher.catalog, located_in(matcher.catalog), armed_groups(matcher.catalog))
        matcher._incident_context = context
    return context[1], context[2]


def _written_places(matcher) -> tuple[re.Pattern | None, dict]:
    """The catalog's places whose names the matcher takes only beside their region (Kalat, Karak, Tank):
    one pattern of those names as written, and each name's (entity, unless)."""
    cached = getattr(matcher, "_incident_written_places", None)
    if cached is not None and cached[0] is matcher.catalog:
        return cached[1], cached[2]
    catalog = matcher.catalog
    names: dict[str, tuple[str, re.Pattern | None]] = {}
    for rule in catalog.rules:
        entity = catalog.entities.get(rule.entity)
        if rule.kind == "ambiguous" and rule.case_sensitive and entity is not None and entity.type == "place" and \
                rule.alias[:1].isupper():
            names.setdefault(rule.alias, (rule.entity, rule.unless))
    pattern = _FastPattern(re.compile(r"\b(?:" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) +
                                      r")\b")) if names else None
    matcher._incident_written_places = (catalog, pattern, names)
    return pattern, names


def _places_as_written(matcher, text: str, matches: list, located_in: dict) -> list:
    """An incident's place named where the text says something happened ("an operation in Kalat", "Karak's
    Takht-e-Nasrati tehsil"), though the matcher wants the region named too: the catalog's place, unless the
    item rules it out or names another country."""
    pattern, names = _written_places(matcher)
    if pattern is None:
        return []
    found, elsewhere = [], False
    for hit in pattern.finditer(text):
        if any(s <= hit.start() < e or hit.start() <= s < hit.end() for _, s, e in matches):
            continue
        entity, unless = names[hit.group(0)]
        if unless is not None and unless.search(text):
            continue
        before, after = text[max(0, hit.start() - 25):hit.start()], text[hit.end():hit.end() + 12]
        if not (_rx.search(r"\b(?:in|near|at|outside|inside|of)\s+(?:the\s+)?(?:[a-z-]+\s+){0,1}$", before) or
                _rx.match(r"['’]s\s|\s+(?:district|tehsil|city|town|area|valley)\b", after)):
            continue
        country = region_of(entity, located_in)
        country = {"khyber-pakhtunkhwa": "pakistan", "balochistan": "pakistan", "balkh": "afghanistan",
                   "badakhshan": "afghanistan"}.get(country, country)
        if elsewhere is False:
            elsewhere = _country_in(text, [(0, len(text))])
        if elsewhere and elsewhere != country:
            continue
        found.append((entity, hit.start(), hit.end()))
    return found


def item_incidents(matcher, item: dict, result=None) -> list[Incident]:
    """The incidents an item reports, from its text and the matcher's entity matches."""
    title, summary = str(item.get("title") or ""), str(item.get("summary") or "")
    result = result or matcher.match(title, summary)
    places, groups = incident_context(matcher)
    return extract(title, summary, [(m.entity, m.start, m.end) for m in result.matches], places, groups,
                   written=lambda text, matches: _places_as_written(matcher, text, matches, places))


# Every pattern above that only finds (the one that rewrites text stays as they are) is tried only
# where it can match.
for _name, _value in list(globals().items()):
    if isinstance(_value, re.Pattern) and _name != "_GENERIC":
        globals()[_name] = _FastPattern(_value)
del _name, _value
