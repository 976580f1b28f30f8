"""Theme designs compared on labelled files: cue rules alone, and rules with MiniLM embeddings.

    python bench/theme_classifier.py FILE.jsonl [FILE.jsonl ...]   (needs `make semantic`)

Designs, each behind the same "about the region" step:
  rules       the catalog's cue patterns (the default matcher);
  prototype   rules plus the similarity to each theme's description (the semantic extra today);
  classifier  a logistic regression per theme over the embedding, trained on the example
              sentences of bench/theme_examples.yml (written for it, none from a labelled set);
  rules+clf   rules, plus a theme the classifier gives a probability of at least --high;
  lift        rules, a theme's cue score raised by the classifier's confidence.
Prints themes precision, recall and F1 for each design and file, and the embedding time.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

EXAMPLES = Path(__file__).with_name("theme_examples.yml")


def train(vectors, labels: list[str], themes: list[str], rounds: int = 400, rate: float = 0.5, penalty: float = 1e-3):
    """One-vs-rest logistic regression by gradient descent; return (weights, biases)."""
    import numpy

    weights = numpy.zeros((vectors.shape[1], len(themes)), dtype=numpy.float32)
    biases = numpy.zeros(len(themes), dtype=numpy.float32)
    targets = numpy.array([[label == theme for theme in themes] for label in labels], dtype=numpy.float32)
    positives = targets.sum(axis=0)
    balance = numpy.where(targets > 0, (len(labels) - positives) / numpy.maximum(positives, 1), 1.0)
    for _ in range(rounds):
        probabilities = 1 / (1 + numpy.exp(-(vectors @ weights + biases)))
        error = (probabilities - targets) * balance
        weights -= rate * (vectors.T @ error / len(labels) + penalty * weights)
        biases -= rate * error.mean(axis=0)
    return weights, biases


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--high", type=float, default=0.9, help="classifier probability that adds a theme")
    parser.add_argument("--alone", type=float, default=0.7, help="probability for the classifier alone")
    parser.add_argument("--lift", type=float, default=2.0, help="score added per unit of confidence above 0.5")
    args = parser.parse_args()
    os.environ["WATCHDESK_SEMANTIC"] = "1"
    import numpy

    from bot.matching.evaluate import Score
    from bot.matching.loader import load_matcher
    from bot.matching.semantic import SemanticScorer
    from bot.matching.themes import ThemeScorer

    semantic = SemanticScorer.load()
    if semantic is None:
        sys.exit("the semantic extra is not installed: make semantic")
    rules = load_matcher(semantic=False)
    prototype = ThemeScorer(rules.catalog, semantic=semantic)
    examples = yaml.safe_load(EXAMPLES.read_text(encoding="utf-8"))
    themes = [theme for theme in examples if theme != "none"]
    sentences = [sentence for theme in examples for sentence in examples[theme]]
    labels = [theme for theme in examples for _ in examples[theme]]
    weights, biases = train(semantic.embed(sentences), labels, themes)

    for path in args.files:
        items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        began = time.perf_counter()
        vectors = semantic.embed([f"{item['title']}. {item.get('summary', '')}" for item in items])
        embed_ms = (time.perf_counter() - began) * 1000 / len(items)
        probabilities = 1 / (1 + numpy.exp(-(vectors @ weights + biases)))
        scores = {name: Score() for name in ("rules", "prototype", "classifier", "rules+clf", "lift")}
        for item, row in zip(items, probabilities):
            title, summary = item["title"], item.get("summary", "")
            found = rules.match(title, summary)
            gold = set(item.get("themes") or ())
            regional = rules.theme_scorer.region(title, summary, found.entities).regional
            by_rules = set(found.theme_ids)
            similarities = prototype.similarities([f"{title}. {summary}"])[0]
            by_prototype = {score.theme for score in prototype.score(title, summary, found.entities, similarities)}
            confident = {theme for theme, p in zip(themes, row) if p >= args.alone} if regional else set()
            high = {theme for theme, p in zip(themes, row) if p >= args.high} if regional else set()
            lifted = set(by_rules)
            if regional:
                for theme, p in zip(themes, row):
                    definition = rules.catalog.themes[theme]
                    total, _, blocked = rules.theme_scorer.theme_score(
                        definition, *(_fold(text) for text in (title, summary)), found.entities)
                    if not blocked and total + max(0.0, p - 0.5) * 2 * args.lift >= definition.threshold:
                        lifted.add(theme)
            for name, predicted in (("rules", by_rules), ("prototype", by_prototype), ("classifier", confident),
                                    ("rules+clf", by_rules | high), ("lift", lifted)):
                scores[name].add(predicted, gold)
        print(f"{path} ({len(items)} items, embedding {embed_ms:.1f} ms an item)")
        for name, score in scores.items():
            print(f"  {name:11} themes P {score.precision:.3f} R {score.recall:.3f} F1 {score.f1:.3f}"
                  f"  (fp {score.false_positives}, fn {score.false_negatives})")
    return 0


def _fold(text: str) -> str:
    from bot.matching.normalize import fold_phrase

    return fold_phrase(text)


if __name__ == "__main__":
    sys.exit(main())
