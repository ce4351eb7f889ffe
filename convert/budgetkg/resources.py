"""Where the declarative parts live: ontology/, mappings/, queries/ and shapes/ beside convert/."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from budgetkg.errors import BudgetKGError


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
    return home() / "queries"
