"""Linking (issue 7): policy documents and standards cited in any text, projects with their
performance entries, one organisation across years, earlier years' figures, inferred codes."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

from budgetkg import link, pipeline, store, validate
from budgetkg import map as mapper
from budgetkg.iris import DEFAULT_BASE, ONTOLOGY, Minter
from budgetkg.link import places
from budgetkg.link.codes import TableRow, infer
from budgetkg.link.policy import Finder
from budgetkg.mapping import load
from budgetkg.tables import Document
from tests.conftest import EXAMPLE, RealDocuments

BK = ONTOLOGY
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PROV = "http://www.w3.org/ns/prov#"
FUNCTION = "https://w3id.org/budgetkg/codelist/function/"
SHAPES = "https://w3id.org/budgetkg/shapes/"
MINTER = Minter(DEFAULT_BASE, "", 0, "")


def _copy(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name / EXAMPLE.name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _example_text() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


def _next_year(text: str) -> str:
    """The example as if published a year later (2027, compared with 2026), amounts unchanged."""
    return text.replace("2026", "2027").replace("2025", "2026")


def _graph(path: Path) -> list[ox.Triple]:
    return pipeline.convert((path,), DEFAULT_BASE)[2]


def _objects(triples: list[ox.Triple], subject: str, prop: str) -> set[str]:
    return {t.object.value for t in triples
            if t.subject.value == subject and t.predicate.value == prop}


def _subjects(triples: list[ox.Triple], prop: str, obj: str = "") -> set[str]:
    return {t.subject.value for t in triples
            if t.predicate.value == prop and (not obj or t.object.value == obj)}


@pytest.fixture(scope="module")
def doc() -> Document:
    return pipeline.document((EXAMPLE,))


@pytest.fixture(scope="module")
def graph() -> list[ox.Triple]:
    return _graph(EXAMPLE)


@pytest.fixture(scope="module")
def finder() -> Finder:
    return Finder(load())


# Policy documents -------------------------------------------------------------------------------

WRITTEN_FORMS = [
    "豫财科〔2025〕56号",  # canonical
    "豫财科【2025】56号",
    "豫财科[2025]56号",
    "豫财科（2025）56号",
    "豫财科(2025)56号",
    "豫财科2025-56号",  # as in the example's project names
    "豫财科〔2025〕56",  # 号 missing
    "豫财科【2025】56",
    "豫财科 〔 2025 〕 56 号",  # spaces
    "豫财科〔２０２５〕５６号",  # full-width digits
    "豫财科［２０２５］５６号",  # full-width brackets and digits
    "豫财科（２０２５）５６号",
    "豫财科２０２５－５６号",  # full-width dash
    "豫财科〔2025〕056号",  # leading zero
    "豫财科〔2025〕第56号",
]


@pytest.mark.parametrize("printed", WRITTEN_FORMS)
def test_every_written_form_of_a_decision_resolves_to_one_iri(
    printed: str, finder: Finder
) -> None:
    (decision,) = finder.find(f"根据{printed}文件").decisions
    assert decision.number == "豫财科〔2025〕56号"
    assert (decision.issuer_code, decision.year, decision.serial) == ("豫财科", 2025, 56)
    assert decision.printed == printed
    assert MINTER.policy(decision.number) == DEFAULT_BASE + "policy/豫财科-2025-56号"


def test_citation_in_a_project_name_keeps_its_parts_and_issuer_not_the_project_as_title(
        finder: Finder) -> None:
    (decision,) = finder.find(
        "豫财科2025-56号2025年第七批省创新生态支撑专项经费用于县选省资助科技特派员（结转）").decisions
    assert decision.issuer is not None and decision.issuer.name_zh == "河南省财政厅"
    assert decision.title == ""  # the words after the number name the project citing it


def test_a_policy_cited_by_a_project_and_by_its_title_is_titled_by_its_title(
        finder: Finder) -> None:
    found = finder.find(
        "按照《关于下达2025年第七批省创新生态支撑专项经费的通知》（豫财科〔2025〕56号）；"
        "豫财科2025-56号2025年第七批省创新生态支撑专项经费用于县选省资助科技特派员")
    assert [(d.number, d.title) for d in found.decisions] == [
        ("豫财科〔2025〕56号", "关于下达2025年第七批省创新生态支撑专项经费的通知"),
        ("豫财科〔2025〕56号", "")]


def test_title_is_the_bracketed_name_printed_before_or_after_the_number(finder: Finder) -> None:
    before = finder.find("3、《上海市跨国公司地区总部发展资金管理办法》"
                         "（沪商规（2024）2号）第四条。")
    after = finder.find("根据沪府规【2016】168号文关于同意《某某街坊控制性详细规划局部调整》的批复"
                        "和普发改投【2017】89号文《关于某某新建工程可行性研究报告的批复》进行建设。")
    assert [(d.number, d.title) for d in before.decisions] == [
        ("沪商规〔2024〕2号", "上海市跨国公司地区总部发展资金管理办法")]
    assert [(d.number, d.issuer_code, d.title) for d in after.decisions] == [
        ("沪府规〔2016〕168号", "沪府规", "关于同意《某某街坊控制性详细规划局部调整》的批复"),
        ("普发改投〔2017〕89号", "普发改投", "关于某某新建工程可行性研究报告的批复"),
    ]


def test_issuer_comes_from_the_longest_listed_code_and_an_unknown_code_is_kept() -> None:
    mappings = load()
    shanghai = Finder(mappings, ("上海市", "上海市普陀区"))
    elsewhere = Finder(mappings)

    def issuer(found: Finder, text: str) -> str | None:
        (decision,) = found.find(text).decisions
        return decision.issuer.name_zh if decision.issuer else None

    assert issuer(elsewhere, "财预〔2025〕1号") == "财政部预算司"
    assert issuer(elsewhere, "财办〔2025〕3号") == "中华人民共和国财政部"
    assert issuer(shanghai, "普发改投【2017】89号") == "上海市普陀区发展和改革委员会"
    assert issuer(elsewhere, "普发改投【2017】89号") is None  # 普 is 普陀区 only in Shanghai
    (unknown,) = shanghai.find("（普投资规范〔2023〕1号）").decisions
    assert (unknown.issuer_code, unknown.issuer) == ("普投资规范", None)


@pytest.mark.parametrize("text", [
    "2025.1.1-2025.12.31", "十四五规划2021-2025年", "2025年第七批省创新生态支撑专项经费",
    "豫财科（2025）56",  # round brackets need the 号
    "支出（2024）",
])
def test_text_without_a_document_number_cites_nothing(text: str, finder: Finder) -> None:
    assert not finder.find(text)


def test_standard_numbers_resolve_to_one_iri_per_standard(finder: Finder) -> None:
    numbers = [s.number for s in finder.find("GB/T5461GB/2721").standards]
    assert numbers == ["GB/T 5461", "GB 2721"]
    for printed in ("GB 2721", "GB2721", "GB/2721", "GB 2721-2015", "ＧＢ２７２１—２０１５"):
        (standard,) = finder.find(f"达到{printed}标准").standards
        assert MINTER.standard(standard.number) == DEFAULT_BASE + "standard/GB-2721", printed
    assert MINTER.standard("GB/T 5461") == DEFAULT_BASE + "standard/GB-T-5461"


def test_every_citation_of_the_example_links_to_its_policy_resource(
    graph: list[ox.Triple],
) -> None:
    document = Minter(DEFAULT_BASE, "济源产城融合示范区工业信息和科技局", 2026, "budget").document
    policies = {DEFAULT_BASE + "policy/" + n for n in
                ("豫财科-2025-56号", "豫财科-2025-33号", "豫财建-2025-236号")}
    standards = {DEFAULT_BASE + "standard/GB-T-5461", DEFAULT_BASE + "standard/GB-2721"}
    assert _objects(graph, document, BK + "cites") == policies | standards
    assert _subjects(graph, RDF_TYPE, BK + "PolicyDocument") == policies
    cited_names = {t.object.value for t in graph if t.predicate.value == RDFS + "label"
                   and t.subject.value in _subjects(graph, BK + "cites")
                   and "/project/" in t.subject.value}
    printed = {n for n in cited_names if re.match(r"豫财[科建]2025-\d+号", n)}
    assert len(printed) == 6  # three projects, each in the project and the performance table
    policy = DEFAULT_BASE + "policy/豫财科-2025-56号"
    assert _objects(graph, policy, "http://purl.org/dc/terms/identifier") == {"豫财科〔2025〕56号"}
    assert _objects(graph, policy, BK + "issuerCode") == {"豫财科"}
    assert _objects(graph, policy, BK + "documentNumber") == {"56"}
    assert _objects(graph, policy, "http://purl.org/dc/terms/issued") == {"2025"}
    # the example cites it only in project names: it prints no title of its own
    assert _objects(graph, policy, "http://purl.org/dc/terms/title") == set()
    assert _objects(graph, policy, "http://purl.org/dc/terms/publisher") == {
        DEFAULT_BASE + "org/河南省财政厅"}
    indicators = _subjects(graph, BK + "cites", DEFAULT_BASE + "standard/GB-2721")
    assert any("/indicator/" in s for s in indicators)


def test_same_decision_cited_by_two_departments_is_one_resource(tmp_path: Path) -> None:
    other = _copy(tmp_path, "other", _example_text().replace("工业信息和科技局", "科学技术局"))
    out = tmp_path / "out"
    for source in (EXAMPLE, other):  # two builds into one folder, loaded into one store
        assert pipeline.build([source], out).ok
    db = store.load(out)
    result = store.query(db, f"""
        PREFIX bk: <{BK}>
        SELECT DISTINCT ?policy ?document WHERE {{
          ?policy a bk:PolicyDocument ;
            <http://purl.org/dc/terms/identifier> "豫财科〔2025〕56号" .
          ?document a bk:BudgetDocument ; bk:cites ?policy .
        }}""")
    assert isinstance(result, ox.QuerySolutions)
    rows = [(s["policy"].value, s["document"].value) for s in result]
    assert {policy for policy, _ in rows} == {DEFAULT_BASE + "policy/豫财科-2025-56号"}
    assert len({document for _, document in rows}) == 2


# Projects and goals -----------------------------------------------------------------------------

def test_all_fourteen_projects_of_the_example_are_matched_to_their_performance_entries(
    doc: Document, graph: list[ox.Triple]
) -> None:
    matches = doc.links.projects
    assert len(matches) == 14 and all(m.entry is not None for m in matches)
    pairs = {m.project.name: m.entry.name for m in matches if m.entry}
    assert pairs["工业行业管理与服务经费-破产企业、兴华机械厂、磺矿留守处离退休人员管理经费"] == (
        "工业行业管理与服务工作经费-破产企业、兴华机械厂、磷矿留守处离退休人员管理经费")
    assert pairs["豫财科2025-33号2025年省企业创新引导专项经费用于规上工业企业研发活动全覆盖工作奖补"
                 "（结转）"] == ("豫财科2025-33号2025年省企业创新引导专项经费用于规模以上工业企业"
                                "研发活动全覆盖工作奖补(结转)")
    # one of the four projects of 10.00
    assert pairs["综合救助专项-春节慰问经费项目"] == "综合救助专项-春节慰问经费项目"
    goal_links = {(t.subject.value, t.object.value) for t in graph
                  if t.predicate.value == BK + "goalEntry"}
    inverse = {(t.object.value, t.subject.value) for t in graph
               if t.predicate.value == BK + "expenditureEntry"}
    assert len(goal_links) == 14 and goal_links == inverse
    assert all(t.problems == () for t in doc.tables)


@pytest.mark.parametrize(("old", "new", "nearest"), [
    # renamed in the performance table: no name close enough among the 10.00 projects
    ("419001250000000007602\t综合救助专项-春节慰问经费项目",
     "419001250000000007602\t办公设备购置经费", "办公设备购置经费"),
    # same name, another amount in the performance table
    ("41900125000000008401\t粮油物资储备专项-食盐储备资金项目资金\t17.10\t17.10",
     "41900125000000008401\t粮油物资储备专项-食盐储备资金项目资金\t18.10\t18.10",
     "粮油物资储备专项-食盐储备资金项目资金"),
])
def test_injected_unmatched_project_is_reported_with_its_nearest_entry(
    old: str, new: str, nearest: str, tmp_path: Path
) -> None:
    text = _example_text()
    assert old in text
    path = _copy(tmp_path, "mutant", text.replace(old, new))
    mutant = pipeline.document((path,))
    unmatched = [m for m in mutant.links.projects if m.entry is None]
    assert len(unmatched) == 2  # the project table's project and the changed entry
    project = next(m for m in unmatched if m.project.table == 11)
    assert project.nearest is not None and project.nearest.name == nearest
    problems = [p for t in mutant.tables if t.number == 11 for p in t.problems]
    assert len(problems) == 1 and f"nearest {nearest!r}" in problems[0]
    assert f"name similarity {project.similarity}" in problems[0]
    triples = mapper.to_graph(mutant, load(), DEFAULT_BASE)[1]
    warnings = [f for f in validate.validate(triples).findings
                if f.shape == SHAPES + "ProjectMatched"]
    assert len(warnings) == 2 and all(f.severity == "Warning" for f in warnings)
    score = f"name similarity {project.similarity.normalize():f})"  # as the store prints it
    assert any(nearest in f.message_zh and score in f.message_en for f in warnings)


def test_indicators_hang_off_projects_and_department_goals_off_the_document(
    graph: list[ox.Triple],
) -> None:
    document = Minter(DEFAULT_BASE, "济源产城融合示范区工业信息和科技局", 2026, "budget").document
    owners = {t.object.value for t in graph if t.predicate.value == BK + "indicatorOf"}
    assert document in owners
    projects = _subjects(graph, BK + "expenditureEntry")
    assert projects <= owners  # every performance entry carries its indicators
    indicator = next(s for s in _subjects(graph, BK + "rawValue", "≥150辆"))
    assert _objects(graph, indicator, BK + "level1Name") == {"产出指标"}
    assert _objects(graph, indicator, BK + "level3Name") == {"推广车辆数量"}
    assert _objects(graph, indicator, BK + "comparator") == {"≥"}
    assert _objects(graph, indicator, BK + "targetValue") == {"150"}
    assert _objects(graph, indicator, BK + "targetUnit") == {"辆"}


# Organisations ----------------------------------------------------------------------------------

def test_same_department_in_two_years_is_one_organisation_with_its_region(
    graph: list[ox.Triple], tmp_path: Path
) -> None:
    earlier = _graph(_copy(tmp_path, "2025", _example_text().replace("2026", "2025")))
    departments = [_subjects(g, RDF_TYPE, BK + "Department") for g in (graph, earlier)]
    org = DEFAULT_BASE + "org/济源产城融合示范区工业信息和科技局"
    assert departments == [{org}, {org}]
    zone = DEFAULT_BASE + "place/济源产城融合示范区"
    jiyuan, henan = DEFAULT_BASE + "place/419001", DEFAULT_BASE + "place/410000"
    for g in (graph, earlier):
        assert _objects(g, org, BK + "region") == {zone}
        assert _objects(g, zone, RDFS + "label") == {"济源产城融合示范区"}
        assert _objects(g, zone, BK + "withinRegion") == {jiyuan}
        assert _objects(g, jiyuan, BK + "divisionCode") == {"419001"}
        assert _objects(g, jiyuan, RDFS + "label") == {"河南省济源市"}
        assert _objects(g, jiyuan, BK + "withinRegion") == {henan}
        assert _objects(g, henan, BK + "divisionCode") == {"410000"}
    documents = {t.subject.value for g in (graph, earlier) for t in g
                 if t.predicate.value == BK + "organisation" and t.object.value == org
                 and "/statement/" not in t.subject.value and t.subject.value.endswith("budget")}
    assert len(documents) == 2


@pytest.mark.parametrize(("printed", "key"), [
    ("中国共产党江苏省委员会办公厅", "中共江苏省委办公厅"),
    ("中共江苏省委办公厅", "中共江苏省委办公厅"),
    ("江苏省委办公厅", "中共江苏省委办公厅"),
    ("中共上海市普陀区委社会工作部", "中共上海市普陀区委社会工作部"),
    ("上海市普陀区委社会工作部", "中共上海市普陀区委社会工作部"),
    ("政协江苏省委员会", "政协江苏省委员会"),
    ("江苏省人大常委会办公厅", "江苏省人大常委会办公厅"),
    ("上海市普陀区商务委员会", "上海市普陀区商务委员会"),
    ("济源产城融合示范区工业信息和科技局", "济源产城融合示范区工业信息和科技局"),
])
def test_an_organisation_is_keyed_by_one_form_of_its_name(printed: str, key: str) -> None:
    assert link.organisation_key(printed, load()) == key


def test_one_department_printed_under_two_forms_of_its_name_is_one_organisation(
        tmp_path: Path) -> None:
    name = "济源产城融合示范区工业信息和科技局"
    forms = ("中国共产党济源产城融合示范区委员会办公室", "济源产城融合示范区委办公室")
    graphs = [_graph(_copy(tmp_path, str(i), _example_text().replace(name, form)))
              for i, form in enumerate(forms)]
    org = DEFAULT_BASE + "org/中共济源产城融合示范区委办公室"
    for form, g in zip(forms, graphs, strict=True):
        assert _subjects(g, RDF_TYPE, BK + "Department") == {org}
        assert _objects(g, org, RDFS + "label") == {form}  # the name as printed
    documents = [_subjects(g, BK + "organisation", org) & _subjects(g, RDF_TYPE,
                                                                      BK + "BudgetDocument")
                 for g in graphs]
    assert documents[0] == documents[1] == {
        DEFAULT_BASE + "doc/中共济源产城融合示范区委办公室/2026/budget"}


@pytest.mark.parametrize(("name", "regions"), [
    ("济源产城融合示范区工业信息和科技局",
     (("河南省", "410000", ""), ("河南省济源市", "419001", "410000"),
      ("济源产城融合示范区", "", "419001"))),
    ("上海市普陀区人民政府万里街道办事处",
     (("上海市", "310000", ""), ("上海市普陀区", "310107", "310000"),
      ("上海市普陀区万里街道", "", "310107"))),
    ("上海市普陀区市场监督管理局",
     (("上海市", "310000", ""), ("上海市普陀区", "310107", "310000"))),
    ("中共上海市普陀区委社会工作部",
     (("上海市", "310000", ""), ("上海市普陀区", "310107", "310000"))),
    ("上海市普陀区城乡建设委员会",  # 城乡 is no town: no office follows it
     (("上海市", "310000", ""), ("上海市普陀区", "310107", "310000"))),
    ("河南省财政厅", (("河南省", "410000", ""),)),
    ("郑州市金水区教育局",
     (("河南省", "410000", ""), ("郑州市", "410100", "410000"),
      ("郑州市金水区", "410105", "410100"))),
    ("江苏省昆山市财政局",  # a county-level city: the city between them comes from the list
     (("江苏省", "320000", ""), ("江苏省苏州市", "320500", "320000"),
      ("江苏省昆山市", "320583", "320500"))),
    ("政协江苏省委员会", (("江苏省", "320000", ""),)),
    ("新疆维吾尔自治区财政厅", (("新疆维吾尔自治区", "650000", ""),)),
    ("国家税务总局上海市普陀区税务局", ()),
    ("国家税务总局", ()),
])
def test_places_are_read_from_the_start_of_the_department_name_with_their_division_codes(
    name: str, regions: tuple[tuple[str, str, str], ...]
) -> None:
    assert tuple((p.name, p.code, p.within) for p in link.regions(name, load())) == regions


def test_the_division_list_holds_every_province_and_the_places_of_the_corpus() -> None:
    table = places.divisions()
    assert {d.code for d in table.values() if d.level == 0} >= {
        "110000", "310000", "320000", "410000", "650000"}
    assert len([d for d in table.values() if d.level == 0]) >= 31
    assert (table["310107"].name, table["310107"].parent) == ("普陀区", "310000")
    assert (table["419001"].name, table["419001"].parent) == ("济源市", "410000")
    assert table["320000"].name == "江苏省"
    assert all(len(code) == 6 and code.isdigit() for code in table)


# Time -------------------------------------------------------------------------------------------

def test_stated_changes_imply_the_previous_year_figures(
    doc: Document, graph: list[ox.Triple]
) -> None:
    implied = {doc.statements[p.amount].subject: (p.year, p.phase, p.value)
               for p in doc.links.prior}
    assert implied["支出总计"] == (2025, "budget", Decimal("3297.21"))  # 7454.80 - 4157.59
    assert implied["一般公共预算收支预算"] == (2025, "budget", Decimal("3287.21"))
    assert implied["机关（机构）运转经费支出预算"] == (2025, "budget", Decimal("99.40"))  # 减少6.30
    assert implied["“三公”经费支出预算"] == (2025, "budget", Decimal("7.50"))  # 持平
    figure = next(iter(_subjects(graph, BK + "derivation",
                                 "7454.80万元 − 4157.59万元 = 3297.21万元")))
    assert _objects(graph, figure, BK + "valueInYuan") == {"32972100.00"}
    assert len(_objects(graph, figure, PROV + "wasDerivedFrom")) == 2
    (sentence,) = _objects(graph, figure, BK + "sentence")
    assert "与2025年相比" in sentence and "4157.59万元" in sentence


def test_growth_rate_alone_implies_the_previous_year_figure(tmp_path: Path) -> None:
    text = _example_text().replace("增加4157.59万元，增长126.09%", "增长126.09%")
    mutant = pipeline.document((_copy(tmp_path, "growth", text),))
    (prior,) = [p for p in mutant.links.prior
                if mutant.statements[p.amount].subject == "支出总计"]
    assert (prior.method, prior.value) == ("growth", Decimal("3297.27"))  # 7454.80 / 2.2609
    assert abs(prior.value - Decimal("3297.21")) <= prior.tolerance  # what the change gave


def _prior_findings(graphs: list[list[ox.Triple]], engine: str) -> list[validate.Finding]:
    """The PriorYearFigure findings of documents compared with each other (validate.compare)."""
    return [f for found in validate.compare(graphs, engine) for f in found
            if f.shape == SHAPES + "PriorYearFigure"]


def test_previous_year_figures_are_compared_with_that_years_document(
    graph: list[ox.Triple], tmp_path: Path
) -> None:
    later = _next_year(_example_text())
    consistent = re.sub(r"(增加|减少)[\d.]+万元，(增长|下降)[\d.]+%", "增加0万元，增长0%", later)
    agreeing = _graph(_copy(tmp_path, "consistent", consistent))
    assert _prior_findings([graph, agreeing], "fast") == []
    next_year = _graph(_copy(tmp_path, "inconsistent", later))
    disagreeing = graph + next_year
    findings = _prior_findings([graph, next_year], "fast")
    assert sorted(f.message_en.split('"')[1] for f in findings) == [
        "一般公共预算收支预算", "支出总计", "政府性基金预算收支预算",
        "机关（机构）运转经费支出预算"]
    total = next(f for f in findings if '"支出总计"' in f.message_en)
    assert "3297.21" in total.message_en and "7454.8" in total.message_en
    assert "2026年度济源产城融合示范区工业信息和科技局部门预算说明" in total.message_zh
    # the reference engine agrees (on the resources the shape reads, to keep pyshacl quick)
    read_by_shape = {BK + "DerivedFigure", BK + "Statement", BK + "BudgetDocument"}
    typed = {t.subject.value for t in disagreeing
             if t.predicate.value == RDF_TYPE and t.object.value in read_by_shape}
    subgraph = [t for t in disagreeing if t.subject.value in typed]
    reference = _prior_findings([subgraph], "pyshacl")
    assert set(reference) == set(_prior_findings([subgraph], "fast"))  # messages too
    assert {f.key for f in reference} == {f.key for f in findings}
    assert _prior_findings([graph], "fast") == []  # alone, a year has nothing to compare with
    assert not [f for f in validate.validate(disagreeing).findings
                if f.shape == SHAPES + "PriorYearFigure"]  # validate() leaves it to compare()


def test_an_earlier_year_figure_is_compared_with_that_years_tables_where_its_text_is_silent(
        real_documents: RealDocuments) -> None:
    # 检察院 2018: 财政拨款预算支出21,940.96万元，比上年增加3,958.98万元 implies 17981.98 for
    # 2017, whose document prints 17,981.68 in its tables (bk:seriesKey) and states it under
    # other words; found on the sentence that implies it, by both engines
    output = real_documents.result.output
    graphs = [list(ox.parse(path=str(output / f"江苏省人民检察院-{year}-budget.nt")))
              for year in (2017, 2018)]
    found = [f for f in validate.compare(graphs)[1] if f.shape == SHAPES + "PriorYearFigure"]
    assert sorted(f.message_en.split('"')[1] for f in found) == [
        "一般公共预算财政拨款支出预算", "财政拨款预算支出"]
    assert all("17981.98 万元" in f.message_en and "prints 17981.68 万元" in f.message_en
               for f in found)
    located = [f for f in validate.validate(graphs[1], compared=found).findings
               if f.shape == SHAPES + "PriorYearFigure"]
    assert len(located) == 2 and all(
        f.table == "说明" and ("3,958.98" in f.row or "21,940.96" in f.row) for f in located)
    read = {BK + "DerivedFigure", BK + "Statement", BK + "BudgetDocument", BK + "Fact",
            BK + "FactSet"}
    typed = [{t.subject.value for t in g if t.predicate.value == RDF_TYPE
              and t.object.value in read} for g in graphs]
    subgraphs = [[t for t in g if t.subject.value in nodes] for g, nodes in zip(
        graphs, typed, strict=True)]
    reference = validate.compare(subgraphs, "pyshacl")[1]
    assert set(reference) == set(validate.compare(subgraphs)[1])
    assert {f.key for f in reference if f.shape == SHAPES + "PriorYearFigure"} == {
        f.key for f in found}


# Code inference ---------------------------------------------------------------------------------

def test_row_printed_without_its_code_gets_an_inferred_code_and_its_reason(
    graph: list[ox.Triple],
) -> None:
    (row,) = _subjects(graph, BK + "codeMissing")
    assert _objects(graph, row, BK + "inferredCode") == {FUNCTION + "215"}
    reasons = {t.object.language: t.object.value for t in graph if t.subject.value == row
               and t.predicate.value == BK + "inferenceReason" and isinstance(t.object,
                                                                                  ox.Literal)}
    assert set(reasons) == {"zh", "en"}
    assert "2150599 其他工业和信息产业监管支出" in reasons["zh"]
    assert "printed on another row" in reasons["en"]
    assert _objects(graph, row, BK + "functionalClassification") == set()


def test_code_is_inferred_from_the_most_similar_free_item_of_the_class() -> None:
    rows = [TableRow("a", "2150501", "行政运行", False),
            TableRow("b", "", "其他工业和信息产业监管", True),
            TableRow("c", "2210201", "住房公积金", False)]
    listed = {"215": "资源勘探工业信息等支出", "2150501": "行政运行",
              "2150599": "其他工业和信息产业监管支出", "2210201": "住房公积金"}
    (inference,) = infer(rows, listed, Decimal("0.75"))
    assert (inference.key, inference.code) == ("b", "2150599")
    assert "inferred from the name" in inference.reason_en
