"""The synthetic corpus (benchmarks/make_corpus.py): documents that build, whose identities hold.

The identities are checked here on the parsed Documents, independently of the converter.
"""

from __future__ import annotations

import csv
import importlib.util
import subprocess
import sys
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from types import ModuleType

import pytest

from budgetkg import pipeline
from budgetkg.cells import parse_amount
from budgetkg.tables import BudgetTable, Document, Row
from tests.conftest import ROOT, shared_path
from tests.test_read import KINDS

SCRIPT = ROOT / "benchmarks" / "make_corpus.py"
N = 5
SEED = 20260101
EXPENDITURE = [
    "合计", "基本支出 / 小计", "基本支出 / 人员经费 / 工资福利支出",
    "基本支出 / 人员经费 / 对个人和家庭的补助", "基本支出 / 公用经费", "项目支出 / 小计",
    "项目支出 / 其他运转类", "项目支出 / 特定目标类",
]
PROJECT_TYPES = ("其他运转类", "特定目标类")


@pytest.fixture(scope="module")
def make_corpus() -> Iterator[ModuleType]:
    spec = importlib.util.spec_from_file_location("make_corpus", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their module by name
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


@pytest.fixture(scope="module")
def codes() -> Path:
    return shared_path("data", "classification")


@pytest.fixture(scope="module")
def corpus(make_corpus: ModuleType, codes: Path,
           tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    paths: list[Path] = make_corpus.generate(N, tmp_path_factory.mktemp("corpus"), seed=SEED,
                                             codes=codes)
    return paths


@pytest.fixture(scope="module")
def docs(corpus: list[Path]) -> list[Document]:
    return [pipeline.document((path,)) for path in corpus]


def _table(doc: Document, kind: str) -> BudgetTable:
    return next(t for t in doc.tables if t.kind == kind)


def _column(table: BudgetTable, header: str) -> int:
    return next(c.number - 1 for c in table.columns if c.header_text == header)


def _amount(cell: str) -> Decimal:
    amount = parse_amount(cell, ("-", "—")) if cell else None
    return amount.value if amount else Decimal(0)


def _amounts(table: BudgetTable, row: Row, headers: list[str]) -> list[Decimal]:
    return [_amount(row.cells[_column(table, h)]) for h in headers]


def _code(table: BudgetTable, row: Row) -> str:
    return "".join(row.cells[c.number - 1] for c in table.columns if c.role == "code")


def test_every_document_builds(corpus: list[Path], tmp_path: Path) -> None:
    result = pipeline.build(corpus, tmp_path)
    assert result.ok, result.failures
    assert len(result.documents) == N
    assert [d.problems for d in result.documents] == [()] * N
    assert len({d.stem for d in result.documents}) == N  # departments and years differ


def test_all_thirteen_table_kinds_are_recognised(docs: list[Document]) -> None:
    for doc in docs:
        assert [t.kind for t in doc.tables] == KINDS, doc.path.name
        assert doc.notices == ()
        assert [t.problems for t in doc.tables] == [()] * 13, doc.path.name
        assert 2024 <= doc.year <= 2026 and doc.phase == "budget"
        assert doc.organisation.code and doc.organisation.responsibilities
        empty = {t.kind: t.empty for t in doc.tables}
        assert empty["government-fund"] and empty["state-capital"]


@pytest.mark.parametrize("kind", ["expenditure", "general-budget-expenditure"])
def test_expenditure_rows_add_up(docs: list[Document], kind: str) -> None:
    for doc in docs:
        table = _table(doc, kind)
        label = _column(table, "单位（科目名称）")
        total = next(r for r in table.rows if r.cells[label] == "合计")
        coded = [r for r in table.rows if _code(table, r)]
        assert coded, doc.path.name
        sums = [sum(col) for col in zip(*(_amounts(table, r, EXPENDITURE) for r in coded),
                                        strict=True)]
        assert _amounts(table, total, EXPENDITURE) == sums, doc.path.name
        for row in table.rows:
            v = _amounts(table, row, EXPENDITURE)
            assert v[0] == v[1] + v[5]  # 合计 = 基本支出 + 项目支出
            assert v[1] == v[2] + v[3] + v[4]  # 基本支出 = 人员经费 + 公用经费
            assert v[5] == v[6] + v[7]  # 项目支出 = 其他运转类 + 特定目标类


def test_general_budget_rows_are_rows_of_the_expenditure_overview(docs: list[Document]) -> None:
    for doc in docs:
        overview = _table(doc, "expenditure")
        general = _table(doc, "general-budget-expenditure")
        rows = {_code(overview, r): _amounts(overview, r, EXPENDITURE) for r in overview.rows}
        for row in general.rows:
            if code := _code(general, row):
                assert rows[code] == _amounts(general, row, EXPENDITURE), (doc.path.name, code)


def test_basic_expenditure_table_matches_the_overview(docs: list[Document]) -> None:
    for doc in docs:
        overview = _table(doc, "expenditure")
        total = _amounts(overview, overview.rows[0], EXPENDITURE)
        basic = _table(doc, "general-budget-basic-expenditure")
        headers = [f"本年一般公共预算基本支出 / {h}" for h in ("合计", "人员经费", "公用经费")]
        assert _amounts(basic, basic.rows[0], headers) == [total[1], total[2] + total[3],
                                                           total[4]]
        items = [_amounts(basic, r, headers) for r in basic.rows if len(r.cells[0]) == 5]
        assert [sum(col) for col in zip(*items, strict=True)] == [total[1], total[2] + total[3],
                                                                  total[4]]


def test_projects_sum_to_project_expenditure(docs: list[Document]) -> None:
    for doc in docs:
        overview = _table(doc, "expenditure")
        project_total = _amounts(overview, overview.rows[0], EXPENDITURE)[5]
        table = _table(doc, "project-expenditure")
        ptype = _column(table, "项目类型")
        heads = ["合计", "本年拨款 / 一般公共预算", "上年结转结余 / 一般公共预算"]
        projects = {r.cells[_column(table, "部门（项目）名称")]: _amounts(table, r, heads)
                    for r in table.rows if r.cells[ptype] in PROJECT_TYPES}
        assert len(projects) == len(table.projects) > 0
        assert sum(v[0] for v in projects.values()) == project_total, doc.path.name
        assert all(v[0] == v[1] + v[2] for v in projects.values())  # 合计 = 本年 + 上年结转
        goals = _table(doc, "project-performance-goals")
        amount = _column(goals, "项目金额（万元） / 资金总额")
        listed = {r.cells[1]: _amount(r.cells[amount]) for r in goals.rows
                  if len(r.cells[0]) == 21}
        assert listed == {name: v[0] for name, v in projects.items()}, doc.path.name
        assert {p.name for p in goals.projects} == set(projects)
        statements = [s.value for s in doc.statements
                      if s.topic == "performance-projects" and s.measure == "count"]
        assert statements == [len(projects)]


def test_narrative_total_equals_the_table_total(docs: list[Document]) -> None:
    for doc in docs:
        overview = _table(doc, "expenditure")
        total = _amounts(overview, overview.rows[0], ["合计"])[0]
        budget = _table(doc, "overview")
        printed = {r.cells[2]: _amount(r.cells[3]) for r in budget.rows}
        assert printed["支出总计"] == total
        stated = [s.value for s in doc.statements
                  if s.topic == "total-expenditure" and s.measure == "amount"]
        assert stated == [total], doc.path.name
        shares = [s for s in doc.statements if s.topic == "basic-expenditure"
                  and s.measure == "share" and s.section.startswith("三")]
        basic = _amounts(overview, overview.rows[0], EXPENDITURE)[1]
        half_up = (basic * 100 / total).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert [s.value for s in shares] == [half_up]  # 基本支出占 x%


def test_same_seed_gives_byte_identical_files(make_corpus: ModuleType, codes: Path,
                                              corpus: list[Path], tmp_path: Path) -> None:
    again = make_corpus.generate(N, tmp_path / "again", seed=SEED, codes=codes)
    assert [p.name for p in again] == [p.name for p in corpus]
    for first, second in zip(corpus, again, strict=True):
        assert first.read_bytes() == second.read_bytes()
    errors = "errors.csv"
    assert (tmp_path / "again" / errors).read_bytes() == (corpus[0].parent / errors).read_bytes()
    other = make_corpus.generate(N, tmp_path / "other", seed=SEED + 1, codes=codes)
    assert [p.name for p in other] != [p.name for p in corpus]


def test_every_document_gets_one_error_at_rate_one(make_corpus: ModuleType, codes: Path,
                                                   corpus: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "wrong"
    run = subprocess.run(
        [sys.executable, str(SCRIPT), str(N), str(out), "--seed", str(SEED), "--errors", "1.0",
         "--codes", str(codes)],
        capture_output=True, text=True, check=False, timeout=60,
    )
    assert run.returncode == 0, run.stderr
    with (out / "errors.csv").open(encoding="utf-8", newline="") as handle:
        lines = list(csv.DictReader(handle))
    documents = sorted(p.name for p in out.glob("*.txt"))
    assert sorted(line["file"] for line in lines) == documents and len(documents) == N
    assert all(line["error"] in make_corpus.ERROR_KINDS and line["table"] for line in lines)
    # the same documents as the correct corpus, each with exactly its one change
    for clean, line in zip(corpus, lines, strict=True):
        wrong = (out / line["file"]).read_text(encoding="utf-8")
        assert clean.name[:3] == line["file"][:3]
        assert wrong != clean.read_text(encoding="utf-8")
    with (corpus[0].parent / "errors.csv").open(encoding="utf-8", newline="") as handle:
        assert [row["error"] for row in csv.DictReader(handle)] == [""] * N
