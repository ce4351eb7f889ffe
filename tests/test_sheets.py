"""Spreadsheet input: an .xlsx workbook (one sheet a table) and a folder of CSV tables build the
same tables as the text form they were made from; number cells print as published; bad
spreadsheets are refused with one error line.

The workbook and the CSV folder are made at test time from the example document: its text form
is cut into its 13 tables by the text reader, and each table is written as a sheet (a CSV file)
of a title row, meta rows, every line's cells and note rows. A page break of the text form is an
empty row (table 13's first page lost a cell in the PDF's text layer and is realigned page by
page, as in the text build).
"""

from __future__ import annotations

import csv
import io
import random
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner  # noqa: TID251  (tests drive the CLI in-process)

from budgetkg import pipeline
from budgetkg.cli import app
from budgetkg.mapping import load
from budgetkg.pipeline import document
from budgetkg.read import sheet, text
from budgetkg.tables import Document, RawTable
from tests.conftest import EXAMPLE

AMOUNT = re.compile(r"^-?\d{1,3}(?:,\d{3})*\.\d{2}$|^-?\d+\.\d{2}$")  # as printed: 7,454.80
ORGANISATION = "济源产城融合示范区工业信息和科技局"
TABLES = 13
# Table 12's first row in the PDF's ruled grid is the department's name. In a sheet the same row
# sits above the header with its text in the first column, like every other table's 部门名称 row,
# so the spreadsheet reader takes it as a meta line: that one row is the only difference.
MOVED_TO_META = {12: [f"部门名称：{ORGANISATION}"]}

runner = CliRunner()


# ------------------------------------------------------------------------- fixtures (no files)


def example_tables() -> tuple[RawTable, ...]:
    tables = text.split(EXAMPLE.read_text(encoding="utf-8"), load()).tables
    assert len(tables) == TABLES
    return tables


def table_rows(raw: RawTable) -> list[list[str]]:
    """A table as spreadsheet rows: title, meta, its lines (an empty row at a page break), notes."""
    rows: list[list[str]] = [[raw.title], *([m] for m in raw.meta)]
    block = raw.lines[0].block
    for line in raw.lines:
        if line.block != block:
            rows.append([])
            block = line.block
        rows.append(list(line.cells))
    rows.extend([n] for n in raw.notes)
    return rows


def write_workbook(path: Path, sheets: list[tuple[str, list[list[str]]]]) -> Path:
    """One sheet per table; an amount cell is a float with the 2-decimal format it prints with."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets:
        ws = book.create_sheet(name[:31])
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if not value:
                    continue
                cell = ws.cell(r, c)
                if AMOUNT.match(value):
                    cell.value = float(value.replace(",", ""))
                    cell.number_format = "#,##0.00" if "," in value or abs(
                        cell.value) < 1000 else "0.00"
                else:
                    cell.value = value
    book.save(path)
    return path


ENCODINGS = ("utf-8", "utf-8-sig", "gb18030")


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("xlsx")
    return write_workbook(folder / "book.xlsx",
                          [(raw.title, table_rows(raw)) for raw in example_tables()])


@pytest.fixture(scope="module")
def csv_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One CSV per table, named 1-… to 13-… (read as numbers: 2 before 10), encodings mixed."""
    folder = tmp_path_factory.mktemp("csv") / "tables"
    folder.mkdir()
    for n, raw in enumerate(example_tables(), start=1):
        write_csv(folder / f"{n}-{raw.title}.csv", table_rows(raw), ENCODINGS[n % 3])
    (folder / "README.txt").write_text("不是表格", encoding="utf-8")  # not a .csv: ignored
    return folder


def built_tables(source: Path, out: Path) -> dict[int, pipeline.RebuiltTable]:
    result = pipeline.build([source], out)
    assert result.ok, result.failures
    (published,) = result.documents
    assert published.problems == ()
    return {t.number: t for t in pipeline.rebuild_tables(out)}


@pytest.fixture(scope="module")
def text_tables(built: pipeline.BuildResult) -> dict[int, pipeline.RebuiltTable]:
    return {t.number: t for t in pipeline.rebuild_tables(built.output)}


@pytest.fixture(scope="module")
def xlsx_tables(workbook: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[
    int, pipeline.RebuiltTable
]:
    return built_tables(workbook, tmp_path_factory.mktemp("xlsx-build"))


@pytest.fixture(scope="module")
def csv_tables(csv_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[
    int, pipeline.RebuiltTable
]:
    return built_tables(csv_folder, tmp_path_factory.mktemp("csv-build"))


def run(*args: str | Path) -> tuple[int, str]:
    """The CLI in-process: (exit code, stderr); an uncaught exception fails the test."""
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"uncaught {result.exception!r}\nstderr: {result.stderr}")
    return result.exit_code, result.stderr


def refused(path: Path, out: Path) -> str:
    """Build one bad input: exit 2, one `error:` line naming it; the problem, path cut out."""
    code, stderr = run("build", path, "-o", out)
    assert "Traceback" not in stderr, stderr
    assert code == 2, f"exit {code}, stderr: {stderr!r}"
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error:"), lines[0]
    assert str(path) in lines[0], lines[0]
    assert not out.exists() or not any(out.iterdir())
    return lines[0].removeprefix("error:").replace(str(path), "")


# ------------------------------------------------------------------ the example as a workbook


def assert_same_tables(
    got: dict[int, pipeline.RebuiltTable], expected: dict[int, pipeline.RebuiltTable]
) -> None:
    assert sorted(got) == sorted(expected) == list(range(1, TABLES + 1))
    for n, want in expected.items():
        table = got[n]
        assert (table.kind, table.title, table.header) == (want.kind, want.title, want.header), n
        rows = want.rows
        assert len(table.rows) == len(rows), f"table {n}: {len(table.rows)} rows, text {len(rows)}"
        for i, (row, text_row) in enumerate(zip(table.rows, rows, strict=True), start=1):
            assert row == text_row, f"table {n} row {i}"


def test_workbook_builds_with_all_thirteen_table_kinds(
    xlsx_tables: dict[int, pipeline.RebuiltTable], text_tables: dict[int, pipeline.RebuiltTable],
) -> None:
    assert len({t.kind for t in xlsx_tables.values()}) == TABLES
    assert [t.kind for t in xlsx_tables.values()] == [t.kind for t in text_tables.values()]


def test_every_cell_of_every_workbook_table_equals_the_text_build(
    xlsx_tables: dict[int, pipeline.RebuiltTable], text_tables: dict[int, pipeline.RebuiltTable],
) -> None:
    assert_same_tables(xlsx_tables, text_tables)


def test_every_cell_of_every_csv_table_equals_the_text_build(
    csv_tables: dict[int, pipeline.RebuiltTable], text_tables: dict[int, pipeline.RebuiltTable],
) -> None:
    assert_same_tables(csv_tables, text_tables)


def test_workbook_amounts_are_float_cells_printed_by_their_format(workbook: Path) -> None:
    book = load_workbook(workbook, read_only=True)
    numbers = [c for ws in book.worksheets for row in ws.iter_rows() for c in row
               if isinstance(c.value, int | float)]  # 7.0 is stored as 7 and read as an int
    book.close()
    printed = [c for raw in example_tables() for line in raw.lines for c in line.cells
               if AMOUNT.match(c)]
    assert len(numbers) == len(printed) > 400
    assert {c.number_format for c in numbers} == {"#,##0.00"}
    assert any(isinstance(c.value, float) for c in numbers)
    content = sheet.xlsx_to_text(workbook, workbook.read_bytes(), load())
    assert "本年支出合计\t7,454.80" in content


@pytest.fixture(scope="module")
def sheet_doc(workbook: Path) -> Document:
    return document((workbook,))


def test_workbook_without_a_title_is_dated_and_named_from_its_tables(sheet_doc: Document) -> None:
    assert (sheet_doc.year, sheet_doc.phase) == (2026, "budget")
    assert sheet_doc.organisation.name == ORGANISATION
    assert sheet_doc.title == f"2026年度{ORGANISATION}部门预算"
    assert sheet_doc.organisation.code == "017"
    assert sheet_doc.source.tables[11].meta == ("（2026年度）", *MOVED_TO_META[12])


def test_text_document_and_workbook_are_the_same_document(sheet_doc: Document) -> None:
    doc = document((EXAMPLE,))
    assert (doc.year, doc.phase, doc.organisation.name) == (
        sheet_doc.year, sheet_doc.phase, sheet_doc.organisation.name)
    assert doc.organisation.units == sheet_doc.organisation.units


def test_cover_sheet_of_paragraphs_is_read_as_narrative(tmp_path: Path) -> None:
    lines = EXAMPLE.read_text(encoding="utf-8").split("\n")
    narrative = [[line] for line in lines[: lines.index("2026年部门收支总体情况表")] if line]
    sheets = [("说明", narrative), *((raw.title, table_rows(raw)) for raw in example_tables())]
    doc = document((write_workbook(tmp_path / "with-cover.xlsx", sheets),))
    text_doc = document((EXAMPLE,))
    assert doc.title == text_doc.title  # from the narrative title, not from the tables
    assert doc.organisation.responsibilities == text_doc.organisation.responsibilities
    assert [(s.subject, s.measure, s.value, s.unit) for s in doc.statements] == [
        (s.subject, s.measure, s.value, s.unit) for s in text_doc.statements]
    assert len(doc.statements) > 20


def test_final_accounts_table_titles_give_the_final_phase(tmp_path: Path) -> None:
    header = [
        ["财政拨款“三公”经费"],
        ["合计", "", "因公出国（境）费", "", "公务用车购置及运行费", "", "", "", "", "",
         "公务接待费"],
        ["", "", "", "", "小计", "", "公务用车购置费", "", "公务用车运行费"],
        ["预算数", "决算数"] * 6,
    ]
    rows = [["2024年度财政拨款“三公”经费支出决算表"], ["部门名称：测试局", "", "", "单位：万元"],
            *header, ["12.00", "10.50", "0.00", "0.00", "8.00", "7.50", "0.00", "0.00",
                      "8.00", "7.50", "4.00", "3.00"]]
    doc = document((write_workbook(tmp_path / "final.xlsx", [("三公", rows)]),))
    assert [t.kind for t in doc.tables] == ["three-public"]
    assert (doc.year, doc.phase, doc.organisation.name) == (2024, "final", "测试局")
    assert doc.title == "2024年度测试局部门决算"
    assert doc.tables[0].unit == "wan-yuan"
    assert doc.tables[0].rows[0].cells[1] == "10.50"


def test_sheet_name_is_the_title_of_a_sheet_without_one(tmp_path: Path) -> None:
    raw = example_tables()[0]
    book = write_workbook(tmp_path / "untitled.xlsx", [(raw.title, table_rows(raw)[1:])])
    doc = document((book,))
    assert [(t.kind, t.title) for t in doc.tables] == [("overview", raw.title)]


def test_hidden_sheet_is_not_read(tmp_path: Path) -> None:
    first, second = example_tables()[:2]
    path = write_workbook(tmp_path / "hidden.xlsx",
                          [(t.title, table_rows(t)) for t in (first, second)])
    book = load_workbook(path)
    book.worksheets[1].sheet_state = "hidden"
    book.save(path)
    assert [t.title for t in document((path,)).tables] == [first.title]


def test_unit_at_the_right_end_of_the_department_row_is_meta() -> None:
    rows = [["2026年部门收支总体情况表"], ["部门名称：某局", "", "", "单位：万元"],
            ["收入", "", "支出"], ["项目", "金额", "项目", "金额"]]
    lines = sheet.sheet_lines("Sheet1", rows, load())
    assert lines == ["2026年部门收支总体情况表", "部门名称：某局 单位：万元",
                     "收入\t\t支出", "项目\t金额\t项目\t金额"]


def test_single_cell_rows_below_the_grid_are_rows_then_notes() -> None:
    rows = [["2026年政府性基金预算支出情况表"], ["单位：万元"], ["科目编码", "科目名称", "合计"],
            ["", "合计"], [], ["", "", "-"], ["注：本表无数据。"], ["", "", "编制日期：2026年"]]
    lines = sheet.sheet_lines("Sheet1", rows, load())
    assert lines == ["2026年政府性基金预算支出情况表", "单位：万元", "科目编码\t科目名称\t合计",
                     "\t合计", "", "\t\t-", "注：本表无数据。", "编制日期：2026年"]


def test_empty_columns_on_the_left_are_dropped() -> None:
    rows = [["", "2026年部门收支总体情况表"], ["", "收入", "", "支出"], ["", "项目", "金额"]]
    assert sheet.sheet_lines("Sheet1", rows, load()) == [
        "2026年部门收支总体情况表", "收入\t\t支出", "项目\t金额"]


# ----------------------------------------------------------------------------- number cells


@pytest.mark.parametrize(("value", "number_format", "printed"), [
    pytest.param(7454.8, "#,##0.00", "7,454.80", id="thousands-two-decimals"),
    pytest.param(7454.8, "0.00", "7454.80", id="two-decimals"),
    pytest.param(7454.8, "General", "7454.8", id="general"),
    pytest.param(89.1, "#,##0.00_);[Red](#,##0.00)", "89.10", id="accounting-sections"),
    pytest.param(-5.5, "#,##0.00;[Red]-#,##0.00", "-5.50", id="negative-section"),
    pytest.param(0.0, '#,##0.00;-#,##0.00;"-"', "-", id="zero-as-dash"),
    pytest.param(0.0, '_ * #,##0.00_ ;_ * -#,##0.00_ ;_ * "-"??_ ;_ @_ ', "-",
                 id="chinese-accounting-zero"),
    pytest.param(2.675, "0.00", "2.68", id="half-away-from-zero"),
    pytest.param(17, "000", "017", id="zero-padded-code"),
    pytest.param(206, "General", "206", id="integer"),
    pytest.param(100.0, "General", "100", id="whole-float"),
    pytest.param(0.125, "0.00%", "12.50%", id="percent"),
    pytest.param(1234.5, "[$¥-804]#,##0.00", "1,234.50", id="currency-not-printed"),
])
def test_number_cell_prints_as_its_format_shows_it(
        value: float, number_format: str, printed: str) -> None:
    assert sheet.cell_text(value, number_format) == printed


@pytest.mark.parametrize(("value", "number_format", "printed"), [
    pytest.param(0.1 + 0.2, "General", "0.3", id="sum-general"),
    pytest.param(0.1 + 0.2, "#,##0.00", "0.30", id="sum-two-decimals"),
    pytest.param(1.1 * 3, "General", "3.3", id="product"),
    pytest.param(0.35 + 0.1, "General", "0.45", id="sum-of-amounts"),
    pytest.param(4.35 * 100, "General", "435", id="scaled"),
    pytest.param(1 - 0.9, "General", "0.1", id="difference"),
    pytest.param(1.5e-7, "General", "0.00000015", id="no-exponent"),
])
def test_float_cells_leak_no_binary_noise(value: float, number_format: str, printed: str) -> None:
    assert repr(value) != printed  # the float itself carries the noise ...
    assert sheet.cell_text(value, number_format) == printed  # ... the cell text does not


def test_float_cells_read_from_a_workbook_print_without_noise(tmp_path: Path) -> None:
    book = Workbook()
    ws = book.active
    ws.append(["2026年部门收支总体情况表"])
    ws.append(["收入", "金额", "代码", "合计"])
    ws.append(["a", 7454.8, 17, 0.1 + 0.2])
    ws["B3"].number_format = "#,##0.00"
    ws["C3"].number_format = "000"
    book.save(tmp_path / "numbers.xlsx")
    content = sheet.xlsx_to_text(tmp_path / "numbers.xlsx",
                                 (tmp_path / "numbers.xlsx").read_bytes(), load())
    assert content.split("\n")[2] == "a\t7,454.80\t017\t0.3"


def test_text_cells_have_line_breaks_made_spaces() -> None:
    assert sheet.cell_text("对个人和家庭\n的补助  ") == "对个人和家庭 的补助"
    assert sheet.cell_text(None) == ""


# ------------------------------------------------------------------------- bad spreadsheets


def _zip_without_workbook(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "不是工作簿")


def _truncated_workbook(path: Path) -> None:
    book = Workbook()
    book.active.append(["2026年部门收支总体情况表"])
    book.save(path)
    path.write_bytes(path.read_bytes()[:300])


@pytest.mark.parametrize(("make", "word"), [
    pytest.param(lambda p: p.write_bytes(random.Random(0).randbytes(4096)), "not an .xlsx",
                 id="random-bytes"),
    pytest.param(lambda p: p.write_bytes(b"PK\x03\x04" + random.Random(1).randbytes(4096)),
                 "not a readable .xlsx", id="zip-header-random-bytes"),
    pytest.param(_zip_without_workbook, "not a readable .xlsx", id="zip-without-workbook"),
    pytest.param(_truncated_workbook, "not a readable .xlsx", id="truncated-workbook"),
    pytest.param(lambda p: p.write_bytes(b""), "empty", id="empty-file"),
])
def test_corrupt_workbook_is_refused_with_one_error_line(
        tmp_path: Path, make: Callable[[Path], object], word: str) -> None:
    path = tmp_path / "book.xlsx"
    make(path)
    assert word in refused(path, tmp_path / "out")


def test_xls_named_xlsx_is_refused_as_the_old_format(tmp_path: Path) -> None:
    path = tmp_path / "old.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024))
    assert ".xls" in refused(path, tmp_path / "out")


def test_workbook_without_a_filled_cell_is_refused_as_empty(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    Workbook().save(path)
    assert "empty" in refused(path, tmp_path / "out")


def test_workbook_without_a_budget_table_is_not_a_budget_document(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "timetable.xlsx", [
        ("课程表", [["2025年春季学期课程表"], ["星期一", "星期二", "星期三"],
                    ["语文", "数学", "英语"]]),
        ("说明", [["春天来了，河边的柳树发芽了。"]]),
    ])
    assert "names no organisation" in refused(path, tmp_path / "out")


def test_tables_naming_no_year_are_refused_not_dated(tmp_path: Path) -> None:
    raw = next(t for t in example_tables() if t.title == "一般公共预算基本支出表")
    path = write_workbook(tmp_path / "undated.xlsx", [(raw.title, table_rows(raw))])
    problem = refused(path, tmp_path / "out")
    assert "year" in problem


@pytest.mark.parametrize(("content", "expected"), [
    pytest.param({}, "the folder holds no document", id="empty-folder"),  # issue 17
    # a folder of other documents is those documents: here one that holds no table
    pytest.param({"notes.txt": "2026年部门收支总体情况表\n"}, "notes.txt: not a budget document",
                 id="no-csv-files"),
])
def test_folder_without_csv_files_is_refused(tmp_path: Path, content: dict[str, str],
                                             expected: str) -> None:
    folder = tmp_path / "tables"
    folder.mkdir()
    for name, body in content.items():
        (folder / name).write_text(body, encoding="utf-8")
    problem = refused(folder, tmp_path / "out")
    assert expected in problem


def test_binary_csv_in_a_folder_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "tables"
    folder.mkdir()
    bad = folder / "1-表.csv"
    bad.write_bytes(b"\x00\x01" * 64)
    problem = refused(folder, tmp_path / "out")
    assert f"/{bad.name}: binary" in problem
