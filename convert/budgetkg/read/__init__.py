"""Document readers: every input form is turned into the text form early, then read the same way.

A text extraction is the text form; a PDF becomes it page by page (read/pdf.py), an .xlsx
workbook sheet by sheet and a folder of CSV files file by file (read/sheet.py). From there the
lines are cut into narrative and raw tables (read/text.py), the tables recognised with mappings/
and the narrative read (read/narrative.py).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

from budgetkg import link
from budgetkg.errors import InputError, NotABudgetDocument
from budgetkg.mapping import Mappings
from budgetkg.read import narrative, pdf, sheet, text
from budgetkg.recognise import recognise
from budgetkg.tables import BudgetTable, Document

READERS = {".txt": "text extraction", ".pdf": "PDF with a text layer",
           ".xlsx": "workbook, one sheet a table"}  # and a folder of .csv files, one a table


def fingerprint(path: Path) -> str:
    """The content hash a document read from `path` carries (Document.sha256), computed without
    reading the document; InputError when the source cannot be read."""
    try:
        data = sheet.csv_folder_identity(path) if path.is_dir() else path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror}") from exc
    return hashlib.sha256(data).hexdigest()


def read(path: Path, mappings: Mappings) -> Document:
    """Read a document, recognise its tables and narrative, link it (link/); InputError when it
    cannot be done."""
    if not path.exists():
        raise InputError(path, "no such file")
    pages: tuple[int, ...] = ()
    suffix = path.suffix.lower()
    if path.is_dir():
        content, data = sheet.csv_folder_to_text(path, mappings)
    elif suffix not in READERS:
        known = ", ".join(f"{s} ({k})" for s, k in READERS.items())
        raise InputError(path, f"unsupported document format {path.suffix or '(none)'}; "
                               f"budgetkg reads {known} and folders of .csv tables")
    else:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(path, f"cannot read: {exc.strerror}") from exc
        if suffix == ".pdf":
            extracted = pdf.to_text(path, data, mappings.document["page_furniture"])
            content, pages = extracted.text, extracted.pages
        elif suffix == ".xlsx":
            content = sheet.xlsx_to_text(path, data, mappings)
        else:
            content = text.decode(path, data)
    form = text.split(content, mappings, pages)
    lines = narrative.paragraphs(form.narrative, mappings.document)
    meta = [m for raw in form.tables for m in raw.meta]
    head = narrative.heading(lines, meta, mappings.document)
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
        head = _heading_from_tables(path, tables, lines, meta, mappings.document)
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
    document = Document(
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        title=head.title,
        year=head.year,
        phase=head.phase,
        organisation=org,
        issued=head.issued,
        scope=_scope(head.title, meta, mappings.document),
        raw_tables=list(form.tables),
        tables=tables,
        statements=[
            replace(s, page=pages[s.line - 1]) if pages else s
            for s in narrative.statements(lines, mappings.document, mappings.narrative,
                                          head.organisation)
        ],
        unknown_tables=unknown,
    )
    link.attach(document, mappings, lines)
    return document


def _scope(title: str, meta: list[str], doc: dict[str, Any]) -> str:
    """department or unit: a unit document says so in its title (单位预算) or meta (编制单位)."""
    for word, scope in doc["scopes"].items():
        if word in title or any(word in m for m in meta):
            return str(scope)
    return "department"


def _heading_from_tables(
    path: Path, tables: list[BudgetTable], lines: list[tuple[int, str]], meta: list[str],
    doc: dict[str, Any],
) -> narrative.Heading:
    """The heading of a document without a title line (a workbook, a folder of CSV tables): from
    its table titles and meta lines, by the rule in mappings/document.yaml `heading_from_tables`.
    """
    rule = doc["heading_from_tables"]
    year_re = re.compile(rule["year"])
    years = Counter(int(m["year"]) for t in tables if (m := year_re.search(t.title)))
    if not years:
        raise NotABudgetDocument(path, "no document title naming a year and a phase (e.g. "
                                       "2026年度…部门预算) and no table title naming the year "
                                       "(e.g. 2026年部门收支总体情况表)")
    year = years.most_common(1)[0][0]
    phase = next((p for word, p in rule["phase_by_title"].items()
                  if any(word in t.title for t in tables)), rule["phase_default"])
    organisation = next((m["name"] for text in [t for _, t in lines] + meta
                         for pattern in doc["organisation_patterns"]
                         if (m := re.search(pattern, text))), "")
    if not organisation:
        raise NotABudgetDocument(path, "no document title and no table naming the department "
                                       "it belongs to (e.g. 部门名称：…)")
    printed = next(word for word, p in doc["phases"].items() if p == phase)
    title = rule["title"].format(year=year, organisation=organisation, phase=printed)
    issued_re = re.compile(doc["issued"])
    issued = next((f"{int(d['year']):04d}-{int(d['month']):02d}-{int(d['day']):02d}"
                   for _, t in lines if (d := issued_re.match(t))), "")
    return narrative.Heading(title, year, phase, organisation, issued)
