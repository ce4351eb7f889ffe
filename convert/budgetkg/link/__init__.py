"""The link stage: what a document refers to beyond its own tables, found on the Document once
it is read (mappings/links.yaml, mappings/policy.yaml); map.py mints the triples.

- regions: the department's region, from the start of its name (上海市 / 上海市普陀区)
- projects: each project of the project table with its entry in the project-performance table
  (link/projects.py); an unmatched one is reported as a problem of its table
- prior: the earlier years' figures the narrative implies (link/prior.py)
- narrative: the paragraphs that cite a policy document or a standard (link/policy.py finds
  the citations of these and of every other text when the graph is made)

Code inference (link/codes.py) needs each row's code as the mapping reads it, so map.py runs it.
"""

from __future__ import annotations

import re

from budgetkg.link import prior, projects
from budgetkg.link.policy import Finder
from budgetkg.mapping import Mappings
from budgetkg.tables import Document, Links, ProjectMatch, ProjectRef
from budgetkg.vocab import codelists


def regions(name: str, pattern: str) -> tuple[str, ...]:
    """The regions a department's name starts with, broadest first, each named in full
    (上海市普陀区商务委员会 -> 上海市, 上海市普陀区)."""
    m = re.match(pattern, name)
    if m is None:
        return ()
    parts = [p for p in m.groups() if p]
    return tuple("".join(parts[: i + 1]) for i in range(len(parts)))


def link(doc: Document, mappings: Mappings, narrative: list[tuple[int, str]]) -> Links:
    """The links of a read document (its narrative paragraphs as (line, text))."""
    units: dict[str, str] = mappings.document["units"]
    factors = {printed: codelists().yuan_factor[unit] for printed, unit in units.items()}
    zero_marks = tuple(mappings.document["zero_marks"])
    finder = Finder(mappings)
    return Links(
        regions=regions(doc.organisation.name, mappings.links["region"]),
        projects=projects.match(doc, mappings.links, zero_marks),
        prior=prior.derive(doc, mappings.links, units, factors),
        narrative=tuple(text for _, text in narrative if finder.find(text)),
    )


def _amount(ref: ProjectRef | None) -> str:
    if ref is None or ref.amount is None:
        return "no amount"
    return f"{ref.amount:,.2f} 元"


def unmatched(match: ProjectMatch, other: str) -> str:
    """The problem an unmatched project is, as its table reports it; `other` is the title of the
    table it was looked for in."""
    ref, nearest = match.project, match.nearest
    near = (f"nearest {nearest.name!r} ({_amount(nearest)}, {nearest.where}, name similarity "
            f"{match.similarity})" if nearest else "that table lists no project")
    return (f"{ref.where}: project {ref.name!r} ({_amount(ref)}) has no entry of the same "
            f"amount and a similar name in {other}; {near}")


def attach(doc: Document, mappings: Mappings, narrative: list[tuple[int, str]]) -> None:
    """Link the document and report each unmatched project as a problem of its table."""
    doc.links = link(doc, mappings, narrative)
    kinds = {mappings.links["projects"][side]["kind"] for side in ("table", "goals")}
    titles = {t.kind: t.title for t in doc.tables if t.kind in kinds}
    tables = {t.number: t for t in doc.tables}
    for match in doc.links.projects:
        if match.entry is None:
            table = tables[match.project.table]
            (other,) = kinds - {table.kind}
            table.problems.append(unmatched(match, titles[other]))
