"""A new table layout is supported by adding one YAML file to mappings/tables/, and nothing else.

The document below holds a table no shipped mapping knows (部门会议费预算表). With the shipped
mappings it is reported as not recognised and the rest of the document still converts; with a
copy of mappings/ plus the YAML file written here, the same table becomes observations.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from budgetkg import map
from budgetkg.iris import ONTOLOGY
from budgetkg.mapping import load
from budgetkg.read import read
from tests.conftest import ROOT

DOCUMENT = """2026年度示例市测试局部门预算说明

第二部分 示例市测试局2026年度部门预算情况说明

一、“三公”经费支出预算情况说明

示例市测试局部门2026年“三公”经费支出预算为3.00万元。

2026年一般公共预算“三公”经费支出情况表

部门名称：示例市测试局

单位：万元

“三公”经费合计\t因公出国（境）费\t公务用车购置及运行费\t\t\t公务接待费
\t\t小计\t公务用车购置费\t公务用车运行费\t
3.00\t\t2.00\t\t2.00\t1.00

注：报表金额单位转换时可能存在四舍五入尾数误差。

2026年部门会议费预算表

部门名称：示例市测试局

单位：万元

科目编码\t科目名称\t会议费
30215\t会议费\t12.50
合计\t\t12.50
"""

NEW_LAYOUT = r"""kind: meeting-expenses
label: {zh: 部门会议费预算表, en: Department meeting expenses}
titles: ['(?:\d{4}年度?)?部门会议费预算表']
header_requires: [科目编码, 会议费]
header_rows: 1
layout: grid
terms: {operationCharacter: expenditure}
columns:
  - {header: [科目编码], role: code, scheme: dept-economic}
  - {header: [科目名称], role: name, scheme: dept-economic}
  - {header: [会议费], role: amount}
"""


@pytest.fixture()
def document(tmp_path: Path) -> Path:
    path = tmp_path / "doc.txt"
    path.write_text(DOCUMENT, encoding="utf-8")
    return path


def test_unknown_layout_is_reported_and_the_rest_converts(document: Path) -> None:
    doc = read(document, load())
    assert [t.kind for t in doc.tables] == ["three-public-expenditure"]
    assert doc.unknown_tables == ["2026年部门会议费预算表"]


def test_one_yaml_file_makes_the_layout_known(document: Path, tmp_path: Path) -> None:
    mappings_copy = tmp_path / "mappings"
    shutil.copytree(ROOT / "mappings", mappings_copy)
    (mappings_copy / "tables" / "meeting-expenses.yaml").write_text(NEW_LAYOUT, "utf-8")
    mappings = load(mappings_copy)
    doc = read(document, mappings)
    assert [t.kind for t in doc.tables] == ["three-public-expenditure", "meeting-expenses"]
    assert doc.unknown_tables == []
    _, triples = map.to_graph(doc, mappings, "https://example.org/")
    amounts = sorted(
        t.object.value for t in triples if t.predicate.value == ONTOLOGY + "printedAmount"
        and "/table/meeting-expenses/" in t.subject.value
    )
    assert amounts == ["12.50", "12.50"]
    codes = {t.object.value for t in triples
             if t.predicate.value == ONTOLOGY + "deptEconomicClassification"}
    assert "https://w3id.org/budgetkg/codelist/dept-economic/30215" in codes
