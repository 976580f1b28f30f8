"""How many of the desk's names resolve to the right entity, through the path `watchdesk lookup` takes.

    .venv/bin/python bench/names.py [bench/probes/names.yml]

Each name of the probe file goes through `Resolver.resolve(name, kinds=("entity",))` over the shipped
catalog, as `lookup` does (bot/commands.py); prints the hit rate and every miss with what it
resolved to, or the error a user would see.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.errors import CommandError  # noqa: E402
from bot.matching.catalog import load_catalog  # noqa: E402
from bot.resolve import Resolver  # noqa: E402

DEFAULT = Path(__file__).resolve().parent / "probes" / "names.yml"


def read_names(path: Path) -> list[tuple[str, str]]:
    """The (typed, expected id) pairs of a names probe file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [(str(typed), str(expected)) for typed, expected in data.get("names") or ()]


def check(resolver: Resolver, names):
    """(typed, expected, got) for every name; got is an id or the error shown to the user."""
    for typed, expected in names:
        try:
            got = resolver.resolve(typed, kinds=("entity",))[1]
        except CommandError as error:
            got = f"error: {error.reason}" + (f" ({', '.join(error.suggestions)})" if error.suggestions else "")
        yield typed, expected, got


def main(argv=None) -> int:
    path = Path((argv or sys.argv[1:] or [DEFAULT])[0])
    catalog = load_catalog()
    unknown = sorted({expected for _, expected in read_names(path) if expected not in catalog.entities})
    if unknown:
        print("expected ids not in the catalog: " + ", ".join(unknown))
        return 2
    results = list(check(Resolver(catalog), read_names(path)))
    misses = [(typed, expected, got) for typed, expected, got in results if got != expected]
    hits = len(results) - len(misses)
    print(f"names: {hits} of {len(results)} resolve to the expected entity ({hits / len(results):.1%})")
    for typed, expected, got in misses:
        print(f"  miss {typed!r}: expected {expected}, got {got}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
