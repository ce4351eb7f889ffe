"""Validation: every contradiction in the real documents, pinned and explained; the CLI contract;
the report published with the dumps; both engines agree on the comparison of two years
(tests/test_engines.py: on every other shape); mutations are detected."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner  # noqa: TID251

from budgetkg import pipeline, publish, report, validate
from budgetkg.cli import app
from budgetkg.errors import BudgetKGError
from budgetkg.tables import Document
from tests.conftest import EXAMPLE, RealDocuments, shared_path
from tests.mutations import CLASSES, mutants
from tests.printed_mutations import recoded

BASE = "https://data.budgetkg.org/"
SHAPES = "https://w3id.org/budgetkg/shapes/"

# Every violation the validator reports on the four documents, checked by hand against them.
# (shape, table title, start of the row as printed), each with why it is real.
VIOLATIONS = {
    "000_d2b944fced3ace59.txt": [
        # (Table 2 prints 上年结转结余 one column early and each row lost an empty cell: read by
        # the table's own totals, both 201.00 are 上年结转结余, and no total is contradicted.)
        # Table 5 omits the 89.10 row printed without a code in table 3 (其他工业和信息产业支出,
        # 72.00 其他运转类 + 17.10 特定目标类), so its 合计 row exceeds its rows by 89.10.
        ("TotalRow", "2026年一般公共预算支出情况表", "合计 | 7,253.80"),
        ("TotalRow", "2026年一般公共预算支出情况表", "合计 | 7,253.80"),
        ("TotalRow", "2026年一般公共预算支出情况表", "合计 | 7,253.80"),
        ("TotalRow", "2026年一般公共预算支出情况表", "合计 | 7,253.80"),
    ],
    # The four shares of 一般公共预算财政拨款支出 add to 100.07%: 2106.66 / 2940.05 is 71.65%, the
    # text says 71.73% (the other three shares, 11.11, 2.07 and 15.16, are right).
    # The PDF reader joins the paragraph's visual lines, so the finding quotes the whole sentence.
    # 四、财政拨款收入支出决算总体情况说明 says 财政拨款收入支出总计0.3万元 where its table totals
    # 2961.68 (reported on the sentence and on the table's cell, printed once).
    "sh-putuo-caizhengju-2024-dept-final.pdf": [
        ("NarrativeShare", "说明",
         "一般公共预算财政拨款支出2940.05万元，主要用于以下方面：一般公共服务支出（类）2106.66万元"),
        ("NarrativeAmount", "说明", "上海市普陀区财政局2024年度财政拨款收入支出总计0.3万元"),
        ("NarrativeAmount", "财政拨款收入支出决算总表", "总计 | 2,961.68"),
    ],
    # The 三公 table's note says the table is empty (故本表为空表) above 47.91 万元 of 三公 budget.
    # 住房公积金: 2024年预算安排352.67万元 over the 2023 执行数 348.52万元 is +1.19%, the text says
    # +0.53% (350.35, the item's amount a sentence before, over 348.52).
    "sh-putuo-wanli-jiedao-2024-dept-budget.pdf": [
        ("EmptyTableNote", "部门“三公”经费和机关运行经费预算表", "47.91 | "),
        ("NarrativeGrowthBetween", "说明", "2023年当年预算执行数为348.52万元"),
    ],
    "sh-putuo-shangwuwei-2025-dept-budget.pdf": [],
}


def _document(name: str) -> Path:
    return EXAMPLE if name == EXAMPLE.name else shared_path("docs", name)


@pytest.fixture(scope="module")
def graphs() -> dict[str, list[ox.Triple]]:
    return {name: pipeline.convert((_document(name),), BASE)[2] for name in VIOLATIONS}


@pytest.mark.parametrize("name", sorted(VIOLATIONS))
def test_every_violation_in_the_real_documents_is_pinned(
    name: str, graphs: dict[str, list[ox.Triple]]
) -> None:
    report = validate.validate(graphs[name])
    found = sorted((f.shape.removeprefix(SHAPES), f.table, f.row)
                   for f in report.findings if f.severity == "Violation")
    expected = sorted(VIOLATIONS[name])
    assert len(found) == len(expected), found
    for (shape, table, row), (want_shape, want_table, want_row) in zip(found, expected,
                                                                      strict=True):
        assert (shape, table) == (want_shape, want_table)
        assert row.startswith(want_row), (row, want_row)
    assert report.conforms == (not expected)


def _findings(text: str, tmp_path: Path, shape: str) -> list[validate.Finding]:
    source = tmp_path / EXAMPLE.name
    source.write_text(text, encoding="utf-8")
    found = validate.validate(pipeline.convert((source,), BASE)[2]).findings
    return [f for f in found if f.shape == SHAPES + shape]


def _replace(old: str, new: str) -> str:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    return text.replace(old, new)


def test_a_code_under_a_class_whose_codes_the_lists_hold_in_full_must_be_one_of_them(
        tmp_path: Path) -> None:
    # the 2018 edition has 13 款 under 301: 30116 is none (a typo of 30112); 30104 社会保障缴费
    # was one before 2018, not in the 2026 example
    found = _findings(_replace("30112\t其他社会保障缴费\t50102", "30116\t其他社会保障缴费\t50102"),
                      tmp_path, "CodeChild")
    assert [(f.message_en, f.table) for f in found] == [
        ('no such code: 30116 is not a code under 301 "工资福利支出" in the 2026 edition',
         "一般公共预算基本支出表")]
    found = _findings(_replace("30108\t机关事业单位基本养老保险缴费\t50102",
                               "30104\t机关事业单位基本养老保险缴费\t50102"), tmp_path, "CodeChild")
    assert [f.message_en for f in found] == [
        'no such code: 30104 is not a code under 301 "工资福利支出" in the 2026 edition']
    assert not _findings(EXAMPLE.read_text(encoding="utf-8"), tmp_path, "CodeChild")


def test_a_code_under_a_class_complete_from_2018_is_no_finding_in_an_earlier_document(
        tmp_path: Path) -> None:
    text = _replace("30112\t其他社会保障缴费\t50102", "30116\t其他社会保障缴费\t50102")
    assert not _findings(text.replace("2026", "2017"), tmp_path, "CodeChild")


def test_a_class_printed_with_its_former_name_is_a_milder_finding_naming_the_rename_year(
        tmp_path: Path) -> None:
    text = _replace("30302\t退休费\t50905", "30307\t医疗费\t50905")
    renamed = _findings(text, tmp_path, "CodeRenamed")
    assert [(f.severity, f.message_en) for f in renamed] == [
        ("Info", 'a class printed with its former name: 30307 printed "医疗费", '
                 'named "医疗费补助" since 2018')]
    assert not _findings(text, tmp_path, "CodeName")


def test_a_code_the_lists_do_not_hold_is_no_finding_but_a_wrong_name_is(tmp_path: Path) -> None:
    assert not [f for f in validate.validate(pipeline.convert((EXAMPLE,), BASE)[2]).findings
                if "code list" in f.message_en]
    text = _replace("30302\t退休费\t50905", "30302\t奖励金\t50905")
    assert [f.message_en for f in _findings(text, tmp_path, "CodeName")] == [
        'the printed name differs from the code list: 30302 printed "奖励金", listed "退休费"']


def _recoded(doc: Document, scheme: str, code: str, new: str,
             name: str | None = None) -> tuple[Document, int, int]:
    """The document with the first row printing `code` of `scheme` printing `new` (and `name`)
    in its place, and where that row is (table and row number)."""
    table, row, k = next((t, r, k) for t in doc.tables for r in t.rows
                         for k, c in enumerate(r.codes) if (c.scheme, c.code) == (scheme, code))
    old = row.codes[k]
    changed = recoded(table, row, k, replace(old, code=new, name=old.name if name is None
                                                else name))
    rows = tuple(changed if r is row else r for r in table.rows)
    tables = tuple(replace(t, rows=rows) if t is table else t for t in doc.tables)
    return replace(doc, tables=tables), table.number, row.number


def _shaped(doc: Document, shape: str, place: tuple[int, int] | None = None) -> list[str]:
    """The English messages of `shape`'s findings on the document (on one row: `place`)."""
    found = validate.validate(pipeline.convert_document(doc, BASE)[2]).findings
    return [f.message_en for f in found if f.shape == SHAPES + shape
            and (place is None or f.order == place)]


@pytest.fixture(scope="module")
def example() -> Document:
    return pipeline.normalised((EXAMPLE,))


@pytest.fixture(scope="module")
def jiangsu_2017() -> Document:
    return pipeline.normalised((shared_path("corpus", "jiangsu-provincial",
                                            "js-gaoyuan-2017-dept-budget.pdf"),))


def test_a_mistyped_class_code_is_named_on_its_row(example: Document) -> None:
    # the 类 level is complete: 300 is no class of 部门预算支出经济分类, whatever its rows say
    assert _shaped(example, "CodeClass") == []
    doc, table, row = _recoded(example, "dept-economic", "303", "300")
    assert _shaped(doc, "CodeClass", (table, row)) == [
        "no such class: the class 300 of 300 is in no edition of the economic classification "
        "of expenditure (department budgets)"]


def test_the_class_part_of_a_longer_code_mistyped_is_named_on_its_row(example: Document) -> None:
    doc, table, row = _recoded(example, "function", "2080501", "2000501")
    assert _shaped(doc, "CodeClass", (table, row)) == [
        "no such class: the class 200 of 2000501 is in no edition of the functional "
        "classification of expenditure"]


def test_a_code_the_lists_lack_below_a_listed_class_is_no_finding(example: Document) -> None:
    # 款 and 项 are listed in part: 20899 under the listed 208 may be a code no source printed
    doc, table, row = _recoded(example, "function", "2080501", "2089901")
    assert _shaped(doc, "CodeClass") == []
    assert _shaped(doc, "CodeName", (table, row)) == []


def test_a_class_of_the_editions_before_2018_is_no_finding_in_a_2017_document(
        jiangsu_2017: Document) -> None:
    # 305 转移性支出 was a class of 支出经济分类 until the 2018 edition: listed, with its name
    doc, table, row = _recoded(jiangsu_2017, "dept-economic", "303", "305", "转移性支出")
    assert _shaped(doc, "CodeClass", (table, row)) == []
    assert _shaped(doc, "CodeName", (table, row)) == []
    assert _shaped(doc, "CodeRenamed", (table, row)) == []


def test_a_class_of_another_edition_printed_under_another_name_is_named_on_its_row(
        jiangsu_2017: Document) -> None:
    # 301 mistyped 305: a class of the 2017 edition, whose name is not the row's
    doc, table, row = _recoded(jiangsu_2017, "dept-economic", "301", "305")
    assert _shaped(doc, "CodeClass", (table, row)) == []
    assert _shaped(doc, "CodeName", (table, row)) == [
        'the printed name differs from the code list: 305 printed "工资福利支出", '
        'listed "转移性支出"']


def test_a_code_whose_class_row_is_missing_from_a_table_printing_classes_is_found(
        tmp_path: Path) -> None:
    text = _replace("303\t对个人和家庭的补助\t\t\t595.60\t595.60\t\n", "")
    assert sorted(f.message_en for f in _findings(text, tmp_path, "CodeParent")) == [
        f"a code's parent is not printed: {code} is in the table, its parent 303 is not"
        for code in ("30302", "30305", "30399")]


def test_a_row_left_out_of_the_general_budget_table_is_found_when_other_funds_cannot_pay_it(
        tmp_path: Path) -> None:
    # The example's 201.00 of carry-over pays for the rows of table 3 missing from table 5
    # (1.00, 200.00, 89.10): no finding; 4,368.90 left out is more than the carry-over.
    assert not _findings(EXAMPLE.read_text(encoding="utf-8"), tmp_path, "GeneralBudgetRowsListed")
    text = EXAMPLE.read_text(encoding="utf-8")
    row = "206\t04\t04\t\t科技成果转化与扩散\t4,368.90\t\t\t\t\t4,368.90\t\t4,368.90\n"
    assert text.count(row) == 2, "the row is printed in tables 3 and 5"
    second = text.index(row, text.index(row) + 1)
    text = text[:second] + text[second + len(row):]
    assert [f.message_en for f in _findings(text, tmp_path, "GeneralBudgetRowsListed")] == [
        "a row of the expenditure table is not in the general-budget table and exceeds the "
        "other funds: 科技成果转化与扩散 4368.9"]


def test_findings_carry_figures_and_both_languages(graphs: dict[str, list[ox.Triple]]) -> None:
    report = validate.validate(graphs[EXAMPLE.name])
    total = next(f for f in report.findings if f.shape.endswith("TotalRow")
                 and "合计 total" in f.message_en)
    assert "7253.8" in total.message_en and "7164.7" in total.message_en
    assert "89.1" in total.message_en and "相差 89.1" in total.message_zh


runner = CliRunner()


def test_validate_exits_1_on_contradictions_and_0_when_consistent() -> None:
    assert runner.invoke(app, ["validate", str(EXAMPLE)]).exit_code == 1
    consistent = shared_path("docs", "sh-putuo-shangwuwei-2025-dept-budget.pdf")
    result = runner.invoke(app, ["validate", str(consistent)])
    assert result.exit_code == 0, result.output
    assert "conforms" in result.stdout


def test_validate_reports_an_unreadable_document_with_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(tmp_path / "missing.txt")])
    assert result.exit_code == 2
    assert "no such file" in result.stderr


def test_validate_json_is_the_library_report_with_shape_codes() -> None:
    result = runner.invoke(app, ["validate", str(EXAMPLE), "--format", "json"])
    data = json.loads(result.stdout)[EXAMPLE.name]
    library = pipeline.check(EXAMPLE)[EXAMPLE.name]
    assert [f["code"] for f in data["findings"]] == [f.shape for f in library.findings]
    assert data["conforms"] is False
    assert all(f["code"].startswith(SHAPES) for f in data["findings"])


def test_validate_turtle_is_a_shacl_validation_report() -> None:
    result = runner.invoke(app, ["validate", str(EXAMPLE), "--format", "turtle"])
    graph = list(ox.parse(result.stdout_bytes, format=ox.RdfFormat.TURTLE))
    results = [t for t in graph if t.object.value == "http://www.w3.org/ns/shacl#ValidationResult"]
    assert len(results) == len(pipeline.check(EXAMPLE)[EXAMPLE.name].findings)


def test_build_publishes_the_report_and_links_it_from_the_dataset(
    built: pipeline.BuildResult,
) -> None:
    doc = built.documents[0]
    assert doc.quality is not None and doc.quality.inconsistencies == 4
    report = built.output / f"{doc.stem}.report.ttl"
    triples = list(ox.parse(path=str(report), format=ox.RdfFormat.TURTLE))
    assert any(t.predicate.value == "http://www.w3.org/ns/shacl#conforms"
               and t.object.value == "false" for t in triples)
    dataset = list(ox.parse(path=str(built.output / f"{doc.stem}.nt"),
                            format=ox.RdfFormat.N_TRIPLES))
    links = [t for t in dataset if t.predicate.value.endswith("dqv#hasQualityAnnotation")]
    assert [t.object.value for t in links] == [doc.graph.removesuffix("/graph") + "/report"]


def test_build_strict_exits_1_on_contradictions(tmp_path: Path) -> None:
    plain = runner.invoke(app, ["build", str(EXAMPLE), "-o", str(tmp_path / "a")])
    strict = runner.invoke(app, ["build", str(EXAMPLE), "-o", str(tmp_path / "b"), "--strict"])
    assert (plain.exit_code, strict.exit_code) == (0, 1)
    assert "4 inconsistencies (不一致)" in plain.stdout  # issue 17: findings are 不一致


def test_unknown_engine_is_refused() -> None:
    with pytest.raises(BudgetKGError, match="unknown engine"):
        validate.validate([], "other")


MUTANTS_PER_CLASS = 6


@pytest.fixture(scope="module")
def mutated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[list[ox.Triple]]]:
    folder = tmp_path_factory.mktemp("mutants")
    out: dict[str, list[list[ox.Triple]]] = {}
    for kind in CLASSES:
        out[kind] = []
        for i, mutant in enumerate(mutants(EXAMPLE.read_text(encoding="utf-8"), kind,
                                           MUTANTS_PER_CLASS, seed=7)):
            path = folder / f"{kind}-{i}" / EXAMPLE.name
            path.parent.mkdir()
            path.write_text(mutant.text, encoding="utf-8")
            out[kind].append(pipeline.convert((path,), BASE)[2])
    return out


def test_mutations_are_detected_all_amount_and_row_changes(
    graphs: dict[str, list[ox.Triple]], mutated: dict[str, list[list[ox.Triple]]]
) -> None:
    baseline = {(f.key, f.message_en) for f in validate.validate(graphs[EXAMPLE.name]).findings}
    rates = {}
    for kind, graphs_of_kind in mutated.items():
        detected = sum(
            1 for triples in graphs_of_kind
            if {(f.key, f.message_en) for f in validate.validate(triples).findings} - baseline
        )
        rates[kind] = detected / len(graphs_of_kind)
    print("mutation detection:", ", ".join(f"{k} {v:.0%}" for k, v in rates.items()))
    assert rates["amount"] == 1.0
    assert rates["row"] == 1.0
    assert all(rate > 0 for rate in rates.values()), rates


PRIOR_YEAR = "https://w3id.org/budgetkg/shapes/PriorYearFigure"
NEXT_YEAR = "济源产城融合示范区工业信息和科技局-2027-budget"
THIS_YEAR = "济源产城融合示范区工业信息和科技局-2026-budget"


def _prior_year_subjects(report: validate.ValidationReport) -> set[str]:
    return {f.message_zh.split("「")[1].split("」")[0] for f in report.findings
            if f.shape == PRIOR_YEAR}


def test_a_folder_is_validated_with_the_other_years_of_each_department(
        corpus: pipeline.BuildResult) -> None:
    reports = pipeline.check(corpus.output)
    # the later document implies figures for the earlier year that the earlier one contradicts;
    # the earlier document's own implied figures (for 2025) have no document to compare with
    assert _prior_year_subjects(reports[NEXT_YEAR]) == {
        "支出总计", "一般公共预算收支预算", "“三公”经费支出预算", "公务接待费",
        "公务用车运行维护费", "政府性基金预算收支预算", "机关（机构）运转经费支出预算"}
    assert _prior_year_subjects(reports[THIS_YEAR]) == set()
    alone = validate.validate(list(ox.parse(path=str(corpus.output / f"{NEXT_YEAR}.nt"))))
    assert _prior_year_subjects(alone) == set()
    assert set(reports[NEXT_YEAR].findings) - set(alone.findings) == {
        f for f in reports[NEXT_YEAR].findings if f.shape == PRIOR_YEAR}


def test_build_writes_the_comparison_with_other_years_into_the_report(
        corpus: pipeline.BuildResult) -> None:
    published = {d.stem: d for d in corpus.documents}
    checked = pipeline.check(corpus.output)
    for stem in (NEXT_YEAR, THIS_YEAR):
        shapes = {t.object.value for t in ox.parse(path=str(corpus.output / f"{stem}.report.ttl"))
                  if t.predicate.value == "http://www.w3.org/ns/shacl#sourceShape"}
        assert (PRIOR_YEAR in shapes) == (stem == NEXT_YEAR)
        quality = published[stem].quality
        assert quality is not None
        assert quality.inconsistencies == checked[stem].count("Violation")
    for document in corpus.documents:  # the same bytes as validating the folder afresh
        written = (corpus.output / f"{document.stem}.report.ttl").read_bytes()
        iri = document.graph.removesuffix("/graph")
        assert written == report.turtle(checked[document.stem], iri), document.stem


def test_both_engines_agree_on_the_comparison_of_two_years(
        corpus: pipeline.BuildResult) -> None:
    later, earlier = (list(ox.parse(path=str(corpus.output / f"{stem}.nt")))
                      for stem in (NEXT_YEAR, THIS_YEAR))
    fast = validate.compare([later, earlier])
    reference = validate.compare([later, earlier], "pyshacl")
    assert [len(found) for found in fast] == [7, 0]  # the earlier year implies 2025's figures
    # the findings in full: messages, focus, value, severity, shape
    assert [set(found) for found in fast] == [set(found) for found in reference]


def test_a_later_build_into_the_folder_is_compared_with_the_documents_already_there(
        tmp_path: Path) -> None:
    from tests.second_year import a_year_later

    later = tmp_path / "later.txt"
    later.write_text(a_year_later(EXAMPLE.read_text(encoding="utf-8")), encoding="utf-8")
    out = tmp_path / "out"
    first = pipeline.build([later], out)
    second = pipeline.build([EXAMPLE], out)  # the earlier year, built into the same folder
    [alone] = first.documents
    entries = {d.stem: d for d in publish.published(out)}
    assert alone.quality is not None and second.documents[0].quality is not None
    quality = entries[NEXT_YEAR].quality
    assert quality is not None and quality.inconsistencies == alone.quality.inconsistencies + 7
    assert entries[THIS_YEAR].quality == second.documents[0].quality
    checked = pipeline.check(out)
    assert quality.inconsistencies == checked[NEXT_YEAR].count("Violation")
    shapes = {t.object.value for t in ox.parse(path=str(out / f"{NEXT_YEAR}.report.ttl"))
              if t.predicate.value == "http://www.w3.org/ns/shacl#sourceShape"}
    assert PRIOR_YEAR in shapes


def test_an_item_restated_with_another_figure_in_its_paragraph_is_found(tmp_path: Path) -> None:
    said = "项目支出5840.50万元，占78.35%。"
    text = _replace(said, said + "其中科学技术支出（类）4569.90万元，主要用于科技成果转化；"
                                 "科学技术支出（类）4570.90万元用于项目。")
    found = _findings(text, tmp_path, "NarrativeRestated")
    assert [(f.message_en, f.table) for f in found] == [
        ('the narrative restates an amount with another figure: "科学技术支出（类）" '
         "is 4569.9 万元, later 4570.9 万元", "说明")]


def test_the_narrative_naming_a_class_by_another_name_than_the_tables_is_found(
        real_documents: RealDocuments) -> None:
    stem = next(stem for stem, files in real_documents.files.items()
                if files[0].name == "sh-putuo-wanli-jiedao-2024-dept-budget.pdf")
    graph = list(ox.parse(path=str(real_documents.result.output / f"{stem}.nt"),
                          format=ox.RdfFormat.N_TRIPLES))
    subject = ox.NamedNode("https://w3id.org/budgetkg/ontology#subjectText")
    said = next(t for t in graph if t.predicate == subject)
    named = "社会保障和就业支出（类）行政事业单位离退休（款）"
    renamed = ox.Triple(said.subject, subject, ox.Literal(named, language="zh"))
    before = validate.validate(graph).findings
    after = validate.validate([renamed if t == said else t for t in graph]).findings
    assert not [f for f in before if f.shape == SHAPES + "NarrativeClassName"]
    assert [f.message_en for f in after if f.shape == SHAPES + "NarrativeClassName"] == [
        'the narrative names a class otherwise than the tables: it says "行政事业单位离退休", '
        'the tables print 20805 as "行政事业单位养老支出"']


def test_procurement_parts_stated_with_their_total_must_add_up_to_it(tmp_path: Path) -> None:
    stated = ("2026年政府采购预算安排0.00万元，其中：政府采购货物预算0.00万元、"
              "政府采购工程预算0.00万元、政府采购服务预算0.00万元。")
    sentence = ("2026年政府采购预算安排30.00万元，其中：政府采购货物预算10.00万元、"
                "政府采购工程预算5.00万元、政府采购服务预算{}万元")
    consistent = _replace(stated, sentence.format("15.00") + "。")
    assert not _findings(consistent, tmp_path, "NarrativeParts")
    short = _replace(stated, sentence.format("14.00") + "。")
    found = _findings(short, tmp_path, "NarrativeParts")
    assert [(f.message_en, f.table, f.row) for f in found] == [
        ('the parts stated do not add up to their whole: "政府采购" 30 万元, '
         "its 3 parts stated add up to 29 万元", "说明", sentence.format("14.00"))]


def test_a_part_stated_alone_is_at_most_its_whole_and_need_not_be_all_of_it(
        tmp_path: Path) -> None:
    # 人员经费支出 1521.20 of 1614.30 万元 基本支出, 公用经费 left out: one part named, no sum to
    # meet
    alone = _replace("；公用经费支出93.10万元，占5.77%", "")
    assert not _findings(alone, tmp_path, "NarrativeParts")
    text = alone.replace("其中：人员经费支出1521.20万元", "其中：人员经费支出1721.20万元")
    message = ('the parts stated do not add up to their whole: "一般公共预算基本支出" 1614.3 万元, '
               "its 1 parts stated add up to 1721.2 万元")
    # reported on the whole's sentence and on the part's, which opens with 其中
    assert sorted((f.message_en, f.row[:8]) for f in _findings(text, tmp_path, "NarrativeParts")
                  ) == [(message, "其中：人员经费支"), (message, "济源产城融合示范")]


def test_counts_listed_after_of_which_and_closed_by_the_rest_must_add_up_to_their_whole(
        tmp_path: Path) -> None:
    # 共有车辆2辆，其中：一般公务用车2辆、一般执法执勤用车0辆、其他用车0辆: 其他 closes the list
    assert not _findings(EXAMPLE.read_text(encoding="utf-8"), tmp_path, "NarrativeParts")
    more = _replace("共有车辆2辆，其中", "共有车辆3辆，其中")
    found = _findings(more, tmp_path, "NarrativeParts")
    assert [f.message_en for f in found] == [
        'the parts stated do not add up to their whole: "共有车辆" 3 辆, its 3 parts stated add up '
        "to 2 辆"]


@pytest.mark.parametrize("old, new", [
    ("上年结转结余201万元。", "上年结转结余201万元；支出预算7454.80万元。"),
    # 公务接待费 is within 基本支出: parts of two families may overlap, and are no sum
    ("项目支出5840.50万元，占78.35%。", "项目支出5840.50万元，占78.35%；公务接待费2.50万元。"),
], ids=["new-whole", "two-families"])
def test_a_list_that_states_a_new_whole_or_mixes_families_is_no_sum(
        old: str, new: str, tmp_path: Path) -> None:
    assert not _findings(_replace(old, new), tmp_path, "NarrativeParts")


@pytest.mark.parametrize("excellent, found", [("4", 0), ("3", 1)])
def test_the_projects_of_each_grade_add_up_to_the_projects_self_evaluated(
        excellent: str, found: int, tmp_path: Path) -> None:
    # a final account's four grades are all the projects evaluated (narrative.yaml complete_sets)
    graded = (f"绩效自评的2026年度项目4个，平均得分99.43分（其中，绩效评级为“优”的项目{excellent}"
              "个；绩效评级为“良”的项目0个；绩效评级为“合格”的项目0个；绩效评级为“不合格”的项目0个。\n")
    text = _replace(_THREE_PUBLIC, graded + _THREE_PUBLIC)
    assert [f.message_en for f in _findings(text, tmp_path, "NarrativeParts")] == [
        'the parts stated do not add up to their whole: "项目" 4 个, its 4 parts stated add up '
        "to 3 个"] * found


def test_parts_listed_on_after_a_semicolon_are_parts_of_the_whole_before_of_which(
        tmp_path: Path) -> None:
    # 收入合计7454.80万元，其中：一般公共预算收入7253.80万元；上年结转结余201万元。
    text = _replace("上年结转结余201万元。", "上年结转结余301万元。")
    message = ('the parts stated do not add up to their whole: "收入合计" 7454.8 万元, its 2 parts '
               "stated add up to 7554.8 万元")
    # 收入合计 agrees with the table, so one of its parts is wrong: the whole and each part
    # stated in another sentence are named, also one going on its list after the semicolon
    assert sorted((f.message_en, f.row[:6]) for f in _findings(
        text, tmp_path, "NarrativeParts")) == [(message, "上年结转结余"), (message, "济源产城融合")]
    # a whole that disagrees with its table too is no help: the list is named where it opens
    text = text.replace("收入合计7454.80万元", "收入合计7354.80万元")
    message = message.replace("7454.8", "7354.8")
    assert [(f.message_en, f.row[:6]) for f in _findings(text, tmp_path, "NarrativeParts")] == [
        (message, "济源产城融合")]


_SPLIT = ("2026年财政拨款支出7253.80万元，比2025年预算增加100.00万元。财政拨款支出中，一般公共预算"
          "拨款支出7253.80万元，比2025年预算增加{}万元；政府性基金拨款支出0万元，比2025年预算持平；"
          "国有资本经营预算拨款支出0万元，比2025年预算持平。\n")


@pytest.mark.parametrize("change, found", [("100.00", 0), ("120.00", 2)])
def test_the_changes_of_all_the_budgets_of_a_whole_add_up_to_the_change_of_the_whole(
        change: str, found: int, tmp_path: Path) -> None:
    # a sentence opening with the whole's subject and 中 lists its parts, here all three budgets
    # of 财政拨款 (complete): their amounts add up, and so must the changes each states; reported
    # on the whole and where the list opens (财政拨款支出中，…), not on each sentence going on (；)
    text = _replace(_THREE_PUBLIC, _SPLIT.format(change) + _THREE_PUBLIC)
    parts = _findings(text, tmp_path, "NarrativeParts")
    assert len(parts) == found
    assert all(f.message_en == 'the parts stated do not add up to their whole: "财政拨款支出" 100 '
               "万元, its 3 parts stated add up to 120 万元" for f in parts)


def test_a_department_row_with_projects_of_its_own_before_its_units_is_no_sum_of_them(
        tmp_path: Path) -> None:
    # 项目支出表: 017 prints 10.00 more than its unit 017001, for a project listed under it first
    head = "\t\t合计\t5,840.50\t5,639.50\t\t\t201.00\t\t\t\t\n"
    department = ("017\t济源产城融合示范区工业信息和科技局\t\t5,840.50\t5,639.50\t\t\t201.00"
                  "\t\t\t\t\n")
    own = "017\t部门本级项目\t其他运转类\t10.00\t10.00\t\t\t\t\t\t\t\n"
    text = _replace(head + department, (head + department).replace("5,840.50", "5,850.50")
                    .replace("5,639.50", "5,649.50") + own)
    assert not [f for f in _findings(text, tmp_path, "RowSum") if f.table == "项目支出表"]


def test_a_unit_row_is_the_sum_of_its_units_and_a_changed_cell_is_named_where_they_cross(
        tmp_path: Path) -> None:
    # 017 (the department) over 017001 and 017002 in 部门收入总体情况表; 017001 over its
    # projects in 项目绩效目标汇总表
    unit = "017002\t济源产城融合示范区中小企业发展服务中心\t372.10\t372.10\t{}\t372.10"
    text = _replace(unit.format("372.10"), unit.format("368.60"))
    crossed = _findings(text, tmp_path, "CrossedSums")
    assert [(f.row.split(" | ")[0], f.column) for f in crossed] == [("017002", 5)]
    assert [f.row.split(" | ")[0] for f in _findings(text, tmp_path, "RowSum")] == ["017"]
    goals = "017001\t济源产城融合示范区工业信息和科技局\t5,840.50\t{}"
    text = _replace(goals.format("5,840.50"), goals.format("5,839.50"))
    named = {(f.table, f.row.split(" | ")[0]) for f in _findings(text, tmp_path, "RowSum")}
    assert ("2026年部门预算项目绩效目标汇总表", "017001") in named


def test_a_code_printed_beside_its_own_name_in_a_row_of_two_codes_is_checked_against_siblings(
        tmp_path: Path) -> None:
    # 30112 其他社会保障缴费 | 50102 社会保障缴费: each code beside its own name. 50102 typed
    # 50104 (a code the partial lists lack) prints the name of its sibling, which five other rows
    # print under 50102: only the one row is named
    old = "30112\t其他社会保障缴费\t50102\t社会保障缴费"
    assert not _findings(EXAMPLE.read_text(encoding="utf-8"), tmp_path, "CodeSibling")
    found = _findings(_replace(old, old.replace("50102", "50104")), tmp_path, "CodeSibling")
    assert [(f.table, f.row.split(" | ")[0], f.message_en) for f in found] == [
        ("一般公共预算基本支出表", "30112", 'a code printed with the name of its sibling: 50104 is '
         'printed "社会保障缴费", the name of 50102')]


def test_the_parts_of_a_failing_sum_whose_total_a_sum_over_it_confirms_are_suspects(
        tmp_path: Path) -> None:
    # 项目绩效目标汇总表: a project printed 8.00 for 7.00; its unit 017001 is then not the sum of
    # its projects, while 017 over 017001 still holds: besides 017001 (RowSum), each project is
    # named as a suspect (SuspectPart, a warning)
    row = "419001240000000011239\t驻村帮扶工作经费专项-驻村帮扶工作经费\t{}\t7.00\t"
    text = _replace(row.format("7.00"), row.format("8.00"))
    table = "2026年部门预算项目绩效目标汇总表"
    assert [f.message_en for f in _findings(text, tmp_path, "RowSum") if f.table == table] == [
        "a total row is not the sum of its part rows: 济源产城融合示范区工业信息和科技局 "
        "[项目金额（万元） / 资金总额] is 5840.5, the parts sum to 5841.5, difference -1"]
    parts = [f for f in _findings(text, tmp_path, "SuspectPart") if f.table == table]
    assert len(parts) > 1 and {(f.column, f.severity) for f in parts} == {(3, "Warning")}
    assert all(f.message_en.startswith(
        "a part row of a total row its parts do not add up to, while another sum that holds "
        "confirms the total, so one of the parts is wrong") for f in parts)
    assert any(f.row.startswith("419001240000000011239") and "is 8;" in f.message_en
               for f in parts)
    # unchanged, nothing is suspect
    assert not _findings(EXAMPLE.read_text(encoding="utf-8"), tmp_path, "SuspectPart")


def test_the_children_of_a_failing_code_whose_figure_the_total_row_confirms_are_suspects(
        tmp_path: Path) -> None:
    # 一般公共预算基本支出表: 退休费 printed 549.70 for 548.70 in 合计; 303 is then not the sum of
    # its 款, while the 合计 row over 301, 302 and 303 still holds: each 款 of 303 is a suspect
    row = "30302\t退休费\t50905\t离退休费\t{}\t548.70"
    text = _replace(row.format("548.70"), row.format("549.70"))
    found = [f for f in _findings(text, tmp_path, "SuspectPart")
             if f.table == "一般公共预算基本支出表"]
    assert sorted((f.row.split(" | ")[0], f.column) for f in found) == [
        ("30302", 5), ("30305", 5), ("30399", 5)]
    assert all(f.message_en.startswith(
        "a child row of a parent code its children do not add up to, while the parent agrees "
        "with the sum it is part of, so one of the children is wrong") and
        '303 is 595.6 (which agrees with "合计")' in f.message_en for f in found)


def test_function_amounts_are_summed_by_the_subtotal_printed_under_the_use_blocks_column(
        tmp_path: Path) -> None:
    # a 收支预算总表 merges 当年支出小计 over the function and the use blocks and prints its
    # figure under the use block's 金额 only: the function amounts add up to it there; one of
    # them misprinted (21.00 for 20.00) fails the sum, which 支出合计 over 当年支出小计 (and
    # 当年收入小计 beside it) confirms, so each function amount is named
    layout = Path(__file__).parent / "layouts" / "jiangsu-labelled" / "document.txt"
    row = "二、医疗卫生与计划生育支出\t{}\t二、项目支出"
    text = layout.read_text(encoding="utf-8")
    assert text.count(row.format("20.00")) == 1
    source = tmp_path / layout.name
    source.write_text(text.replace(row.format("20.00"), row.format("21.00")), encoding="utf-8")
    found = validate.validate(pipeline.convert((source,), BASE)[2]).findings
    overview = [f for f in found if f.table.endswith("收支预算总表")]
    assert [f.message_en for f in overview if f.shape == SHAPES + "RowSum"] == [
        "a total row is not the sum of its part rows: 当年支出小计 [支出 / 功能分类 / 金额] "
        "is 100, the parts sum to 101, difference -1"]
    suspects = [f for f in overview if f.shape == SHAPES + "SuspectPart"]
    assert sorted((f.row.split(" | ")[2], f.column) for f in suspects) == [
        ("一、一般公共服务支出", 4), ("二、医疗卫生与计划生育支出", 4)]
    assert all('当年支出小计 is 100 (which agrees with "' in f.message_en for f in suspects)
    source.write_text(text, encoding="utf-8")
    assert not [f for f in validate.validate(pipeline.convert((source,), BASE)[2]).findings
                if f.table.endswith("收支预算总表")]


def test_the_parts_of_a_failing_total_whose_row_balances_another_blocks_total_are_suspects(
        tmp_path: Path) -> None:
    # 收入总计 and 支出总计 of one row print one figure: with 收入总计 over its items holding, a
    # 支出总计 its items do not add up to is right, and each item is named
    layout = Path(__file__).parent / "layouts" / "no-unit" / "document.txt"
    old = "一、一般公共预算\t12.00\t一、一般公共服务\t12.00\n"
    text = layout.read_text(encoding="utf-8")
    assert text.count(old) == 1
    source = tmp_path / layout.name
    table = "2026年部门收支总体情况表"

    def suspects(items: str) -> list[validate.Finding]:
        source.write_text(text.replace(old, items), encoding="utf-8")
        return [f for f in validate.validate(pipeline.convert((source,), BASE)[2]).findings
                if f.table == table and f.shape == SHAPES + "SuspectPart"]

    two = "一、一般公共预算\t12.00\t一、一般公共服务\t5.00\n\t\t二、科学技术\t{}\n"
    assert not suspects(two.format("7.00"))
    found = suspects(two.format("8.00"))
    assert sorted((f.row.split(" | ")[-2], f.column) for f in found) == [
        ("一、一般公共服务", 4), ("二、科学技术", 4)]
    assert all('支出总计 is 12 (which agrees with "收入总计")' in f.message_en for f in found)


@pytest.mark.parametrize("said, named", [
    ("2026年信息化运维经费10.00万元，与上年相比增加10.00万元，增长100%。", []),
    ("2026年信息化运维经费10.00万元，与上年相比增加12.00万元，增长100%。",
     ["2026年信息化运维经费"]),
    # the change in the next sentence, with its rate: both sentences are named
    ("2026年信息化运维经费10.00万元。与上年相比，信息化运维经费增加12.00万元，增长100%。",
     ["2026年信息化运维经费", "与上年相比，信息化运维经"]),
], ids=["all-of-it", "more", "next-sentence"])
def test_an_increase_beyond_this_years_amount_leaves_last_year_negative(
        said: str, named: list[str], tmp_path: Path) -> None:
    # a new item: 增加 all of its amount, 增长100% by convention; more would make last year's
    # figure negative
    text = _replace(_THREE_PUBLIC, said + "\n" + _THREE_PUBLIC)
    negative = [f for f in _findings(text, tmp_path, "NarrativeGrowth")
                if "last year's figure would be negative" in f.message_en]
    assert sorted(f.row[:12] for f in negative) == sorted(named)


@pytest.mark.parametrize("said, named", [
    ("2026年信息化运维经费10.00万元，与上年相比增加10.00万元，增长100%。", False),
    ("2026年信息化运维经费10.00万元，与上年相比增加10.00万元，增长111%。", True),
    # nearly all of it new: a rate this large is what the rounding of a tiny figure allows
    ("2026年信息化运维经费10.00万元，与上年相比增加9.99万元，增长99900%。", False),
], ids=["by-convention", "other-rate", "tiny-earlier-figure"])
def test_an_item_that_is_all_new_grows_by_a_hundred_per_cent(
        said: str, named: bool, tmp_path: Path) -> None:
    text = _replace(_THREE_PUBLIC, said + "\n" + _THREE_PUBLIC)
    found = [f for f in _findings(text, tmp_path, "NarrativeGrowth")
             if f.row.startswith("2026年信息化运维经费")]
    assert [f.message_en for f in found] == ([
        'a stated growth rate does not fit an item that is all new: "信息化运维经费" is 10 this '
        "year, up 10, so last year's figure is nothing and the rate 100%, stated 111%"]
        if named else [])


@pytest.mark.parametrize("said, named", [
    ("2025年当年预算执行数为20.00万元，2026年预算安排20.00万元，比2025年预算执行数持平。", False),
    ("2025年当年预算执行数为20.00万元，2026年预算安排23.00万元，比2025年预算执行数持平。", True),
    ("2025年当年预算执行数为20.00万元，2026年预算安排23.00万元，比2025年预算执行数增加3.00万元。",
     False),
    ("2025年当年预算执行数为20.00万元，2026年预算安排23.00万元，比2025年预算执行数减少3.00万元。",
     False),
    ("2025年当年预算执行数为20.00万元，2026年预算安排23.00万元，比2025年预算执行数增加4.00万元。",
     True),
    # two things' figures of this year, the change of one of them: nothing to compare
    ("2026年收入23.00万元、支出20.00万元，比上年减少1.00万元。", False),
], ids=["level", "not-level", "increase", "either-order", "wrong-increase", "two-subjects"])
def test_a_change_stated_with_two_amounts_is_their_difference(
        said: str, named: bool, tmp_path: Path) -> None:
    text = _replace(_THREE_PUBLIC, said + "\n" + _THREE_PUBLIC)
    found = [f for f in _findings(text, tmp_path, "NarrativeGrowthBetween")
             if f.row.startswith("2025年当年预算执行数") or f.row.startswith("2026年收入")]
    assert [f.message_en.split(":")[0] for f in found] == (
        ["a stated change does not match its sentence's amounts"] if named else [])


@pytest.mark.parametrize("rate, named", [("16倍", False), ("17倍", False), ("20倍", True)])
def test_a_growth_in_times_is_a_rate_of_a_hundred_per_cent_each(
        rate: str, named: bool, tmp_path: Path) -> None:
    # 2388.04 over 140.2 is up 16.03 times: 增长16倍, or 17倍 read as "is 17 times"
    said = (f"2026年预留机动经费2388.04万元，与上年相比增加2247.84万元（上年仅安排140.2万元），"
            f"增长{rate}。")
    text = _replace(_THREE_PUBLIC, said + "\n" + _THREE_PUBLIC)
    found = [f for f in _findings(text, tmp_path, "NarrativeGrowth")
             if f.row.startswith("2026年预留机动经费")]
    assert [f.message_en for f in found] == ([
        'a stated growth rate does not match the change: "预留机动经费" change 2247.84 on this '
        "year's 2388.04 gives 1603.31%, stated 2000%"] if named else [])


def test_a_total_under_a_heading_naming_income_and_expenditure_restates_its_own_operation(
        tmp_path: Path) -> None:
    # 一、收入支出预算总体情况说明: 收入总计 is income and 支出总计 expenditure, each the table's
    old = "2026年收入总计7454.80万元，支出总计7454.80万元"
    assert not _findings(EXAMPLE.read_text(encoding="utf-8"), tmp_path, "NarrativeAmount")
    found = _findings(_replace(old, old.replace("收入总计7454.80", "收入总计7554.80")), tmp_path,
                      "NarrativeAmount")
    assert [f.message_en.split(", ")[0] for f in found if f.table == "说明"] == [
        'the narrative disagrees with the table: "收入总计" 7554.8 万元']


_THREE_PUBLIC = "济源产城融合示范区工业信息和科技局部门2026年“三公”经费支出预算为7.50万元。"


def _listed_three_public(reception: str) -> str:
    """The example's 三公 paragraph closed by 其中： and the items listed after it, numbered,
    the second with a list of its own."""
    return _replace(_THREE_PUBLIC, _THREE_PUBLIC + "其中：\n"
                    "（一）因公出国（境）费0万元，与上年持平。\n"
                    "（二）公务用车购置及运行费5.00万元，与上年持平。其中：\n"
                    "1．公务用车购置费0万元。\n"
                    "2．公务用车运行费5.00万元。\n"
                    f"（三）公务接待费{reception}万元，与上年持平。\n")


def test_the_numbered_paragraphs_after_a_closing_of_which_are_parts_of_its_amount(
        tmp_path: Path) -> None:
    assert not _findings(_listed_three_public("2.50"), tmp_path, "NarrativeParts")
    found = _findings(_listed_three_public("3.50"), tmp_path, "NarrativeParts")
    message = ('the parts stated do not add up to their whole: "“三公”经费支出预算" 7.5 万元, '
               "its 3 parts stated add up to 8.5 万元")
    # on the whole and on each item (a deeper list within the second is its own, not items)
    assert sorted((f.message_en, f.row[:7]) for f in found) == [
        (message, "济源产城融合示"), (message, "（一）因公出国"), (message, "（三）公务接待"),
        (message, "（二）公务用车")]


@pytest.mark.parametrize("items", [
    # 收、支预算总计各…万元。其中：（一）收入预算总计…（二）支出预算总计…: each is the whole again
    "（一）“三公”经费支出预算合计7.50万元。\n（二）“三公”经费支出预算总计7.50万元。\n",
    # 公用经费 holds the 三公 spending: items of two families are no sum, whatever they add to
    "（一）公务接待费2.50万元，与上年持平。\n（二）公用经费90.00万元，主要用于办公费。\n",
], ids=["totals", "overlapping-families"])
def test_a_numbered_list_of_totals_or_of_amounts_that_may_overlap_is_no_list_of_parts(
        items: str, tmp_path: Path) -> None:
    text = _replace(_THREE_PUBLIC, _THREE_PUBLIC + "其中：\n" + items)
    assert not _findings(text, tmp_path, "NarrativeParts")


def test_an_amount_its_clause_gives_for_last_year_restates_nothing_and_is_no_part(
        tmp_path: Path) -> None:
    # 人员经费 1521.20 of 1614.30 万元 基本支出, then last year's figure and the change from it:
    # the document says nothing more that could be inconsistent
    text = _replace("其中：人员经费支出1521.20万元", "其中：人员经费支出1521.20万元，比上年预算数"
                    "1400.00万元增加121.20万元")
    source = tmp_path / EXAMPLE.name
    source.write_text(text, encoding="utf-8")
    triples = pipeline.convert((source,), BASE)[2]
    shown = {(f.shape, f.message_en) for f in validate.validate(triples).findings}
    example = pipeline.convert((EXAMPLE,), BASE)[2]
    assert shown == {(f.shape, f.message_en) for f in validate.validate(example).findings}
    last_year = [t.subject for t in triples
                 if t.predicate.value.endswith("#value") and t.object.value == "1400.00"]
    kinds = {t.object.value.rsplit("/", 1)[-1] for t in triples
             if t.subject in last_year and t.predicate.value.endswith("#measureKind")}
    assert kinds == {"earlier-amount"}


@pytest.fixture(scope="module")
def restating() -> dict[str, list[ox.Triple]]:
    """Documents whose narrative restates figures under words the tables say otherwise."""
    names = {"final": ("docs", "sh-putuo-caizhengju-2024-dept-final.pdf"),
             "jiangsu": ("corpus", "jiangsu-provincial", "js-gaoyuan-2018-dept-budget.pdf"),
             "levels": ("corpus", "jiangsu-provincial", "js-renda-2018-dept-budget.pdf")}
    return {key: pipeline.convert((shared_path(*where),), BASE)[2]
            for key, where in names.items()}


def _restated(triples: list[ox.Triple]) -> dict[tuple[str, str], bool]:
    """(subject, value) of each amount statement: whether it restates a fact."""
    bk = "https://w3id.org/budgetkg/ontology#"
    said: dict[str, dict[str, str]] = {}
    for t in triples:
        said.setdefault(str(t.subject), {})[t.predicate.value.removeprefix(bk)] = t.object.value
    return {(s["subjectText"], s["value"]): "restates" in s
            for s in said.values() if "subjectText" in s and "value" in s}


def test_a_class_named_with_the_mark_of_another_level_still_restates_its_code(
        restating: dict[str, list[ox.Triple]]) -> None:
    # 人大 2018 names its 款 20805 with the mark of a 类: 行政事业单位离退休（类）机关事业单位基本
    # 养老保险缴费支出（项）580.01万元 is still 2080505's figure
    restated = _restated(restating["levels"])
    assert restated[("行政事业单位离退休（类）机关事业单位基本养老保险缴费支出（项）", "580.01")]
    assert restated[("行政事业单位离退休（类）机关事业单位职业年金缴费支出（项）", "232.01")]


def test_a_total_of_income_and_expenditure_restates_the_expenditure_total(
        restating: dict[str, list[ox.Triple]]) -> None:
    # 财政局 2024: 收入支出总计2995.39万元 (the tables' 总计), 财政拨款收入支出总计0.3万元 (a slip:
    # its table totals 2961.68, a finding pinned in VIOLATIONS)
    restated = _restated(restating["final"])
    assert restated[("收入支出总计", "2995.39")]
    assert restated[("财政拨款收入支出总计", "0.3")]


def test_a_reason_given_for_a_change_explains_the_change_stated_before_it(
        restating: dict[str, list[ox.Triple]]) -> None:
    # …各增加4322.77万元，增长14.98%。主要原因是基本支出增加1447.63万元、项目支出安排减少200万元、
    # 单位预留机动经费增加3075.14万元。 (收支总表, restated under 财政拨款 and 一般公共预算)
    bk = "https://w3id.org/budgetkg/ontology#"
    said: dict[str, dict[str, str]] = {}
    for t in restating["jiangsu"]:
        said.setdefault(t.subject.value, {})[t.predicate.value.removeprefix(bk)] = t.object.value
    explained = {(s["subjectText"], s["value"], said[s["explains"]]["subjectText"],
                  said[s["explains"]]["value"]) for s in said.values() if "explains" in s}
    assert {("基本支出", "1447.63", "支预算总计", "4322.77"),
            ("项目支出", "-200", "支预算总计", "4322.77"),
            ("单位预留机动经费", "3075.14", "一般公共预算收入预算", "4322.77")} <= explained
    assert {said[s["explains"]]["measureKind"].rsplit("/", 1)[-1]
            for s in said.values() if "explains" in s} == {"change"}
    assert not [f for f in validate.validate(restating["jiangsu"]).findings
                if f.shape == SHAPES + "NarrativeRestated"]


_REASONS = ("2026年支出预算比上年增加4157.59万元。主要原因是基本支出增加{}万元、项目支出增加"
            "4057.59万元。\n2026年财政拨款支出比上年增加4157.59万元，主要原因是基本支出增加100.00万元、项目支出增加"
            "4057.59万元。\n")


@pytest.mark.parametrize("first, again, named", [
    ("100.00", "", []),
    ("120.00", "", ["主要原因是基本支出", "2026年财政拨款"]),  # two: which is wrong is not told
    ("120.00", "2026年支出总计比上年增加4157.59万元，主要原因是基本支出增加100.00万元。\n",
     ["主要原因是基本支出"]),  # the one a third statement does not bear out
], ids=["agree", "two-differ", "one-stands-alone"])
def test_a_reason_restated_for_the_same_change_with_another_figure_is_named(
        first: str, again: str, named: list[str], tmp_path: Path) -> None:
    text = _replace(_THREE_PUBLIC, _REASONS.format(first) + again + _THREE_PUBLIC)
    found = _findings(text, tmp_path, "NarrativeRestated")
    assert sorted(f.row[:9] for f in found) == sorted(named)
    assert all(f.message_en.startswith(
        'the narrative gives a reason of a change with another figure where it restates the '
        'change: "基本支出" is ') for f in found)


def test_a_figure_naming_only_its_phase_is_the_classified_item_its_paragraph_opens_with(
        restating: dict[str, list[ox.Triple]]) -> None:
    # 1、一般公共服务支出（类）财政事务（款）行政运行（项）。主要用于：…。年初预算为1560.05万元，
    # 支出决算为1511.89万元。 The final figure restates the table's; the budget is printed nowhere.
    said = _restated(restating["final"])
    assert said[("一般公共服务支出 / 财政事务 / 行政运行", "1511.89")]
    assert not said[("一般公共服务支出 / 财政事务 / 行政运行", "1560.05")]
    assert not [s for s, _ in said if s == ""]


def test_a_figure_the_tables_print_under_no_funding_source_is_the_one_the_words_fund(
        restating: dict[str, list[ox.Triple]]) -> None:
    # Jiangsu 2018's 三公 table is titled without 一般公共预算; the narrative's 一般公共预算 三公
    # items and 一般公共预算拨款安排的培训费 are its figures.
    said = _restated(restating["jiangsu"])
    assert said[("因公出国（境）费预算支出", "170")]
    assert said[("一般公共预算拨款安排的培训费预算支出", "1666.25")]
    assert said[("一般公共预算财政拨款基本支出预算", "18570.82")]
