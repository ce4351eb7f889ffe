"""The PDFium oracle (tests/pdf_oracle.py) places amounts under their row labels and headers.

Golden facts read off the real PDFs by hand (rendered pages): which label and which headers each
amount is printed with, in the families of layouts the converter must read. The oracle itself
is then held against the amount counter of tests/test_pdf.py on the three documents it checks.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from tests import pdf_oracle
from tests.conftest import shared_path
from tests.pdf_oracle import PrintedAmount, header_matches, label_matches, locate
from tests.test_pdf import PDFS, pdfium_pages
from tests.test_pdf import printed_amounts as counted_amounts

SHANGWUWEI = ("docs", "sh-putuo-shangwuwei-2025-dept-budget.pdf")
WANLI = ("docs", "sh-putuo-wanli-jiedao-2024-dept-budget.pdf")
CAIZHENGJU = ("docs", "sh-putuo-caizhengju-2024-dept-final.pdf")
SHANGHAI = ("corpus", "shanghai-putuo")
JIANGSU = ("corpus", "jiangsu-provincial")


def amounts(*parts: str) -> list[PrintedAmount]:
    """The printed amounts of a shared PDF (read once per run: the oracle caches them)."""
    return pdf_oracle.printed_amounts(shared_path(*parts))


def corpus_pdfs() -> list[Path]:
    """The 23 PDFs: the three of ../shared/docs and the twenty of ../shared/corpus."""
    found = [*sorted(shared_path("docs").glob("*.pdf")),
             *sorted(shared_path("corpus").glob("*/*.pdf"))]
    assert len(found) == 23, found
    return found


# ----------------------------------------------------------------------------- golden placements


@dataclass(frozen=True)
class Placed:
    """An amount as printed: its page, text, the label on its line, the header it is looked up
    under (a leaf or a path `A / B`), and the headers the oracle must give it, nearest first."""

    pdf: tuple[str, ...]
    page: int
    text: str
    label: str
    header: str
    headers: tuple[str, ...]
    continued: bool = False


PLACED = {
    # 部门财务收支预算总表: two blocks side by side, each under its group header.
    "overview-income": Placed(SHANGWUWEI, 9, "371,514,655.00", "一、财政拨款收入",
                              "本年收入 / 预算数", ("预算数", "本年收入")),
    "overview-income-total": Placed(SHANGWUWEI, 9, "371,514,655.00", "收入总计", "预算数",
                                    ("预算数", "本年收入")),
    "overview-expenditure-total": Placed(SHANGWUWEI, 9, "371,514,655.00", "支出总计", "本年支出",
                                         ("预算数", "本年支出")),
    "overview-right-block": Placed(SHANGWUWEI, 9, "21,601,733.00", "一、一般公共服务支出", "预算数",
                                   ("预算数", "本年支出")),
    # Two header levels: 一般公共预算基本支出 over 合计 / 人员经费 / 公用经费.
    "basic-personnel": Placed(SHANGWUWEI, 19, "16,671,057.00", "301工资福利支出", "人员经费",
                              ("人员经费", "一般公共预算基本支出")),
    # Four levels in the unit budget's overview: 本年支出 / 预算数 / 基本支出 / 人员经费.
    "unit-overview-four-levels": Placed(
        (*SHANGHAI, "sh-putuo-shangwuwei-2025-unit-budget.pdf"), 9, "10,823,891.00",
        "一、一般公共服务支出", "基本支出 / 人员经费",
        ("人员经费", "基本支出", "预算数", "本年支出")),
    # Jiangsu: 科目编码 / 科目名称 / 金额, the code joined (30101).
    "jiangsu-basic-wage": Placed((*JIANGSU, "js-gaoyuan-2017-dept-budget.pdf"), 14, "2,509.00",
                                 "30101 基本工资", "金额", ("金额",)),
    # Integer 元, a header wrapped over two lines (事业单位 / 经营收入).
    "wanli-wrapped-header": Placed(WANLI, 11, "0", "201 01 01 行政运行", "事业单位经营收入",
                                   ("事业单位经营收入", "收入预算")),
    "wanli-three-public": Placed(WANLI, 31, "25", "", "公务用车购置及运行费 / 购置费",
                                 ("购置费", "公务用车购置及运行费", "2024年“三公”经费预算数")),
    # The 合计 row printed alone on the next page, under the header of the page before.
    "wanli-total-row-alone": Placed(WANLI, 15, "156,211,123", "合计", "财政拨款收入",
                                    ("财政拨款收入", "收入预算"), continued=True),
    # Final accounts: 预算数 and 决算数 under each 三公 item; this department filled only 预算数.
    "final-three-public-total": Placed(CAIZHENGJU, 18, "0.95", "", "合计 / 预算数",
                                       ("预算数", "合计", "财政拨款“三公”经费")),
    "final-three-public-reception": Placed(CAIZHENGJU, 18, "0.95", "", "公务接待费 / 预算数",
                                           ("预算数", "公务接待费", "财政拨款“三公”经费")),
    # A header wrapped over three lines (一般公共预算 / 财 / 政拨款) and a label over two.
    "final-wrapped-header": Placed(CAIZHENGJU, 12, "2,106.66", "一、一般公共服务支出",
                                   "一般公共预算财政拨款", ("政拨款", "一般公共预算财", "支出")),
    "final-wrapped-label": Placed(CAIZHENGJU, 8, "160.75", "机关事业单位基本养老保险缴费支出",
                                  "本年收入合计", ("本年收入合计",)),
    # Continued without its header, the page opening on rows whose amount cells are empty.
    "final-continued-below-empty-rows": Placed(CAIZHENGJU, 13, "2,961.68", "总计", "收入 / 决算数",
                                               ("决算数", "收入"), continued=True),
    # A page turned by /Rotate 90.
    "rotated-page": Placed((*JIANGSU, "js-shengweibgt-2018-dept-budget-tables.pdf"), 3,
                           "24,458.43", "一、财政拨款", "收入 / 金额", ("金额", "收入")),
    # A leaf spanning the whole header beside the group 三公 printed higher up.
    "full-height-leaf": Placed((*JIANGSU, "js-shengweibgt-2018-dept-budget-tables.pdf"), 11,
                               "933.50", "", "会议费", ("会议费",)),
    # Amounts printed left-aligned in their column.
    "left-aligned": Placed((*JIANGSU, "js-renda-2018-dept-budget.pdf"), 16, "370.00",
                           "30201 办公费", "机关运行经费支出", ("机关运行经费支出",)),
}


@pytest.mark.parametrize("name", PLACED)
def test_amount_is_placed_on_its_row_under_its_headers(name: str) -> None:
    fact = PLACED[name]
    found = locate(amounts(*fact.pdf), fact.page, fact.text, fact.label, fact.header)
    assert found is not None, f"{fact.text} not found on page {fact.page} under {fact.header}"
    assert (found.headers, found.continued) == (fact.headers, fact.continued)


def test_final_accounts_three_public_items_each_have_budget_and_final() -> None:
    """Every 三公 item of the final accounts prints 预算数 then 决算数: here 合计 and 公务接待费
    print 2.85 and 0.39, the other items 0.00 under both."""
    row = [a for a in amounts(*SHANGHAI, "sh-putuo-guihuaziyuan-2024-dept-final.pdf")
           if a.page == 17]
    top, car = ("财政拨款“三公”经费",), ("公务用车购置及运行维护费", "财政拨款“三公”经费")
    items = [(("合计",), top), (("因公出国（境）费",), top), (("小计",), car),
             (("公务用车购置费",), car), (("公务用车运行维护费",), car), (("公务接待费",), top)]
    expected = [(phase, *item, *above) for item, above in items for phase in ("预算数", "决算数")]
    assert [a.headers for a in row] == expected
    assert [a.text for a in row] == ["2.85", "0.39", *["0.00"] * 8, "2.85", "0.39"]


def test_wrapped_leaf_matches_when_its_lines_read_as_cells_of_their_own() -> None:
    """小 / 计 printed two lines apart, interleaved with 因公 / 出国 / （境）费 beside it."""
    found = locate(amounts(*JIANGSU, "js-renda-2017-dept-budget.pdf"), 20, "833.60", "", "小计")
    assert found is not None
    assert found.headers[:2] == ("计", "小")


def test_every_amount_of_the_three_documents_table_pages_has_a_header() -> None:
    for doc in PDFS.values():
        missing = [(a.page, a.text) for a in amounts("docs", doc.file)
                   if a.page in doc.table_pages and not a.headers]
        assert missing == [], doc.file


def test_every_amount_outside_sentences_on_a_table_page_has_a_header() -> None:
    """All 23 PDFs: each amount not written in a sentence on a page printing a unit line (单位：)
    sits under a header."""
    for path in corpus_pdfs():
        tables = set(pdf_oracle.unit_line_pages(path))
        missing = [(a.page, a.text) for a in pdf_oracle.printed_amounts(path)
                   if a.page in tables and not a.headers
                   and not any(mark in a.line_text for mark in "。，；")]
        assert missing == [], path.name


def test_amounts_in_sentences_have_no_header() -> None:
    narrative = [a for a in amounts(*JIANGSU, "js-gaoyuan-2017-dept-budget.pdf") if a.page == 19]
    assert narrative and all(a.headers == () for a in narrative)


# --------------------------------------------------------------------------- what is an amount


@pytest.mark.parametrize("name", PDFS)
def test_oracle_finds_every_amount_the_counting_oracle_finds_on_each_table_page(
        name: str) -> None:
    """tests/test_pdf.py counts amount strings in PDFium's page text; placed here, every one of
    them is found again on its page, as often."""
    doc = PDFS[name]
    texts = pdfium_pages(shared_path("docs", doc.file))
    placed: dict[int, Counter[str]] = {}
    for amount in amounts("docs", doc.file):
        placed.setdefault(amount.page, Counter())[amount.text] += 1
    for page in doc.table_pages:
        counted = counted_amounts(texts[page - 1])
        assert counted <= placed.get(page, Counter()), f"{doc.file} page {page}"


def test_codes_years_page_numbers_and_numbers_in_text_are_not_amounts() -> None:
    wanli = {a.text for a in amounts(*WANLI) if a.page == 12}
    assert not {"201", "38", "02", "2024"} & wanli  # 201 38 02 一般行政管理事务, 2024年
    final = {a.text for a in amounts(*CAIZHENGJU) if a.page == 16}
    assert not {"301", "302", "01", "11"} & final  # a code and its 款 at different heights
    renda = [a for a in amounts(*JIANGSU, "js-renda-2018-dept-budget.pdf") if a.page in (8, 11)]
    assert not {"8", "11", "01", "05", "2080505"} & {a.text for a in renda}  # page numbers,
    # 公开 05 表, and 2080505 with its name wrapped above and below it
    table_ten = [a for a in amounts(*JIANGSU, "js-jianchayuan-2018-dept-budget.pdf")
                 if a.line_text.endswith("公开")]
    assert table_ten == []  # 公开 10 表


def test_wanli_integer_amounts_are_amounts() -> None:
    page_11 = Counter(a.text for a in amounts(*WANLI) if a.page == 11)
    assert page_11["0"] == 36
    assert page_11["135,200"] == 2


# -------------------------------------------------------------------------------------- words


def test_words_part_an_amount_from_the_next_cells_text_but_not_a_year_from_its_text() -> None:
    document = pdfium.PdfDocument(shared_path(*SHANGWUWEI))
    try:
        page = document[8]
        try:
            texts = [w.text for w in pdf_oracle.words(page)]
        finally:
            page.close()
    finally:
        document.close()
    assert {"371,514,655.00", "一、一般公共服务支出", "2025年部门财务收支预算总表"} <= set(texts)


def test_words_are_placed_top_down_with_y_growing_downward() -> None:
    document = pdfium.PdfDocument(shared_path(*SHANGWUWEI))
    try:
        page = document[8]
        try:
            found = pdf_oracle.words(page)
        finally:
            page.close()
    finally:
        document.close()
    title = next(w for w in found if w.text == "2025年部门财务收支预算总表")
    total = next(w for w in found if w.text == "收入总计")
    assert title.top < title.bottom < total.top
    assert found.index(title) < found.index(total)


# ------------------------------------------------------------------------------------- locate


def test_label_matches_without_spaces_and_with_full_width_brackets_folded() -> None:
    assert label_matches("30213维修（护）费", "30213 维修(护)费")
    assert label_matches("201 01 01行政运行", "2010101 行政运行")


def test_label_matches_the_first_line_of_a_wrapped_label_only_where_the_label_ends() -> None:
    wrapped = "机关事业单位基本养老保险缴费支出"
    assert label_matches("2080505机关事业单位基本养老保险160.75", wrapped)
    assert not label_matches("1.一般公共预算资金", "一般公共预算拨款")
    assert not label_matches("合计", "合计收入")  # shorter than 4 characters: the whole of it


def test_header_matches_a_leaf_or_a_path_read_top_down() -> None:
    headers = ("人员经费", "基本支出", "预算数", "本年支出")
    assert header_matches(headers, "人员经费")
    assert header_matches(headers, "本年支出 / 基本支出 / 人员经费")
    assert not header_matches(headers, "人员经费 / 基本支出")
    assert not header_matches(headers, "公用经费")


def test_locate_tells_none_when_nothing_is_printed_there() -> None:
    printed = amounts(*SHANGWUWEI)
    assert locate(printed, 9, "371,514,655.00", "二、事业收入", "预算数") is None
    assert locate(printed, 9, "371,514,655.00", "一、财政拨款收入", "本年支出") is None
    assert locate(printed, 10, "371,514,655.00", "一、财政拨款收入", "预算数") is None
