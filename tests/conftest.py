"""Shared fixtures: the example document, ../shared, and one build of the example per test run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from budgetkg import pipeline

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "000_d2b944fced3ace59.txt"
SHARED = Path(os.environ.get("BUDGETKG_SHARED", ROOT.parent / "shared"))


def shared_path(*parts: str) -> Path:
    """A file under ../shared (set BUDGETKG_SHARED to move it); a missing file fails the test."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.fail(f"shared data missing: {path} (tests read ../shared beside the clone)")
    return path


@pytest.fixture(scope="session")
def example() -> Path:
    return EXAMPLE


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> pipeline.BuildResult:
    """The example document built once for the whole run (tests must not modify it)."""
    result = pipeline.build([EXAMPLE], tmp_path_factory.mktemp("built"))
    assert result.ok, result.failures
    return result
