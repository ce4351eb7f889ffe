"""The read stage: the files of one document -> Source. Every input form is turned into the text
form early, then cut the same way into narrative lines and raw tables (read/text.py).

A text extraction is the text form; a PDF becomes it page by page (read/pdf.py), an .xlsx
workbook sheet by sheet and a folder of CSV files file by file (read/sheet.py).

One document can be published as several files (its narrative and its tables apart): files of
one folder whose names differ only by an ending of mappings/document.yaml `file_parts`
(`-text` / `-tables`) are its parts, read in that order into one Source (see `documents`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from budgetkg.errors import InputError
from budgetkg.mapping import Mappings
from budgetkg.read import pdf, sheet, text
from budgetkg.tables import RawTable, Source, SourceFile, SourceLine, TextLine, combined_sha256

READERS = {".txt": "text extraction", ".pdf": "PDF with a text layer",
           ".xlsx": "workbook, one sheet a table"}  # and a folder of .csv tables, one a table


def fingerprint(paths: Sequence[Path]) -> str:
    """The content hash a document read from `paths` carries (Source.sha256), computed without
    reading it; InputError when a file cannot be read."""
    hashes = []
    for path in paths:
        try:
            data = sheet.csv_folder_identity(path) if path.is_dir() else path.read_bytes()
        except OSError as exc:
            raise InputError(path, f"cannot read: {exc.strerror}") from exc
        hashes.append(hashlib.sha256(data).hexdigest())
    return hashes[0] if len(hashes) == 1 else combined_sha256(hashes)


def documents(paths: Sequence[Path], file_parts: Sequence[str]) -> list[tuple[Path, ...]]:
    """The documents among `paths`: each file alone, except files of one folder whose names
    differ only by a part ending (js-2017-text.pdf, js-2017-tables.pdf), which are one document
    (its parts in the order of `file_parts`). The documents come in the order of their first
    file."""
    groups: dict[tuple[Path, str], list[tuple[int, Path]]] = {}
    order: list[tuple[Path, str]] = []
    for path in paths:
        stem, rank = path.stem, len(file_parts)
        for index, ending in enumerate(file_parts):
            if path.is_file() and stem.endswith(ending) and len(stem) > len(ending):
                stem, rank = stem[: -len(ending)], index
                break
        key = (path.parent, f"{stem}{path.suffix.lower()}" if rank < len(file_parts) else str(
            path))
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append((rank, path))
    return [tuple(p for _, p in sorted(groups[key])) for key in order]


def read(paths: Sequence[Path], mappings: Mappings) -> Source:
    """Read the files of one document into a Source; InputError when one cannot be read."""
    files: list[SourceFile] = []
    narrative: list[TextLine] = []
    tables: list[RawTable] = []
    contents: list[str] = []
    for index, path in enumerate(paths):
        source, content, pages = _text_form(path, mappings)
        files.append(source)
        form = text.split(content, mappings, pages)
        narrative += [TextLine(line, words, pages[line - 1] if pages else 0, index)
                      for line, words in form.narrative]
        tables += [_in_file(t, index) for t in form.tables]
        contents += form.contents
    return Source(tuple(files), tuple(narrative), tuple(tables), tuple(contents))


def _in_file(table: RawTable, index: int) -> RawTable:
    if index == 0:
        return table
    lines = tuple(SourceLine(s.line, s.cells, s.block, s.page, index) for s in table.lines)
    return RawTable(table.title, table.line, table.meta, lines, table.notes, table.page, index)


def _readable() -> str:
    return ", ".join(f"{suffix} ({kind})" for suffix, kind in READERS.items())


def _text_form(path: Path, mappings: Mappings) -> tuple[SourceFile, str, tuple[int, ...]]:
    """A file as the text form (and the PDF page of each line)."""
    if not path.exists():
        raise InputError(path, "no such file")
    suffix = path.suffix.lower()
    if path.is_dir():
        if not sheet.csv_files(path):  # batch.expand found no document inside either
            raise InputError(path, f"the folder holds no document: budgetkg reads {_readable()}"
                                   " files, searched for in the folder and its subfolders, and "
                                   "folders of .csv tables (one table a file)")
        content, data = sheet.csv_folder_to_text(path, mappings)
        return SourceFile(path, hashlib.sha256(data).hexdigest(), "csv"), content, ()
    if suffix not in READERS:
        raise InputError(path, f"unsupported document format {path.suffix or '(none)'}; "
                               f"budgetkg reads {_readable()} and folders of .csv tables")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror}") from exc
    sha256 = hashlib.sha256(data).hexdigest()
    if suffix == ".pdf":
        extracted = pdf.to_text(path, data, mappings.document["page_furniture"])
        return (SourceFile(path, sha256, "pdf", extracted.page_count), extracted.text,
                extracted.pages)
    if suffix == ".xlsx":
        return SourceFile(path, sha256, "xlsx"), sheet.xlsx_to_text(path, data, mappings), ()
    return SourceFile(path, sha256, "text"), text.decode(path, data), ()
