"""Find the catalog's entities in a text, with spans, and score its themes. Pure: no I/O.

How a text is matched:
1. fold it one character for one (case, accents; every non-letter a space; URLs blanked);
2. find every alias as whole words with one Aho-Corasick automaton over the lower-case text
   padded with spaces (each key ends with a space; a hit must start after one); acronyms are
   then checked as written ("TTP" is found, "ttp" and "HTTP" are not);
3. keep names written with capitals only where the text capitalises them, and drop those whose
   entity's negative contexts veto them ("Quetta Gladiators", "Kabul River", "AQ Khan");
4. keep ambiguous names only under their rule (a bare "Mehsud" only when Noor Wali Mehsud is
   named elsewhere in the item; "Tajik" only before "officials", "border"...);
5. pick leftmost-longest among overlapping candidates ("Pakistani Taliban" is the TTP, not
   Pakistan); descriptive titles ("UN chief") keep the entities named inside them.
In an ALL-CAPS headline, acronyms that are also English words (US, IS, UN, WHO) are not trusted.
Most texts take a quick path: the automaton's own leftmost-longest hits, when none of them needs
a context rule; any doubt sends the text through the careful path above, overlapping hits included.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import ahocorasick_rs

from bot.matching.catalog import HONORIFICS, AliasRule, Catalog
from bot.matching.normalize import Folded, fold, fold_phrase
from bot.models import Match, MatchResult

_WORD_ACRONYMS = {"US", "IS", "UN", "WHO", "AQ", "PAK", "KP", "ISK", "IOM"}
_CONTEXT = 40  # characters of context the negative and `after:` patterns see
_FORMER = re.compile(r"\b(former|ex|then|late|previous|outgoing|erstwhile)\s+$")
_INVISIBLE = re.compile("[\u00ad\u200b\u200d\u2060\ufeff]")  # removed before matching, like the store does


class Candidate(NamedTuple):
    """A name found at a place in the folded text, before overlaps are resolved.

    Field order is sort order: leftmost first, then longest, then names whose context rule is met.
    """

    start: int
    minus_length: int
    plain: bool  # on the same span, a name whose context rule is met wins over a plain name
    sequence: int
    end: int
    rule: AliasRule
    rule_name: str


class Matcher:
    """The compiled catalog: call `match(title, summary)` for each item."""

    def __init__(self, catalog: Catalog, theme_scorer=None):
        self.catalog = catalog
        grouped: dict[str, list[AliasRule]] = {}
        for rule in catalog.rules:  # acronyms are found in lower case too, then checked as written
            same_key = grouped.setdefault(rule.key.lower(), [])
            if not any(_equivalent(rule, other) for other in same_key):  # spelling variants of one name
                same_key.append(rule)
        keys = sorted(grouped)
        self._values = [(len(key), tuple(self._entry(rule) for rule in grouped[key])) for key in keys]
        self._plain_facts = [self._plain(length, entries) for length, entries in self._values]
        self._patterns = [f"{key} " for key in keys]  # the trailing space makes every hit end a word
        self._longest = ahocorasick_rs.AhoCorasick(self._patterns,
                                                   matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
        self._overlapping = None
        self._name_words: dict[str, frozenset[str]] = {}
        if theme_scorer is None:
            from bot.matching.themes import ThemeScorer

            theme_scorer = ThemeScorer(catalog)
        self.theme_scorer = theme_scorer

    def __reduce__(self):
        """Pickle as a recipe: the catalog and how themes are scored; the automaton is rebuilt."""
        from bot.matching.themes import ThemeScorer

        scorer = self.theme_scorer
        if type(scorer) is ThemeScorer:
            return _rebuild_matcher, (self.catalog, scorer.semantic is not None, scorer._screen is not None)
        return Matcher, (self.catalog, scorer)

    # ---------------------------------------------------------------- public

    def match(self, title: str, summary: str = "") -> MatchResult:
        """Match an item; spans index `title + "\\n" + summary`."""
        return self.match_many([(title, summary)])[0]

    def match_many(self, items: list[tuple[str, str]]) -> list[MatchResult]:
        """Match several items (title, summary); themes' semantic scores are computed in one batch."""
        found = []
        for title, summary in items:
            text = f"{title}\n{summary}" if summary else title
            matches = self.find(text, shouting=_is_shouting(title), shouting_end=len(title))
            found.append((tuple(dict.fromkeys(self._with_implied(m.entity for m in matches))), tuple(matches)))
        if not self.theme_scorer:
            return [MatchResult(entities=e, themes=(), matches=m) for e, m in found]
        similarities = self.theme_scorer.similarities([f"{title}. {summary}" for title, summary in items])
        return [MatchResult(entities=entities, matches=matches,
                            themes=self.theme_scorer.score(title, summary, entities, similarity))
                for (title, summary), (entities, matches), similarity in zip(items, found, similarities)]

    def find(self, text: str, *, shouting: bool = False, shouting_end: int = 0) -> list[Match]:
        """Return the entity mentions in `text`, leftmost-longest, with original offsets."""
        original, positions = text, None
        if _INVISIBLE.search(text):
            positions = [index for index, char in enumerate(text) if not _INVISIBLE.match(char)]
            text = _INVISIBLE.sub("", text)
        folded = fold(text)
        if positions is None:
            quick = self._quick(text, folded, shouting, shouting_end)
            if quick is not None:
                return quick
        candidates, special = self._candidates(folded, shouting, shouting_end, _is_title_case(text[:shouting_end]))
        if not candidates:
            return []
        if "(" in text:
            redefined = _redefined_acronyms(text, candidates)
            if redefined:
                candidates = [c for c in candidates if not (c.rule.case_sensitive and c.rule.key in redefined)]
        chosen = self._resolve(candidates, folded.lower) if special else _leftmost_longest(candidates)
        if positions is None:
            return [Match(c.rule.entity, text[c.start:c.end], c.start, c.end, c.rule_name) for c in chosen]
        return [self._remapped(original, positions, c) for c in chosen]

    # ---------------------------------------------------------------- steps

    def _entry(self, rule: AliasRule) -> tuple:
        """What is checked for each hit of a key, computed once: (rule, capitals, vetoes...)."""
        written = rule.alias.replace("-", " ").split()
        cap_first = bool(not rule.case_sensitive and written and written[0][:1].isupper())
        last = rule.key.rfind(" ")
        cap_last = last + 1 if (not rule.case_sensitive and len(written) > 1 and written[-1][:1].isupper()
                                and last > 0) else -1
        has_context = rule.after is not None or bool(rule.needs) or rule.keeps_inner
        return (rule, cap_first, cap_last, rule.case_sensitive and rule.key in _WORD_ACRONYMS, has_context,
                self._has_vetoes(rule), _rule_name(rule), rule.key if rule.case_sensitive else None)

    @staticmethod
    def _plain(length: int, entries: tuple) -> tuple | None:
        """For a name with one rule and no context to check: what a match needs, else None."""
        if len(entries) != 1:
            return None
        rule, cap_first, cap_last, word_acronym, has_context, has_vetoes, name, exact = entries[0]
        if has_context or has_vetoes:
            return None
        return rule.entity, length, name, cap_first, cap_last, word_acronym, exact

    def _quick(self, text: str, folded: Folded, shouting: bool, shouting_end: int) -> list[Match] | None:
        """The common case at C speed: leftmost-longest hits of names that need no context.

        Returns None when any hit needs the careful path (a context rule, a veto, several rules
        for one name, a capital missing, the two automatons overlapping, an acronym that the
        text may define as something else).
        """
        cased, lower = folded.cased, folded.lower
        mixed_case = cased != lower
        found: list[Match] = []
        acronyms = False
        padded = f" {lower} "
        plain = self._plain_facts
        for index, hit_start, _ in self._longest.find_matches_as_indexes(padded):
            if padded[hit_start - 1] != " ":
                continue
            facts = plain[index]
            if facts is None:
                return None
            entity, length, name, cap_first, cap_last, word_acronym, exact = facts
            start = hit_start - 1
            if start < shouting_end < start + length:
                return None  # a name across the headline's end: the careful path drops it
            if exact is not None:
                if cased[start:start + length] != exact or (word_acronym and shouting and start < shouting_end):
                    continue
                acronyms = True
            elif mixed_case and ((cap_first and not cased[start].isupper())
                                 or (cap_last > 0 and not cased[start + cap_last].isupper())):
                return None
            found.append(Match(entity, text[start:start + length], start, start + length, name))
        if acronyms and "(" in text:
            return None
        return found

    def _has_vetoes(self, rule: AliasRule) -> bool:
        entity = self.catalog.entities[rule.entity]
        return (entity.not_after is not None or entity.not_before is not None or rule.after is not None
                or rule.before is not None or rule.not_before is not None or bool(rule.surname_of)
                or rule.kind == "title")

    def _candidates(self, folded: Folded, shouting: bool, shouting_end: int,
                    title_case: bool = False) -> tuple[list[Candidate], bool]:
        """Every acceptable hit, overlapping ones included, and whether any needs a context rule."""
        found, special = [], False
        cased, lower = folded.cased, folded.lower
        mixed_case = cased != lower
        padded = f" {lower} "
        for index, hit_start, _ in self._all_hits().find_matches_as_indexes(padded, overlapping=True):
            if padded[hit_start - 1] != " ":
                continue  # begins inside a word
            start = hit_start - 1  # the padded text has one more space first
            length, entries = self._values[index]
            if start < shouting_end < start + length:
                continue  # "...: ISPR" + "Chief of Defence Forces..." is no "ISPR chief"
            for rule, cap_first, cap_last, word_acronym, has_context, has_vetoes, name, exact in entries:
                if exact is not None and (cased[start:start + length] != exact
                                          or (word_acronym and shouting and start < shouting_end)):
                    continue
                if exact is None and mixed_case and ((cap_first and not cased[start].isupper())
                                                     or (cap_last > 0 and not cased[start + cap_last].isupper())):
                    continue
                if has_vetoes and (self._vetoed(rule, cased, lower, start, start + length)
                                   or (rule.surname_of and _surname_of_another(cased, lower, start, length,
                                                                               rule.surname_of, title_case,
                                                                               shouting_end))
                                   or (rule.kind == "title" and not (title_case and start < shouting_end)
                                       and _another_name_after(cased, start + length, self._own_words(rule.entity)))):
                    continue
                special = special or has_context
                found.append(Candidate(start, -length, rule.kind != "ambiguous", len(found), start + length, rule,
                                       name))
        return found, special

    def _all_hits(self):
        """The automaton that reports overlapping hits too, built on first need."""
        if self._overlapping is None:
            self._overlapping = ahocorasick_rs.AhoCorasick(self._patterns)
        return self._overlapping

    def _own_words(self, entity_id: str) -> frozenset[str]:
        """The words of a person's names and aliases ("noor", "wali", "mehsud", "mufti"), folded."""
        words = self._name_words.get(entity_id)
        if words is None:
            entity = self.catalog.entities[entity_id]
            words = frozenset(word for name in (entity.name, *entity.aliases) for word in fold_phrase(name).split())
            self._name_words[entity_id] = words
        return words

    def _vetoed(self, rule: AliasRule, cased: str, lower: str, start: int, end: int) -> bool:
        entity = self.catalog.entities[rule.entity]
        # Read on the text as written, so that a pattern can hold a case-sensitive part: "(?-i:Bank)"
        # vetoes "Kabul Bank", the bank, and not "a Kabul bank bombing".
        if entity.not_after is not None and entity.not_after.search(cased[end:end + _CONTEXT]):
            return True
        if entity.not_before is not None and entity.not_before.search(lower[max(0, start - _CONTEXT):start]):
            return True
        if rule.kind == "title" and _FORMER.search(lower[max(0, start - 16):start]):
            return True  # "the former Khyber Pakhtunkhwa chief minister" is not the one in office
        if rule.before is not None and not rule.before.search(lower[max(0, start - _CONTEXT):start]):
            return True
        if rule.not_before is not None and rule.not_before.search(lower[max(0, start - _CONTEXT):start]):
            return True
        return rule.after is not None and not rule.after.search(lower[end:end + _CONTEXT])

    def _resolve(self, candidates: list[Candidate], lower: str) -> list[Candidate]:
        """Accept ambiguous names whose rule is met, pick leftmost-longest, keep names inside titles."""
        plain = [c for c in candidates if not c.rule.needs]
        chosen = _leftmost_longest(plain)
        named = {c.rule.entity for c in chosen}
        # A name accepted by its context can be the context of another ("Taliban" is the TTP beside its
        # spokesman, and then "Tank" is the district): a few rounds, each from what the last one named.
        for _ in range(3):
            accepted = plain + [c for c in candidates if c.rule.needs and any(n in named for n in c.rule.needs)
                                and not (c.rule.unless is not None and c.rule.unless.search(lower))]
            chosen = _leftmost_longest(accepted)
            now = {c.rule.entity for c in chosen}
            if now <= named:
                break
            named |= now
        inner = []
        for outer in chosen:
            if outer.rule.keeps_inner:
                inside = [c for c in plain if outer.start <= c.start and c.end <= outer.end
                          and (c.end - c.start) < (outer.end - outer.start)]
                inner.extend(_leftmost_longest(inside))
        return sorted(chosen + inner)

    @staticmethod
    def _remapped(original: str, positions: list[int], candidate: Candidate) -> Match:
        start, end = positions[candidate.start], positions[candidate.end - 1] + 1
        return Match(candidate.rule.entity, original[start:end], start, end, candidate.rule_name)

    def _with_implied(self, entity_ids):
        for entity_id in entity_ids:
            yield entity_id
            yield from self.catalog.entities[entity_id].implies


def _equivalent(rule: AliasRule, other: AliasRule) -> bool:
    """Two rules that would accept and report a hit the same way."""
    return (rule.entity, rule.kind, rule.after, rule.needs, rule.unless, rule.before, rule.not_before, rule.surname_of,
            _capitals(rule.alias)) == \
        (other.entity, other.kind, other.after, other.needs, other.unless, other.before, other.not_before,
         other.surname_of, _capitals(other.alias))


_GIVEN_NAME = re.compile(r"([A-Z][a-z]+) $")


def _another_given_name(cased: str, start: int, own: frozenset[str]) -> bool:
    """Whether a capitalised word that is not the person's own name nor a title stands right before a surname.

    "Ahmadullah Muttaqi" is not Amir Khan Muttaqi; "Minister Muttaqi", "Amir Khan Muttaqi" and
    "Kabul, Muttaqi" (punctuation between) still are.
    """
    found = _GIVEN_NAME.search(cased, max(0, start - 30), start)
    if found is None:
        return False
    word = found.group(1).lower()
    return word not in own and word not in HONORIFICS


_NAME_AFTER = re.compile(r" ([A-Z][a-z]+)\b")


def _another_name_after(cased: str, end: int, own: frozenset[str]) -> bool:
    """Whether a title is followed by another person's name: "TTP chief Hakimullah" is not the chief in office.

    A capitalised word right after the title that is neither the person's own name nor a title word
    names someone else; not read in a title-case headline, where every word is capitalised.
    """
    found = _NAME_AFTER.match(cased, end)
    if found is None:
        return False
    word = found.group(1).lower()
    return word not in own and word not in HONORIFICS


def _surname_of_another(cased: str, lower: str, start: int, length: int, own: frozenset[str], title_case: bool,
                        shouting_end: int) -> bool:
    """Whether a bare surname is someone else's: another given name stands before it, or before the same surname
    elsewhere in the item ("Muttaqi seminary teacher named chancellor" and then "Abdul Rahman Muttaqi, a cleric").

    In a title-case headline every word is capitalised, so given names are read only after it.
    """
    name = lower[start:start + length]
    at = lower.find(name)
    while at != -1:
        if not (title_case and at < shouting_end) and _another_given_name(cased, at, own):
            return True
        at = lower.find(name, at + length)
    return False


def _capitals(alias: str) -> tuple[bool, bool]:
    words = alias.replace("-", " ").split() or [""]
    return words[0][:1].isupper(), words[-1][:1].isupper()


def _leftmost_longest(candidates: list[Candidate]) -> list[Candidate]:
    chosen, last_end = [], -1
    for candidate in sorted(candidates):
        if candidate.start >= last_end:
            chosen.append(candidate)
            last_end = candidate.end
    return chosen


def _redefined_acronyms(cased: str, candidates: list[Candidate]) -> set[str]:
    """Acronyms the text defines as something else: "Indian Statistical Institute (ISI)"."""
    redefined = set()
    for candidate in candidates:
        start, end = candidate.start, candidate.end
        if candidate.rule.kind != "acronym" or start < 2 or cased[start - 1] != "(" or cased[end:end + 1] != ")":
            continue
        letters = candidate.rule.key.replace(" ", "")
        words = _WORDS.findall(cased[max(0, start - 100):start - 1])[-2 * len(letters):]
        initials = "".join(word[0] for word in words if word[0].isupper())
        if not initials.endswith(letters):
            continue
        expanded = any(other.rule.entity == candidate.rule.entity and other is not candidate
                       and start - 4 <= other.end <= start for other in candidates)
        if not expanded:
            redefined.add(candidate.rule.key)
    return redefined


_WORDS = re.compile(r"[^\W\d_][\w']*")


def _is_title_case(title: str) -> bool:
    """Whether a headline capitalises most of its words ("Taliban Name Muttaqi Envoy"): capitals say little there."""
    words = _WORDS.findall(title)
    return len(words) >= 3 and sum(word[0].isupper() for word in words) >= 0.75 * len(words)


_NOT_ASCII = re.compile(r"[^\x00-\x7f]")
_BUT_LETTERS = bytes(code for code in range(128) if not chr(code).isalpha())  # deleted to count letters
_BUT_CAPITALS = bytes(code for code in range(128) if not chr(code).isupper())


def _is_shouting(title: str) -> bool:
    """Whether a headline is written in capitals: 12 letters or more, over 80% of them capitals.

    ASCII letters are counted by bytes.translate, the few other characters one by one; a title
    without a single capital (Urdu, Pashto) is answered at once.
    """
    if len(title) < 12:
        return False
    ascii_only = title.isascii()
    if not ascii_only and (title + "a").islower():  # "a" makes it cased: no character is a capital
        return False
    written = title.encode("ascii", "ignore")
    letters, capitals = len(written.translate(None, _BUT_LETTERS)), len(written.translate(None, _BUT_CAPITALS))
    if not ascii_only:
        others = list(filter(str.isalpha, _NOT_ASCII.findall(title)))
        letters, capitals = letters + len(others), capitals + sum(map(str.isupper, others))
    return letters >= 12 and capitals / letters > 0.8


def _rule_name(rule: AliasRule) -> str:
    if rule.kind == "ambiguous":
        if rule.needs:
            return "needs:" + ",".join(rule.needs) if len(rule.needs) <= 6 else f"needs:{rule.needs[0]},+{len(rule.needs) - 1}"
        return "surname" if rule.surname_of and rule.after is None else "context"
    return {"alias": "alias", "acronym": "acronym", "script": "script", "title": "title"}[rule.kind]



def _rebuild_matcher(catalog: Catalog, semantic: bool, screened: bool) -> Matcher:
    """A pickled Matcher, compiled again (in a worker process, say) from its catalog."""
    from bot.matching.loader import load_semantic
    from bot.matching.themes import ThemeScorer

    return Matcher(catalog, ThemeScorer(catalog, semantic=load_semantic(True) if semantic else None,
                                        screened=screened))
