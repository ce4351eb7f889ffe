"""Document readers: one per input form, each producing the same Document."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from budgetkg.errors import InputError, NotABudgetDocument
from budgetkg.mapping import Mappings
from budgetkg.read import narrative, text
from budgetkg.recognise import recognise
from budgetkg.tables import BudgetTable, Document

READERS = {".txt": "text extraction"}


def read(path: Path, mappings: Mappings) -> Document:
    """Read a document, recognise its tables and narrative; InputError when it cannot be done."""
    if not path.exists():
        raise InputError(path, "no such file")
    if path.is_dir():
        raise InputError(path, "is a folder, expected a document file")
    if path.suffix.lower() not in READERS:
        known = ", ".join(f"{s} ({k})" for s, k in READERS.items())
        raise InputError(path, f"unsupported document format {path.suffix or '(none)'}; "
                               f"budgetkg reads {known}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror}") from exc
    form = text.split(text.decode(path, data), mappings)
    lines = narrative.paragraphs(form.narrative, mappings.document)
    head = narrative.heading(lines, mappings.document)
    tables: list[BudgetTable] = []
    unknown: list[str] = []
    for raw in form.tables:
        table = recognise(raw, len(tables) + 1, mappings)
        if table is None:
            unknown.append(raw.title)
        else:
            tables.append(table)
    if not tables:
        raise NotABudgetDocument(path, "no budget table recognised (checked every title and "
                                       "header against mappings/tables)")
    if head is None:
        raise NotABudgetDocument(path, "no document title naming a year, a department and a "
                                       "phase (e.g. 2026年度…部门预算)")
    listed = {m.kind for t in form.contents if (m := mappings.kind_for_title(t))}
    missing = sorted(listed - {t.kind for t in tables})
    if missing:
        names = "、".join(mappings.table(k).label_zh for k in missing)
        raise InputError(path, f"document is truncated: {len(missing)} table(s) listed in its "
                               f"contents are missing ({names})")
    org = narrative.organisation(head.organisation, lines, mappings.document, mappings.narrative)
    department = re.compile(mappings.codes["organisations"]["department"])
    unit = re.compile(mappings.codes["organisations"]["unit"])
    for table in tables:
        for row in table.rows:
            codes = [row.cells[c.number - 1] for c in table.columns if c.role == "unit-code"]
            label = next((row.cells[c.number - 1] for c in table.columns if c.role == "label"), "")
            for code in filter(None, codes):
                if department.match(code):
                    org.code = org.code or code
                elif unit.match(code) and label:
                    org.units.setdefault(code, label)
    return Document(
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        title=head.title,
        year=head.year,
        phase=head.phase,
        organisation=org,
        issued=head.issued,
        raw_tables=list(form.tables),
        tables=tables,
        statements=narrative.statements(lines, mappings.document, mappings.narrative,
                                        head.organisation),
        unknown_tables=unknown,
    )
