"""Find the catalog's entities in a text, with spans, and score its themes. Pure: no I/O.

How a text is matched:
1. fold it (case, accents, quotes, dashes, possessives, acronym dots; URLs blanked);
2. find every alias with two Aho-Corasick automatons: lower-case names on the lower-case text,
   acronyms on the text as written (so "TTP" is found, "ttp" and "HTTP" are not);
3. keep candidates on word boundaries whose entity's negative contexts do not veto them
   ("Quetta Gladiators", "Kabul River", "AQ Khan");
4. keep ambiguous names only under their rule (a bare "Mehsud" only when Noor Wali Mehsud is
   named elsewhere in the item; "Tajik" only before "officials", "border"...);
5. pick leftmost-longest among overlapping candidates ("Pakistani Taliban" is the TTP, not
   Pakistan); descriptive titles ("UN chief") keep the entities named inside them.
In an ALL-CAPS headline, acronyms that are also English words (US, IS, UN, WHO) are not trusted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import ahocorasick

from bot.matching.catalog import AliasRule, Catalog
from bot.matching.normalize import Folded, fold
from bot.models import Match, MatchResult

_WORD_ACRONYMS = {"US", "IS", "UN", "WHO", "AQ", "PAK", "KP", "ISK", "IOM"}
_CONTEXT = 40  # characters of context the negative and `after:` patterns see


@dataclass(frozen=True)
class Candidate:
    """A name found at a place in the folded text, before overlaps are resolved."""

    start: int
    end: int
    rule: AliasRule


class Matcher:
    """The compiled catalog: call `match(title, summary)` for each item."""

    def __init__(self, catalog: Catalog, theme_scorer=None):
        self.catalog = catalog
        self._lower = ahocorasick.Automaton()
        self._cased = ahocorasick.Automaton()
        grouped: dict[tuple[bool, str], list[AliasRule]] = {}
        for rule in catalog.rules:
            grouped.setdefault((rule.case_sensitive, rule.key), []).append(rule)
        for (case_sensitive, key), rules in grouped.items():
            automaton = self._cased if case_sensitive else self._lower
            automaton.add_word(key, (len(key), tuple(rules)))
        for automaton in (self._lower, self._cased):
            if len(automaton):
                automaton.make_automaton()
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
        folded = fold(text)
        candidates = self._candidates(folded, shouting, shouting_end)
        if not candidates:
            return []
        redefined = _redefined_acronyms(folded.cased, candidates)
        if redefined:
            candidates = [c for c in candidates if not (c.rule.case_sensitive and c.rule.key in redefined)]
        chosen = self._resolve(candidates)
        return [self._to_match(folded, text, candidate) for candidate in chosen]

    # ---------------------------------------------------------------- steps

    def _candidates(self, folded: Folded, shouting: bool, shouting_end: int) -> list[Candidate]:
        found = []
        mixed_case = folded.cased != folded.lower
        for automaton, haystack in ((self._lower, folded.lower), (self._cased, folded.cased)):
            if not len(automaton):
                continue
            for end_index, (length, rules) in automaton.iter(haystack):
                start, end = end_index - length + 1, end_index + 1
                if not _on_boundaries(haystack, start, end):
                    continue
                for rule in rules:
                    if rule.case_sensitive and shouting and start < shouting_end and rule.key in _WORD_ACRONYMS:
                        continue
                    if self._vetoed(rule, folded.lower, start, end):
                        continue
                    if mixed_case and not rule.case_sensitive and not _capitalised_as_written(rule, folded.cased, start):
                        continue
                    found.append(Candidate(start, end, rule))
        return found

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
        return sorted(chosen + inner, key=lambda c: (c.start, -c.end))

    def _to_match(self, folded: Folded, text: str, candidate: Candidate) -> Match:
        start, end = folded.original(candidate.start), folded.original_end(candidate.end)
        return Match(entity=candidate.rule.entity, alias=text[start:end], start=start, end=end,
                     rule=_rule_name(candidate.rule))

    def _with_implied(self, entity_ids):
        for entity_id in entity_ids:
            yield entity_id
            yield from self.catalog.entities[entity_id].implies

    def explain_rule(self, match: Match) -> str:
        """A sentence saying why a match was accepted."""
        entity = self.catalog.entities[match.entity]
        return f"{match.alias!r} at {match.start}-{match.end} is {entity.name} ({match.entity}) by rule {match.rule}"


def _leftmost_longest(candidates: list[Candidate]) -> list[Candidate]:
    ordered = sorted(candidates, key=lambda c: (c.start, -(c.end - c.start), c.rule.kind == "ambiguous"))
    chosen, last_end = [], -1
    for candidate in ordered:
        if candidate.start >= last_end:
            chosen.append(candidate)
            last_end = candidate.end
    return chosen


def _capitalised_as_written(rule: AliasRule, cased: str, start: int) -> bool:
    """A proper name written with capitals in the catalog must be capitalised in the text too.

    "china" (porcelain), "a ministerial crisis group" and an "afghan" blanket are not names.
    The first and the last word are checked, as the catalog writes them.
    """
    written = rule.alias.replace("-", " ").split()
    if not written or not written[0][:1].isalpha():
        return True
    if written[0][0].isupper() and not cased[start].isupper():
        return False
    if len(written) > 1 and written[-1][0].isupper():
        last = rule.key.rfind(" ")
        if last > 0 and not cased[start + last + 1].isupper():
            return False
    return True


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


def _on_boundaries(text: str, start: int, end: int) -> bool:
    if start > 0 and _is_word_char(text[start - 1]):
        return False
    return end >= len(text) or not _is_word_char(text[end])


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_" or char == "\u200c"


def _is_shouting(title: str) -> bool:
    letters = [char for char in title if char.isalpha()]
    return len(letters) >= 12 and sum(char.isupper() for char in letters) / len(letters) > 0.8


def _rule_name(rule: AliasRule) -> str:
    if rule.kind == "ambiguous":
        return "needs:" + ",".join(rule.needs) if rule.needs else "context"
    return {"alias": "alias", "acronym": "acronym", "script": "script", "title": "title"}[rule.kind]

