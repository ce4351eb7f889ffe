"""The text form read, recognised and normalised: tables found and told apart by what their titles
say, cells typed, the narrative read (the example document)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from budgetkg.cells import parse_amount, rejoin_wrapped
from budgetkg.mapping import load
from budgetkg.pipeline import document
from budgetkg.tables import BudgetTable, Document, Statement, TextLine
from tests.conftest import EXAMPLE

KINDS = [
    "overview", "income", "expenditure", "appropriation-overview",
    "general-budget-expenditure", "general-budget-basic-expenditure",
    "economic-summary", "three-public", "government-fund",
    "state-capital", "project-expenditure", "department-performance-goals",
    "project-performance-goals",
]
ZERO_MARKS = ("-", "—", "－")


@pytest.fixture(scope="module")
def doc() -> Document:
    return document((EXAMPLE,))


def _table(doc: Document, kind: str) -> BudgetTable:
    return next(t for t in doc.tables if t.kind == kind)


def _cells(table: BudgetTable, header: str) -> list[str]:
    column = next(c for c in table.columns if c.header_text == header)
    return [row.cells[column.number - 1] for row in table.rows]


def test_all_thirteen_tables_are_found_by_what_their_titles_say(doc: Document) -> None:
    assert [t.kind for t in doc.tables] == KINDS
    assert doc.notices == ()
    assert all(t.problems == () for t in doc.tables)


def test_tables_are_recognised_whatever_their_order(tmp_path: Path) -> None:
    lines = EXAMPLE.read_text(encoding="utf-8").split("\n")
    start = lines.index("2026年部门收支总体情况表")
    middle = lines.index("2026年一般公共预算“三公”经费支出情况表")
    shuffled = lines[:start] + lines[middle:] + lines[start:middle]
    path = tmp_path / EXAMPLE.name
    path.write_text("\n".join(shuffled), encoding="utf-8")
    kinds = [t.kind for t in document((path,)).tables]
    assert sorted(kinds) == sorted(KINDS)
    assert kinds[0] == "three-public"


def test_continuation_pages_are_merged_without_their_repeated_header(doc: Document) -> None:
    appropriation = _table(doc, "appropriation-overview")
    labels = _cells(appropriation, "支出 / 项目")
    assert "(二十四) 灾害防治及应急管理" in labels
    assert "项目" not in labels and labels[-1] == "支出合计"
    assert len(appropriation.rows) == 33
    assert len(_table(doc, "economic-summary").rows) == 33


def test_a_cell_lost_in_the_text_form_is_restored_by_the_tables_identities(doc: Document) -> None:
    # The text prints 201.00 under 其他收入; 总计 = 本年收入 + 上年结转结余 puts it one column on.
    income = _table(doc, "income")
    assert _cells(income, "本年收入 / 其他收入")[:3] == ["", "", ""]
    assert _cells(income, "上年结转结余 / 合计")[:3] == ["201.00", "201.00", "201.00"]
    assert _cells(income, "上年结转结余 / 一般公共预算")[:3] == ["201.00", "201.00", "201.00"]
    assert [r.split(":")[0] for r in income.readings] == [
        "line 203, row 1", "line 204, row 2", "line 205, row 3"]
    assert all("3 of the table's column identities hold so" in r for r in income.readings)


def test_wrapped_cell_text_is_rejoined(doc: Document) -> None:
    projects = [p.name for p in _table(doc, "project-expenditure").projects]
    assert "工业行业管理与服务经费-万人助万企活动经费" in projects
    names = _cells(_table(doc, "economic-summary"), "部门预算经济分类 / 科目名称")
    assert "机关事业单位基本养老保险缴费" in names
    assert rejoin_wrapped("对个人和家庭 的补助") == "对个人和家庭的补助"
    assert rejoin_wrapped("(二十四) 灾害防治") == "(二十四) 灾害防治"


@pytest.mark.parametrize(
    ("printed", "value", "stated_zero"),
    [("7,454.80", Decimal("7454.80"), False), ("0.00", Decimal(0), True),
     ("0", Decimal(0), True), ("-", Decimal(0), True), ("—", Decimal(0), True),
     ("1,234,567.01", Decimal("1234567.01"), False)],
)
def test_amounts_are_exact_decimals_and_dashes_are_stated_zeros(
    printed: str, value: Decimal, stated_zero: bool
) -> None:
    amount = parse_amount(printed, ZERO_MARKS)
    assert amount is not None
    assert (amount.value, amount.stated_zero, amount.printed) == (value, stated_zero, printed)


@pytest.mark.parametrize("text", ["", "合计", "7,45.8", "1.2.3", "≥90%"])
def test_empty_and_non_numeric_cells_are_not_amounts(text: str) -> None:
    assert parse_amount(text, ZERO_MARKS) is None


def test_each_table_records_its_stated_unit(doc: Document, tmp_path: Path) -> None:
    goals = _table(doc, "department-performance-goals")
    assert {t.unit for t in doc.tables if t is not goals} == {"wan-yuan"}
    # the goals form states its unit in a row label (部门预算总额（万元）) for the rows below it
    assert {a.unit for row in goals.rows for a in row.amounts if a} == {"wan-yuan"}
    text = EXAMPLE.read_text(encoding="utf-8")
    head, tail = text.split("2026年一般公共预算“三公”经费支出情况表", 1)
    path = tmp_path / EXAMPLE.name
    path.write_text(head + "2026年一般公共预算“三公”经费支出情况表" + tail.replace(
        "单位：万元", "单位：元", 1), encoding="utf-8")
    units = {t.kind: t.unit for t in document((path,)).tables}
    assert units["three-public"] == "yuan"
    assert units["overview"] == "wan-yuan"


def test_codes_printed_as_columns_are_joined_and_a_missing_code_is_kept(doc: Document) -> None:
    table = _table(doc, "expenditure")
    rows = {row.cells[4]: row.cells[:3] for row in table.rows}
    assert rows["科技成果转化与扩散"] == ("206", "04", "04")
    assert rows["其他工业和信息产业支出"] == ("", "", "")
    basic = _table(doc, "general-budget-basic-expenditure")
    assert any(r.cells[:3] == ("30101", "基本工资", "50101") for r in basic.rows)


def test_organisation_units_divisions_and_responsibilities_are_read(doc: Document) -> None:
    org = doc.organisation
    assert (org.name, org.code) == ("济源产城融合示范区工业信息和科技局", "017")
    assert dict(org.units) == {"017001": "济源产城融合示范区工业信息和科技局",
                               "017002": "济源产城融合示范区中小企业发展服务中心"}
    assert org.unit_names == ("济源产城融合示范区中小企业发展服务中心",)
    assert len(org.divisions) == 15 and org.divisions[0] == "办公室"
    assert org.divisions[-1] == "离退休干部科"
    assert len(org.responsibilities) == 3
    assert org.responsibilities[0].startswith("贯彻落实党中央")
    assert (doc.year, doc.phase, doc.issued) == (2026, "budget", "2026-04-07")


def test_every_figure_of_the_explanation_is_a_statement_with_its_sentence(doc: Document) -> None:
    flat = [(s.topic, s.measure, str(s.value), s.unit) for s in doc.statements]
    expected = [
        ("total-income", "amount", "7454.80", "万元"),
        ("total-expenditure", "amount", "7454.80", "万元"),
        ("total-expenditure", "change", "4157.59", "万元"),
        ("total-expenditure", "growth", "126.09", "%"),
        ("basic-expenditure", "share", "21.65", "%"),
        ("government-fund", "change", "-10", "万元"),
        ("government-fund", "growth", "-100", "%"),
        ("three-public-total", "amount", "7.50", "万元"),
        ("official-reception", "amount", "2.50", "万元"),
        ("vehicle-operation", "amount", "5", "万元"),
        ("operating-expenses", "change", "-6.30", "万元"),
        ("procurement-goods", "amount", "0.00", "万元"),
        ("performance-projects", "count", "14", "个"),
        ("vehicles-total", "count", "2", "辆"),
        ("general-equipment", "count", "0", "台（套）"),
    ]
    for item in expected:
        assert item in flat, item
    assert len(doc.statements) == 58
    assert ("overseas-travel", "amount", "0", "万元") in flat  # （一）因公出国（境）费 0万元
    assert ("state-capital", "change", "0", "万元") in flat  # 与上年持平，无增减变动
    share = next(s for s in doc.statements if s.value == Decimal("21.65"))
    assert share.sentence.startswith("济源产城融合示范区工业信息和科技局部门2026年支出合计")
    assert all(s.sentence and s.line > 0 for s in doc.statements)
    assert not any(s.value == 50 for s in doc.statements)  # 单价50万元以上: a threshold


def test_project_table_gives_projects_with_type_and_unit(doc: Document) -> None:
    projects = _table(doc, "project-expenditure").projects
    assert len(projects) == 14
    assert {p.project_type for p in projects} == {"other-operation", "specific-target"}
    assert all(p.unit_code == "017001" for p in projects)


def test_performance_table_keeps_project_codes_as_printed_and_parses_targets(
    doc: Document,
) -> None:
    projects = _table(doc, "project-performance-goals").projects
    assert len(projects) == 14
    codes = [p.code for p in projects]
    assert "419001240000000011239" in codes
    assert "41900125000000007603" in codes  # printed with 20 digits: kept as printed
    salt = next(p for p in projects if p.code == "41900125000000008401")
    standard = next(i for i in salt.indicators if i.level3 == "达到国家食用盐标准")
    assert (standard.raw_value, standard.value) == ("GB/T5461GB/2721", None)
    first = projects[0]
    cost = next(i for i in first.indicators if i.level3 == "投入成本")
    assert (cost.level1, cost.comparator, cost.value, cost.unit) == ("成本指标", "≤", 7, "万")


def test_department_goals_give_levels_comparators_and_tasks(doc: Document) -> None:
    table = _table(doc, "department-performance-goals")
    assert len(table.tasks) == 7 and table.tasks[0].name == "巩固工业经济稳中向好态势"
    assert table.annual_goal.startswith("2026年是“十五五”规划的开局之年")
    by_name = {i.level3: i for i in table.indicators}
    assert len(table.indicators) == 44
    growth = by_name["全年规模以上工业增加值同比增长"]
    assert (growth.level1, growth.level2, growth.comparator, growth.value, growth.unit) == (
        "产出指标", "履职目标实现", "左右", 7, "%")
    assert by_name["预算调整率"].comparator == "≤"
    assert by_name["专项资金细化率"].comparator == "≥"
    assert by_name["全年实施工业项目"].comparator == "="
    assert by_name["资产管理规范性"].level2 == "预算和财务管理"
    assert by_name["绩效目标编制完成率"].level2 == "绩效管理"


def _statements(organisation: str, *texts: str) -> list[Statement]:
    """The statements read from an explanation part of these lines, after its heading."""
    from budgetkg.recognise.narrative import statements

    mappings = load()
    lines = (TextLine(1, "部门预算编制说明"),
             *(TextLine(n, text) for n, text in enumerate(texts, start=2)))
    return list(statements(lines, mappings.document, mappings.narrative, organisation))


def test_shanghai_items_with_mismatched_brackets_become_classified_statements() -> None:
    found = _statements(
        "上海市普陀区商务委员会",
        "1. “一般公共服务支出（类）商贸事务（款）行政运行（项）”938.99万元。",
        "11. “卫生健康支出（类）行政事业单位医疗（款)行政单位医疗（项）”63.19万元。")
    assert [(s.subject, s.topic, str(s.value)) for s in found] == [
        ("一般公共服务支出 / 商贸事务 / 行政运行", "function-item", "938.99"),
        ("卫生健康支出 / 行政事业单位医疗 / 行政单位医疗", "function-item", "63.19"),
    ]


def test_a_short_numbered_line_stating_a_figure_is_a_heading_whose_figure_is_read() -> None:
    found = _statements("江苏省高级人民法院", "（一）收入预算总计28849.38万元。包括：",
                        "1．财政拨款收入预算总计28849.38万元。", "（二）公共安全（类）",
                        "（三）公务接待费28.50万元，与2024年预算持平。")
    assert [(s.subject, s.measure, str(s.value), s.section) for s in found] == [
        ("收入预算总计", "amount", "28849.38", "（一）收入预算总计28849.38万元。包括："),
        ("财政拨款收入预算总计", "amount", "28849.38", "（一）收入预算总计28849.38万元。包括："),
        ("公务接待费", "amount", "28.50", "（三）公务接待费28.50万元，与2024年预算持平。"),
        ("公务接待费", "change", "0", "（三）公务接待费28.50万元，与2024年预算持平。"),
    ]


def test_an_amount_cut_from_last_year_is_a_change_not_an_amount() -> None:
    found = _statements("江苏省高级人民法院",
                        "主要原因是案件审判经费2017年度预算安排较上年压减200万元。")
    assert [(s.measure, str(s.value)) for s in found] == [("change", "-200")]


def test_a_reason_naming_what_changed_before_its_verb_states_a_change_of_it() -> None:
    found = _statements("江苏省高级人民法院",
                        "主要原因是基本支出增加人员经费1408.29万元、项目经费支出安排减少江苏法院云平台"
                        "租赁费200万元。")
    assert [(s.subject, s.topic, s.measure, str(s.value)) for s in found] == [
        ("基本支出", "basic-expenditure", "change", "1408.29"),
        ("项目经费支出", "", "change", "-200")]


def test_a_templates_bracketed_alternative_is_read_by_the_word_printed_first() -> None:
    found = _statements("江苏省人大常委会办公厅",
                        "政府性基金收入预算0万元，与上年相比增加（减少）0万元，增长（减少）0%。",
                        "“三公”经费财政拨款支出决算数比2023年度减少0.15万元，下降（增长）27.78%。",
                        "检察监督支出1895万元，与上年相比减少134万元，降幅0.66%。")
    assert [(s.measure, str(s.value)) for s in found] == [
        ("amount", "0"), ("change", "0"), ("growth", "0"), ("change", "-0.15"),
        ("growth", "-27.78"), ("amount", "1895"), ("change", "-134"), ("growth", "-0.66")]


def test_a_unit_document_is_told_from_a_department_document(tmp_path: Path) -> None:
    assert document((EXAMPLE,)).scope == "department"
    text = EXAMPLE.read_text(encoding="utf-8").replace("部门预算说明", "单位预算说明", 1)
    path = tmp_path / EXAMPLE.name
    path.write_text(text, encoding="utf-8")
    assert document((path,)).scope == "unit"


def test_a_chart_label_naming_a_rate_of_nothing_said_is_no_statement() -> None:
    # a pie chart's labels, extracted as text under the sentence they illustrate
    found = _statements("江苏省高级人民法院", "项目支出11343.27万元，占34.20%；",
                        "项目支出,34.20% 基本支出,55.98%", "0.64%")
    assert [(s.subject, s.measure, str(s.value)) for s in found] == [
        ("项目支出", "amount", "11343.27"), ("项目支出", "share", "34.20")]
