"""The one exception tree of budgetkg; the CLI turns each into a one-line message and exit code 2.

    BudgetKGError                 anything budgetkg reports instead of a traceback
    ├── InputError                a document cannot be read (missing, empty, binary, bad encoding)
    │   └── NotABudgetDocument    it can be read but holds no table the mappings recognise
    ├── MappingError              a file under mappings/ is malformed (broken tooling, not bad data)
    └── OutputError               a graph folder to read from does not hold a build

Bad *data* inside a readable document (a total that does not add up, a row without a code) is not
an exception: it is recorded on the Document or reported by validation.
"""

from __future__ import annotations

from pathlib import Path


class BudgetKGError(Exception):
    """Base class: a failure budgetkg explains in one line naming the file and the problem."""

    def __init__(self, path: Path | str | None, problem: str) -> None:
        self.path = Path(path) if path is not None else None
        self.problem = problem
        super().__init__(self.message)

    def __reduce__(self) -> tuple[type[BudgetKGError], tuple[Path | None, str]]:
        return (type(self), (self.path, self.problem))  # crosses process boundaries intact

    @property
    def message(self) -> str:
        return f"{self.path}: {self.problem}" if self.path is not None else self.problem


class InputError(BudgetKGError):
    """A document cannot be read at all."""


class NotABudgetDocument(InputError):
    """A readable document in which no known budget table was found."""


class MappingError(BudgetKGError):
    """A mapping file is malformed."""


class OutputError(BudgetKGError):
    """A build folder is missing or incomplete."""
