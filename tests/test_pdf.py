"""The PDF reader on the three real PDFs of ../shared/docs: what each table keeps (its unit, the
phase of each column, its emptiness and note, a row printed alone on the next page), and the text
form the same for any number of workers. Every real document's amounts, rows and columns are
checked against the PDFium oracle in tests/test_real_documents.py; the amount counter here
(`printed_amounts`, a regular expression over PDFium's page text) is a second, simpler oracle
that tests/test_pdf_oracle.py holds the first against.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pypdfium2 as pdfium
import pytest

from budgetkg import pipeline, store
from budgetkg.mapping import load as load_mappings
from budgetkg.read import pdf as pdf_reader
from tests.conftest import RealDocuments, shared_path

BUDGET_KINDS = [
    "overview", "income", "expenditure", "appropriation-overview", "general-budget-expenditure",
    "government-fund", "state-capital", "general-budget-basic-expenditure", "three-public",
]
FINAL_KINDS = ["units", *BUDGET_KINDS[:5], "general-budget-basic-expenditure", "three-public",
               "government-fund", "state-capital"]


@dataclass(frozen=True)
class Pdf:
    file: str
    page_count: int
    table_pages: range  # read off the documents by hand: first to last page printing a table
    kinds: list[str]  # table kinds in printed order
    empty: tuple[str, ...]  # tables printed empty, with a note saying so


# Golden facts about the three documents, read off the PDFs by hand.
PDFS = {
    "wanli": Pdf("sh-putuo-wanli-jiedao-2024-dept-budget.pdf", 33, range(10, 32), BUDGET_KINDS,
                 ("government-fund", "state-capital")),
    "shangwuwei": Pdf("sh-putuo-shangwuwei-2025-dept-budget.pdf", 26, range(9, 22), BUDGET_KINDS,
                      ("government-fund", "state-capital")),
    "caizhengju-final": Pdf("sh-putuo-caizhengju-2024-dept-final.pdf", 25, range(6, 21),
                            FINAL_KINDS, ("government-fund", "state-capital")),
}
SHANGHAI_BUDGETS = ["wanli", "shangwuwei"]

UNIT = "https://w3id.org/budgetkg/codelist/unit/"
PHASE = "https://w3id.org/budgetkg/codelist/budget-phase/"
KIND = "https://w3id.org/budgetkg/codelist/table-kind/"
PREFIXES = """PREFIX bk: <https://w3id.org/budgetkg/ontology#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX kind: <https://w3id.org/budgetkg/codelist/table-kind/>
"""

# ------------------------------------------------------------------------------------ the oracle

# An amount as these documents print it: with thousands separators and optional decimals
# (156,211,123 / 2,940.05 / 371,514,655.00), with decimals only (0.95, 47.91), or a bare integer
# (the Wanli budget prints 元 as integers: `0`, and `25` in its 三公 table). The look-arounds stop
# a match from starting or ending inside a longer number, so an enumerator `1.`
# (`1. 一般公共预算资金`) and a date `2025.1.1` yield nothing.
AMOUNT = re.compile(r"(?<![\d.,])(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+|\d+)(?![\d.,])")
# Numbers that are not amounts, all bare integers:
# - a 支出功能分类/经济分类 code printed in columns before the row's name: a 3-digit 类, then up to
#   two 1-2 digit 款/项 parts (`201 38 02`; Wanli prints 款 02 as `2` in `301 2 津贴补贴`), right
#   before a CJK character. Codes printed joined (`2013802`) would be 5 or 7 digits: covered too.
#   pdfium sometimes joins a whole page of rows into one line (`... 0 0 0 204 公共安全支出 ...`);
#   only the 3-digit start can begin a code, so the amounts before it stay amounts.
# - a year: four digits followed by 年 (`2024年部门…预算表`, `2024年“三公”经费预算数`,
#   `注:本部门2024年无…`).
# What needs no filter: `单位：元` / `单位：万元` holds no digit, and the table pages print no page
# number (checked: pdfium's text of pages 6-31 has none).
# Where the oracle could be wrong, it fails loudly, never passes silently: a bare 3-digit amount
# printed right before a CJK name would be taken for a code (oracle short of one amount), and a
# dash printed as a stated zero (`-`, `—`) is not looked for (the graph would hold one more); none
# of the table pages of these three documents prints either.
CODE = re.compile(
    r"(?<![\d.,])(?:\d{3}(?:\s+\d{1,2}(?![\d.,])){0,2}|\d{5}|\d{7})(?=\s*[\u3400-\u9fff])")
YEAR = re.compile(r"(?<![\d.,])\d{4}(?=年)")


def printed_amounts(text: str) -> Counter[str]:
    """The amount strings printed on a page, from its text alone."""
    skip = [m.span() for m in CODE.finditer(text)] + [m.span() for m in YEAR.finditer(text)]
    return Counter(
        m.group() for m in AMOUNT.finditer(text)
        if not any(start <= m.start() < end for start, end in skip)
    )


def pdfium_pages(path: Path) -> list[str]:
    """The text of each page, as PDFium extracts it."""
    document = pdfium.PdfDocument(path)
    try:
        return [document[i].get_textpage().get_text_range() for i in range(len(document))]
    finally:
        document.close()


# -------------------------------------------------------------------------------------- fixtures


@dataclass(frozen=True, repr=False)
class Built:
    output: Path
    db: ox.Store

    def __repr__(self) -> str:  # short, for pytest's report of a failing test's arguments
        return f"Built({self.output})"

    def select(self, sparql: str) -> list[tuple[str, ...]]:
        solutions = store.query(self.db, PREFIXES + sparql)
        assert isinstance(solutions, ox.QuerySolutions)
        names = [v.value for v in solutions.variables]
        return [tuple(s[n].value if s[n] is not None else "" for n in names) for s in solutions]


@pytest.fixture(scope="module")
def builds(real_documents: RealDocuments) -> dict[str, Built]:
    """Each of the three PDFs' graphs, from the one build of every real document."""
    out = {}
    for name, doc in PDFS.items():
        (stem,) = [s for s, files in real_documents.files.items()
                   if [f.name for f in files] == [doc.file]]
        db = ox.Store()
        db.bulk_load(path=str(real_documents.result.output / f"{stem}.nt"),
                     format=ox.RdfFormat.N_TRIPLES)
        out[name] = Built(real_documents.result.output, db)
    return out


@pytest.fixture(scope="module")
def text_forms() -> dict[str, str]:
    """The converter's text form of each PDF (budgetkg.read.pdf.to_text), made once."""
    furniture = load_mappings().document["page_furniture"]
    out = {}
    for name, doc in PDFS.items():
        path = shared_path("docs", doc.file)
        out[name] = pdf_reader.to_text(path, path.read_bytes(), furniture).text
    return out


def _rebuilt(built: Built, stem_of: str) -> dict[str, pipeline.RebuiltTable]:
    return {t.kind: t for t in pipeline.rebuild_tables(built.output)
            if t.graph.split("/doc/")[1].startswith(stem_of)}


# ------------------------------------------------------------------------------- tables and pages


@pytest.mark.parametrize("name", PDFS)
def test_each_pdf_gives_its_tables_in_printed_order_on_its_table_pages(
        name: str, builds: dict[str, Built]) -> None:
    built, doc = builds[name], PDFS[name]
    kinds = built.select("""
        SELECT ?kind WHERE { ?t a bk:BudgetTable ; bk:tableNumber ?n ; bk:tableKind ?kind }
        ORDER BY ?n""")
    assert [k.removeprefix(KIND) for (k,) in kinds] == doc.kinds
    pages = {int(p) for (p,) in built.select("""
        SELECT DISTINCT ?page WHERE { ?obs a qb:Observation ; bk:row/bk:sourcePage ?page }""")}
    assert pages and pages <= set(doc.table_pages)
    assert len(pdfium_pages(shared_path("docs", doc.file))) == doc.page_count


def test_the_counter_sees_integers_where_wanli_prints_them() -> None:
    """The bare-integer branch of the regular-expression counter is exercised, and codes and
    years are kept out."""
    pages = pdfium_pages(shared_path("docs", PDFS["wanli"].file))
    page_11 = printed_amounts(pages[10])
    assert page_11["0"] == 36
    assert page_11["135,200"] == 2
    assert not {"201", "05", "38", "2024"} & set(page_11)
    assert printed_amounts(pages[30]) == Counter(
        ["47.91", "0", "1.35", "46.56", "25", "21.56", "443.18"])


@pytest.mark.parametrize(("page", "kind", "expected"), [
    pytest.param(15, "income",
                 ["合计", "", "", "", "156,211,123", "156,211,123", "0", "0", "0"],
                 id="p15-income"),
    pytest.param(20, "expenditure",
                 ["合计", "", "", "", "156,211,123", "99,706,020", "56,505,103"],
                 id="p20-expenditure"),
])
def test_total_row_alone_on_a_continuation_page_keeps_its_columns(
        page: int, kind: str, expected: list[str], builds: dict[str, Built]) -> None:
    """The Wanli budget prints the 合计 row of tables 2 and 3 alone on the next page (15, 20).

    That one-row grid holds the merged 合计 cell as one cell, so the row has fewer cells than
    the table; the same row printed under other rows (table 5, page 26) rebuilds as
    `合计,,,,156,211,123,99,706,020,56,505,103`. Each amount belongs under its printed header.
    """
    tables = _rebuilt(builds["wanli"], "上海市普陀区人民政府万里街道办事处/2024/")
    assert tables["general-budget-expenditure"].rows[-1] == [
        "合计", "", "", "", "156,211,123", "99,706,020", "56,505,103"]
    assert tables[kind].rows[-1] == expected


# ------------------------------------------------------------------------------------------ units


@pytest.mark.parametrize("name", PDFS)
def test_each_table_keeps_its_printed_unit(name: str, builds: dict[str, Built]) -> None:
    units: dict[str, set[str]] = {}
    for kind, unit in builds[name].select("""
            SELECT ?kind ?unit WHERE {
              ?obs a qb:Observation ; bk:printedUnit ?unit ; bk:row/bk:inTable/bk:tableKind ?kind .
            }"""):
        units.setdefault(kind.removeprefix(KIND), set()).add(unit.removeprefix(UNIT))
    doc = PDFS[name]
    with_amounts = [k for k in doc.kinds if k not in doc.empty and k != "units"]
    if name in SHANGHAI_BUDGETS:  # tables in 元, the 三公 table in 万元 (单位:万元 above it)
        expected = {k: {"wan-yuan" if k == "three-public" else "yuan"} for k in with_amounts}
    else:  # the final accounts print 单位：万元 above every table
        expected = {k: {"wan-yuan"} for k in with_amounts}
    assert units == expected


# ---------------------------------------------------------------------- phases of final accounts

THREE_PUBLIC_ROWS = """
    SELECT ?header ?text ?phase WHERE {
      ?obs a qb:Observation ; bk:printedText ?text ; bk:budgetPhase ?phase ;
           bk:column/bk:header ?header ; bk:row/bk:inTable/bk:tableKind kind:three-public .
    }"""


def test_final_accounts_three_public_keeps_the_phase_of_each_column(
        builds: dict[str, Built]) -> None:
    """预算数 columns are budget, 决算数 columns final.

    This department spent nothing on 三公 in 2024: its one data row prints 0.95 under two 预算数
    headers and leaves every 决算数 cell empty (an empty cell is no amount), so the real document
    can only show budget-phase observations; the final phase of 决算数 cells is checked on the
    same table with two of those cells filled (next test).
    """
    rows = builds["caizhengju-final"].select(THREE_PUBLIC_ROWS)
    assert sorted(rows) == [
        ("财政拨款“三公”经费 / 公务接待费 / 预算数", "0.95", PHASE + "budget"),
        ("财政拨款“三公”经费 / 合计 / 预算数", "0.95", PHASE + "budget"),
    ]
    headers = builds["caizhengju-final"].select("""
        SELECT ?header WHERE {
          ?col bk:columnRole "amount" ; bk:header ?header ;
               bk:inTable/bk:tableKind kind:three-public .
        }""")
    last = Counter(h.rsplit(" / ", 1)[-1] for (h,) in headers)
    assert last == {"预算数": 6, "决算数": 6}


def test_final_accounts_three_public_with_final_amounts_has_both_phases(
        text_forms: dict[str, str], tmp_path: Path) -> None:
    """The final accounts' text form with two 决算数 cells of the 三公 row filled in."""
    lines = text_forms["caizhengju-final"].split("\n")
    (i,) = [i for i, line in enumerate(lines) if line.startswith("0.95\t")]
    cells = lines[i].split("\t")
    assert cells == ["0.95", "", "", "", "", "", "", "", "", "", "0.95", ""]
    cells[1], cells[11] = "0.00", "0.12"  # 合计 / 决算数, 公务接待费 / 决算数
    lines[i] = "\t".join(cells)
    derived = tmp_path / "caizhengju-final-filled.txt"
    derived.write_text("\n".join(lines), encoding="utf-8")
    result = pipeline.build([derived], tmp_path / "out")
    assert result.ok, result.failures
    rows = store.query(store.load(result.output), PREFIXES + THREE_PUBLIC_ROWS)
    assert isinstance(rows, ox.QuerySolutions)
    got = sorted((s["header"].value, s["text"].value, s["phase"].value) for s in rows)
    assert got == [
        ("财政拨款“三公”经费 / 公务接待费 / 决算数", "0.12", PHASE + "final"),
        ("财政拨款“三公”经费 / 公务接待费 / 预算数", "0.95", PHASE + "budget"),
        ("财政拨款“三公”经费 / 合计 / 决算数", "0.00", PHASE + "final"),
        ("财政拨款“三公”经费 / 合计 / 预算数", "0.95", PHASE + "budget"),
    ]


def test_every_other_final_accounts_observation_is_final(builds: dict[str, Built]) -> None:
    rows = builds["caizhengju-final"].select("""
        SELECT ?kind ?phase (COUNT(DISTINCT ?obs) AS ?n) WHERE {
          ?obs a qb:Observation ; bk:row/bk:inTable/bk:tableKind ?kind .
          OPTIONAL { ?obs bk:budgetPhase ?phase }
        } GROUP BY ?kind ?phase""")
    phases: dict[str, set[str]] = {}
    for kind, phase, _ in rows:
        phases.setdefault(kind.removeprefix(KIND), set()).add(phase.removeprefix(PHASE))
    assert phases.pop("three-public") == {"budget"}
    assert phases == {k: {"final"} for k in phases}
    assert len(phases) == 6  # every table with amounts but 三公 (two are empty)


def test_the_carried_over_row_of_a_final_account_is_the_sum_of_its_funding_sources(
        builds: dict[str, Built]) -> None:
    # 年初财政拨款结转和结余 heads 一、一般公共预算财政拨款 二、… in 财政拨款收入支出决算总表:
    # it is their sum, and, being carried money itself, no total "with carry-over" as 总计 is
    rows = builds["caizhengju-final"].select("""
        SELECT ?part ?coverage WHERE {
          ?identity a bk:RowSum ; bk:totalRow ?total ; bk:partRow ?partRow .
          ?total rdfs:label "年初财政拨款结转和结余"@zh . ?partRow rdfs:label ?part .
          ?obs bk:row ?total ; bk:statesFact/bk:coverage ?coverage .
        }""")
    assert sorted({part for part, _ in rows}) == [
        "一、一般公共预算财政拨款", "三、国有资本经营预算财政拨款", "二、政府性基金预算财政拨款"]
    assert {coverage.rsplit("/", 1)[-1] for _, coverage in rows} == {"current-year"}


def test_a_block_total_naming_what_it_totals_is_the_sum_of_its_blocks_outermost_codes(
        builds: dict[str, Built]) -> None:
    # 一般公共预算财政拨款基本支出决算表: 人员经费合计 under 301 and 303, 公用经费合计 under 302 and
    # 310, printed over the code columns of each block of one row
    rows = builds["caizhengju-final"].select("""
        SELECT ?total ?header (GROUP_CONCAT(?code; separator=" ") AS ?codes) WHERE {
          ?identity a bk:RowSum ; bk:totalRow ?row ; bk:inColumn ?col ; bk:partRow ?partRow .
          ?row rdfs:label ?total . ?col bk:columnNumber ?header .
          ?obs bk:row ?partRow ; bk:column ?col ; bk:deptEconomicClassification ?class .
          BIND (REPLACE(STR(?class), "^.*/", "") AS ?code)
          FILTER (CONTAINS(?total, "经费合计"))
        } GROUP BY ?total ?header ORDER BY ?header""")
    assert [(total, int(column), sorted(codes.split())) for total, column, codes in rows] == [
        ("人员经费合计 / 公用经费合计", 4, ["301", "303"]),
        ("人员经费合计 / 公用经费合计", 8, ["302", "310"])]


# --------------------------------------------------------------------------------- empty tables


@pytest.mark.parametrize("name", PDFS)
def test_empty_tables_are_flagged_and_keep_their_note(
        name: str, builds: dict[str, Built]) -> None:
    rows = builds[name].select("""
        SELECT ?kind ?empty (GROUP_CONCAT(?note; separator="|") AS ?notes)
               (COUNT(DISTINCT ?obs) AS ?observations) WHERE {
          ?t a bk:BudgetTable ; bk:tableKind ?kind ; bk:isEmpty ?empty .
          OPTIONAL { ?t bk:note ?note }
          OPTIONAL { ?obs a qb:Observation ; bk:row/bk:inTable ?t }
        } GROUP BY ?kind ?empty""")
    tables = {kind.removeprefix(KIND): (empty, notes, int(n)) for kind, empty, notes, n in rows}
    doc = PDFS[name]
    assert sorted(tables) == sorted(doc.kinds)
    note = "故本表为空表" if name in SHANGHAI_BUDGETS else "故本表无数据"
    for kind in doc.empty:
        empty, notes, observations = tables.pop(kind)
        assert (empty, observations) == ("true", 0), kind
        assert note in notes, kind
    assert {k: t[0] for k, t in tables.items()} == {k: "false" for k in tables}
    if name == "wanli":
        # Its 三公 table prints seven amounts under a note saying 故本表为空表: the document
        # contradicts itself; the figures are kept and so is the note.
        _, notes, observations = tables["three-public"]
        assert observations == 7
        assert "故本表为空表" in notes


# --------------------------------------------------------------------------------- the text form


@pytest.mark.parametrize("name", PDFS)
def test_text_form_is_the_same_read_by_one_worker_or_by_three(name: str) -> None:
    """A PDF read in three runs of pages at once gives the text (and the page of every line) one
    worker gives."""
    path = shared_path("docs", PDFS[name].file)
    data, furniture = path.read_bytes(), load_mappings().document["page_furniture"]
    one = pdf_reader.to_text(path, data, furniture, workers=1)
    assert len(pdf_reader._runs(one.page_count, 3)) == 3
    assert pdf_reader.to_text(path, data, furniture, workers=3) == one


def test_a_run_of_pages_drops_a_text_layer_repeating_the_page_before_it() -> None:
    """Page 4 of the 商务委 budget prints page 3's 主要职能 again, as a second text layer; a run
    of pages starting at page 4 still drops it, because it reads page 3 first.

    Its last item, 13、, page 3's layer holds only below the page's bottom edge, where no one
    sees it; it is read where it is printed, on page 4.
    """
    path = shared_path("docs", PDFS["shangwuwei"].file)
    data, furniture = path.read_bytes(), load_mappings().document["page_furniture"]
    pages = pdf_reader._extract(path, data, furniture, 3, 4)
    page_3, page_4 = ([line[0] for line in page["lines"]] for page in pages)
    assert "上海市普陀区商务委员会主要职能" in page_3
    assert pdf_reader._extract(path, data, furniture, 4, 4) == pages[1:]
    assert page_4 == ["13、完成区委、区政府交办的其他任务。"]
