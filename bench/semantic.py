"""Cost of the numpy sentence-embedding scorer (the `semantic` extra).

    python bench/semantic.py [--items 200] [--rounds 3] [--threads N]

Prints the model load time, the resident memory the libraries and the model add, and per-item
latency (mean and p95) for batches of 1 and of 32 over news-like headlines with summaries.
`--threads` caps the BLAS threads (set before numpy is imported); the default is numpy's own.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ACTORS = ["Militants", "Security forces", "Gunmen", "Officials", "Traders", "Tribal elders",
          "The interior ministry", "Police", "Border guards", "Students", "Health workers"]
ACTIONS = ["attacked a checkpoint", "closed the crossing", "held talks", "announced a curfew",
           "protested fuel shortages", "reopened the highway", "arrested three suspects",
           "launched a vaccination drive", "traded fire", "met a delegation", "seized weapons"]
PLACES = ["Peshawar", "Quetta", "Chaman", "Torkham", "Kabul", "Kandahar", "Jalalabad", "Bannu",
          "Khost", "North Waziristan", "Bajaur", "Islamabad", "Herat", "Swat", "Zhob", "Kurram"]
DETAILS = ["after a night of heavy rain", "despite a ceasefire agreed last week",
           "as wheat prices climbed for a third day", "hours before the governor's visit",
           "while a jirga of local elders called for calm", "amid a dispute over customs duties",
           "following a drone strike in the district", "as flood relief convoys were delayed"]
CLOSINGS = ["Officials said an inquiry had been ordered.", "No group has claimed responsibility.",
            "Markets remained shut and traffic was diverted.", "Talks are due to resume on Monday.",
            "Hospitals in the area were put on alert.", "Residents said the situation was tense."]


def news_texts(count: int) -> list[str]:
    """Headline plus a two- to four-sentence summary, deterministic."""
    rng = random.Random(7)
    texts = []
    for _ in range(count):
        place = rng.choice(PLACES)
        headline = f"{rng.choice(ACTORS)} {rng.choice(ACTIONS)} in {place}"
        sentences = [f"{rng.choice(ACTORS)} in {place} {rng.choice(ACTIONS)} {rng.choice(DETAILS)}."
                     for _ in range(rng.randint(1, 3))]
        texts.append(f"{headline}\n{' '.join(sentences)} {rng.choice(CLOSINGS)}")
    return texts


def resident_megabytes() -> float:
    """Current resident set size in MB (VmRSS), or the peak where /proc is unavailable."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of the sorted values lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def per_item_latencies(scorer, texts: list[str], batch_size: int, rounds: int) -> list[float]:
    """Seconds per item for each batch call, over `rounds` passes through the texts."""
    latencies = []
    for _ in range(rounds):
        for start in range(0, len(texts), batch_size):
            batch = texts[start:start + batch_size]
            began = time.perf_counter()
            scorer.embed(batch, batch_size=batch_size)
            latencies.append((time.perf_counter() - began) / len(batch))
    return latencies


def main() -> None:
    """Measure load time, memory and latency; print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None)
    arguments = parser.parse_args()
    if arguments.threads:
        for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[variable] = str(arguments.threads)

    texts = news_texts(arguments.items)
    before_imports = resident_megabytes()
    began = time.perf_counter()
    import safetensors  # noqa: F401
    import tokenizers  # noqa: F401

    from bot.matching.semantic import SemanticScorer  # imports numpy
    imports_seconds = time.perf_counter() - began
    before_model = resident_megabytes()
    began = time.perf_counter()
    scorer = SemanticScorer.load()
    load_seconds = time.perf_counter() - began
    if scorer is None:
        sys.exit("the `semantic` extra is not installed: pip install 'watchdesk[semantic]'")
    after_model = resident_megabytes()
    scorer.embed(texts[:32])  # warm up allocator and BLAS threads

    tokens = [len(scorer.tokenizer.encode(text).ids) for text in texts]
    print(f"texts: {len(texts)} headlines with summaries, tokens mean {statistics.mean(tokens):.0f}"
          f" max {max(tokens)}; cpus {os.cpu_count()}, BLAS threads {arguments.threads or 'default'}")
    print(f"load: imports {imports_seconds * 1000:.0f} ms, model {load_seconds * 1000:.0f} ms")
    print(f"memory: imports +{before_model - before_imports:.0f} MB, model +{after_model - before_model:.0f}"
          f" MB (resident {after_model:.0f} MB)")
    for batch_size in (1, 32):
        latencies = per_item_latencies(scorer, texts, batch_size, arguments.rounds)
        mean = statistics.mean(latencies)
        print(f"batch {batch_size:>2}: per item mean {mean * 1000:.2f} ms, p95 "
              f"{percentile(latencies, 0.95) * 1000:.2f} ms ({1 / mean:.0f} items/s, "
              f"{len(latencies)} calls)")
    print(f"memory after embedding: resident {resident_megabytes():.0f} MB")


if __name__ == "__main__":
    main()
