"""Score an item's themes: weighted cue phrases, vetoes, and the entities named with them.

A theme's score is the sum of the weights of its distinct cues found in the item, a cue in the
headline counting half as much again. The theme is kept when the score reaches its threshold,
no veto phrase occurs, every `requires` pattern occurs and, when the theme lists entities, one
of them is named. With the optional semantic scorer installed, the similarity between the item
and the theme's description can lift a theme that is just short of its threshold.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass

from bot.matching.catalog import Catalog, Theme
from bot.matching.normalize import fold_phrase
from bot.models import ThemeScore

log = logging.getLogger(__name__)

_EMBEDDING = threading.Lock()

TITLE_BONUS = 1.5
BACKGROUND_FACTOR = 0.5  # a cue told as background ("after border clashes") counts half
_BACKGROUND = re.compile(r"\b(after|since|following)\b[^.,;]{0,30}$")
SEMANTIC_FLOOR = 0.45  # cosine similarity at which the semantic scorer starts to count
SEMANTIC_WEIGHT = 4.0  # score added per unit of similarity above the floor


@dataclass(frozen=True)
class CueHit:
    """A cue found in an item, where, and what it added."""

    pattern: str
    words: str
    weight: float
    in_title: bool


class ThemeScorer:
    """Scores every theme of a catalog; optionally helped by a semantic scorer."""

    def __init__(self, catalog: Catalog, semantic=None):
        self.catalog = catalog
        self.semantic = semantic
        self._prototypes = None
        if semantic is not None:
            self._prototypes = semantic.build_prototypes(
                {theme.id: [theme.description, theme.name] for theme in catalog.themes.values()})

    def score(self, title: str, summary: str, entities: tuple[str, ...],
              similarities: dict[str, float] | None = None) -> tuple[ThemeScore, ...]:
        """Return the themes this item is about, best first."""
        title_text, body_text = fold_phrase(title), fold_phrase(summary)
        if similarities is None:
            similarities = self.similarities([f"{title}. {summary}"])[0]
        scores = []
        for theme in self.catalog.themes.values():
            total, hits, blocked = self.theme_score(theme, title_text, body_text, entities)
            if blocked:
                continue
            total += max(0.0, similarities.get(theme.id, 0.0) - SEMANTIC_FLOOR) * SEMANTIC_WEIGHT
            if total >= theme.threshold:
                scores.append(ThemeScore(theme.id, round(total, 2), tuple(hit.words for hit in hits)))
        return tuple(sorted(scores, key=lambda score: -score.score))

    def theme_score(self, theme: Theme, title_text: str, body_text: str, entities) -> tuple[float, list[CueHit], str]:
        """Score one theme on folded texts; return (score, cue hits, reason it is blocked or '')."""
        full = f"{title_text}\n{body_text}"
        for veto in theme.veto:
            found = veto.regex.search(full)
            if found:
                return 0.0, [], f"veto {found.group()!r}"
        for required in theme.requires:
            if not required.regex.search(full):
                return 0.0, [], f"needs a word like {required.pattern!r}"
        for group in theme.entities:
            if not any(entity in entities for entity in group):
                return 0.0, [], "needs one of " + ", ".join(group)
        hits = []
        for cue in theme.cues:
            best = None
            for text, in_title in ((title_text, True), (body_text, False)):
                for found in cue.regex.finditer(text):
                    weight = cue.weight * (TITLE_BONUS if in_title else 1.0)
                    if _BACKGROUND.search(text, max(0, found.start() - 30), found.start()):
                        weight *= BACKGROUND_FACTOR
                    if best is None or weight > best.weight:
                        best = CueHit(cue.pattern, found.group(), weight, in_title)
            if best is not None:
                hits.append(best)
        return sum(hit.weight for hit in hits), hits, ""

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


def _stack(rows):
    import numpy

    return numpy.stack(rows)
