"""Each project of the project table matched with its entry in the project-performance table:
the same amount and the most similar name, one to one, best pairs first (mappings/links.yaml)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from budgetkg.link.names import normalised, similarity
from budgetkg.tables import BudgetTable, Document, ProjectMatch, ProjectRef
from budgetkg.vocab import codelists

_ROUNDING = Decimal("0.01")  # of the printed unit: the two tables may round apart


def _refs(table: BudgetTable) -> list[ProjectRef]:
    """The table's projects with their amount in 元 (from its first amount column)."""
    column = next((c for c in table.columns if c.role == "amount"), None)
    rows = {row.number: row for row in table.rows}
    refs = []
    for project in table.projects:
        row = rows[project.row]
        amount = row.amount(column) if column else None
        where = f"page {row.page}" if row.page else f"line {row.line}"
        refs.append(ProjectRef(table.number, project.row, project.name,
                               amount.yuan if amount else None, where))
    return refs


def _same_amount(a: ProjectRef, b: ProjectRef, tolerance: Decimal) -> bool:
    return a.amount is not None and b.amount is not None and abs(a.amount - b.amount) <= tolerance


def match(doc: Document, rules: dict[str, Any]) -> tuple[ProjectMatch, ...]:
    """Matched pairs, then each unmatched project of either table with the nearest name among
    the other table's unmatched projects; nothing when the document lacks one of the tables."""
    spec = rules["projects"]
    table = next((t for t in doc.tables if t.kind == spec["table"]), None)
    goals = next((t for t in doc.tables if t.kind == spec["goals"]), None)
    if table is None or goals is None:
        return ()
    left = _refs(table)
    right = _refs(goals)
    abbreviations: dict[str, str] = spec["abbreviations"]
    names = {ref: normalised(ref.name, abbreviations) for ref in left + right}
    scores = {(a, b): similarity(names[a], names[b]) for a in left for b in right}
    tolerance = _ROUNDING * (codelists().yuan_factor[goals.unit] if goals.unit else 1)
    floor = Decimal(str(spec["min_similarity"]))
    matched = _assign([(score, a, b) for (a, b), score in scores.items()
                       if score >= floor and _same_amount(a, b, tolerance)])
    taken = {m.entry for m in matched.values()}
    free_left = [a for a in left if a not in matched]
    free_right = [b for b in right if b not in taken]
    return (
        *(matched[a] for a in left if a in matched),
        *(_nearest(a, free_right or right, scores) for a in free_left),
        *(_nearest(b, free_left or left, scores) for b in free_right),
    )


def _assign(pairs: list[tuple[Decimal, ProjectRef, ProjectRef]]) -> dict[ProjectRef, ProjectMatch]:
    """One entry per project, one project per entry: the most similar candidate pairs first
    (then by printed order, so the result does not depend on the order of `pairs`)."""
    matched: dict[ProjectRef, ProjectMatch] = {}
    taken: set[ProjectRef] = set()
    for score, a, b in sorted(pairs, key=lambda p: (-p[0], p[1].row, p[2].row)):
        if a not in matched and b not in taken:
            matched[a] = ProjectMatch(a, b, None, score)
            taken.add(b)
    return matched


def _nearest(ref: ProjectRef, others: list[ProjectRef],
             scores: dict[tuple[ProjectRef, ProjectRef], Decimal]) -> ProjectMatch:
    """An unmatched project with the most similar name among `others` (the other table's
    unmatched projects, else all of them; first printed on a tie), or none when that table
    lists no project."""
    def score(other: ProjectRef) -> Decimal:
        return scores.get((ref, other), scores.get((other, ref), Decimal(0)))

    best = max(others, key=lambda o: (score(o), -o.row), default=None)
    return ProjectMatch(ref, None, best, score(best) if best else Decimal(0))
