"""Score an item's themes: weighted cue phrases, vetoes, and the entities named with them.

A theme's score is the sum of the weights of its distinct cues found in the item, a cue in the
headline counting half as much again. The theme is kept when the score reaches its threshold,
no veto phrase occurs, every `requires` pattern occurs and, when the theme lists entities, one
of them is named or stands behind one that is: a place inside it (Bajaur for Khyber Pakhtunkhwa
and Pakistan) or a person who leads, serves or belongs to it (Muttaqi for the Taliban). With the optional semantic scorer installed, the similarity between the item
and the theme's description can lift a theme that is just short of its threshold.
Scoring an item first screens every theme's patterns at once by their literal prefixes: only the
patterns that can occur are run, and only for the themes that can still reach their threshold.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from itertools import repeat
from typing import NamedTuple

from bot.matching.catalog import Catalog, Cue, Theme
from bot.matching.normalize import fold_phrase
from bot.matching.prefilter import RegexScreen
from bot.models import ThemeScore

log = logging.getLogger(__name__)

_EMBEDDING = threading.Lock()

TITLE_BONUS = 1.5
BACKGROUND_FACTOR = 0.5  # a cue told as background ("after border clashes") counts half
_BACKGROUND = re.compile(r"\b(after|since|following)\b[^.,;]{0,30}$")

SEMANTIC_FLOOR = 0.45  # cosine similarity at which the semantic scorer starts to count
SEMANTIC_WEIGHT = 4.0  # score added per unit of similarity above the floor

# Words that make an item regional without a catalog entity (folded text).
_REGION_WORDS = re.compile(
    r"\b(pakistan\w*|afghan\w*|taliban|kabul|islamabad|rawalpindi|peshawar|lahore|karachi|quetta|"
    r"kandahar|helmand|nangarhar|jalalabad|kunar|khost|paktika|paktia|herat|mazar-i-sharif|"
    r"waziristan|bannu|lakki marwat|dera ismail khan|kurram|bajaur|khyber|balochistan|baloch\w*|"
    r"pashtun\w*|pakhtun\w*|durand line|torkham|chaman|ttp|iskp|haqqani\w*|fata|unama|nacta|"
    r"frontier corps|fitna al hindustan|fitna al khawarij|khwarij|khawarij)\b")


@dataclass(frozen=True)
class Region:
    """Whether an item is about the desk's region, and the entities or words that say so."""

    regional: bool
    because: tuple[str, ...]

    def explain(self) -> str:
        """One line for `why`."""
        if self.regional:
            return "regional: " + ", ".join(self.because)
        return "not regional: no regional place, group or person named" + (
            f" (only {', '.join(self.because)})" if self.because else "")


def about_region(title_text: str, body_text: str, entities: Iterable[str],
                 not_regional: frozenset[str]) -> Region:
    """The step every theme passes first: is the item about Pakistan, Afghanistan or their frontier?

    An item is regional when it names a catalog entity tied to the region (one not marked
    `regional: false` in the catalog, as world bodies and far neighbours are: named with a
    regional entity they still count) or a regional word (a place, people or group outside the
    catalog). Every armed group the desk tracks counts, Islamic State core included.
    Texts are folded (`fold_phrase`).
    """
    entities = tuple(entities)
    if not _is_regional(title_text, body_text, entities, not_regional):
        return Region(False, entities)
    regional = [entity for entity in entities if entity not in not_regional]
    words = sorted({found.group() for found in _REGION_WORDS.finditer(f"{title_text}\n{body_text}")})
    return Region(True, tuple(regional) + tuple(f"“{word}”" for word in words if word not in regional))


def _is_regional(title_text: str, body_text: str, entities: Iterable[str], not_regional: frozenset[str]) -> bool:
    """The rule of `about_region`, without collecting what says so (the scorer asks only this)."""
    return (any(entity not in not_regional for entity in entities)
            or _REGION_WORDS.search(f"{title_text}\n{body_text}") is not None)


def _may_tell_background(text: str) -> bool:
    """Whether `_BACKGROUND` can match in `text`: every match holds one of its words."""
    return "after" in text or "since" in text or "following" in text


@dataclass(frozen=True)
class CueHit:
    """A cue found in an item, where, and what it added."""

    pattern: str
    words: str
    weight: float
    in_title: bool


class ThemeScorer:
    """Scores every theme of a catalog; optionally helped by a semantic scorer."""

    def __init__(self, catalog: Catalog, semantic=None, *, screened: bool = True):
        self.catalog = catalog
        self.semantic = semantic
        self._prototypes = None
        if semantic is not None:
            self._prototypes = semantic.build_prototypes(
                {theme.id: [theme.description, theme.name] for theme in catalog.themes.values()})
        self._screen = _ThemeScreen(catalog.themes.values()) if screened else None
        self._not_regional = catalog.not_regional()
        self._behind = _standing_behind(catalog)

    def score(self, title: str, summary: str, entities: tuple[str, ...],
              similarities: dict[str, float] | None = None) -> tuple[ThemeScore, ...]:
        """Return the themes this item is about, best first.

        Only the themes that may reach their threshold are scored, each with only the patterns
        that may occur in the item (see `_ThemeScreen`); the result is the same as scoring every
        theme with every pattern, which `screened=False` does.
        """
        title_text, body_text = fold_phrase(title), fold_phrase(summary)
        if not _is_regional(title_text, body_text, entities, self._not_regional):
            return ()
        if similarities is None:
            similarities = self.similarities([f"{title}. {summary}"])[0]
        entities = self.with_those_behind(entities)
        if self._screen is None:
            worth_scoring = [(theme, None) for theme in self.catalog.themes.values()]
        else:
            worth_scoring = self._screen.worth_scoring(f"{title_text}\n{body_text}", entities, similarities)
        background = (_may_tell_background(body_text), _may_tell_background(title_text))
        scores = []
        for theme, possible in worth_scoring:
            total, hits, blocked = _theme_score(theme, title_text, body_text, entities, possible, background)
            if blocked:
                continue
            if similarities:  # without them the semantic score adds 0.0
                total += _semantic(similarities, theme)
            if total >= theme.threshold:
                scores.append(ThemeScore(theme.id, round(total, 2), tuple(hit.words for hit in hits)))
        return tuple(sorted(scores, key=lambda score: -score.score))

    def region(self, title: str, summary: str, entities) -> Region:
        """`about_region` on raw texts: what `why` shows."""
        return about_region(fold_phrase(title), fold_phrase(summary), entities, self._not_regional)

    def theme_score(self, theme: Theme, title_text: str, body_text: str, entities) -> tuple[float, list[CueHit], str]:
        """Score one theme on folded texts; return (score, cue hits, reason it is blocked or '')."""
        return _theme_score(theme, title_text, body_text, self.with_those_behind(entities))

    def with_those_behind(self, entities) -> frozenset[str]:
        """The entities named and those they stand for: the places around a place, a person's group."""
        found = set(entities)
        for entity in entities:
            found.update(self._behind.get(entity, ()))
        return frozenset(found)

    def similarities(self, texts: list[str]) -> list[dict[str, float]]:
        """Semantic similarity of each text to each theme (empty without the semantic scorer).

        Texts are embedded in one batch, one batch at a time across threads: the model's matrix
        products use every core already, and concurrent ones only fight over them.
        """
        if self.semantic is None or not self._prototypes or not texts:
            return [{} for _ in texts]
        themes = list(self._prototypes)
        with _EMBEDDING:
            vectors = self.semantic.embed(texts)
        matrix = vectors @ _stack([self._prototypes[theme] for theme in themes]).T
        return [dict(zip(themes, map(float, row))) for row in matrix]


STANDS_FOR = ("located-in", "leader-of", "member-of", "minister-in", "works-for")


def _standing_behind(catalog: Catalog) -> dict[str, frozenset[str]]:
    """For each entity, those it stands for in a theme's entity groups, through its relations.

    A place stands for every place it is located in, at any depth; a person for the group,
    government or body they lead, belong to, serve in or work for.
    """
    direct: dict[str, set[str]] = {}
    for entity in catalog.entities.values():
        for relation, target in entity.relations:
            if relation in STANDS_FOR and target in catalog.entities:
                direct.setdefault(entity.id, set()).add(target)
    behind = {}
    for entity_id in direct:
        found, todo = set(), list(direct[entity_id])
        while todo:
            target = todo.pop()
            if target not in found and target != entity_id:
                found.add(target)
                todo.extend(direct.get(target, ()))
        behind[entity_id] = frozenset(found)
    return behind


class _Possible(NamedTuple):
    """What the screen found possible in an item for one theme that names its entities."""

    vetoes: list[Cue]  # the vetoes that can occur (every requirement can)
    cues: list[tuple[Cue, list[int] | None]]  # the cues that can occur, in order, with where (None: anywhere)


def _theme_score(theme: Theme, title_text: str, body_text: str, entities, possible: _Possible | None = None,
                 background: tuple[bool, bool] | None = None) -> tuple[float, list[CueHit], str]:
    """Score one theme; without `possible` every pattern is run over the whole texts.

    `possible` lists the vetoes that can occur (the others are not run) and the cues that can
    occur, each with the places in the folded item (title, newline, body) where its matches can
    start, or None for anywhere; a cue is tried at those places only (see `_matches`). With
    `possible`, the screen has already found that every requirement can occur and that each
    entity group is met, on the same entities and text. `background` says whether a cue may be
    told as background in the body and in the title (`_may_tell_background`).
    """
    full = f"{title_text}\n{body_text}"
    if possible is None:
        vetoes, cues = theme.veto, [(cue, None) for cue in theme.cues]
    else:
        vetoes, cues = possible
    for veto in vetoes:
        found = veto.regex.search(full)
        if found:
            return 0.0, [], f"veto {found.group()!r}"
    for required in theme.requires:
        if not required.regex.search(full):
            return 0.0, [], f"needs a word like {required.pattern!r}"
    for group, stand_in in zip(theme.entities, theme.stand_ins or repeat(None)):
        if possible is None and not _group_named(group, stand_in, entities, full):
            return 0.0, [], "needs one of " + ", ".join(group) + (
                f" or a word like {stand_in.pattern!r}" if stand_in else "")
    if background is None:
        background = (_may_tell_background(body_text), _may_tell_background(title_text))
    hits = []
    for cue, starts in cues:
        best = None
        for text, in_title, found in _matches(cue.regex, title_text, body_text, starts):
            weight = cue.weight * (TITLE_BONUS if in_title else 1.0)
            if background[in_title] and _BACKGROUND.search(text, max(0, found.start() - 30), found.start()):
                weight *= BACKGROUND_FACTOR
            if best is None or abs(weight) > abs(best.weight):  # a negative cue counts at its strongest
                best = CueHit(cue.pattern, found.group(), weight, in_title)
        if best is not None:
            hits.append(best)
    return sum(hit.weight for hit in hits), hits, ""


def _group_named(group: tuple[str, ...], stand_in: Cue | None, entities, text: str) -> bool:
    """Whether one of a theme's entity groups is met: a member named, or its stand-in words found."""
    return any(entity in entities for entity in group) or bool(stand_in and stand_in.regex.search(text))


def _matches(regex: re.Pattern, title_text: str, body_text: str,
             starts: list[int] | None) -> Iterator[tuple[str, bool, re.Match]]:
    """`regex.finditer` over the title, then over the body, trying only `starts` when they are given.

    Yields (the text, whether it is the title, the match). `starts` are the places, in order,
    where a match may start in the folded item: the title, a newline, the body. Like finditer,
    each match is looked for from the end of the one before; none is empty (the screen's regexes
    match at least a prefix), and `regex.match(text, place)` sees the characters before `place`,
    as the word-boundary lookbehind of a cue needs.
    """
    if starts is None:
        for found in regex.finditer(title_text):
            yield title_text, True, found
        for found in regex.finditer(body_text):
            yield body_text, False, found
        return
    offset = len(title_text) + 1  # where the body begins
    resume = 0  # where the last match ended, in the folded item
    for place in starts:
        if place < resume:
            continue
        if place < offset - 1:
            text, in_title, at = title_text, True, place
        elif place >= offset:
            text, in_title, at = body_text, False, place - offset
            if at >= len(body_text):
                break
        else:
            continue  # the newline between them
        found = regex.match(text, at)
        if found:
            yield text, in_title, found
            resume = found.end() + (0 if in_title else offset)


def _semantic(similarities: dict[str, float], theme: Theme) -> float:
    """What the semantic similarity adds to a theme's score."""
    return max(0.0, similarities.get(theme.id, 0.0) - SEMANTIC_FLOOR) * SEMANTIC_WEIGHT


@dataclass(frozen=True)
class _Plan:
    """One theme as the screen sees it: the numbers of its vetoes, requirements and cues."""

    theme: Theme
    vetoes: tuple[int, ...]
    requires: tuple[int, ...]
    cues: tuple[int, ...]
    stand_ins: tuple[int | None, ...]  # for each entity group, the number of its stand-in words (or None)

    @cached_property
    def numbered_cues(self) -> tuple[tuple[int, Cue], ...]:
        """Each cue with its number."""
        return tuple(zip(self.cues, self.theme.cues))

    @cached_property
    def numbered_vetoes(self) -> tuple[tuple[int, Cue], ...]:
        """Each veto with its number."""
        return tuple(zip(self.vetoes, self.theme.veto))

    @cached_property
    def groups(self) -> tuple[tuple[frozenset[str], Cue | None, int | None], ...]:
        """The theme's entity groups, each with its stand-in words and their number (or None)."""
        return tuple((frozenset(group), stand_in, number) for group, stand_in, number
                     in zip(self.theme.entities, self.theme.stand_ins or repeat(None), self.stand_ins))

    def names_entities(self, entities, text: str, found: frozenset[int]) -> bool:
        """Whether the item names one entity (or stand-in word) of each of the theme's groups;
        stand-in words are looked for only when they may occur (are `found`)."""
        for group, stand_in, number in self.groups:
            if group.isdisjoint(entities) and not (number in found and stand_in.regex.search(text)):
                return False
        return True

    def possible(self, starts: dict[int, list[int]], always: frozenset[int], found: set[int]) -> _Possible | None:
        """The `possible` argument of `_theme_score`, from where the screened patterns may start,
        or None when a requirement cannot occur; `found` is every pattern that may occur (`always`
        and those in `starts`)."""
        if not found.issuperset(self.requires):
            return None
        return _Possible([veto for number, veto in self.numbered_vetoes if number in found],
                         [(cue, None if number in always else starts[number])
                          for number, cue in self.numbered_cues if number in found])


class _ThemeScreen:
    """Every theme's patterns numbered once and screened together by their literal prefixes.

    For an item, a theme is worth scoring unless it cannot be kept: its cues that may occur,
    each counted at its best (in the headline, not told as background), and its semantic score
    fall short of the threshold, a required entity is not named, or a requirement cannot occur. A theme's best is summed
    in any order, so it starts from a slack larger than the rounding error of any such sum.
    """

    def __init__(self, themes: Iterable[Theme]):
        numbers: dict[re.Pattern, int] = {}

        def numbered(cues: tuple[Cue, ...]) -> tuple[int, ...]:
            return tuple(numbers.setdefault(cue.regex, len(numbers)) for cue in cues)

        def stand_ins(theme: Theme) -> tuple[int | None, ...]:
            return tuple(None if stand_in is None else numbers.setdefault(stand_in.regex, len(numbers))
                         for stand_in in theme.stand_ins or repeat(None, len(theme.entities)))

        self.plans = tuple(_Plan(theme, numbered(theme.veto), numbered(theme.requires), numbered(theme.cues),
                                 stand_ins(theme)) for theme in themes)
        self.regexes = RegexScreen(numbers)
        gains: list[list[tuple[int, float]]] = [[] for _ in numbers]  # pattern -> (theme, most its cue adds)
        for index, plan in enumerate(self.plans):
            for number, cue in zip(plan.cues, plan.theme.cues):
                if cue.weight * TITLE_BONUS > 0:  # a cue with a negative weight adds nothing at best
                    gains[number].append((index, cue.weight * TITLE_BONUS))
        self._gains = tuple(map(tuple, gains))
        self._slacks = tuple(_slack(plan.theme) for plan in self.plans)

    def worth_scoring(self, text: str, entities, similarities: dict[str, float]) -> list[tuple[Theme, tuple]]:
        """The themes that may be kept for an item, in catalog order, each with the `possible`
        argument of `_theme_score`; `text` is the folded title, a newline and the folded body."""
        starts, always = self.regexes.starts(text), self.regexes.always
        found = always.union(starts)
        best = list(self._slacks)
        for number in found:
            for index, gain in self._gains[number]:
                best[index] += gain
        chosen = []
        for plan, most in zip(self.plans, best):
            theme = plan.theme
            if similarities:  # without them the semantic score adds 0.0
                most += _semantic(similarities, theme)
            if most >= theme.threshold and plan.names_entities(entities, text, found):
                possible = plan.possible(starts, always, found)
                if possible is not None:
                    chosen.append((theme, possible))
        return chosen


def _slack(theme: Theme) -> float:
    """More than the rounding error of adding up a theme's cue scores, in any order."""
    magnitude = sum(abs(cue.weight) * TITLE_BONUS for cue in theme.cues)
    return 4 * (len(theme.cues) + 2) * sys.float_info.epsilon * magnitude


def _stack(rows):
    import numpy

    return numpy.stack(rows)
