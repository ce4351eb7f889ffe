"""Loads mappings/ into typed objects, each file checked against its schema in mappings/schema/
(an unknown, missing or mistyped key is a MappingError naming the file and the key)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from budgetkg.cells import header_key
from budgetkg.errors import MappingError
from budgetkg.resources import mappings_dir

Terms = tuple[tuple[str, str], ...]  # (dimension, concept id) pairs, sorted

# libyaml's parser when PyYAML was built with it (its wheels are): 7x faster than pure Python
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_QUOTES = re.compile(r"[“”\"‘’「」]")
_FILES = ("document", "codes", "narrative", "kinds", "vocabulary", "policy", "policy-issuers",
          "links")


def _load_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except (OSError, yaml.YAMLError) as exc:
        raise MappingError(path, f"cannot read mapping: {exc}") from exc


def _checked(folder: Path, name: str) -> dict[str, Any]:
    """A mapping file, checked against mappings/schema/<name>.schema.yaml."""
    path = folder / f"{name}.yaml"
    data = _load_yaml(path)
    schema = _load_yaml(folder / "schema" / f"{name}.schema.yaml")
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        error = errors[0]
        key = ".".join(str(p) for p in error.absolute_path) or "(top level)"
        raise MappingError(path, f"{key}: {_explain(error)}")
    if not isinstance(data, dict):  # the schemas all ask for a mapping; a guard for mypy
        raise MappingError(path, "a mapping file must hold a YAML mapping")
    return data


def _explain(error: jsonschema.ValidationError) -> str:
    """The schema error in words a mapping author reads: which key is unknown or missing."""
    if error.validator == "additionalProperties" and isinstance(error.schema, dict):
        known = sorted(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(known)) if isinstance(error.instance,
                                                                         dict) else []
        return f"unknown key {', '.join(map(repr, extra))} (known keys: {', '.join(known)})"
    if error.validator == "required":
        return error.message.replace("is a required property", "is missing (a required key)")
    return error.message


def _compile(pattern: str, where: Path, key: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise MappingError(where, f"{key}: bad pattern {pattern!r}: {exc}") from exc


def _terms(raw: dict[str, str] | None) -> Terms:
    return tuple(sorted((str(k), str(v)) for k, v in (raw or {}).items()))


@dataclass(frozen=True)
class Kind:
    """A table kind: what its title says it is about (mappings/kinds.yaml)."""

    id: str
    label_zh: str
    label_en: str
    all: tuple[re.Pattern[str], ...]
    none: tuple[re.Pattern[str], ...] = ()
    terms: Terms = ()  # what every figure of a table of this kind is
    layout: str = "grid"
    part: bool = False  # the table prints a part of the budget (三公, 政府采购), not all of it
    headers: tuple[re.Pattern[str], ...] = ()  # what the first row says when there is no title
    # headers of the text columns that nest its rows, outermost first (政府采购: 品目大类 >
    # 专项名称 or 经济科目 > 采购物品名称): a row is the sum of the rows one level below it
    levels: tuple[re.Pattern[str], ...] = ()

    def fits(self, core: str) -> bool:
        return all(p.search(core) for p in self.all) and not any(p.search(core)
                                                                for p in self.none)

    def closeness(self, core: str) -> float:
        """How near a title comes to this kind: the share of its patterns it satisfies."""
        hits = sum(1 for p in self.all if p.search(core))
        hits += sum(1 for p in self.none if not p.search(core))
        return hits / (len(self.all) + len(self.none))


@dataclass(frozen=True)
class FormAmount:
    label: re.Pattern[str]
    terms: Terms


@dataclass(frozen=True)
class Form:
    """Where the fields of a form-layout table are (mappings/kinds.yaml `forms`)."""

    goal: re.Pattern[str]
    tasks: re.Pattern[str]
    amounts: tuple[FormAmount, ...]


@dataclass(frozen=True)
class ColumnRule:
    role: str
    header: re.Pattern[str]
    part: int = 0
    level: int = 0


@dataclass(frozen=True)
class Vocabulary:
    """What printed words mean (mappings/vocabulary.yaml)."""

    words: tuple[tuple[str, Terms], ...]  # longest first
    title_dimensions: frozenset[str]
    row_dimensions: frozenset[str]
    columns: tuple[ColumnRule, ...]
    schemes: tuple[tuple[str, re.Pattern[str]], ...]
    money: re.Pattern[str]
    total: re.Pattern[str]
    of_which: re.Pattern[str]
    current_year: re.Pattern[str]
    item_levels: tuple[re.Pattern[str], ...]
    placeholders: tuple[re.Pattern[str], ...]
    comparators: tuple[tuple[str, str], ...]  # printed -> canonical, longest first

    def terms_of(self, text: str) -> Terms:
        """The terms of the words in a text: longest word first, words never overlapping."""
        key = _QUOTES.sub("", header_key(text))
        taken = [False] * len(key)
        found: set[tuple[str, str]] = set()
        for word, terms in self.words:
            start = key.find(word)
            while start >= 0:
                end = start + len(word)
                if not any(taken[start:end]):
                    taken[start:end] = [True] * len(word)
                    found.update(terms)
                start = key.find(word, end)
        return tuple(sorted(found))

    def column_rule(self, element: str) -> ColumnRule | None:
        key = header_key(element)
        return next((r for r in self.columns if r.header.search(key)), None)

    def scheme_of(self, text: str) -> str:
        key = header_key(text)
        return next((name for name, p in self.schemes if p.search(key)), "")

    def item_level(self, label: str) -> int:
        """1 for 一、…, 2 for （一）… or 1. …, 3 for (1) …; 0 for a label without numbering."""
        return next((i + 1 for i, p in enumerate(self.item_levels) if p.search(label)), 0)

    def is_placeholder(self, text: str) -> bool:
        return any(p.search(text.strip()) for p in self.placeholders)


@dataclass(frozen=True)
class Mappings:
    """Everything in mappings/: document patterns, code shapes, narrative rules, table kinds,
    the vocabulary of printed words, and what a document links to."""

    document: dict[str, Any]
    codes: dict[str, Any]
    narrative: dict[str, Any]
    kinds: tuple[Kind, ...]
    unrecognised: Kind
    title_noise: tuple[re.Pattern[str], ...]
    forms: dict[str, Form]
    vocabulary: Vocabulary
    policy: dict[str, Any]
    issuers: dict[str, Any]
    links: dict[str, Any]

    def kind(self, kind_id: str) -> Kind:
        if kind_id == self.unrecognised.id:
            return self.unrecognised
        for kind in self.kinds:
            if kind.id == kind_id:
                return kind
        raise KeyError(kind_id)

    def title_core(self, title: str, organisation: str = "") -> str:
        """A title without its label, year, organisation, scope words and qualifiers."""
        text = re.sub(r"\s+", "", title)
        if organisation:
            text = text.replace(re.sub(r"\s+", "", organisation), "")
        for pattern in self.title_noise:
            text = pattern.sub("", text)
        return text

    def kind_for_title(self, title: str, organisation: str = "") -> Kind | None:
        """The kind the title names: every `all` pattern and no `none` pattern; the most
        specific (most `all` patterns) of several, then the first listed."""
        core = self.title_core(title, organisation)
        fitting = [k for k in self.kinds if k.fits(core)]
        if not fitting:
            return None
        return max(fitting, key=lambda k: (len(k.all), -self.kinds.index(k)))

    def kind_for_header(self, first_row: str) -> Kind | None:
        """The kind an untitled table's first row names (its cells joined): every `headers`
        pattern of the kind."""
        return next((k for k in self.kinds
                     if k.headers and all(p.search(first_row) for p in k.headers)), None)

    def nearest_kinds(self, title: str, organisation: str = "", count: int = 3) -> list[Kind]:
        """The kinds whose patterns the title comes closest to satisfying, closest first."""
        core = self.title_core(title, organisation)
        ranked = sorted(self.kinds, key=lambda k: (-k.closeness(core), self.kinds.index(k)))
        return ranked[:count]


def _kinds(data: dict[str, Any], path: Path) -> tuple[tuple[Kind, ...], Kind]:
    kinds = []
    for kind_id, entry in data["kinds"].items():
        where = f"kinds.{kind_id}"
        kinds.append(Kind(
            id=kind_id, label_zh=entry["label"]["zh"], label_en=entry["label"]["en"],
            all=tuple(_compile(p, path, f"{where}.all") for p in entry["all"]),
            none=tuple(_compile(p, path, f"{where}.none") for p in entry.get("none", [])),
            terms=_terms(entry.get("terms")), layout=entry.get("layout", "grid"),
            part=entry.get("part", False),
            headers=tuple(_compile(p, path, f"{where}.headers")
                          for p in entry.get("headers", [])),
            levels=tuple(_compile(p, path, f"{where}.levels")
                         for p in entry.get("levels", [])),
        ))
    label = data["unrecognised"]["label"]
    return tuple(kinds), Kind("unrecognised", label["zh"], label["en"], ())


def _forms(data: dict[str, Any], kinds: tuple[Kind, ...], path: Path) -> dict[str, Form]:
    forms = {}
    for kind_id, entry in data["forms"].items():
        if kind_id not in {k.id for k in kinds}:
            raise MappingError(path, f"forms.{kind_id}: no such kind")
        forms[kind_id] = Form(
            _compile(entry["goal"], path, f"forms.{kind_id}.goal"),
            _compile(entry["tasks"], path, f"forms.{kind_id}.tasks"),
            tuple(FormAmount(_compile(a["label"], path, f"forms.{kind_id}.amounts"),
                             _terms(a["terms"])) for a in entry["amounts"]),
        )
    missing = [k.id for k in kinds if k.layout == "form" and k.id not in forms]
    if missing:
        raise MappingError(path, f"kinds.{missing[0]}: a form layout needs an entry in forms")
    return forms


def _vocabulary(data: dict[str, Any], path: Path) -> Vocabulary:
    words = sorted(((_QUOTES.sub("", header_key(w)), _terms(t)) for w, t in data["terms"].items()),
                   key=lambda item: (-len(item[0]), item[0]))
    columns = tuple(
        ColumnRule(c["role"], _compile(c["header"], path, f"columns[{i}].header"),
                   c.get("part", 0), c.get("level", 0))
        for i, c in enumerate(data["columns"])
    )
    return Vocabulary(
        words=tuple(words),
        title_dimensions=frozenset(data["title_dimensions"]),
        row_dimensions=frozenset(data["row_dimensions"]),
        columns=columns,
        schemes=tuple((name, _compile(p, path, f"schemes.{name}"))
                      for name, p in data["schemes"].items()),
        money=_compile(data["money"], path, "money"),
        total=_compile(data["total"], path, "total"),
        of_which=_compile(data["of_which"], path, "of_which"),
        current_year=_compile(data["current_year"], path, "current_year"),
        item_levels=tuple(_compile(p, path, "item_levels") for p in data["item_levels"]),
        placeholders=tuple(_compile(p, path, "placeholders") for p in data["placeholders"]),
        comparators=tuple(sorted(((str(k), str(v)) for k, v in data["comparators"].items()),
                                 key=lambda item: (-len(item[0]), item[0]))),
    )


@cache
def load(root: Path | None = None) -> Mappings:
    """Read and check every mapping file (cached: mappings do not change during a run)."""
    folder = root or mappings_dir()
    files = {name: _checked(folder, name) for name in _FILES}
    kinds_path = folder / "kinds.yaml"
    kinds, unrecognised = _kinds(files["kinds"], kinds_path)
    return Mappings(
        document=files["document"],
        codes=files["codes"],
        narrative=files["narrative"],
        kinds=kinds,
        unrecognised=unrecognised,
        title_noise=tuple(_compile(p, kinds_path, "title_noise")
                          for p in files["kinds"]["title_noise"]),
        forms=_forms(files["kinds"], kinds, kinds_path),
        vocabulary=_vocabulary(files["vocabulary"], folder / "vocabulary.yaml"),
        policy=files["policy"],
        issuers=files["policy-issuers"],
        links=files["links"],
    )
