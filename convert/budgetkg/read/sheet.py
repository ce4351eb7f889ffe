"""Reader for spreadsheets: an .xlsx workbook (one table a sheet, as portals publish them) or a
folder of .csv files (one table a file) becomes the text form, so recognition is the same as for
a text extraction.

A sheet (or CSV file) is read as rows of cell texts and laid out as the text form's lines:

- the rows above the table's first *grid row* are its title and meta lines, one line per row
  (the row's filled cells joined by a space). A grid row has two or more filled cells, unless
  every one of them is a meta cell (mappings/document.yaml `sheet_meta_cells`: 部门名称：…,
  单位：万元, （2026年度）), as when the unit sits at the right end of the department's row. A
  row right above the first grid row whose one filled cell is a header word of mappings/tables
  (财政拨款“三公”经费 spanning the whole table) is a header row too;
- from the first grid row on, every row is a table row: its cells joined by tabs (a merged cell is
  its value in the first cell and empty cells after, as the text form expects); an empty row
  there is a blank line, as a page break is in the text form;
- the rows after the last grid row are table rows too while their one filled cell is neither in
  the first column nor a meta cell (合计 under the 项目 column of an empty table); from the first
  other row on, they are lines (注：…, 本表无数据, 编制日期：… at the right);
- a sheet without a grid row (a cover, a 说明 sheet of paragraphs) is narrative: one line a row;
- a sheet whose rows hold no table title takes its sheet name (its file name for a CSV file,
  without a leading ordinal such as `01-`) as the title when that is one;
- columns that are empty in every row on the left are dropped; each sheet ends with a blank line.

Cell texts: a text cell is its text with runs of whitespace (line breaks inside a cell) made one
space. A number cell is printed the way its number format shows it, without binary noise:

- the format's first section (the second for a negative number, the third for zero when the
  format has one) gives the decimals: `0.00` and `#,##0.00` print two (`7454.8` -> `7,454.80`
  with `#,##0.00`, `7454.80` with `0.00`), optional `#` decimals print when not zero, a `,`
  between digit places groups thousands, `000` pads to three digits (codes such as 017), `%`
  multiplies by 100; rounding is half away from zero, as Excel's;
- a zero section without digit places prints its literal text (`"-"` -> `-`, empty -> empty);
- literal text around the number (currency signs, padding, colours) is not printed, and a
  negative number always prints with a leading `-`;
- `General`, text, and formats this reader does not take apart (scientific, scaled by a trailing
  comma) print the exact value: a float is the decimal it shows at Excel's 15 significant digits
  (`0.1 + 0.2` -> `0.3`), an integer its digits;
- a date prints as 2026年4月7日, a date with a time in ISO form, a boolean as TRUE or FALSE.

A workbook is read with its cached values (data_only): a formula never calculated by a
spreadsheet program has no value to print. Hidden sheets are not printed documents: skipped.
CSV files are comma-separated, UTF-8 (with or without BOM) or GB18030, read in name order with
numbers compared as numbers (表2 before 表10); files whose name starts with a dot are skipped.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from budgetkg.cells import compact
from budgetkg.errors import InputError
from budgetkg.mapping import Mappings
from budgetkg.read import text

_SIGNIFICANT = 15  # digits a spreadsheet keeps of a float
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the Excel 97-2003 (.xls) container
_LITERAL = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|[_*].')
_TOKEN = re.compile(r'"(?P<quoted>[^"]*)"|\\(?P<escaped>.)|\[[^\]]*\]|[_*].|(?P<char>.)')
_NUMBER = re.compile(r"(?P<int>[#0?,]*)(?:\.(?P<dec>[#0?]*))?")
_ORDINAL = re.compile(r"^\d+[-_.、 ]+")
_DIGITS = re.compile(r"(\d+)")


# --------------------------------------------------------------------------------- cell texts


def _exact(value: float | int | Decimal) -> Decimal:
    """The decimal a cell holds: a float rounded to 15 significant digits, without noise."""
    if isinstance(value, float):
        number = Decimal(repr(value))
        if number and number.is_finite():
            step = Decimal(1).scaleb(number.adjusted() - _SIGNIFICANT + 1)
            number = number.quantize(step, rounding=ROUND_HALF_UP)
        return number
    return Decimal(value)


def _plain(number: Decimal) -> str:
    """A decimal in positional notation without trailing zeros (1E+2 -> 100, 0.30 -> 0.3)."""
    return "0" if number == 0 else format(number.normalize(), "f")


def _sections(number_format: str) -> list[str]:
    sections, current, quoted = [], "", False
    for ch in number_format:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            sections.append(current)
            current = ""
        else:
            current += ch
    return [*sections, current]


def _literal(section: str) -> str:
    """The text a format section without digit places prints (`_ * "-"??_ ` -> `-`)."""
    out = []
    for m in _TOKEN.finditer(section):
        if m["quoted"] is not None:
            out.append(m["quoted"])
        elif m["escaped"] is not None:
            out.append(m["escaped"])
        elif m["char"] is not None and m["char"] not in "0#?@,.%" and not m["char"].isspace():
            out.append(m["char"])
    return "".join(out).strip()


def _formatted(number: Decimal, section: str) -> str | None:
    """The number as the format section shows it; None when the section is not understood."""
    bare = _LITERAL.sub("", section)
    if not re.search(r"[0#?]", bare):
        return None
    if re.search(r"[Ee][+-]|/", bare):
        return None  # scientific and fraction formats
    if "%" in bare:
        number *= 100
    core = next((m for m in _NUMBER.finditer(bare) if re.search(r"[0#?]", m[0])), None)
    if core is None:
        return None
    whole, decimals = core["int"], core["dec"] or ""
    if whole.endswith(","):
        return None  # a trailing comma scales by a thousand
    fixed = decimals.count("0")
    places = len(decimals)
    rounded = abs(number).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    printed = format(rounded, ",f" if "," in whole else "f")
    if places > fixed:  # optional decimals (#, ?) print only when not zero
        head, _, tail = printed.partition(".")
        tail = tail[:fixed] + tail[fixed:].rstrip("0")
        printed = f"{head}.{tail}" if tail else head
    head, dot, tail = printed.partition(".")
    width = max(whole.count("0"), 1)
    if len(head.replace(",", "")) < width:
        head = head.zfill(width)
    printed = head + dot + tail
    sign = "-" if number < 0 and rounded != 0 else ""
    return sign + printed + ("%" if "%" in bare else "")


def number_text(value: float | int | Decimal, number_format: str = "General") -> str:
    """A number cell as printed by its number format (see the module's rules)."""
    number = _exact(value)
    if not number.is_finite():
        return str(value)
    sections = _sections(number_format or "General")
    if number == 0 and len(sections) >= 3:
        section = sections[2]
        if not re.search(r"[0#]", _LITERAL.sub("", section)):
            return _literal(section)  # a zero shown as text: "-", or nothing
    elif number < 0 and len(sections) >= 2:
        section = sections[1]
    else:
        section = sections[0]
    printed = _formatted(number, section)
    return printed if printed is not None else _plain(number)


def cell_text(value: object, number_format: str = "General") -> str:
    """A cell's value as it prints: text with whitespace made single spaces, numbers by format."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float | Decimal):
        return number_text(value, number_format)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return f"{value.year}年{value.month}月{value.day}日"
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, dt.time | dt.timedelta):
        return str(value)
    return " ".join(str(value).split())


# --------------------------------------------------------------------------- rows to lines


def _is_title(line: str, mappings: Mappings) -> bool:
    title = compact(line)
    return bool(title) and (mappings.kind_for_title(title) is not None
                            or (title.endswith("表") and "：" not in title))


def is_header_word_cell(cell: str, mappings: Mappings) -> bool:
    """A cell that is a header word by itself (财政拨款“三公”经费 spanning a whole table): it
    names terms, a column role or a total, and holds no digit."""
    vocabulary = mappings.vocabulary
    return not any(ch.isdigit() for ch in cell) and bool(
        vocabulary.terms_of(cell) or vocabulary.column_rule(cell) or vocabulary.total.search(
            compact(cell)))


def sheet_lines(name: str, rows: Iterable[Sequence[str]], mappings: Mappings) -> list[str]:
    """One sheet's rows of cell texts as lines of the text form (see the module's rules)."""
    grid = [list(r) for r in rows]
    for row in grid:
        while row and not row[-1]:
            row.pop()
    offset = min((next(i for i, c in enumerate(r) if c) for r in grid if r), default=0)
    grid = [r[offset:] for r in grid]
    meta_cells = [re.compile(p) for p in mappings.document["sheet_meta_cells"]]

    def filled(row: list[str]) -> list[str]:
        return [c for c in row if c]

    def is_meta(row: list[str]) -> bool:
        return all(any(p.search(c) for p in meta_cells) for c in filled(row))

    def is_grid(row: list[str]) -> bool:
        return len(filled(row)) >= 2 and not is_meta(row)

    def is_header_word(row: list[str]) -> bool:
        cells = filled(row)
        return len(cells) == 1 and is_header_word_cell(cells[0], mappings)

    def line(row: list[str]) -> str:
        return " ".join(filled(row))

    def tab_row(row: list[str]) -> str:
        return "\t".join(row + [""] * (2 - len(row)))

    first = next((i for i, r in enumerate(grid) if is_grid(r)), None)
    if first is None:
        return [line(r) for r in grid if r]
    while first > 0 and is_header_word(grid[first - 1]):
        first -= 1
    last = max(i for i, r in enumerate(grid) if is_grid(r))
    while last + 1 < len(grid) and (not grid[last + 1] or (
            grid[last + 1][0] == "" and not is_meta(grid[last + 1]))):
        last += 1
    while not grid[last]:
        last -= 1
    head = [line(r) for r in grid[:first] if r]
    name = _ORDINAL.sub("", " ".join(name.split()))  # 01-部门收支总体情况表
    if not any(_is_title(h, mappings) for h in head) and _is_title(name, mappings):
        head.insert(0, name)
    body = [tab_row(r) if r else "" for r in grid[first : last + 1]]
    tail = [line(r) for r in grid[last + 1 :] if r]
    return [*head, *body, *tail]


def _text_form(sheets: Iterable[tuple[str, list[list[str]]]], mappings: Mappings) -> str:
    lines: list[str] = []
    for name, rows in sheets:
        out = sheet_lines(name, rows, mappings)
        if out:
            lines.extend([*out, ""])
    return "\n".join(lines)


# ---------------------------------------------------------------------------------- workbook


def xlsx_to_text(path: Path, data: bytes, mappings: Mappings) -> str:
    """The text form of an .xlsx workbook: its visible sheets in workbook order."""
    if not data:
        raise InputError(path, "the file is empty")
    if data.startswith(_OLE):
        raise InputError(path, "not an .xlsx workbook but an OLE file: an Excel 97-2003 .xls "
                               "or a password-protected workbook; save it as a plain .xlsx")
    if not data.startswith(_ZIP):
        raise InputError(path, "not an .xlsx workbook (not a zip file)")
    from openpyxl import load_workbook  # type: ignore[import-untyped,unused-ignore]
    from openpyxl.utils.exceptions import (  # type: ignore[import-untyped,unused-ignore]
        InvalidFileException,
    )

    raw: list[tuple[str, list[list[tuple[object, str]]]]] = []
    try:
        with warnings.catch_warnings():  # a workbook's styles or extensions openpyxl ignores
            warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl\b")
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                for sheet in book.worksheets:
                    if sheet.sheet_state != "visible":
                        continue
                    sheet.reset_dimensions()  # a stated used range can be wrong: read every row
                    raw.append((str(sheet.title), [
                        [(c.value, str(c.number_format) if c.value is not None else "")
                         for c in row]
                        for row in sheet.iter_rows()
                    ]))
            finally:
                book.close()
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError,
            IndexError, AttributeError, OSError, EOFError) as exc:
        raise InputError(path, f"not a readable .xlsx workbook: {exc}") from exc
    except Exception as exc:  # the XML parser's errors: a damaged part of the workbook
        if type(exc).__module__.startswith(("openpyxl", "xml", "lxml", "et_xmlfile")):
            raise InputError(path, f"not a readable .xlsx workbook: {exc}") from exc
        raise
    sheets = [(name, [[cell_text(value, fmt) for value, fmt in row] for row in rows])
              for name, rows in raw]
    if not any(any(any(c for c in row) for row in rows) for _, rows in sheets):
        raise InputError(path, "the workbook is empty (no visible sheet has a filled cell)")
    return _text_form(sheets, mappings)


# ------------------------------------------------------------------------------- CSV folder


def _name_order(path: Path) -> list[tuple[int, int | str]]:
    return [(1, int(p)) if p.isdigit() else (0, p) for p in _DIGITS.split(path.name) if p]


def csv_files(folder: Path) -> list[Path]:
    """The .csv files of a folder in name order (numbers as numbers), dot files left out."""
    found = [p for p in folder.iterdir()
             if p.is_file() and p.suffix.lower() == ".csv" and not p.name.startswith(".")]
    return sorted(found, key=_name_order)


def csv_folder_to_text(folder: Path, mappings: Mappings) -> tuple[str, bytes]:
    """The text form of a folder of CSV tables, and the bytes that identify it (for its hash):
    each file's name and SHA-256 in reading order."""
    files = csv_files(folder)
    sheets: list[tuple[str, list[list[str]]]] = []
    identity = io.BytesIO()
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(path, f"cannot read: {exc.strerror}") from exc
        content = text.decode(path, data)
        try:
            rows = [[cell_text(c) for c in row] for row in csv.reader(io.StringIO(content))]
        except csv.Error as exc:
            raise InputError(path, f"not a readable CSV file: {exc}") from exc
        sheets.append((path.stem, rows))
        identity.write(_identity_line(path, data))
    return _text_form(sheets, mappings), identity.getvalue()


def _identity_line(path: Path, data: bytes) -> bytes:
    return f"{path.name}\t{hashlib.sha256(data).hexdigest()}\n".encode()


def csv_folder_identity(folder: Path) -> bytes:
    """What identifies a folder of CSV tables: each file's name and content hash, in order."""
    return b"".join(_identity_line(p, p.read_bytes()) for p in csv_files(folder))
