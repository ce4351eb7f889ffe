"""The PDF grid reader (read/grid.py), the paragraph joiner (read/flow.py) and both on real PDFs.

grid.py and flow.py are pure geometry, so most cases are synthetic pages: a few rules and
characters placed by hand, named for the behaviour they pin. The last tests read real PDFs from
../shared and check what their renders show.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest

from budgetkg.mapping import load as load_mappings
from budgetkg.read import continued, flow, grid
from budgetkg.read import pdf as pdf_reader
from budgetkg.read.grid import Char, Shape
from tests.conftest import shared_path

# ------------------------------------------------------------------------------ synthetic pages


def write(text: str, x: float, top: float, size: float = 10.0, font: str = "SimSun"
          ) -> list[Char]:
    """Characters of `text` set from x: CJK a full size wide, Latin letters and digits half."""
    out = []
    for ch in text:
        width = size / 2 if ch.isascii() else size
        out.append(Char(ch, x, x + width, top, top + size, size, font))
        x += width
    return out


def line(x0: float, top: float, x1: float, bottom: float, colour: grid.Colour = 0.0) -> Shape:
    return Shape("line", x0, top, x1, bottom, stroke=True, stroke_colour=colour)


def ruled(xs: Iterable[float], ys: Iterable[float]) -> list[Shape]:
    """A full grid: a vertical rule at every x, a horizontal one at every y."""
    xs, ys = list(xs), list(ys)
    return ([line(x, ys[0], x, ys[-1]) for x in xs]
            + [line(xs[0], y, xs[-1], y) for y in ys])


def rows(found: grid.Layout) -> list[tuple[str, ...]]:
    return [e.cells for e in found.elements if isinstance(e, grid.Row)]


def texts(found: grid.Layout) -> list[str]:
    """Every element as a text-form line: rows joined by tabs."""
    return ["\t".join(e.cells) if isinstance(e, grid.Row) else e.text for e in found.elements]


# ------------------------------------------------------------------------------------- colours


@pytest.mark.parametrize(("colour", "white"), [
    (1, True), (1.0, True), ((1.0,), True), ((1.0, 1.0, 1.0), True), ((0, 0, 0, 0), True),
    (0, False), (0.0, False), ((0.0, 0.0, 0.0), False), ((0, 0, 0, 1), False),
    ((1.0, 1.0, 0.8), False), (None, False), ("P12", False),
])
def test_white_is_gray_one_rgb_ones_or_cmyk_without_ink(colour: grid.Colour, white: bool) -> None:
    assert grid.is_white(colour) is white


# --------------------------------------------------------------------------------------- rules


def test_collinear_pieces_are_one_rule_and_corner_pieces_none() -> None:
    pieces = [Shape("rect", x, 99.75, x + 50, 100.25, stroke=False, fill=True, fill_colour=0)
              for x in (0, 50, 100)]
    corner = Shape("rect", 150, 99.75, 150.5, 100.25, stroke=False, fill=True, fill_colour=0)
    assert grid.rules([*pieces, corner]) == [grid.Rule(True, 100.0, 0, 150)]


def test_white_and_large_filled_rectangles_are_no_rules() -> None:
    sheet = Shape("rect", 0, 0, 600, 800, stroke=False, fill=True, fill_colour=1.0)
    white_edge = Shape("rect", 10, 10, 590, 790, stroke=True, stroke_colour=(1.0, 1.0, 1.0))
    white_rule = Shape("rect", 0, 50, 600, 50.5, stroke=False, fill=True, fill_colour=(0, 0, 0, 0))
    grey_cell = Shape("rect", 0, 60, 100, 80, stroke=False, fill=True, fill_colour=0.8)
    assert grid.rules([sheet, white_edge, white_rule, grey_cell]) == []


# -------------------------------------------------------------------------------------- tables


def test_double_border_is_one_column_boundary() -> None:
    """Each cell drawn as its own rectangle, 5 pt from its neighbour: three columns, not five."""
    cells = [(50, 150), (155, 300), (305, 400)]
    shapes = [Shape("rect", x0, top, x1, top + 20) for x0, x1 in cells for top in (100, 123)]
    chars = (write("科目编码", 60, 105) + write("科目名称", 165, 105) + write("金额", 320, 105)
             + write("301", 60, 128) + write("工资福利支出", 165, 128)
             + write("7,687.65", 320, 128))
    assert rows(grid.layout(chars, shapes)) == [
        ("科目编码", "科目名称", "金额"), ("301", "工资福利支出", "7,687.65")]


def test_rules_drawn_as_thin_filled_rectangles_make_a_grid() -> None:
    shapes = [Shape("rect", x - 0.25, 0, x + 0.25, 40, stroke=False, fill=True, fill_colour=0)
              for x in (0, 100, 200)]
    shapes += [Shape("rect", 0, y - 0.25, 200, y + 0.25, stroke=False, fill=True,
                     fill_colour=(0.0, 0.0, 0.0)) for y in (0, 20, 40)]
    chars = (write("项目", 10, 5) + write("金额", 110, 5)
             + write("合计", 10, 25) + write("1.00", 110, 25))
    assert rows(grid.layout(chars, shapes)) == [("项目", "金额"), ("合计", "1.00")]


def test_first_row_of_a_continued_table_without_top_rule_is_kept() -> None:
    """A table continued from the previous page: its vertical rules start above its first
    horizontal one, and so does the region, so the first row is a row, not a text line."""
    shapes = [line(x, 60, x, 120) for x in (50, 150, 300, 400)]
    shapes += [line(50, y, 400, y) for y in (80, 100, 120)]
    chars = (write("2210201", 55, 65) + write("住房公积金", 155, 65) + write("1,029.15", 320, 65)
             + write("2210202", 55, 85) + write("提租补贴", 155, 85) + write("1,959.99", 320, 85)
             + write("合计", 155, 105) + write("2,989.14", 320, 105))
    assert texts(grid.layout(chars, shapes)) == [
        "2210201\t住房公积金\t1,029.15", "2210202\t提租补贴\t1,959.99", "\t合计\t2,989.14"]


def test_white_sheet_over_the_page_keeps_title_and_meta_out_of_the_table() -> None:
    """An Excel export lays a white filled rectangle over the whole sheet; its edges are no
    rules, so the title and the meta line above the table stay text lines."""
    shapes = [Shape("rect", 40, 20, 560, 300, stroke=False, fill=True, fill_colour=(1, 1, 1)),
              *ruled((50, 300, 550), (100, 120, 140))]
    chars = (write("收入预算总表", 250, 40, size=20) + write("部门：江苏省政协办公厅", 50, 80)
             + write("单位：万元", 500, 80) + write("项目名称", 60, 105) + write("金额", 310, 105)
             + write("收入总计", 60, 125) + write("10,150.48", 310, 125))
    found = grid.layout(chars, shapes)
    assert texts(found) == ["收入预算总表", "部门：江苏省政协办公厅 单位：万元", "项目名称\t金额",
                            "收入总计\t10,150.48"]
    meta = found.elements[1]
    assert isinstance(meta, grid.TextLine) and meta.spread


def test_merged_header_cell_text_goes_to_its_top_left_position() -> None:
    """合计 spans two header rows (no rule under it), 经费 two columns (no rule between them):
    each text goes to its cell's top-left position, the positions it covers stay empty, wherever
    in the cell the text sits."""
    shapes = [line(x, 0, x, 60) for x in (0, 100, 300)] + [line(200, 20, 200, 60)]
    shapes += [line(0, y, 300, y) for y in (0, 40, 60)] + [line(100, 20, 300, 20)]
    chars = (write("合计", 10, 22) + write("经费", 180, 5) + write("甲", 140, 25)
             + write("乙", 240, 25) + write("小计", 10, 45) + write("1.00", 110, 45)
             + write("2.00", 210, 45))
    assert rows(grid.layout(chars, shapes)) == [
        ("合计", "经费", ""), ("", "甲", "乙"), ("小计", "1.00", "2.00")]


def test_band_is_two_rows_when_a_column_holds_two_amounts() -> None:
    """A table without rules between its body rows: each amount line anchors a row."""
    shapes = ruled((0, 100, 200), (0, 20, 70))
    chars = (write("项目", 10, 5) + write("金额", 110, 5)
             + write("基本支出", 10, 25) + write("1,000.00", 110, 25)
             + write("项目支出", 10, 40) + write("其中", 10, 52) + write("200.50", 110, 46))
    assert rows(grid.layout(chars, shapes)) == [
        ("项目", "金额"), ("基本支出", "1,000.00"), ("项目支出 其中", "200.50")]


def test_wrapped_cell_text_stays_one_row() -> None:
    shapes = ruled((0, 60, 200), (0, 40))
    chars = write("一般公共", 10, 5) + write("服务支出", 10, 20) + write("1,234.00", 110, 12)
    assert rows(grid.layout(chars, shapes)) == [("一般公共 服务支出", "1,234.00")]


def test_one_column_box_is_text_not_a_table() -> None:
    shapes = [Shape("rect", 40, 40, 400, 80)]
    assert texts(grid.layout(write("注：本表无数据。", 50, 50), shapes)) == ["注：本表无数据。"]


def test_sliver_between_header_and_body_rules_is_no_column() -> None:
    """The header's rule is 14 pt left of the body's: the sliver between them holds no text of
    its own and is dropped, so 小计 and 1.00 stay under 项目名称's neighbours."""
    shapes = [line(x, 0, x, 40) for x in (0, 200, 300)] + [line(90, 0, 90, 20),
                                                          line(104, 20, 104, 40)]
    shapes += [line(0, y, 300, y) for y in (0, 20, 40)]
    chars = (write("项目名称", 10, 5, size=9) + write("金额", 210, 5, size=9)
             + write("一般", 10, 25, size=9) + write("小计", 110, 25, size=9)
             + write("1.00", 210, 25, size=9))
    assert rows(grid.layout(chars, shapes)) == [("项目名称", "", "金额"), ("一般", "小计", "1.00")]


def test_a_row_carries_its_column_boundaries_and_where_each_cell_ends() -> None:
    """What places a row in another page's grid: the x of its table's column boundaries (a
    double border counts once, at its middle) and the right end of each cell's text."""
    shapes = [line(x, 0, x, 40) for x in (0, 100, 200, 299, 303)]
    shapes += [line(0, y, 303, y) for y in (0, 20, 40)]
    chars = (write("甲", 10, 5) + write("乙", 110, 5) + write("丙", 210, 5)
             + write("合计", 10, 25) + write("12.50", 270, 25))
    found = [e for e in grid.layout(chars, shapes).elements if isinstance(e, grid.Row)]
    assert [(row.columns, row.ends) for row in found] == [
        ((0, 100, 200, 301), (20, 120, 220)), ((0, 100, 200, 301), (30, 0, 295))]


def test_rows_and_text_lines_in_reading_order() -> None:
    shapes = ruled((0, 100, 200), (100, 120))
    chars = (write("表一", 0, 50) + write("甲", 10, 105) + write("1", 110, 105)
             + write("注：无", 0, 130))
    assert texts(grid.layout(chars, shapes)) == ["表一", "甲\t1", "注：无"]


# ---------------------------------------------------------------------------------- text lines


def test_wide_gap_is_a_space_and_an_offset_part_is_the_same_line() -> None:
    """The year of 2024年度 sits two points lower than the rest of the line: one line."""
    chars = write("上海市", 0, 100) + write("2024", 50, 102) + write("年度", 70, 100)
    assert texts(grid.layout(chars, [])) == ["上海市 2024年度"]


def test_first_unit_is_punctuation_with_its_character_or_a_number_with_the_next() -> None:
    line_of = next(iter(grid.layout(write("（项）。主要用于", 0, 0, size=12), []).elements))
    number = next(iter(grid.layout(write("161.62万元", 0, 0, size=12), []).elements))
    assert isinstance(line_of, grid.TextLine) and line_of.lead == 48
    assert isinstance(number, grid.TextLine) and number.lead == 48


# ---------------------------------------------------------------------------------- paragraphs

SIZE = 12.0
LEFT, RIGHT = 72.0, 516.0  # 37 characters of 12 pt


def text_line(text: str, top: float, x0: float = LEFT, size: float = SIZE, font: str = "FangSong",
              lead: float | None = None, spread: bool = False) -> flow.Line:
    return flow.Line(text, x0, x0 + len(text) * size, top, top + size, size, font, spread,
                     size if lead is None else lead)


def paragraph(text: str, top: float) -> list[flow.Line]:
    """Visual lines of a paragraph: the first indented two characters, full lines of 37."""
    out = [text_line(text[:35], top, LEFT + 2 * SIZE)]
    rest = text[35:]
    while rest:
        top += 16
        out.append(text_line(rest[:37], top))
        rest = rest[37:]
    return out


SENTENCE = ("本部门二〇二四年收入预算一千万元，支出预算一千万元，"
            "与上年相比持平，主要原因是人员变化。")


def page(number: int, lines: Iterable[flow.Line], width: float = 595.0) -> flow.Page:
    return flow.Page(number, width, tuple(lines))


def joined(*pages: flow.Page) -> list[tuple[str, int]]:
    return flow.paragraphs(list(pages))


def test_lines_of_a_paragraph_are_one_line_and_a_page_ends_with_an_empty_line() -> None:
    first, second = SENTENCE * 3, SENTENCE * 2
    lines = paragraph(first, 100) + paragraph(second, 200)
    assert joined(page(1, lines)) == [(first, 1), (second, 1), ("", 1)]


def test_list_items_start_new_lines_a_wrapped_number_does_not() -> None:
    one = "（一）贯彻执行国家和本市有关财政工作的法律、法规、规章和方针、政策；研究"
    two = "2、承担政府各项财政收支管理的责任；负责政府财政资金和财政专户管理及年初预算为"
    contents = "5．2024年部门一般公共预算支出功能分类预算表……………………………………"
    lines = [
        *paragraph(SENTENCE * 2, 40),
        text_line(one, 100), text_line("拟订本区财政发展战略。", 116),
        text_line(two, 132), text_line("161.62万元。", 148, lead=36),
        text_line(contents, 164), text_line("第三条上海市普陀区财政局的主要职责是：", 180),
        *paragraph(SENTENCE * 2, 220),
    ]
    assert [text for text, _ in joined(page(1, lines))][1:5] == [
        one + "拟订本区财政发展战略。", two + "161.62万元。", contents,
        "第三条上海市普陀区财政局的主要职责是：",
    ]


def test_line_ending_short_goes_on_when_the_next_first_word_did_not_fit() -> None:
    """行政单位离退休 ends three characters short because （项）。 (four wide, unbreakable) did
    not fit after it; a line as short before a one-character word ends its paragraph."""
    short = "5、社会保障和就业支出（类）行政事业单位养老支出（款）行政单位离退休"  # 34 characters
    lines = [*paragraph(SENTENCE * 2, 40),
             text_line(short, 100), text_line("（项）。主要用于：退休人员经费支出。", 116, lead=48),
             text_line(short, 140), text_line("其他", 156), *paragraph(SENTENCE * 2, 200)]
    assert [text for text, _ in joined(page(1, lines))][1:4] == [
        short + "（项）。主要用于：退休人员经费支出。", short, "其他"]


def test_heading_in_a_larger_font_stays_apart_and_over_two_lines_is_one() -> None:
    lines = [text_line("第三部分上海市普陀区财政局2024年度部门决算情况", 60, 102, size=18),
             text_line("说明", 82, 279, size=18),
             text_line("一、收入支出决算总体情况说明", 120, 96),
             *paragraph(SENTENCE * 3, 150), *paragraph(SENTENCE * 2, 220)]
    assert [text for text, _ in joined(page(1, lines))][:3] == [
        "第三部分上海市普陀区财政局2024年度部门决算情况说明", "一、收入支出决算总体情况说明",
        SENTENCE * 3]


def test_heading_in_another_font_ending_centred_is_one_line() -> None:
    """第三部分…情况 in the body's size but in 黑体 fills the line, 说明 is centred under it."""
    heading = "第三部分中共上海市普陀区委社会工作部2024年度部门决算情况"
    lines = [text_line(heading, 60, font="SimHei"), text_line("说明", 80, 282, font="SimHei"),
             text_line("一、收入支出决算总体情况说明", 120, 96, font="SimHei"),
             *paragraph(SENTENCE * 3, 150), *paragraph(SENTENCE * 2, 220)]
    assert [text for text, _ in joined(page(1, lines))][:2] == [
        heading + "说明", "一、收入支出决算总体情况说明"]


def test_page_with_a_narrower_text_block_has_its_own_margins() -> None:
    """Page 2 sets its text 5 characters narrower than page 1: its lines reach its own margin."""
    narrow = [text_line(SENTENCE[:32], top, LEFT + (2 * SIZE if top == 60 else 0))
              for top in (60, 76, 92, 108)]
    wide = [*paragraph(SENTENCE * 3, 40), *paragraph(SENTENCE * 3, 120)]
    assert joined(page(1, wide), page(2, narrow))[3] == (
        "".join(line.text for line in narrow), 2)


def test_centred_title_over_two_lines_is_one_line() -> None:
    lines = [*paragraph(SENTENCE * 3, 300), *paragraph(SENTENCE * 3, 400),
             text_line("上海市普陀区财政局", 100, 240), text_line("年度部门决算", 116, 258)]
    assert joined(page(1, sorted(lines, key=lambda x: x.top)))[0] == (
        "上海市普陀区财政局年度部门决算", 1)


def test_paragraph_goes_on_across_a_page_break_with_the_page_of_its_first_part() -> None:
    text = SENTENCE * 3
    split = 35 + 37  # the first two visual lines on page 1
    one = [*paragraph(SENTENCE * 2, 40), *paragraph(text, 700)[:2]]
    two = [text_line(text[split:], 60), *paragraph(SENTENCE * 2, 100)]
    assert joined(page(1, one), page(2, two)) == [
        (SENTENCE * 2, 1), (text, 1), ("", 1), (SENTENCE * 2, 2), ("", 2)]
    indented = [text_line(text[split:], 60, LEFT + 2 * SIZE), *paragraph(SENTENCE * 2, 100)]
    assert joined(page(1, one), page(2, indented))[1:4] == [
        (text[:split], 1), ("", 1), (text[split:], 2)]


def test_meta_lines_and_table_rows_stop_a_paragraph() -> None:
    full = SENTENCE[:37]
    lines = [*paragraph(SENTENCE * 2, 40), *paragraph(SENTENCE * 2, 100),
             text_line(full, 160), text_line("部门：商务委 单位：元", 176, spread=True),
             flow.Line("项目\t金额", LEFT, RIGHT, 192, 210, row=True),
             text_line(full, 230), flow.Line("合计\t1.00", LEFT, RIGHT, 246, 260, row=True),
             text_line("注：本表无数据。", 262)]
    assert [text for text, _ in joined(page(1, lines))][2:] == [
        full, "部门：商务委 单位：元", "项目\t金额", full, "合计\t1.00", "注：本表无数据。", ""]


def test_line_set_at_the_right_is_no_paragraph_start() -> None:
    """单位：万元 ends at the right margin, but starts far from the left one: the line under it,
    the wrapped end of the 部门名称 beside it, is not its continuation."""
    lines = [*paragraph(SENTENCE * 2, 40), *paragraph(SENTENCE * 2, 100),
             text_line("部门名称：江苏省人大", 160), text_line("单位：万元", 166, RIGHT - 5 * SIZE),
             text_line("常委会办公厅", 172)]
    assert [text for text, _ in joined(page(1, lines))][2:5] == [
        "部门名称：江苏省人大", "单位：万元", "常委会办公厅"]


def test_latin_words_keep_their_space_cjk_joins_without() -> None:
    lines = [*paragraph(SENTENCE * 2, 40), *paragraph(SENTENCE * 2, 100),
             text_line("本部门采购" + "服" * 30 + "PC", 160), text_line("server一台。", 176),
             text_line("本部门采购" + "服" * 32, 200), text_line("server一台。", 216)]
    assert [text for text, _ in joined(page(1, lines))][2:4] == [
        "本部门采购" + "服" * 30 + "PC server一台。", "本部门采购" + "服" * 32 + "server一台。"]


# ------------------------------------------------------------ tables continued on the next page

PREVIOUS = (50, 110, 200, 280, 360, 420, 520)  # 收入 | 功能分类 | 支出用途, each name and amount


def right(text: str, x1: float, top: float) -> list[Char]:
    """`text` set so that it ends at x1 (a right-aligned amount)."""
    return write(text, x1 - sum(5 if ch.isascii() else 10 for ch in text), top)


def grid_page(number: int, chars: list[Char], shapes: list[Shape]) -> flow.Page:
    """A synthetic page as the parent gets it from a worker (its rows with their geometry)."""
    found = grid.layout(chars, shapes)
    return pdf_reader._page({"number": number, "width": 595.0,
                             "lines": [pdf_reader._geometry(e) for e in found.elements]})


def six_columns(number: int = 1) -> flow.Page:
    """The end of a table of six columns at the bottom of a page."""
    chars = (write("一、财政拨款", 52, 705) + right("13.00", 198, 705)
             + write("八、社会保障", 202, 705) + right("1.00", 358, 705)
             + write("一、基本支出", 362, 705) + right("7.00", 518, 705))
    return grid_page(number, chars, ruled(PREVIOUS, (700, 720)))


def aligned_texts(*pages: flow.Page) -> list[list[str]]:
    return [[line.text for line in p.lines] for p in continued.aligned(list(pages))]


def test_continued_table_with_a_coarser_grid_takes_the_columns_of_the_page_before() -> None:
    """The next page draws the table's last rows with merged cells and no inner rules between
    them: four columns of its own. Each cell goes to the first column it spans, the amount at
    the right under the last column, where its text lies, and the row has six cells."""
    chars = (write("收入合计", 52, 75) + right("13.00", 198, 75) + write("支出合计", 290, 75)
             + right("13.00", 518, 75))
    coarse = grid_page(2, chars, ruled((50, 110, 200, 420, 520), (70, 90)))
    assert coarse.lines[0].text == "收入合计\t13.00\t支出合计\t13.00"
    assert aligned_texts(six_columns(), coarse)[1] == ["收入合计\t13.00\t支出合计\t\t\t13.00"]


def test_amount_in_a_cell_over_several_columns_goes_to_the_column_its_text_ends_in() -> None:
    """合计 spans the first two columns (text: the first), an amount right-aligned in a cell
    over three columns ends in the third of them, another left-aligned in the last column's
    cell stays in it."""
    chars = (write("合计", 52, 75) + right("20.00", 415, 75) + write("8.00", 425, 75))
    coarse = grid_page(2, chars, ruled((50, 200, 420, 520), (70, 90)))
    assert aligned_texts(six_columns(), coarse)[1] == ["合计\t\t\t\t20.00\t8.00"]


def test_aligned_rows_take_the_previous_columns_so_a_third_page_is_aligned_too() -> None:
    second = grid_page(2, write("小计", 52, 75) + right("5.00", 518, 75),
                       ruled((50, 200, 420, 520), (70, 90)))
    third = grid_page(3, write("合计", 52, 75) + write("九、其他", 202, 75)
                      + right("6.00", 518, 75), ruled((50, 110, 200, 420, 520), (70, 90)))
    assert aligned_texts(six_columns(), second, third)[1:] == [
        ["小计\t\t\t\t\t5.00"], ["合计\t\t九、其他\t\t\t6.00"]]


def test_only_the_first_table_of_the_page_is_aligned() -> None:
    """A second table of four columns below the continued one keeps its own columns."""
    chars = (write("合计", 52, 75) + right("5.00", 518, 75)
             + write("甲", 52, 205) + write("乙", 120, 205) + write("丙", 210, 205)
             + write("丁", 430, 205))
    shapes = [*ruled((50, 200, 420, 520), (70, 90)), *ruled((50, 110, 200, 420, 520), (200, 220))]
    assert aligned_texts(six_columns(), grid_page(2, chars, shapes))[1] == [
        "合计\t\t\t\t\t5.00", "甲\t乙\t丙\t丁"]


@pytest.mark.parametrize(("above", "xs"), [
    pytest.param(True, (50, 200, 420, 520), id="a-title-above-the-table"),
    pytest.param(False, (50, 200, 430, 520), id="a-boundary-the-table-before-lacks"),
    pytest.param(False, (50, 200, 420, 560), id="wider-than-the-table-before"),
    pytest.param(False, (50, 110, 200, 280, 360, 420, 520), id="as-many-columns"),
])
def test_a_page_not_continuing_with_a_coarser_grid_keeps_its_rows(
        above: bool, xs: tuple[float, ...]) -> None:
    chars = write("合计", 52, 75) + right("5.00", xs[-1] - 2, 75)
    if above:
        chars = write("收入预算总表", 200, 40) + chars
    page_two = grid_page(2, chars, ruled(xs, (70, 90)))
    assert aligned_texts(six_columns(), page_two)[1] == [line.text for line in page_two.lines]


# ----------------------------------------------------------------------------------- real PDFs

JIANGSU = ("corpus", "jiangsu-provincial")


@pytest.fixture(scope="module")
def read() -> dict[str, list[tuple[int, str]]]:
    """(page, line) of each PDF the tests below read, read once."""
    furniture = load_mappings().document["page_furniture"]
    out = {}
    for parts in [(*JIANGSU, "js-gaoyuan-2017-dept-budget.pdf"),
                  (*JIANGSU, "js-gaoyuan-2018-dept-budget.pdf"),
                  (*JIANGSU, "js-zhengxie-2018-dept-budget-tables.pdf"),
                  (*JIANGSU, "js-renda-2017-dept-budget.pdf"),
                  ("docs", "sh-putuo-caizhengju-2024-dept-final.pdf")]:
        path = shared_path(*parts)
        found = pdf_reader.to_text(path, path.read_bytes(), furniture)
        out[Path(parts[-1]).stem] = list(zip(found.pages, found.text.split("\n"), strict=True))
    return out


def on_page(lines: list[tuple[int, str]], number: int) -> list[str]:
    return [text for page, text in lines if page == number]


def test_gaoyuan_2017_page_14_continued_rows_then_a_three_column_table(
        read: dict[str, list[tuple[int, str]]]) -> None:
    """Page 14 starts with the last two rows of table 5 (no top rule), then table 6 titled above
    its grid, every row 科目编码 | 科目名称 | 金额."""
    lines = on_page(read["js-gaoyuan-2017-dept-budget"], 14)
    assert lines[:7] == [
        "2210201\t住房公积金\t1,029.15", "2210202\t提租补贴\t1,959.99",
        "六、2017年度江苏省高级人民法院部门财政拨款基本支出预算表", "单位：万元",
        "科目编码\t科目名称\t金额", "\t合计\t17,123.19", "301\t工资福利支出\t7,687.65"]
    table = lines[4:-1]
    assert len(table) == 34 and all(line.count("\t") == 2 for line in table)
    assert table[-1] == "30312\t提租补贴\t1,959.99"
    assert lines[-1] == ""


def test_gaoyuan_2017_overview_table_three_blocks_of_label_and_amount(
        read: dict[str, list[tuple[int, str]]]) -> None:
    lines = on_page(read["js-gaoyuan-2017-dept-budget"], 11)
    assert "一、财政拨款\t28,849.38\t一、一般公共服务支出\t\t一、基本支出\t17,123.19" in lines
    assert lines[lines.index("单位：万元") - 1] == "一、2017年度江苏省高级人民法院部门收支预算总表"


def test_gaoyuan_2018_cell_over_two_lines_is_in_the_row_of_its_amount(
        read: dict[str, list[tuple[int, str]]]) -> None:
    assert "2.政府性基金预算\t\t三、国防支出\t\t三、单位预留机动经 费\t3,258.06" in on_page(
        read["js-gaoyuan-2018-dept-budget"], 9)


def test_zhengxie_2018_title_and_meta_above_the_rows(
        read: dict[str, list[tuple[int, str]]]) -> None:
    """The Excel export's white sheet no longer pulls 收入预算总表 and its meta into the table."""
    lines = on_page(read["js-zhengxie-2018-dept-budget-tables"], 2)
    assert lines[:5] == ["公开02表", "收入预算总表", "部门：江苏省政协办公厅 单位：万元",
                         "项目名称\t\t金额", "收入总计\t\t10,150.48"]


def test_renda_2017_text_placed_below_the_page_is_not_read(
        read: dict[str, list[tuple[int, str]]]) -> None:
    """Page 11 shows one table; its text layer also holds the next two, below the page edge."""
    lines = on_page(read["js-renda-2017-dept-budget"], 11)
    assert lines[0] == "财政拨款支出预算表"
    assert not [line for line in lines if "基本支出预算表" in line]


def test_renda_2017_page_9_rows_of_a_coarser_grid_are_in_the_columns_of_page_8(
        read: dict[str, list[tuple[int, str]]]) -> None:
    """Page 9 draws the end of the 收支预算总表 with four columns of its own (merged cells, no
    inner rules); 支出合计's amount is printed at the right, under 支出用途's 金额."""
    lines = on_page(read["js-renda-2017-dept-budget"], 9)
    total = next(line.split("\t") for line in lines if line.startswith("收入合"))
    assert len(total) == 6
    assert [i + 1 for i, cell in enumerate(total) if cell == "13,649.07"] == [2, 6]


def test_caizhengju_responsibility_and_title_are_whole(
        read: dict[str, list[tuple[int, str]]]) -> None:
    lines = read["sh-putuo-caizhengju-2024-dept-final"]
    assert lines[0] == (1, "上海市普陀区财政局2024年度部门决算")
    assert (4, "（一）贯彻执行国家和本市有关财政工作的法律、法规、规章和方针、政策；研究拟订本区"
               "财政发展战略、规划、政策和改革方案并组织实施。") in lines
    assert (21, "第三部分上海市普陀区财政局2024年度部门决算情况说明") in lines
