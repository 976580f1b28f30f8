"""Find the catalog's entities in a text, with spans, and score its themes. Pure: no I/O.

How a text is matched:
1. fold it one character for one (case, accents; every non-letter a space; URLs blanked);
2. find every alias as whole words — each key is searched with a space on both sides, in the
   text padded with spaces — with two Aho-Corasick automatons: lower-case names on the
   lower-case text, acronyms on the text as written ("TTP" is found, "ttp" and "HTTP" are not);
3. keep names written with capitals only where the text capitalises them, and drop those whose
   entity's negative contexts veto them ("Quetta Gladiators", "Kabul River", "AQ Khan");
4. keep ambiguous names only under their rule (a bare "Mehsud" only when Noor Wali Mehsud is
   named elsewhere in the item; "Tajik" only before "officials", "border"...);
5. pick leftmost-longest among overlapping candidates ("Pakistani Taliban" is the TTP, not
   Pakistan); descriptive titles ("UN chief") keep the entities named inside them.
In an ALL-CAPS headline, acronyms that are also English words (US, IS, UN, WHO) are not trusted.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import ahocorasick_rs

from bot.matching.catalog import AliasRule, Catalog
from bot.matching.normalize import Folded, fold
from bot.models import Match, MatchResult

_WORD_ACRONYMS = {"US", "IS", "UN", "WHO", "AQ", "PAK", "KP", "ISK", "IOM"}
_CONTEXT = 40  # characters of context the negative and `after:` patterns see
_INVISIBLE = re.compile("[\u00ad\u200b\u200d\u2060\ufeff]")  # removed before matching, like the store does


class Candidate(NamedTuple):
    """A name found at a place in the folded text, before overlaps are resolved.

    Field order is sort order: leftmost first, then longest, then unambiguous names first.
    """

    start: int
    minus_length: int
    ambiguous: bool
    sequence: int
    end: int
    rule: AliasRule
    rule_name: str


class Matcher:
    """The compiled catalog: call `match(title, summary)` for each item."""

    def __init__(self, catalog: Catalog, theme_scorer=None):
        self.catalog = catalog
        grouped: dict[tuple[bool, str], list[AliasRule]] = {}
        for rule in catalog.rules:
            grouped.setdefault((rule.case_sensitive, rule.key), []).append(rule)
        self._tables = []  # (case_sensitive, keys, values, leftmost-longest automaton)
        for case_sensitive in (False, True):
            keys = sorted(key for cased, key in grouped if cased == case_sensitive)
            if not keys:
                continue
            values = [(len(key), tuple(self._entry(rule) for rule in grouped[(case_sensitive, key)])) for key in keys]
            patterns = [f"{key} " for key in keys]  # the trailing space makes every hit end a word
            longest = ahocorasick_rs.AhoCorasick(patterns, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
            self._tables.append((case_sensitive, patterns, values, longest))
        self._overlapping: dict[bool, object] = {}
        if theme_scorer is None:
            from bot.matching.themes import ThemeScorer

            theme_scorer = ThemeScorer(catalog)
        self.theme_scorer = theme_scorer

    # ---------------------------------------------------------------- public

    def match(self, title: str, summary: str = "") -> MatchResult:
        """Match an item; spans index `title + "\\n" + summary`."""
        text = f"{title}\n{summary}" if summary else title
        matches = self.find(text, shouting=_is_shouting(title), shouting_end=len(title))
        entities = tuple(dict.fromkeys(self._with_implied(match.entity for match in matches)))
        themes = self.theme_scorer.score(title, summary, entities) if self.theme_scorer else ()
        return MatchResult(entities=entities, themes=themes, matches=tuple(matches))

    def find(self, text: str, *, shouting: bool = False, shouting_end: int = 0) -> list[Match]:
        """Return the entity mentions in `text`, leftmost-longest, with original offsets."""
        original, positions = text, None
        if _INVISIBLE.search(text):
            positions = [index for index, char in enumerate(text) if not _INVISIBLE.match(char)]
            text = _INVISIBLE.sub("", text)
        folded = fold(text)
        candidates, special = self._candidates(folded, shouting, shouting_end)
        if not candidates:
            return []
        if "(" in text:
            redefined = _redefined_acronyms(text, candidates)
            if redefined:
                candidates = [c for c in candidates if not (c.rule.case_sensitive and c.rule.key in redefined)]
        chosen = self._resolve(candidates) if special else _leftmost_longest(candidates)
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
                self._has_vetoes(rule), _rule_name(rule))

    def _has_vetoes(self, rule: AliasRule) -> bool:
        entity = self.catalog.entities[rule.entity]
        return entity.not_after is not None or entity.not_before is not None or rule.after is not None

    def _candidates(self, folded: Folded, shouting: bool, shouting_end: int) -> tuple[list[Candidate], bool]:
        """All acceptable hits, and whether any needs the slow path (ambiguous names, titles).

        Fast path: the automaton's own leftmost-longest scan. If a hit there is rejected by a
        context rule or needs one, a shorter name at the same place might have counted, so the
        text is scanned again for every overlapping hit.
        """
        found, complete = self._scan(folded, shouting, shouting_end, longest_only=True)
        if complete:
            return found, False
        return self._scan(folded, shouting, shouting_end, longest_only=False)[0], True

    def _scan(self, folded: Folded, shouting: bool, shouting_end: int, *, longest_only: bool):
        found = []
        mixed_case = folded.cased != folded.lower
        cased = folded.cased
        for case_sensitive, patterns, values, longest in self._tables:
            padded = f" {cased if case_sensitive else folded.lower} "
            if longest_only:
                hits = longest.find_matches_as_indexes(padded)
            else:
                hits = self._all_hits(case_sensitive, patterns).find_matches_as_indexes(padded, overlapping=True)
            for index, hit_start, _ in hits:
                if padded[hit_start - 1] != " ":
                    continue  # begins inside a word
                start = hit_start - 1  # the padded text has one more space first
                length, entries = values[index]
                for rule, cap_first, cap_last, word_acronym, has_context, has_vetoes, name in entries:
                    if word_acronym and shouting and start < shouting_end:
                        continue
                    if mixed_case and ((cap_first and not cased[start].isupper())
                                       or (cap_last > 0 and not cased[start + cap_last].isupper())):
                        if longest_only:
                            return found, False
                        continue
                    if has_vetoes and self._vetoed(rule, folded.lower, start, start + length):
                        if longest_only:
                            return found, False
                        continue
                    if longest_only and has_context:
                        return found, False
                    found.append(Candidate(start, -length, rule.kind == "ambiguous", len(found), start + length, rule,
                                           name))
        return found, True

    def _all_hits(self, case_sensitive: bool, patterns: list[str]):
        """The automaton that reports overlapping hits too, built on first need."""
        if case_sensitive not in self._overlapping:
            self._overlapping[case_sensitive] = ahocorasick_rs.AhoCorasick(patterns)
        return self._overlapping[case_sensitive]

    def _vetoed(self, rule: AliasRule, lower: str, start: int, end: int) -> bool:
        entity = self.catalog.entities[rule.entity]
        if entity.not_after is not None and entity.not_after.search(lower[end:end + _CONTEXT]):
            return True
        if entity.not_before is not None and entity.not_before.search(lower[max(0, start - _CONTEXT):start]):
            return True
        return rule.after is not None and not rule.after.search(lower[end:end + _CONTEXT])

    def _resolve(self, candidates: list[Candidate]) -> list[Candidate]:
        """Accept ambiguous names whose rule is met, pick leftmost-longest, keep names inside titles."""
        plain = [c for c in candidates if not c.rule.needs]
        named = {c.rule.entity for c in _leftmost_longest(plain)}
        accepted = plain + [c for c in candidates if c.rule.needs and any(n in named for n in c.rule.needs)]
        chosen = _leftmost_longest(accepted)
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

    def explain_rule(self, match: Match) -> str:
        """A sentence saying why a match was accepted."""
        entity = self.catalog.entities[match.entity]
        return f"{match.alias!r} at {match.start}-{match.end} is {entity.name} ({match.entity}) by rule {match.rule}"


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


def _is_shouting(title: str) -> bool:
    letters = [char for char in title if char.isalpha()]
    return len(letters) >= 12 and sum(char.isupper() for char in letters) / len(letters) > 0.8


def _rule_name(rule: AliasRule) -> str:
    if rule.kind == "ambiguous":
        return "needs:" + ",".join(rule.needs) if rule.needs else "context"
    return {"alias": "alias", "acronym": "acronym", "script": "script", "title": "title"}[rule.kind]

