"""The link stage: what a document refers to beyond its own tables, found on the Document once
it is read (mappings/links.yaml, mappings/policy.yaml); map/ mints the triples.

- organisation: the one form of the department's name its IRIs are made from
- regions: the department's places, from the start of its name (上海市 / 上海市普陀区), each
  with its administrative division code (link/places.py)
- projects: each project of the project table with its entry in the project-performance table
  (link/projects.py); an unmatched one is reported as a problem of its table
- prior: the earlier years' figures the narrative implies (link/prior.py)
- narrative: the paragraphs that cite a policy document or a standard (link/policy.py finds
  the citations of these and of every other text when the graph is made)

Code inference (link/codes.py) needs each row's code as the mapping reads it, so map/ runs it.
"""

from __future__ import annotations

import re
from dataclasses import replace

from budgetkg.link import places, prior, projects
from budgetkg.link.policy import Finder
from budgetkg.mapping import Mappings
from budgetkg.tables import Document, Links, Place, ProjectMatch, ProjectRef
from budgetkg.vocab import codelists


def regions(name: str, mappings: Mappings) -> tuple[Place, ...]:
    """The places a department's name starts with, broadest first, each named in full
    (上海市普陀区商务委员会 -> 上海市 310000, 上海市普陀区 310107)."""
    return places.places(name, mappings.links["region"], mappings.links["zone"])


def organisation_key(name: str, mappings: Mappings) -> str:
    """The name an organisation's IRIs and files are made from: one form of the name, whatever
    form is printed (中国共产党江苏省委员会办公厅, 江苏省委办公厅 -> 中共江苏省委办公厅)."""
    for pattern, replacement in mappings.links["organisation_forms"]:
        name = re.sub(pattern, replacement, name)
    return name


def link(doc: Document, mappings: Mappings) -> Document:
    """The link stage: the document with its links (regions, projects matched with their
    performance entries, earlier years' figures, paragraphs citing a policy); each project
    without an entry is reported as a problem of its table."""
    units: dict[str, str] = mappings.document["units"]
    factors = {printed: codelists().yuan_factor[unit] for printed, unit in units.items()}
    finder = Finder(mappings)
    links = Links(
        organisation=organisation_key(doc.organisation.name, mappings),
        regions=regions(doc.organisation.name, mappings),
        projects=projects.match(doc, mappings.links),
        prior=prior.derive(doc, mappings.links, units, factors),
        narrative=tuple(p.text for p in doc.paragraphs if finder.find(p.text)),
    )
    kinds = (mappings.links["projects"]["table"], mappings.links["projects"]["goals"])
    titles = {t.kind: t.title for t in doc.tables if t.kind in kinds}
    problems: dict[int, list[str]] = {}
    by_number = {t.number: t for t in doc.tables}
    for match in links.projects:
        if match.entry is None:
            table = by_number[match.project.table]
            other = kinds[1] if table.kind == kinds[0] else kinds[0]
            problems.setdefault(table.number, []).append(unmatched(match, titles[other]))
    tables = tuple(replace(t, problems=t.problems + tuple(problems[t.number]))
                   if t.number in problems else t for t in doc.tables)
    return replace(doc, tables=tables, links=links)


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
