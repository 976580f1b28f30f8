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

    python bench/theme_classifier.py --leave-one-out [--test ../shared/eval/dev.jsonl]

asks whether a classifier trained on the project's own labelled probe sets (bench/probes/
themes-*.jsonl, entities*.jsonl) lifts theme F1 on a set it did not train on: for each set
themes-real-a..k, the classifier is trained on every other probe set (items whose text is in the
held-out set are dropped), its thresholds (--high, --lift, --alone) are chosen by cross-validation
over the training sets only (folds are whole sets), and rules, rules+clf, lift and the classifier
alone are scored on the held-out set. Each --test file is scored the same way with the classifier
trained on every probe set; it is never trained on. Embeddings are cached in --cache.
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

    targets = numpy.array([[label == theme for theme in themes] for label in labels], dtype=numpy.float32)
    return fit(vectors, targets, rounds, rate, penalty)


def fit(vectors, targets, rounds: int = 400, rate: float = 0.5, penalty: float = 1e-3):
    """Logistic regression per column of `targets` (items x themes, 0/1), positives weighted up."""
    import numpy

    weights = numpy.zeros((vectors.shape[1], targets.shape[1]), dtype=numpy.float32)
    biases = numpy.zeros(targets.shape[1], dtype=numpy.float32)
    positives = targets.sum(axis=0)
    balance = numpy.where(targets > 0, (len(targets) - positives) / numpy.maximum(positives, 1), 1.0)
    for _ in range(rounds):
        probabilities = 1 / (1 + numpy.exp(-(vectors @ weights + biases)))
        error = (probabilities - targets) * balance
        weights -= rate * (vectors.T @ error / len(targets) + penalty * weights)
        biases -= rate * error.mean(axis=0)
    return weights, biases


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--high", type=float, default=0.9, help="classifier probability that adds a theme")
    parser.add_argument("--alone", type=float, default=0.7, help="probability for the classifier alone")
    parser.add_argument("--lift", type=float, default=2.0, help="score added per unit of confidence above 0.5")
    parser.add_argument("--leave-one-out", action="store_true",
                        help="train on the probe sets, leaving out each of themes-real-a..k in turn")
    parser.add_argument("--test", type=Path, action="append", default=[],
                        help="with --leave-one-out: a file scored only, never trained on (repeatable)")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/watchdesk-theme-embeddings.npz"),
                        help="with --leave-one-out: embeddings cached here")
    parser.add_argument("--only", action="append", default=[],
                        help="with --leave-one-out: hold out only this set (e.g. themes-real-k; repeatable)")
    parser.add_argument("--rules-from", type=Path,
                        help="with --leave-one-out: take bot/ (rules and catalog) from this directory, e.g. an"
                             " earlier commit's tree unpacked by `git archive`, to score the rules a set first met")
    args = parser.parse_args()
    if args.leave_one_out:
        return leave_one_out(args)
    if not args.files:
        parser.error("give labelled files, or --leave-one-out")
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


PROBES = Path(__file__).with_name("probes")
HIGH_GRID = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 1.01)  # 1.01: never adds a theme
LIFT_GRID = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0)  # 0: the rules alone
ALONE_GRID = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
INNER_FOLDS = 5


class Scored:
    """What the rules say of one item, kept so that each threshold is tried without matching again."""

    def __init__(self, rules, themes: list[str], item: dict):
        import numpy

        title, summary = item["title"], item.get("summary", "")
        found = rules.match(title, summary)
        self.text = f"{title}. {summary}"
        self.gold = set(item.get("themes") or ())
        self.rules = set(found.theme_ids)
        self.regional = rules.theme_scorer.region(title, summary, found.entities).regional
        folded = [_fold(text) for text in (title, summary)]
        self.short = numpy.full(len(themes), numpy.inf)  # cue score still missing; inf when blocked
        if self.regional:
            for index, theme in enumerate(themes):
                definition = rules.catalog.themes[theme]
                total, _, blocked = rules.theme_scorer.theme_score(definition, *folded, found.entities)
                if not blocked:
                    self.short[index] = definition.threshold - total


def predict(item: Scored, row, themes: list[str], design: str, value: float) -> set[str]:
    """The themes one design gives an item, with the classifier's probabilities `row`."""
    if design == "rules":
        return set(item.rules)
    if not item.regional:
        return set(item.rules) if design != "classifier" else set()
    if design == "classifier":
        return {theme for theme, p in zip(themes, row) if p >= value}
    if design == "rules+clf":
        return item.rules | {theme for theme, p in zip(themes, row) if p >= value}
    return item.rules | {theme for theme, p, short in zip(themes, row, item.short)
                         if max(0.0, p - 0.5) * 2 * value >= short}


def score_design(items, probabilities, themes, design: str, value: float):
    from bot.matching.evaluate import Score

    score = Score()
    for item, row in zip(items, probabilities):
        score.add(predict(item, row, themes, design, value), item.gold)
    return score


def embed_cached(semantic, texts: list[str], cache: Path):
    """Embeddings of `texts`, read from and added to the cache file; also the seconds spent embedding."""
    import hashlib

    import numpy

    def key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    known = {}
    if cache.exists():
        with numpy.load(cache) as stored:
            known = dict(zip(stored["keys"].tolist(), stored["vectors"]))
    missing = list(dict.fromkeys(text for text in texts if key(text) not in known))
    began = time.process_time()
    if missing:
        for text, vector in zip(missing, semantic.embed(missing)):
            known[key(text)] = vector
        keys = list(known)
        numpy.savez(cache, keys=numpy.array(keys), vectors=numpy.stack([known[k] for k in keys]))
    return numpy.stack([known[key(text)] for text in texts]), time.process_time() - began, len(missing)


def probabilities_of(vectors, model):
    import numpy

    weights, biases = model
    return 1 / (1 + numpy.exp(-(vectors @ weights + biases)))


def tune(groups: list[list[int]], vectors, targets, items, themes):
    """Choose each design's threshold by cross-validation over whole training sets; return {design: value}."""
    import numpy

    out_of_fold = numpy.zeros(targets.shape, dtype=numpy.float32)
    folds = [[] for _ in range(INNER_FOLDS)]
    for group in sorted(groups, key=len, reverse=True):
        min(folds, key=lambda fold: sum(map(len, fold))).append(group)
    for fold in folds:
        held = numpy.zeros(len(items), dtype=bool)
        for group in fold:
            held[group] = True
        model = fit(vectors[~held], targets[~held])
        out_of_fold[held] = probabilities_of(vectors[held], model)
    chosen = {}
    for design, grid in (("rules+clf", HIGH_GRID), ("lift", LIFT_GRID), ("classifier", ALONE_GRID)):
        chosen[design] = max(grid, key=lambda value: (score_design(items, out_of_fold, themes, design, value).f1,
                                                      -abs(value - grid[-1]) if design == "rules+clf" else -value))
    return chosen


def leave_one_out(args) -> int:
    os.environ["WATCHDESK_SEMANTIC"] = "1"
    if args.rules_from:
        sys.path.insert(0, str(args.rules_from.resolve()))
    import numpy

    import bot

    from bot.matching.loader import load_matcher
    from bot.matching.semantic import SemanticScorer

    semantic = SemanticScorer.load()
    if semantic is None:
        sys.exit("the semantic extra is not installed: make semantic")
    rules = load_matcher(semantic=False)
    themes = sorted(rules.catalog.themes)
    paths = sorted(PROBES.glob("themes-*.jsonl")) + sorted(PROBES.glob("entities*.jsonl"))
    sets = {path.stem: [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
            for path in paths}
    tests = {path.name: [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
             for path in args.test}
    scored = {name: [Scored(rules, themes, item) for item in items] for name, items in {**sets, **tests}.items()}
    texts = [item.text for items in scored.values() for item in items]
    vectors, seconds, embedded = embed_cached(semantic, texts, args.cache)
    by_set, start = {}, 0
    for name, items in scored.items():
        by_set[name] = vectors[start:start + len(items)]
        start += len(items)
    if embedded:
        print(f"embedded {embedded} texts: {seconds * 1000 / embedded:.1f} CPU-ms an item ({args.cache})")
    else:
        print(f"all {len(texts)} embeddings read from {args.cache}")
    designs = ("rules", "rules+clf", "lift", "classifier")
    held_out = [name for name in sets if name.startswith("themes-real-") and (not args.only or name in args.only)]
    print(f"rules and catalog from {Path(bot.__file__).parent}")
    print(f"training pool: {len(sets)} probe sets, {sum(map(len, sets.values()))} items; themes: {len(themes)}")
    print(f"{'held-out set':22} {'items':>5} " + " ".join(f"{name:>10}" for name in designs)
          + "   chosen --high / --lift / --alone")
    totals = {name: [] for name in designs}
    pooled = {name: None for name in designs}
    for name in held_out + list(tests):
        test_texts = {item.text for item in scored[name]}
        train_names = [other for other in sets if other != name]
        train_items, train_vectors, groups = [], [], []
        for other in train_names:
            keep = [index for index, item in enumerate(scored[other]) if item.text not in test_texts]
            groups.append(list(range(len(train_items), len(train_items) + len(keep))))
            train_items += [scored[other][index] for index in keep]
            train_vectors.append(by_set[other][keep])
        train_vectors = numpy.concatenate(train_vectors)
        targets = numpy.array([[theme in item.gold for theme in themes] for item in train_items], dtype=numpy.float32)
        chosen = tune(groups, train_vectors, targets, train_items, themes)
        probabilities = probabilities_of(by_set[name], fit(train_vectors, targets))
        row = []
        for design in designs:
            score = score_design(scored[name], probabilities, themes, design, chosen.get(design, 0.0))
            row.append(score)
            if name in held_out:
                totals[design].append(score.f1)
                if pooled[design] is None:
                    pooled[design] = score
                else:
                    for field in ("true_positives", "false_positives", "false_negatives"):
                        setattr(pooled[design], field, getattr(pooled[design], field) + getattr(score, field))
        print(f"{name:22} {len(scored[name]):>5} " + " ".join(f"{score.f1:>10.3f}" for score in row)
              + f"   {chosen['rules+clf']} / {chosen['lift']} / {chosen['classifier']}")
        if name == held_out[-1]:
            print(f"{'mean F1 of the sets':28} " + " ".join(f"{numpy.mean(totals[d]):>10.3f}" for d in designs))
            for design in designs:
                print(f"  pooled {design:11} themes P {pooled[design].precision:.3f} R {pooled[design].recall:.3f}"
                      f" F1 {pooled[design].f1:.3f}")
    return 0


def _fold(text: str) -> str:
    from bot.matching.normalize import fold_phrase

    return fold_phrase(text)


if __name__ == "__main__":
    sys.exit(main())
