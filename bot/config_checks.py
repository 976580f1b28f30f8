"""Checks of feeds.yml against the catalog, made when the config is loaded.

The catalog is loaded with the `watch:` extensions; a mistake in them is a ConfigError at the
line of `feeds.yml` (or whichever file was loaded) that caused it, not a CatalogError naming a
shipped catalog file. Every entity and theme id an `alerts:` rule or a `digest:` target names
must exist: `feeds.yml:14: alerts[0].entities: unknown entity id 'tpp' (did you mean 'ttp'?)`.
"""

from __future__ import annotations

import difflib
import json
import re
from functools import lru_cache

from bot.errors import CatalogError, ConfigError

_WATCH_PLACE = re.compile(r"^feeds\.yml: (watch(?:\.[^\s:.\[]+(?:\[\d+\])?)*): (.*)$", re.DOTALL)
_ALIAS_CLASH = re.compile(r"^[^:]+: entities\.([\w-]+): alias '(.+?)' (is already a name of .*)$", re.DOTALL)
_STEP = re.compile(r"^([^\[]+)(?:\[(\d+)\])?$")


def check_against_catalog(data, file: str, settings):
    """Load the catalog with the config's `watch:` and check the ids it names; return the catalog."""
    watch = data.get("watch") if isinstance(data, dict) else None
    catalog = _catalog_or_located_error(watch, settings.watch, file, data)
    for section, targets in (("alerts", settings.alerts), ("digest", settings.digests)):
        for index, target in enumerate(targets):
            located = data[section][index]
            for kind, known, ids in (("entities", catalog.entities, target.entities),
                                     ("themes", catalog.themes, target.themes)):
                for position, target_id in enumerate(ids):
                    if target_id not in known:
                        raise ConfigError(_unknown(target_id, kind, catalog), file=file,
                                          line=_item_line(located, kind, position), key=f"{section}[{index}].{kind}")
    return catalog


def _unknown(target_id: str, kind: str, catalog) -> str:
    if kind == "entities" and target_id in catalog.themes:
        return f"{target_id!r} is a theme id: list it under themes"
    if kind == "themes" and target_id in catalog.entities:
        return f"{target_id!r} is an entity id: list it under entities"
    known, singular = (catalog.entities, "entity") if kind == "entities" else (catalog.themes, "theme")
    close = difflib.get_close_matches(target_id, list(known), n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown {singular} id {target_id!r}{hint}"


def _item_line(located, key: str, position: int) -> int | None:
    values = located.get(key)
    lines = getattr(values, "item_lines", None)
    if lines and position < len(lines):
        return lines[position]
    return getattr(located, "key_lines", {}).get(key) or getattr(located, "line", None)


def _catalog_or_located_error(located_watch, watch: dict, file: str, data):
    try:
        return _load(json.dumps(watch or {}, sort_keys=True, ensure_ascii=False))
    except CatalogError as exc:
        if not watch:
            raise
        raise _located(str(exc), located_watch, file, data) from None


@lru_cache(maxsize=4)
def _load(watch_json: str):
    """The catalog extended by this `watch:` (as JSON), loaded once per process for each."""
    from bot.matching.catalog import load_catalog

    return load_catalog(json.loads(watch_json) or None)


def _located(message: str, watch, file: str, data) -> ConfigError:
    """Turn a catalog message about the `watch:` extensions into an error at their line."""
    watch_line = getattr(data, "key_lines", {}).get("watch")
    found = _WATCH_PLACE.match(message)
    if found:
        path, reason = found.groups()
        return ConfigError(reason, file=file, line=_line_of_path(watch, path, watch_line), key=path)
    clash = _ALIAS_CLASH.match(message)
    aliases = watch.get("aliases") if isinstance(watch, dict) else None
    if clash and isinstance(aliases, dict) and isinstance(aliases.get(clash.group(1)), list):
        entity_id, alias, rest = clash.groups()
        names = aliases[entity_id]
        lines = getattr(names, "item_lines", [])
        for position, name in enumerate(names):
            if str(name) == alias and position < len(lines):
                return ConfigError(f"{alias!r} {rest}", file=file, line=lines[position],
                                   key=f"watch.aliases.{entity_id}[{position}]")
    return ConfigError(message.removeprefix("feeds.yml: "), file=file, line=watch_line, key="watch")


def _line_of_path(watch, path: str, default: int | None) -> int | None:
    """The line of the deepest key of a `watch.a.b[2].c` path that the located YAML has."""
    node, line = watch, default
    for step in path.split(".")[1:]:
        found = _STEP.match(step)
        if not found or not isinstance(node, dict) or found.group(1) not in node:
            break
        line = getattr(node, "key_lines", {}).get(found.group(1), line)
        node = node[found.group(1)]
        if found.group(2) is not None:
            position = int(found.group(2))
            lines = getattr(node, "item_lines", [])
            if not isinstance(node, list) or position >= len(node):
                break
            line = lines[position] if position < len(lines) else line
            node = node[position]
    return line
