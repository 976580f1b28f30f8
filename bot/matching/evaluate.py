"""Measure the matcher on labelled items: precision, recall, F1, and its worst mistakes."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bot.errors import WatchdeskError


@dataclass
class Score:
    """Counts of true positives, false positives and false negatives."""

    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    wrong: Counter = field(default_factory=Counter)  # label -> false positives
    missed: Counter = field(default_factory=Counter)  # label -> false negatives

    @property
    def precision(self) -> float:
        """Share of predicted labels that are right."""
        predicted = self.true_positives + self.false_positives
        return self.true_positives / predicted if predicted else 1.0

    @property
    def recall(self) -> float:
        """Share of true labels that were found."""
        actual = self.true_positives + self.false_negatives
        return self.true_positives / actual if actual else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    def add(self, predicted: set[str], expected: set[str]) -> tuple[set[str], set[str]]:
        """Count one item; return its false positives and false negatives."""
        false_positives, false_negatives = predicted - expected, expected - predicted
        self.true_positives += len(predicted & expected)
        self.false_positives += len(false_positives)
        self.false_negatives += len(false_negatives)
        self.wrong.update(false_positives)
        self.missed.update(false_negatives)
        return false_positives, false_negatives


@dataclass
class Evaluation:
    """The result of evaluating a labelled file."""

    items: int = 0
    entities: Score = field(default_factory=Score)
    themes: Score = field(default_factory=Score)
    errors: list = field(default_factory=list)  # (item id, kind, false positives, false negatives)
    events: EventScore | None = None  # when the labelled file has events
    labelled: set = field(default_factory=set)  # "entities", "themes": the kinds its items label


class LabelFileError(WatchdeskError):
    """A labelled file is not JSONL with id, title, summary, entities and themes."""


def read_labelled(path: Path):
    """Yield labelled items from a JSONL file, with a clear error for a bad line."""
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise LabelFileError(f"{path}:{number}: not JSON: {exc.msg}") from exc
            if not isinstance(item, dict) or "title" not in item:
                raise LabelFileError(f"{path}:{number}: an item needs at least id and title")
            yield item


def label_vocabulary(path: Path, labels: Path | None = None) -> set[str] | None:
    """The entity and theme ids of `labels` or of the `labels.yml` beside a labelled file, if any.

    The catalog holds more than the labelled ids (other people and places the desk follows);
    only the labelled ids can be judged right or wrong.
    """
    import yaml

    labels = Path(labels) if labels is not None else Path(path).with_name("labels.yml")
    if not labels.exists():
        return None
    data = yaml.safe_load(labels.read_text(encoding="utf-8")) or {}
    return set(data.get("entities") or {}) | set(data.get("themes") or {})


EVENT_FIELDS = ("killed", "injured", "actor", "region", "claimed", "place")


@dataclass
class EventScore:
    """Incidents paired over (item, type), and over the pairs how often each field is exactly right."""

    score: Score = field(default_factory=Score)
    right: Counter = field(default_factory=Counter)  # field -> paired events with that field equal

    def add(self, predicted: list[dict], gold: list[dict]) -> None:
        """Pair each gold event greedily with one predicted event of its type, agreeing ones first."""
        left = list(predicted)
        pairs = []
        for wanted in gold:
            same = [p for p in left if p.get("type") == wanted.get("type")]
            if not same:
                continue
            same.sort(key=lambda p: not (_equal(p, wanted, "place") and _equal(p, wanted, "killed")))
            left.remove(same[0])
            pairs.append((same[0], wanted))
        self.score.true_positives += len(pairs)
        self.score.false_positives += len(predicted) - len(pairs)
        self.score.false_negatives += len(gold) - len(pairs)
        for mine, wanted in pairs:
            for name in EVENT_FIELDS:
                self.right[name] += _equal(mine, wanted, name)

    def share(self, name: str) -> float:
        """The share of paired events whose field is exactly right."""
        return self.right[name] / self.score.true_positives if self.score.true_positives else 0.0


def _equal(mine: dict, wanted: dict, name: str) -> bool:
    a, b = mine.get(name), wanted.get(name)
    if name == "place" and isinstance(a, str) and isinstance(b, str):
        import unicodedata

        fold = lambda s: unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().lower()  # noqa: E731
        return fold(a) == fold(b)
    return a == b


def evaluate(matcher, items, vocabulary: set[str] | None = None) -> Evaluation:
    """Run the matcher over labelled items and count its hits and mistakes."""
    result = Evaluation()
    for item in items:
        if "events" in item:
            from bot.incidents import item_incidents

            if result.events is None:
                result.events = EventScore()
            result.events.add([i.record() for i in item_incidents(matcher, item)], item["events"])
        found = matcher.match(item.get("title") or "", item.get("summary") or "")
        result.items += 1
        entities, themes = set(found.entities), set(found.theme_ids)
        if vocabulary is not None:
            entities, themes = entities & vocabulary, themes & vocabulary
        for kind, score, predicted in (("entities", result.entities, entities),
                                       ("themes", result.themes, themes)):
            if kind not in item:
                continue  # an events-only item labels no entities or themes: nothing to judge
            result.labelled.add(kind)
            wrong, missed = score.add(predicted, set(item.get(kind) or ()))
            if wrong or missed:
                result.errors.append((item.get("id"), kind, sorted(wrong), sorted(missed)))
    return result


def format_evaluation(result: Evaluation, worst: int = 8) -> str:
    """The report `watchdesk eval` prints."""
    lines = [f"{result.items} items"]
    scores = [("entities", result.entities), ("themes", result.themes)]
    if result.events is not None:
        scores.append(("events", result.events.score))
    for name, score in scores:
        if name != "events" and name not in result.labelled:
            lines.append(f"{name:9} not labelled in this file")
            continue
        lines.append(f"{name:9} precision {score.precision:.3f}  recall {score.recall:.3f}  F1 {score.f1:.3f}"
                     f"  (tp {score.true_positives}, fp {score.false_positives}, fn {score.false_negatives})")
    for name, score in (("entities", result.entities), ("themes", result.themes)):
        if score.wrong:
            lines.append(f"worst false positives ({name}): "
                         + ", ".join(f"{label} x{count}" for label, count in score.wrong.most_common(worst)))
        if score.missed:
            lines.append(f"worst false negatives ({name}): "
                         + ", ".join(f"{label} x{count}" for label, count in score.missed.most_common(worst)))
    if result.events is not None:
        lines.append("events, over paired: " + "  ".join(
            f"{name} {result.events.share(name):.3f}" for name in EVENT_FIELDS))
    return "\n".join(lines)
