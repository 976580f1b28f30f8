"""Load and validate the catalog: tracked entities with their names, and the themes.

The catalog ships as the files of `catalog/` beside this module (one per kind); admins extend it in feeds.yml under
`watch:` (`aliases:` for more names of an id, `entities:` and `themes:` for new ones). Every
mistake is a CatalogError naming the file and the entry, never a traceback.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

import yaml

from bot.errors import CatalogError
from bot.matching.normalize import fold, fold_phrase

ENTITY_TYPES = {"group", "person", "place", "organization", "agreement", "party"}
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_ENTITY_KEYS = {"type", "name", "description", "aliases", "acronyms", "scripts", "titles", "ambiguous",
                "not_after", "not_before", "implies", "relations", "regional", "coordinates"}
_THEME_KEYS = {"name", "description", "cues", "veto", "entities", "requires", "threshold"}
_AMBIGUOUS_KEYS = {"alias", "needs", "after", "case", "unless", "before", "not_before", "surname"}
WITHIN = "within:"  # in `needs:`, "within:ID" stands for every place located in ID, at any depth (not ID itself)
# Words that may stand right before a person's surname without making it another person's name.
HONORIFICS = frozenset("""mr mrs ms dr mullah mulla mawlawi maulvi molvi mawlana maulana mufti qari hafiz haji sheikh
    shaikh syed sayed khalifa general gen lt lieutenant marshal field major colonel col brigadier president minister
    ministers premier pm fm chief commander emir amir spokesman envoy ambassador senator deputy acting caretaker
    secretary governor justice interior foreign defence defense prime sahib janab""".split())
MAX_VARIANTS = 48

# Transliteration variants: each folded word on the left may also be written as those on the right.
_VARIANTS = {
    "tehrik": ("tehreek", "tahrik", "tehrek", "tahreek", "tehrik"),
    "e": ("i",), "i": ("e",),
    "qaeda": ("qaida", "qa'ida", "qaeda"), "qaida": ("qaeda",),
    "khorasan": ("khurasan",), "haqqani": ("haqani",),
    "mehsud": ("mahsud", "mehsood", "mahsood"), "mohammad": ("muhammad", "mohammed", "muhammed"),
    "muhammad": ("mohammad", "mohammed"), "yaqoob": ("yaqub", "yaqoub", "yakub"),
    "zawahiri": ("zawahri",), "baluchistan": ("balochistan",), "saif": ("sayf", "seif"),
    "adel": ("adl",), "taliban": ("taleban",), "daesh": ("daish",),
    "pakhtunkhwa": ("pakhtoonkhwa", "pukhtunkhwa"), "sirajuddin": ("serajuddin", "sirajudin"),
    "defence": ("defense",), "husain": ("hussain",), "noor": ("nur",), "ul": ("al", "ur"),
    # Spellings of the desk's people seen in real copy ("Muttaki", "Bradar", "Haibatullah").
    "muttaqi": ("mutaqi", "muttaki", "mottaki", "motaqi", "mutaki"), "baradar": ("bradar", "biradar", "beradar"),
    "hibatullah": ("haibatullah", "hebatullah", "hibatollah", "haibatollah"),
    "akhundzada": ("akhundzadah", "akhunzada", "akhondzada", "akhundzadeh"),
    "zabihullah": ("zabiullah", "zabihollah", "zabeehullah"), "shehbaz": ("shahbaz", "shehbaaz"),
    "khawaja": ("khwaja", "khuwaja"), "munir": ("muneer",), "akhund": ("akhond", "akhoond"), "hassan": ("hasan",),
    "khorasani": ("khurasani",), "khurasani": ("khorasani",), "fazlullah": ("fazalullah",), "naqvi": ("naqavi",),
    "karzai": ("karzay",), "fitrat": ("fetrat",), "khairkhwa": ("khairkhah", "khairkhawa"),
}


@dataclass(frozen=True)
class AliasRule:
    """One searchable name of an entity and the conditions under which it counts."""

    entity: str
    alias: str  # as written in the catalog
    key: str  # what is searched for in folded text
    case_sensitive: bool = False
    kind: str = "alias"  # alias | acronym | script | title | ambiguous
    after: re.Pattern | None = None
    needs: tuple[str, ...] = ()
    lang: str = "en"
    unless: re.Pattern | None = None  # a pattern anywhere in the item that rules this name out
    before: re.Pattern | None = None  # the words before must match this pattern
    not_before: re.Pattern | None = None  # ... and must not match this one
    surname_of: frozenset[str] = frozenset()  # a bare surname: another given name right before it is someone else

    @property
    def keeps_inner(self) -> bool:
        """Whether entities named inside this phrase are kept (titles like "UN chief")."""
        return self.kind == "title"


@dataclass(frozen=True)
class Entity:
    """A tracked group, person, place, organisation, party or agreement."""

    id: str
    type: str
    name: str
    description: str = ""
    aliases: tuple[str, ...] = ()
    relations: tuple[tuple[str, str], ...] = ()
    implies: tuple[str, ...] = ()
    not_after: re.Pattern | None = None
    not_before: re.Pattern | None = None
    regional: bool = True  # False: naming it alone does not put an item in the desk's region
    coordinates: tuple[float, float] | None = None  # (latitude, longitude) of a place


@dataclass(frozen=True)
class Cue:
    """A weighted phrase pattern that points to a theme."""

    pattern: str
    regex: re.Pattern
    weight: float


@dataclass(frozen=True)
class Theme:
    """A subject the desk follows, scored from weighted cues, vetoes and named entities."""

    id: str
    name: str
    description: str
    cues: tuple[Cue, ...]
    veto: tuple[Cue, ...] = ()
    entities: tuple[tuple[str, ...], ...] = ()  # one of each group must be named
    requires: tuple[Cue, ...] = ()
    # per entity group, words that stand for a member the catalog does not track (or None)
    stand_ins: tuple[Cue | None, ...] = ()
    threshold: float = 2.0


@dataclass(frozen=True)
class Catalog:
    """Everything the matcher knows, validated."""

    entities: dict[str, Entity]
    rules: tuple[AliasRule, ...]
    themes: dict[str, Theme] = field(default_factory=dict)

    def not_regional(self) -> frozenset[str]:
        """The entities marked `regional: false`: world bodies, far neighbours, people known for other things."""
        return frozenset(entity.id for entity in self.entities.values() if not entity.regional)


CATALOG_FILES = ("groups.yml", "people.yml", "places.yml", "districts.yml", "afghanistan.yml", "towns.yml",
                 "organizations.yml", "themes.yml")


def default_catalog_parts(files: tuple[str, ...] = CATALOG_FILES) -> list[tuple[str, str]]:
    """Return the shipped catalog's files as (text, name for error messages), in load order.

    `shared.yml` holds the format notes and the YAML anchors every file may use, so it is read
    in front of each file rather than on its own.
    """
    folder = resources.files("bot.matching").joinpath("catalog")
    shared = folder.joinpath("shared.yml").read_text(encoding="utf-8")
    return [(shared + folder.joinpath(name).read_text(encoding="utf-8"), f"catalog/{name}") for name in files]


def load_catalog(watch: dict | None = None, *, path: Path | None = None,
                 files: tuple[str, ...] = CATALOG_FILES) -> Catalog:
    """Load the shipped catalog (or the single file `path`, or some of its `files`), extend it with `watch:`, validate it."""
    if path is not None:
        parts = [(Path(path).read_text(encoding="utf-8"), str(path))]
    else:
        parts = default_catalog_parts(files)
    entities: dict[str, tuple[object, str]] = {}
    themes: dict[str, tuple[object, str]] = {}
    gazetteer: list[tuple[dict, str]] = []
    for text, place in parts:
        data = _parse_part(text, place)
        for section, target in (("entities", entities), ("themes", themes)):
            for key, value in (data.get(section) or {}).items():
                if key in target:
                    raise CatalogError(f"{place}: {section}.{key}: id already defined in {target[key][1]}")
                target[key] = (value, f"{place}: {section}.{key}")
        if data.get("geonames"):
            gazetteer.append((data["geonames"], place))
    for extra, place in gazetteer:
        _merge_gazetteer(extra, place, entities)
    if not entities:
        raise CatalogError(f"{parts[0][1]}: needs an `entities:` mapping")
    extra_aliases: dict[str, tuple[list, str]] = {}
    if watch:
        _merge_watch(watch, entities, themes, extra_aliases)
    return _build(entities, themes, extra_aliases)


class _UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses a key given twice in one mapping (YAML would keep the last silently)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                continue  # left to the usual error
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"key {key!r} given twice", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _parse_part(text: str, place: str) -> dict:
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as exc:
        raise CatalogError(f"{place}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise CatalogError(f"{place}: needs an `entities:` or `themes:` mapping")
    data = {key: value for key, value in data.items() if not str(key).startswith("_")}  # YAML anchors
    for section in ("entities", "themes"):
        if data.get(section) is not None and not isinstance(data[section], dict):
            raise CatalogError(f"{place}: `{section}:` must be a mapping of id -> definition")
    return data


def _merge_gazetteer(extra, place: str, entities: dict) -> None:
    """Add a `geonames:` section's script names, and coordinates where none are given, to known places."""
    if not isinstance(extra, dict):
        raise CatalogError(f"{place}: `geonames:` must map entity ids to scripts and coordinates")
    for entity_id, data in extra.items():
        if entity_id not in entities:
            raise CatalogError(f"{place}: geonames.{entity_id}: unknown entity id{_suggest(entity_id, entities)}")
        if not isinstance(data, dict) or set(data) - {"scripts", "coordinates"}:
            raise CatalogError(f"{place}: geonames.{entity_id}: only scripts and coordinates may be added")
        spec, where = entities[entity_id]
        spec = dict(spec)
        if "coordinates" in data and spec.get("coordinates") is None:
            spec["coordinates"] = data["coordinates"]
        scripts = {lang: list(names) for lang, names in (spec.get("scripts") or {}).items()}
        known = {fold_phrase(name) for names in scripts.values() for name in names}
        for lang, names in (data.get("scripts") or {}).items():
            for name in names if isinstance(names, list) else [names]:
                if fold_phrase(str(name)) not in known:
                    known.add(fold_phrase(str(name)))
                    scripts.setdefault(lang, []).append(str(name))
        if scripts:
            spec["scripts"] = scripts
        entities[entity_id] = (spec, where)


def _merge_watch(watch, entities, themes, extra_aliases) -> None:
    place = "feeds.yml: watch"
    if not isinstance(watch, dict):
        raise CatalogError(f"{place}: must be a mapping with aliases, entities or themes")
    unknown = set(watch) - {"aliases", "entities", "themes"}
    if unknown:
        raise CatalogError(f"{place}: unknown key {sorted(unknown)[0]!r} (expected aliases, entities, themes)")
    for section, target in (("entities", entities), ("themes", themes)):
        block = watch.get(section) or {}
        if not isinstance(block, dict):
            raise CatalogError(f"{place}.{section}: must be a mapping of id -> definition")
        for key, value in block.items():
            if key in target:
                raise CatalogError(f"{place}.{section}.{key}: id already in the catalog; use watch.aliases to add names")
            target[key] = (value, f"{place}.{section}.{key}")
    aliases = watch.get("aliases") or {}
    if not isinstance(aliases, dict):
        raise CatalogError(f"{place}.aliases: must be a mapping of entity id -> list of names")
    for key, names in aliases.items():
        if not isinstance(names, list) or not all(isinstance(name, str) and name.strip() for name in names):
            raise CatalogError(f"{place}.aliases.{key}: must be a list of names")
        extra_aliases[key] = (names, f"{place}.aliases.{key}")


def _build(entity_specs, theme_specs, extra_aliases) -> Catalog:
    entities, rules = {}, []
    for entity_id, (spec, place) in entity_specs.items():
        entity, entity_rules = _entity(entity_id, spec, place)
        entities[entity_id] = entity
        rules.extend(entity_rules)
    for entity_id, (names, place) in extra_aliases.items():
        if entity_id not in entities:
            raise CatalogError(f"{place}: unknown entity id {entity_id!r}{_suggest(entity_id, entities)}")
        rules.extend(_plain_rules(entity_id, names, place))
    for entity_id, (spec, place) in entity_specs.items():
        _check_references(entities[entity_id], spec, place, entities)
    _check_duplicates(rules, entity_specs, extra_aliases)
    rules = _expand_within(rules, entities)
    themes = {theme_id: _theme(theme_id, spec, place, entities) for theme_id, (spec, place) in theme_specs.items()}
    return Catalog(entities=entities, rules=tuple(rules), themes=themes)


def places_within(entities: dict[str, Entity], parent: str) -> set[str]:
    """`parent` and every entity located in it, directly or through other places."""
    children: dict[str, set[str]] = {}
    for entity in entities.values():
        for relation, target in entity.relations:
            if relation == "located-in":
                children.setdefault(target, set()).add(entity.id)
    found, todo = {parent}, [parent]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _expand_within(rules: list[AliasRule], entities: dict[str, Entity]) -> list[AliasRule]:
    """Replace each "within:ID" of a rule's `needs` by the places it stands for."""
    expanded = []
    for rule in rules:
        if any(need.startswith(WITHIN) for need in rule.needs):
            needs = [need for need in rule.needs if not need.startswith(WITHIN)]
            for need in rule.needs:
                if need.startswith(WITHIN):
                    parent = need.removeprefix(WITHIN)
                    needs.extend(sorted(places_within(entities, parent) - {parent}))
            rule = replace(rule, needs=tuple(dict.fromkeys(needs)))
        expanded.append(rule)
    return expanded


def _entity(entity_id: str, spec, place: str) -> tuple[Entity, list[AliasRule]]:
    if not _ID.match(str(entity_id)):
        raise CatalogError(f"{place}: bad id {entity_id!r} (use lower-case words joined by hyphens)")
    if not isinstance(spec, dict):
        raise CatalogError(f"{place}: must be a mapping with type, name and aliases")
    unknown = set(spec) - _ENTITY_KEYS
    if unknown:
        raise CatalogError(f"{place}: unknown key {sorted(unknown)[0]!r}")
    if spec.get("type") not in ENTITY_TYPES:
        raise CatalogError(f"{place}.type: must be one of {', '.join(sorted(ENTITY_TYPES))}, not {spec.get('type')!r}")
    name = spec.get("name")
    if not isinstance(name, str) or not name.strip():
        raise CatalogError(f"{place}.name: a name is required")
    rules = _plain_rules(entity_id, _strings(spec, "aliases", place), place)
    for acronym in _strings(spec, "acronyms", place):
        rules.extend(_acronym_rules(entity_id, acronym))
    scripts = spec.get("scripts") or {}
    if not isinstance(scripts, dict):
        raise CatalogError(f"{place}.scripts: must map a language code (ur, ps, fa, ar) to names")
    for lang in scripts:
        for script_name in _strings(scripts, lang, f"{place}.scripts"):
            rules.append(AliasRule(entity_id, script_name, fold_phrase(script_name), False, "script", lang=str(lang)))
    for title in _strings(spec, "titles", place):
        rules.extend(AliasRule(entity_id, title, key, False, "title") for key in variants(title))
    for index, rule in enumerate(spec.get("ambiguous") or []):
        rules.extend(_ambiguous(entity_id, rule, f"{place}.ambiguous[{index}]",
                                " ".join([name, *_strings(spec, "aliases", place)])))
    names = [name, *_strings(spec, "aliases", place), *_strings(spec, "acronyms", place)]
    regional = spec.get("regional", True)
    if not isinstance(regional, bool):
        raise CatalogError(f"{place}.regional: must be true or false, not {regional!r}")
    entity = Entity(
        id=entity_id, type=spec["type"], name=name.strip(), description=str(spec.get("description") or ""),
        aliases=tuple(dict.fromkeys(names)),
        relations=tuple(sorted(_relations(spec, place))),
        implies=tuple(_strings(spec, "implies", place)),
        not_after=_pattern(spec.get("not_after"), f"{place}.not_after"),
        not_before=_pattern(spec.get("not_before"), f"{place}.not_before"),
        regional=regional,
        coordinates=_coordinates(spec.get("coordinates"), f"{place}.coordinates"),
    )
    return entity, rules


def _coordinates(value, place: str) -> tuple[float, float] | None:
    """[latitude, longitude] in degrees, or None when the catalog gives none."""
    if value is None:
        return None
    if (not isinstance(value, list) or len(value) != 2
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
            or not (-90 <= value[0] <= 90 and -180 <= value[1] <= 180)):
        raise CatalogError(f"{place}: must be [latitude, longitude] in degrees")
    return float(value[0]), float(value[1])


def _plain_rules(entity_id: str, names: list[str], place: str) -> list[AliasRule]:
    seen, rules = set(), []
    for name in names:
        written = name.strip().casefold()
        if written in seen:
            raise CatalogError(f"{place}: duplicate alias {name!r}")
        seen.add(written)
        rules.extend(AliasRule(entity_id, name, key) for key in variants(name))
    return rules


def _ambiguous(entity_id: str, rule, place: str, own_name: str = "") -> list[AliasRule]:
    if not isinstance(rule, dict) or not isinstance(rule.get("alias"), str):
        raise CatalogError(f"{place}: must be a mapping with alias and needs or after")
    unknown = set(rule) - _AMBIGUOUS_KEYS
    if unknown:
        raise CatalogError(f"{place}: unknown key {sorted(unknown)[0]!r}")
    if not any(rule.get(key) for key in ("needs", "after", "before", "not_before", "surname")):
        raise CatalogError(f"{place}: an ambiguous name needs a rule (needs:, after:, before:, not_before: or surname:)")
    after = _pattern(rule.get("after"), f"{place}.after")
    context = {"unless": _pattern(rule.get("unless"), f"{place}.unless"),
               "before": _pattern(rule.get("before"), f"{place}.before"),
               "not_before": _pattern(rule.get("not_before"), f"{place}.not_before"),
               "surname_of": frozenset(fold_phrase(own_name).split()) if rule.get("surname") else frozenset()}
    needs = tuple(_strings(rule, "needs", place))
    if rule.get("case"):
        return [AliasRule(entity_id, rule["alias"], _cased_key(rule["alias"]), True, "ambiguous", after, needs,
                          **context)]
    return [AliasRule(entity_id, rule["alias"], key, False, "ambiguous", after, needs, **context)
            for key in variants(rule["alias"])]


def variants(name: str) -> list[str]:
    """Folded spellings of a name: transliterations, possessives inside it, the joined form."""
    words = fold_phrase(name).split(" ")
    options = [(word, *[v for v in _VARIANTS.get(word, ()) if v != word]) for word in words]
    keys = [fold_phrase(" ".join(combo)) for combo in itertools.islice(itertools.product(*options), MAX_VARIANTS)]
    if 2 <= len(words) <= 4:
        # "Islamic State's Khorasan branch" folds to "islamic state s khorasan branch".
        keys += [" ".join(words[:cut] + ["s"] + words[cut:]) for cut in range(1, len(words))]
    if 2 <= len(words) <= 3 and len("".join(words)) >= 8 and all(word.isalpha() for word in words):
        keys.append("".join(words))
    return list(dict.fromkeys(keys))


def _cased_key(acronym: str) -> str:
    return " ".join(fold(acronym).cased.split())


def _acronym_rules(entity_id: str, acronym: str) -> list[AliasRule]:
    """An acronym as written, and dotted ("U.S." folds to "U S") when it is 2-4 capitals."""
    key = _cased_key(acronym)
    rules = [AliasRule(entity_id, acronym, key, True, "acronym")]
    if key.isalpha() and key.isupper() and 2 <= len(key) <= 4:
        rules.append(AliasRule(entity_id, acronym, " ".join(key), True, "acronym"))
    return rules


def _strings(spec: dict, key: str, place: str) -> list[str]:
    value = spec.get(key) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, (str, int)) for item in value):
        raise CatalogError(f"{place}.{key}: must be a list of strings")
    return [str(item) for item in value if str(item).strip()]


def _relations(spec: dict, place: str):
    relations = spec.get("relations") or {}
    if not isinstance(relations, dict):
        raise CatalogError(f"{place}.relations: must map a relation to a list of entity ids")
    for relation in relations:
        for target in _strings(relations, relation, f"{place}.relations"):
            yield relation, target


def _check_references(entity: Entity, spec, place: str, entities: dict) -> None:
    for relation, target in entity.relations:
        if target not in entities:
            raise CatalogError(f"{place}.relations.{relation}: unknown entity id {target!r}{_suggest(target, entities)}")
    for target in entity.implies:
        if target not in entities:
            raise CatalogError(f"{place}.implies: unknown entity id {target!r}{_suggest(target, entities)}")
    for index, rule in enumerate(spec.get("ambiguous") or []):
        for target in rule.get("needs") or []:
            if str(target).removeprefix(WITHIN) not in entities:
                raise CatalogError(f"{place}.ambiguous[{index}].needs: unknown entity id {target!r}")


def _check_duplicates(rules: list[AliasRule], entity_specs, extra_aliases) -> None:
    owners: dict[tuple[str, bool], AliasRule] = {}
    for rule in rules:
        if rule.kind == "ambiguous":
            continue
        slot = (rule.key, rule.case_sensitive)
        other = owners.setdefault(slot, rule)
        if other.entity != rule.entity:
            place = (entity_specs.get(rule.entity) or extra_aliases.get(rule.entity) or (None, "catalog"))[1]
            raise CatalogError(f"{place}: alias {rule.alias!r} is already a name of {other.entity!r} "
                               f"(as {other.alias!r}); make one of them ambiguous with a rule")


def _theme(theme_id: str, spec, place: str, entities: dict) -> Theme:
    if not _ID.match(str(theme_id)):
        raise CatalogError(f"{place}: bad id {theme_id!r} (use lower-case words joined by hyphens)")
    if isinstance(spec, str):
        spec = {"description": spec}
    if not isinstance(spec, dict):
        raise CatalogError(f"{place}: must be a mapping with description and cues")
    unknown = set(spec) - _THEME_KEYS
    if unknown:
        raise CatalogError(f"{place}: unknown key {sorted(unknown)[0]!r}")
    cues = spec.get("cues") or {}
    if not isinstance(cues, dict) or not cues:
        raise CatalogError(f"{place}.cues: a theme needs cue patterns with weights")
    cue_list = []
    for pattern, weight in cues.items():
        if not isinstance(weight, (int, float)) or isinstance(weight, bool):
            raise CatalogError(f"{place}.cues.{pattern}: the weight must be a number")
        cue_list.append(_cue(str(pattern), float(weight), f"{place}.cues"))
    groups, stand_ins = _entity_groups(spec.get("entities"), f"{place}.entities")
    for target in (target for group in groups for target in group):
        if target not in entities:
            raise CatalogError(f"{place}.entities: unknown entity id {target!r}{_suggest(target, entities)}")
    threshold = spec.get("threshold", 2.0)
    if not isinstance(threshold, (int, float)) or threshold <= 0:
        raise CatalogError(f"{place}.threshold: must be a positive number")
    return Theme(
        id=theme_id, name=str(spec.get("name") or theme_id.replace("-", " ").capitalize()),
        description=str(spec.get("description") or ""), cues=tuple(cue_list),
        veto=tuple(_cue(p, 0.0, f"{place}.veto") for p in _strings(spec, "veto", place)),
        entities=groups, stand_ins=stand_ins,
        requires=tuple(_cue(p, 0.0, f"{place}.requires") for p in _strings(spec, "requires", place)),
        threshold=float(threshold),
    )


def _entity_groups(value, place: str) -> tuple[tuple[tuple[str, ...], ...], tuple[Cue | None, ...]]:
    """Read `entities:` as a list of ids (one group) or a list of lists (one id of each).

    A group may also hold one `{words: pattern}`: words that stand for members the catalog does
    not track ("Kazakhstan", "the CSTO"); the group is then met by one of its ids or by the words.
    Returns the groups of ids and, for each group, its stand-in words or None.
    """
    if not value:
        return (), ()
    if not isinstance(value, list):
        raise CatalogError(f"{place}: must be a list of entity ids, or a list of such lists")
    lists = [value] if all(isinstance(item, (str, dict)) for item in value) else value
    groups, stand_ins = [], []
    for number, group in enumerate(lists):
        if not isinstance(group, list):
            break
        ids = tuple(item for item in group if isinstance(item, str))
        words = [item for item in group if not isinstance(item, str)]
        if len(ids) + len(words) != len(group) or len(words) > 1 or any(
                not isinstance(item, dict) or set(item) != {"words"} for item in words):
            break
        groups.append(ids)
        stand_ins.append(_cue(str(words[0]["words"]), 0.0, f"{place}[{number}].words") if words else None)
    else:
        return tuple(groups), tuple(stand_ins)
    raise CatalogError(f"{place}: must be a list of entity ids, or a list of such lists")


def _cue(pattern: str, weight: float, place: str) -> Cue:
    folded = pattern.replace("-", " ").lower()
    try:
        regex = re.compile(rf"(?<![^\W_]){folded}(?![^\W_])")
    except re.error as exc:
        raise CatalogError(f"{place}: bad pattern {pattern!r}: {exc}") from exc
    return Cue(pattern, regex, weight)


def _pattern(value, place: str) -> re.Pattern | None:
    if value in (None, ""):
        return None
    try:
        return re.compile(str(value), re.IGNORECASE)
    except re.error as exc:
        raise CatalogError(f"{place}: bad pattern {value!r}: {exc}") from exc


def _suggest(name: str, known) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(known), n=3)
    return f" (did you mean {', '.join(close)}?)" if close else ""
