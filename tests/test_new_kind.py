"""A new kind of table is known by adding one entry to mappings/kinds.yaml, and nothing else; a
mapping file that does not follow its schema is refused with the file and the key named.

The document below holds a table no shipped kind names (部门会议费预算表). With the shipped
mappings it is kept as a generic table (every cell, kind unrecognised) with a warning naming the
nearest kinds, and the rest of the document converts; with a copy of mappings/ whose kinds.yaml
gains one entry, the same table is of that kind, its columns read by the shared vocabulary.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from budgetkg import map
from budgetkg.errors import MappingError
from budgetkg.iris import ONTOLOGY
from budgetkg.link import link
from budgetkg.mapping import Mappings, load
from budgetkg.normalise import normalise
from budgetkg.read import read
from budgetkg.recognise import recognise
from budgetkg.tables import Document
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

NEW_KIND = {"label": {"zh": "会议费预算表", "en": "Meeting expenses"}, "all": ["会议费"],
            "none": ["三公"], "terms": {"operationCharacter": "expenditure"}}


def convert(path: Path, mappings: Mappings) -> Document:
    """The stages of pipeline.document, with the given mappings."""
    return link(normalise(recognise(read((path,), mappings), mappings), mappings), mappings)


def copy_of_mappings(tmp_path: Path) -> Path:
    folder = tmp_path / "mappings"
    shutil.copytree(ROOT / "mappings", folder)
    return folder


def edit(folder: Path, name: str, change: object) -> None:
    path = folder / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)  # type: ignore[operator]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


@pytest.fixture()
def document(tmp_path: Path) -> Path:
    path = tmp_path / "doc.txt"
    path.write_text(DOCUMENT, encoding="utf-8")
    return path


def test_unknown_kind_is_kept_as_a_generic_table_with_a_warning(document: Path) -> None:
    doc = convert(document, load())
    assert [t.kind for t in doc.tables] == ["three-public", "unrecognised"]
    generic = doc.tables[1]
    assert [row.cells for row in generic.rows] == [("30215", "会议费", "12.50"),
                                                   ("合计", "", "12.50")]
    (notice,) = [n for n in doc.notices if n.code == "table-unrecognised"]
    assert "2026年部门会议费预算表" in notice.message and "nearest kinds" in notice.message


def test_one_entry_in_kinds_yaml_makes_the_kind_known(document: Path, tmp_path: Path) -> None:
    folder = copy_of_mappings(tmp_path)
    edit(folder, "kinds.yaml", lambda data: data["kinds"].update({"meeting-expenses": NEW_KIND}))
    mappings = load(folder)
    doc = convert(document, mappings)
    assert [t.kind for t in doc.tables] == ["three-public", "meeting-expenses"]
    assert not [n for n in doc.notices if n.code == "table-unrecognised"]
    _, triples = map.to_graph(doc, mappings, "https://example.org/")
    amounts = sorted(
        t.object.value for t in triples if t.predicate.value == ONTOLOGY + "printedAmount"
        and "/table/meeting-expenses/" in t.subject.value
    )
    assert amounts == ["12.50", "12.50"]
    codes = {t.object.value for t in triples
             if t.predicate.value == ONTOLOGY + "deptEconomicClassification"}
    assert "https://w3id.org/budgetkg/codelist/dept-economic/30215" in codes


@pytest.mark.parametrize(
    ("name", "change", "key", "problem"),
    [
        ("kinds.yaml", lambda d: d["kinds"]["income"].update({"titel": ["收入"]}),
         "kinds.income", "unknown key 'titel'"),
        ("kinds.yaml", lambda d: d["kinds"]["income"].pop("all"), "kinds.income",
         "'all' is missing"),
        ("vocabulary.yaml", lambda d: d.update({"total": ["合计"]}), "total",
         "is not of type 'string'"),
        ("document.yaml", lambda d: d["heading"].pop("year"), "heading", "'year' is missing"),
    ],
    ids=["unknown-key", "missing-key", "wrong-type", "missing-nested-key"],
)
def test_a_mapping_file_off_its_schema_is_refused_naming_file_and_key(
    tmp_path: Path, name: str, change: object, key: str, problem: str,
) -> None:
    folder = copy_of_mappings(tmp_path)
    edit(folder, name, change)
    with pytest.raises(MappingError) as raised:
        load(folder)
    message = raised.value.message
    assert message.startswith(f"{folder / name}: {key}: ")
    assert problem in message
