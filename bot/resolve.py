"""Resolve what a user typed ("ttp", "tehreek", "mehsud", an Urdu name) to an entity or a theme.

Tried in order: an exact id; an exact name, alias or script name, in any spelling the matcher
knows (a bare surname the catalog gives one person, "zardari", is that person); a unique prefix
of a name ("lakki"); a word of names that all belong to one entity ("akhundzada"). Several
entities for what was typed is a CommandError listing them; an unknown name one with the names
nearest by edit distance, or, when none is near, how to add it (`watch:` in feeds.yml, or
`watchdesk catalog suggest DIR` to find names in documents).
"""

from __future__ import annotations

import difflib

from bot.errors import CommandError
from bot.matching.catalog import Catalog, variants
from bot.matching.normalize import fold_phrase


class Resolver:
    """Name lookups over one catalog."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self._names: dict[str, set[tuple[str, str]]] = {}
        for entity in catalog.entities.values():
            self._add(entity.id.replace("-", " "), "entity", entity.id)
            for name in (entity.name, *entity.aliases):
                for key in variants(name):
                    self._add(key, "entity", entity.id)
        self._ambiguous: set[str] = set()
        self._surnames: dict[str, set[str]] = {}  # a bare surname -> the people the catalog gives it to
        self._plain: dict[str, set[str]] = {}  # a name that is some entity's own, not only under a context rule
        for rule in catalog.rules:
            self._add(rule.key.lower(), "entity", rule.entity)
            if rule.kind != "ambiguous":
                self._plain.setdefault(rule.key.lower(), set()).add(rule.entity)
            if rule.kind == "ambiguous":
                self._ambiguous.add(rule.key.lower())
                if rule.surname_of:
                    self._surnames.setdefault(rule.key.lower(), set()).add(rule.entity)
        for theme in catalog.themes.values():
            self._add(theme.id.replace("-", " "), "theme", theme.id)
            self._add(fold_phrase(theme.name), "theme", theme.id)

    def _add(self, key: str, kind: str, target: str) -> None:
        if key:
            self._names.setdefault(key, set()).add((kind, target))

    def resolve(self, text: str, *, kinds=("entity", "theme")) -> tuple[str, str]:
        """Return (kind, id) for what the user typed, or raise CommandError with suggestions."""
        key = fold_phrase(text.strip().lstrip("#@"))
        if key.startswith("the ") and key not in self._names:
            key = key[4:]  # "the Taliban"
        if not key:
            raise CommandError("give the name of an entity or a theme")
        exact = {hit for hit in self._names.get(key, ()) if hit[0] in kinds}
        own = self._plain.get(key, set())
        if len(own) == 1 and "entity" in kinds and ("entity", next(iter(own))) in exact:
            return "entity", next(iter(own))  # "taliban" is the Afghan Taliban; the TTP has it only by a context rule
        surname = self._surnames.get(key, set())
        if len(surname) == 1 and "entity" in kinds:  # "zardari" is the president, not his son
            return "entity", next(iter(surname))
        if key in self._ambiguous:  # "haqqani": Sirajuddin, Khalil, Husain, the network...
            exact |= {hit for name, hits in self._names.items() if f" {key} " in f" {name} "
                      for hit in hits if hit[0] in kinds}
        if len(exact) == 1:
            return next(iter(exact))
        if len(exact) > 1:
            direct = [hit for hit in exact if hit[1] == key.replace(" ", "-")]
            if len(direct) == 1:
                return direct[0]
            raise CommandError(f"{text!r} could mean several things", tuple(sorted(self.label(*h) + f" [{h[1]}]"
                                                                                  for h in exact))[:8])
        prefixed = {hit for name, hits in self._names.items() if name.startswith(key) and len(key) >= 3
                    for hit in hits if hit[0] in kinds}
        if len(prefixed) == 1:
            return next(iter(prefixed))
        if not prefixed:
            worded = {hit for name, hits in self._names.items() if f" {key} " in f" {name} " and len(key) >= 3
                      for hit in hits if hit[0] in kinds}
            if len(worded) == 1:  # "akhundzada", "gandapur": a word of one entity's names
                return next(iter(worded))
            if worded:
                raise CommandError(f"{text!r} could mean several things",
                                   tuple(sorted(self.label(*h) + f" [{h[1]}]" for h in worded))[:8])
        suggestions = self.suggest(key, kinds, prefixed)
        if suggestions:
            raise CommandError(f"no tracked entity or theme is called {text!r}", suggestions)
        raise CommandError(f"no tracked entity or theme is called {text!r}; to follow it, add it under `watch:` "
                           "in feeds.yml (see the README), or list the names your documents use with "
                           "`watchdesk catalog suggest DIR`")

    def suggest(self, key: str, kinds, prefixed=()) -> tuple[str, ...]:
        """Up to eight ids close to what was typed, the closest names first.

        Names that start with what was typed ("tehrik": the TTP and the TLP) are the answer when there
        are any; only without them are names merely spelled alike ("tehran") offered, nearest first.
        """
        names = [name for name, hits in self._names.items() if any(h[0] in kinds for h in hits)]
        if prefixed:
            wanted = {hit[1] for hit in prefixed}
            starting = sorted((name for name in names if name.startswith(key)), key=lambda n: (_distance(key, n), n))
            ids = [h[1] for name in starting for h in sorted(self._names[name]) if h[1] in wanted]
            return tuple(dict.fromkeys(ids))[:8]
        close = difflib.get_close_matches(key, names, n=24, cutoff=0.6)
        # What a person means by a typo: the names fewest edits away, whole names or one of their words
        # ("asim munr" is Asim Munir before Asim Malik; "tehrn" is no Tehrik).
        ranked = sorted(((_name_distance(key, name), name) for name in close), key=lambda pair: pair)
        if not ranked:
            return ()
        best = ranked[0][0]
        ids = [h[1] for distance, name in ranked if distance <= min(best + 2, max(2, len(key) // 2))
               for h in sorted(self._names[name]) if h[0] in kinds]
        return tuple(dict.fromkeys(ids))[:8]

    def complete(self, prefix: str, *, kinds=("entity",), limit: int = 25) -> list[tuple[str, str]]:
        """(label, id) pairs whose name or id starts with (or contains) what is being typed."""
        key = fold_phrase(prefix) if prefix.strip() else ""
        starts, contains = [], []
        for name, hits in sorted(self._names.items()):
            for kind, target in hits:
                if kind not in kinds:
                    continue
                if not key or name.startswith(key):
                    starts.append((kind, target))
                elif key in name:
                    contains.append((kind, target))
        seen, result = set(), []
        for kind, target in starts + contains:
            if (kind, target) not in seen:
                seen.add((kind, target))
                result.append((self.label(kind, target)[:100], target))
            if len(result) >= limit:
                break
        return result

    def label(self, kind: str, target: str) -> str:
        """A readable name for an entity or theme id."""
        if kind == "theme" and target in self.catalog.themes:
            return self.catalog.themes[target].name
        entity = self.catalog.entities.get(target)
        return entity.name if entity else target


def _name_distance(key: str, name: str) -> int:
    """Edits from what was typed to a name, or to as many of its leading or trailing words."""
    words, typed = name.split(), len(key.split())
    pieces = {name, " ".join(words[:typed]), " ".join(words[-typed:])}
    return min(_distance(key, piece) for piece in pieces if piece)


def _distance(a: str, b: str) -> int:
    """Levenshtein edit distance between two folded names."""
    previous = list(range(len(b) + 1))
    for i, char in enumerate(a, 1):
        current = [i]
        for j, other in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other)))
        previous = current
    return previous[-1]
