"""Loads mappings/ into typed objects; a malformed file raises MappingError naming it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from budgetkg.errors import MappingError
from budgetkg.normalise import header_key, title_key
from budgetkg.resources import mappings_dir

Terms = tuple[tuple[str, str], ...]


def _terms(raw: Any, where: Path) -> Terms:
    """{dim: id | [ids]} -> sorted ((dim, id), ...)."""
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise MappingError(where, f"terms must be a mapping, got {raw!r}")
    pairs: list[tuple[str, str]] = []
    for dim, value in raw.items():
        values = value if isinstance(value, list) else [value]
        pairs.extend((str(dim), str(v)) for v in values)
    return tuple(sorted(pairs))


@dataclass(frozen=True)
class ColumnRule:
    header: tuple[str, ...]
    role: str
    block: str = ""
    scheme: str = ""
    part: int = 0
    group: str = ""
    terms: Terms = ()
    values: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class LabelRule:
    label: re.Pattern[str]
    terms: Terms


@dataclass(frozen=True)
class TableMapping:
    kind: str
    label_zh: str
    label_en: str
    titles: tuple[re.Pattern[str], ...]
    header_requires: tuple[str, ...]
    header_rows: int
    layout: str
    columns: tuple[ColumnRule, ...]
    terms: Terms = ()
    blocks: dict[str, Terms] = field(default_factory=dict)
    row_terms: dict[str, tuple[LabelRule, ...]] = field(default_factory=dict)
    default_unit: str = ""
    options: dict[str, Any] = field(default_factory=dict)  # layout-specific settings
    path: Path = Path()

    def matches_title(self, title: str) -> bool:
        key = title_key(title)
        return any(p.fullmatch(title) or p.fullmatch(key) for p in self.titles)

    def header_vocabulary(self) -> frozenset[str]:
        words = {w for rule in self.columns for w in rule.header}
        return frozenset(words | set(self.header_requires))


LAYOUTS = ("grid", "performance-goals", "project-performance")
ROLES = (
    "amount", "label", "code", "name", "unit-code", "project-type",
    "indicator-name", "indicator-value", "text",
)


# libyaml's parser when PyYAML was built with it (its wheels are): 7x faster than pure Python
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except (OSError, yaml.YAMLError) as exc:
        raise MappingError(path, f"cannot read mapping: {exc}") from exc
    if not isinstance(data, dict):
        raise MappingError(path, "a mapping file must hold a YAML mapping")
    return data


def _compile(pattern: str, where: Path) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise MappingError(where, f"bad pattern {pattern!r}: {exc}") from exc


def _table(data: dict[str, Any], raw: dict[str, dict[str, Any]], path: Path) -> TableMapping:
    if "extends" in data:
        base = raw.get(data["extends"])
        if base is None:
            raise MappingError(path, f"extends unknown kind {data['extends']!r}")
        data = {**{k: v for k, v in base.items() if k not in ("kind", "label", "titles")}, **data}
    for key in ("kind", "label", "titles", "layout"):
        if key not in data:
            raise MappingError(path, f"missing key {key!r}")
    if data["layout"] not in LAYOUTS:
        raise MappingError(path, f"layout {data['layout']!r} is not one of {', '.join(LAYOUTS)}")
    columns = []
    for entry in data.get("columns", []):
        if entry.get("role") not in ROLES:
            raise MappingError(path, f"column {entry.get('header')}: role must be one of {ROLES}")
        columns.append(
            ColumnRule(
                header=tuple(header_key(str(h)) for h in entry["header"]),
                role=entry["role"],
                block=entry.get("block", ""),
                scheme=entry.get("scheme", ""),
                part=int(entry.get("part", 0)),
                group=entry.get("group", ""),
                terms=_terms(entry.get("terms"), path),
                values=tuple(sorted((str(k), str(v)) for k, v in entry.get("values", {}).items())),
            )
        )
    row_terms = {
        block: tuple(
            LabelRule(_compile(r["label"], path), _terms(r.get("terms"), path)) for r in rules
        )
        for block, rules in (data.get("row_terms") or {}).items()
    }
    known = {
        "kind", "label", "titles", "layout", "extends", "columns", "terms", "blocks",
        "row_terms", "header_requires", "header_rows", "default_unit",
    }
    return TableMapping(
        kind=data["kind"],
        label_zh=data["label"]["zh"],
        label_en=data["label"]["en"],
        titles=tuple(_compile(t, path) for t in data["titles"]),
        header_requires=tuple(header_key(str(h)) for h in data.get("header_requires", [])),
        header_rows=int(data.get("header_rows", 0)),
        layout=data["layout"],
        columns=tuple(columns),
        terms=_terms(data.get("terms"), path),
        blocks={b: _terms(t, path) for b, t in (data.get("blocks") or {}).items()},
        row_terms=row_terms,
        default_unit=data.get("default_unit", ""),
        options={k: v for k, v in data.items() if k not in known},
        path=path,
    )


@dataclass(frozen=True)
class Mappings:
    """Everything in mappings/: document patterns, code shapes, narrative rules, table kinds,
    and what a document links to (citations, their issuers, projects, regions, earlier years)."""

    document: dict[str, Any]
    codes: dict[str, Any]
    narrative: dict[str, Any]
    tables: tuple[TableMapping, ...]
    policy: dict[str, Any]
    issuers: dict[str, Any]
    links: dict[str, Any]

    def table(self, kind: str) -> TableMapping:
        for mapping in self.tables:
            if mapping.kind == kind:
                return mapping
        raise KeyError(kind)

    def kind_for_title(self, title: str) -> TableMapping | None:
        for mapping in self.tables:
            if mapping.matches_title(title):
                return mapping
        return None


def _issuers(path: Path) -> dict[str, Any]:
    """The 代字 table: each entry names its organisation in zh and en (and maybe a region)."""
    data = _load_yaml(path)
    for code, entry in data.items():
        if not isinstance(entry, dict) or not {"zh", "en"} <= set(entry) or not set(entry) <= {
                "zh", "en", "region"}:
            raise MappingError(path, f"{code}: expected {{zh: …, en: …[, region: …]}}, "
                                     f"got {entry!r}")
    return data


@cache
def load(root: Path | None = None) -> Mappings:
    """Read and check every mapping file (cached: mappings do not change during a run)."""
    folder = root or mappings_dir()
    paths = sorted((folder / "tables").glob("*.yaml"))
    loaded = [(path, _load_yaml(path)) for path in paths]
    raw = {str(data.get("kind")): data for _, data in loaded}
    if len(raw) != len(loaded):
        raise MappingError(folder / "tables", "two table mappings share a kind")
    tables = tuple(_table(data, raw, path) for path, data in loaded)
    return Mappings(
        document=_load_yaml(folder / "document.yaml"),
        codes=_load_yaml(folder / "codes.yaml"),
        narrative=_load_yaml(folder / "narrative.yaml"),
        tables=tables,
        policy=_load_yaml(folder / "policy.yaml"),
        issuers=_issuers(folder / "policy-issuers.yaml"),
        links=_load_yaml(folder / "links.yaml"),
    )
