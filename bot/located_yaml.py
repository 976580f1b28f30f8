"""YAML with line numbers, and a reader that turns mistakes into located ConfigErrors."""

from __future__ import annotations

import difflib
import re

import yaml

from bot.errors import ConfigError

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_DURATION_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|kib|mib|gib)?\s*$", re.IGNORECASE)
_SIZE_UNITS = {"b": 1, "kb": 1000, "mb": 1000**2, "gb": 1000**3, "kib": 1024, "mib": 1024**2,
               "gib": 1024**3, None: 1}


_KIND_NAMES = {bool: "true or false", list: "a list", dict: "a mapping", str: "text", int: "a number",
               float: "a number", type(None): "empty"}


class LocatedMapping(dict):
    """A YAML mapping that remembers the line of each key (1-based)."""

    line: int = 0
    key_lines: dict


class LocatedSequence(list):
    """A YAML sequence that remembers its line and the line of each element."""

    line: int = 0
    item_lines: list


MAX_DEPTH = 100  # nesting levels; PyYAML composes recursively, so deeper input is refused, located
MAX_NODES = 1_000_000  # values once aliases are expanded: an alias bomb is refused before it is built


class LineLoader(yaml.SafeLoader):
    """A safe YAML loader whose mappings and sequences know their line numbers.

    Input is bounded: nesting depth while composing, and the size the document would reach with
    every alias expanded, checked on the node graph before any Python object is built.
    """

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise ConfigError(f"nested deeper than {MAX_DEPTH} levels", line=mark.line + 1)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_document(self, node):
        _check_expanded_size(node)
        return super().construct_document(node)


def _check_expanded_size(root) -> None:
    """Refuse a document whose aliases would expand past MAX_NODES values (iterative, memoised)."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        children = _children(node)
        if not children_done:
            if id(node) in open_nodes:
                raise ConfigError("an alias refers to a value that contains it", line=node.start_mark.line + 1)
            open_nodes.add(id(node))
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)
            continue
        open_nodes.discard(id(node))
        size = 1 + sum(sizes[id(child)] for child in children)
        if size > MAX_NODES:
            raise ConfigError(f"too large once its aliases are expanded (over {MAX_NODES:,} values); "
                              "write the values out or use fewer aliases", line=node.start_mark.line + 1)
        sizes[id(node)] = size


def _children(node) -> list:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _construct_mapping(loader, node):
    loader.flatten_mapping(node)
    mapping = LocatedMapping()
    mapping.line, mapping.key_lines = node.start_mark.line + 1, {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise ConfigError(f"duplicate key {key!r}", line=key_node.start_mark.line + 1, key=str(key))
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    return mapping


def _construct_sequence(loader, node):
    sequence = LocatedSequence(loader.construct_object(child, deep=True) for child in node.value)
    sequence.line = node.start_mark.line + 1
    sequence.item_lines = [child.start_mark.line + 1 for child in node.value]
    return sequence


LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


class Reader:
    """Reads typed values out of a located mapping, raising ConfigError with file, line, key."""

    def __init__(self, file: str, mapping, path: str, line: int = 0):
        self.file, self.path = file, path
        if not isinstance(mapping, dict):
            found = next((name for known, name in _KIND_NAMES.items() if isinstance(mapping, known)),
                         type(mapping).__name__)
            self.fail(f"must be a mapping of keys, not {found}", line=line)
        self.mapping = mapping
        self.line = getattr(mapping, "line", line)

    def key_path(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def line_of(self, key: str) -> int:
        return getattr(self.mapping, "key_lines", {}).get(key, self.line)

    def fail(self, reason: str, *, key: str | None = None, line: int | None = None):
        path = self.key_path(key) if key else self.path or None
        raise ConfigError(reason, file=self.file, line=line or (self.line_of(key) if key else self.line),
                          key=path)

    def only(self, allowed) -> None:
        for key in self.mapping:
            if key not in allowed:
                hint = difflib.get_close_matches(str(key), list(allowed), n=1)
                suffix = f" (did you mean {hint[0]!r}?)" if hint else ""
                self.fail(f"unknown key{suffix}; allowed: {', '.join(sorted(allowed))}", key=str(key))

    def get(self, key, kind, default=None, *, required=False):
        if key not in self.mapping or self.mapping[key] is None:
            if required:
                self.fail("is required", key=key, line=self.line)
            return default
        value = self.mapping[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            kinds = kind if isinstance(kind, tuple) else (kind,)
            names = " or ".join(dict.fromkeys(_KIND_NAMES.get(k, k.__name__) for k in kinds))
            found = next((name for known, name in _KIND_NAMES.items() if isinstance(value, known)),
                         type(value).__name__)
            self.fail(f"must be {names}, not {found} ({value!r})", key=key)
        return value

    def text(self, key, default=None, *, required=False) -> str | None:
        value = self.get(key, (str, int, float), default, required=required)
        return None if value is None else str(value)

    def duration(self, key, default: float, *, minimum=0.0, maximum=30 * 86400.0) -> float:
        value = self.get(key, (str, int, float), None)
        if value is None:
            return default
        seconds = parse_duration(value)
        if seconds is None:
            self.fail(f"is not a duration: {value!r} (use e.g. 30s, 10m, 2h)", key=key)
        if not minimum <= seconds <= maximum:
            self.fail(f"{value!r} is out of range ({_human(minimum)} to {_human(maximum)})", key=key)
        return seconds

    def size(self, key, default: int) -> int:
        value = self.get(key, (str, int), None)
        if value is None:
            return default
        match = _SIZE.match(str(value))
        if not match or float(match.group(1)) <= 0:
            self.fail(f"is not a size: {value!r} (use e.g. 500KB, 10MB)", key=key)
        return int(float(match.group(1)) * _SIZE_UNITS[(match.group(2) or "").lower() or None])

    def strings(self, key) -> tuple[str, ...]:
        value = self.get(key, list, [])
        for index, element in enumerate(value):
            if not isinstance(element, (str, int)) or isinstance(element, bool):
                self.fail(f"element {index} must be a string, not {type(element).__name__}", key=key)
        return tuple(str(element) for element in value)

    def child(self, key, default=None):
        value = self.mapping.get(key)
        if value is None:
            return None if default is None else Reader(self.file, default, self.key_path(key))
        return Reader(self.file, value, self.key_path(key), self.line_of(key))

    def children(self, key):
        value = self.get(key, list, [])
        lines = getattr(value, "item_lines", [self.line_of(key)] * len(value))
        return [Reader(self.file, element, f"{self.key_path(key)}[{index}]", lines[index])
                for index, element in enumerate(value)]


def _human(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def parse_duration(value) -> float | None:
    """Parse 90, "90s", "10m", "2h", "1d" into seconds; None when it is not a duration."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    match = _DURATION.match(str(value))
    if not match:
        return None
    return float(match.group(1)) * _DURATION_UNITS[match.group(2)]
