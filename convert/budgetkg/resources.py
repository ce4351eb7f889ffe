"""Where the declarative parts live: ontology/, mappings/ and shapes/ beside convert/, and the
named SPARQL queries shipped inside the package (budgetkg/queries/)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from budgetkg.errors import BudgetKGError, InputError


@cache
def home() -> Path:
    """The project folder holding ontology/ and mappings/ (override with BUDGETKG_HOME)."""
    env = os.environ.get("BUDGETKG_HOME")
    root = Path(env) if env else Path(__file__).resolve().parents[2]
    if not (root / "mappings").is_dir() or not (root / "ontology").is_dir():
        raise BudgetKGError(
            root,
            "mappings/ and ontology/ not found here; install budgetkg with `pip install -e .` "
            "from a clone, or set BUDGETKG_HOME to the clone",
        )
    return root


def mappings_dir() -> Path:
    return home() / "mappings"


def ontology_dir() -> Path:
    return home() / "ontology"


def queries_dir() -> Path:
    """The named queries, package data: found wherever budgetkg is run from."""
    return Path(__file__).resolve().parent / "queries"


@dataclass(frozen=True)
class NamedQuery:
    """A query of queries_dir(): its leading comment says what it answers; its `# zh:` and
    `# en:` lines are its short titles."""

    name: str
    zh: str
    en: str
    description: str
    text: str


def named_queries() -> list[NamedQuery]:
    """Every named query, by name."""
    return [_named(path) for path in sorted(queries_dir().glob("*.rq"))]


def named_query(name: str) -> NamedQuery:
    """One named query; InputError naming the known ones when there is none of that name."""
    path = queries_dir() / f"{name}.rq"
    if not name or "/" in name or not path.is_file():
        known = ", ".join(q.name for q in named_queries())
        raise InputError(None, f"no named query {name!r}; the named queries are: {known}")
    return _named(path)


def _named(path: Path) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    titles: dict[str, str] = {}
    about: list[str] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        comment = line[1:].strip()
        key, _, rest = comment.partition(":")
        if key in ("zh", "en") and rest:
            titles[key] = rest.strip()
        else:
            about.append(comment)
    return NamedQuery(path.stem, titles.get("zh", path.stem), titles.get("en", path.stem),
                      " ".join(about), text)
