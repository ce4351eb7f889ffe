"""No printed figure is lost: every table rebuilt from the graph alone equals the source."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

from budgetkg import pipeline, store
from tests.conftest import EXAMPLE

# Golden facts about the example document, read off the source by hand: each table's title as
# printed, its header depth on the first page and on continuation pages (0: no repeat printed).
TABLES = {
    1: ("2026年部门收支总体情况表", 2, 0),
    2: ("2026年部门收入总体情况表", 3, 0),
    3: ("2026年部门支出总体情况表", 3, 0),
    4: ("2026年财政拨款收支总体情况表", 3, 3),
    5: ("2026年一般公共预算支出情况表", 3, 0),
    6: ("一般公共预算基本支出表", 2, 2),
    7: ("2026年支出经济分类汇总表", 3, 3),
    8: ("2026年一般公共预算“三公”经费支出情况表", 2, 0),
    9: ("2026年政府性基金预算支出情况表", 3, 0),
    10: ("2026年国有资本经营预算支出情况表", 3, 0),
    11: ("项目支出表", 2, 2),
    12: ("部门（单位）整体绩效目标表", 1, 0),  # its first grid line is the 部门名称 meta line
    13: ("2026年部门预算项目绩效目标汇总表", 3, 0),
}
# Two tables lost an empty cell in the text layer: table 2's first rows print 201.00 one column
# early (under 其他收入, where 总计 = 本年收入 + 上年结转结余 puts it under 上年结转结余), and
# table 13's first page. Their rows are read by the identities, so the comparison there is by
# the sequence of printed cells rather than by position; test_read pins the realigned cells.
REALIGNED = {2, 13}
_CJK_WRAP = re.compile(r"(?<=[\u3400-\u9fff（）“”、])\s+(?=[\u3400-\u9fff（）“”、])")


def _norm(cell: str) -> str:
    return _CJK_WRAP.sub("", cell.strip())


def _trim(cells: list[str]) -> list[str]:
    while cells and not cells[-1]:
        cells.pop()
    return cells


def source_body_rows() -> dict[int, list[list[str]]]:
    """Body rows of every table, cut from the raw text without the converter's code."""
    lines = EXAMPLE.read_text(encoding="utf-8").split("\n")
    starts = {n: lines.index(title) for n, (title, _, _) in TABLES.items()}
    order = sorted(starts, key=starts.__getitem__)
    out: dict[int, list[list[str]]] = {}
    for i, n in enumerate(order):
        end = starts[order[i + 1]] if i + 1 < len(order) else len(lines)
        _, first, repeated = TABLES[n]
        pages: list[list[str]] = [[]]
        for line in lines[starts[n] + 1 : end]:
            if "\t" in line:
                pages[-1].append(line)
            elif not line.strip() and pages[-1]:
                pages.append([])
        pages = [p for p in pages if p]
        rows = []

        def cells(line: str) -> list[str]:
            return _trim([_norm(c) for c in line.split("\t")])

        for page_number, page in enumerate(pages):
            repeats = cells(page[0]) == cells(pages[0][0])
            skip = first if page_number == 0 else (repeated if repeats else 0)
            rows.extend(cells(line) for line in page[skip:])
        out[n] = rows
    return out


@pytest.fixture(scope="module")
def rebuilt(built: pipeline.BuildResult) -> dict[int, pipeline.RebuiltTable]:
    return {t.number: t for t in pipeline.rebuild_tables(built.output)}


def test_all_thirteen_tables_are_rebuilt_from_the_graph(
    rebuilt: dict[int, pipeline.RebuiltTable],
) -> None:
    assert sorted(rebuilt) == list(TABLES)
    assert {n: t.title for n, t in rebuilt.items()} == {n: t[0] for n, t in TABLES.items()}


@pytest.mark.parametrize("number", sorted(TABLES))
def test_every_cell_of_the_rebuilt_table_equals_the_source(
    number: int, rebuilt: dict[int, pipeline.RebuiltTable]
) -> None:
    expected = source_body_rows()[number]
    got = [_trim(list(row)) for row in rebuilt[number].rows]
    assert len(got) == len(expected), f"table {number}: {len(got)} rows, source {len(expected)}"
    for i, (row, source) in enumerate(zip(got, expected, strict=True), start=1):
        if number in REALIGNED:
            assert [c for c in row if c] == [c for c in source if c], f"table {number} row {i}"
        else:
            assert row == source, f"table {number} row {i}"


def test_realigned_page_puts_cells_under_their_printed_headers(
    rebuilt: dict[int, pipeline.RebuiltTable],
) -> None:
    table = rebuilt[13]
    first = next(r for r in table.rows if r[0] == "419001240000000011239")
    row = dict(zip(table.header, first, strict=True))
    assert row["项目金额（万元） / 资金总额"] == "7.00"
    assert row["项目金额（万元） / 单位资金"] == ""
    assert row["绩效目标 / 成本指标 / 三级指标"] == "生态环境成本"
    assert row["绩效目标 / 满意度指标 / 三级指标"] == "驻村人员满意度"


def _select(db: ox.Store, sparql: str) -> list[tuple[str, ...]]:
    result = store.query(db, sparql)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [tuple(s[n].value if s[n] is not None else "" for n in names) for s in result]


PREFIXES = """PREFIX bk: <https://w3id.org/budgetkg/ontology#>
PREFIX qb: <http://purl.org/linked-data/cube#>
"""


def test_each_amount_is_exactly_one_observation_with_value_unit_and_yuan(
    built: pipeline.BuildResult,
) -> None:
    db = store.load(built.output)
    rows = _select(db, PREFIXES + """
        SELECT ?obs ?text ?printed ?amount ?unit WHERE {
          ?obs a qb:Observation ; bk:printedText ?text ; bk:printedAmount ?printed ;
               bk:amount ?amount ; bk:printedUnit ?unit .
        }""")
    assert len(rows) == len(set(r[0] for r in rows)) > 400
    for _, text, printed, amount, unit in rows:
        assert unit.endswith("/unit/wan-yuan")
        value = Decimal(text.replace(",", "")) if text not in ("-", "—") else Decimal(0)
        assert Decimal(printed) == value
        assert Decimal(amount) == value * 10000
    duplicates = _select(db, PREFIXES + """
        SELECT ?row ?column (COUNT(?obs) AS ?n) WHERE {
          ?obs a qb:Observation ; bk:row ?row ; bk:column ?column .
        } GROUP BY ?row ?column HAVING (COUNT(?obs) > 1)""")
    assert duplicates == []


def test_no_amount_in_an_amount_column_is_kept_as_text(built: pipeline.BuildResult) -> None:
    db = store.load(built.output)
    leaked = _select(db, PREFIXES + """
        SELECT ?cell ?text WHERE {
          ?cell a bk:TextCell ; bk:text ?text ; bk:column ?column .
          ?column bk:columnRole "amount" .
        }""")
    assert leaked == []


def test_row_printed_without_its_code_is_kept_and_flagged(built: pipeline.BuildResult) -> None:
    db = store.load(built.output)
    missing = _select(db, PREFIXES + """
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?label ?amount WHERE {
          ?row bk:codeMissing true ; rdfs:label ?label .
          ?obs bk:row ?row ; bk:printedText ?amount ; bk:column/bk:columnNumber 6 .
        }""")
    assert missing == [("其他工业和信息产业支出", "89.10")]


def test_source_document_and_example_copy_agree() -> None:
    shared = Path(__file__).resolve().parents[2] / "shared" / "docs" / EXAMPLE.name
    if shared.exists():
        assert shared.read_bytes() == EXAMPLE.read_bytes()
    else:
        pytest.fail(f"shared data missing: {shared}")
