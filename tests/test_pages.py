"""Linked-data pages and SVG charts: each page type shows what the example document prints and
links onward; labels are escaped; unknown IRIs give no page; output is deterministic and fast."""

from __future__ import annotations

import html
import re
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

from budgetkg import pipeline, publish
from budgetkg.resources import ontology_dir
from budgetkg.serve import charts, pages
from budgetkg.serve.site import Site
from tests.conftest import EXAMPLE

BASE = "https://data.budgetkg.org/"
DEPARTMENT = BASE + "org/济源产城融合示范区工业信息和科技局"
DATASET = BASE + "doc/济源产城融合示范区工业信息和科技局/2026/budget"
TITLE = "2026年度济源产城融合示范区工业信息和科技局部门预算说明"
FUNCTION = "https://w3id.org/budgetkg/codelist/function/"
ONTOLOGY = "https://w3id.org/budgetkg/ontology#"
SITE = Site()


def load(out: Path) -> ox.Store:
    """A build folder as the server holds it: each document (with its report) in its graph, the
    ontology and code lists each in a graph named after its file."""
    store = ox.Store()
    for entry in publish.read_manifest(out):
        graph = ox.NamedNode(str(entry["graph"]))
        store.bulk_load(path=str(out / f"{entry['stem']}.nt"), format=ox.RdfFormat.N_TRIPLES,
                        to_graph=graph)
        store.bulk_load(path=str(out / f"{entry['stem']}.report.ttl"),
                        format=ox.RdfFormat.TURTLE, to_graph=graph)
    vocabulary = [ontology_dir() / "budgetkg.ttl", *sorted(ontology_dir().glob("codelists/*.ttl"))]
    for path in vocabulary:
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE,
                        to_graph=ox.NamedNode(path.resolve().as_uri()))
    return store


@pytest.fixture(scope="session")
def store(built: pipeline.BuildResult) -> ox.Store:
    return load(built.output)


def page(store: ox.Store, iri: str) -> str:
    text = pages.render(store, iri, SITE)
    assert text is not None, iri
    return text


def rows_of(text: str, css_class: str) -> list[list[str]]:
    """The cell texts of each body row of the first <table class=css_class> of a page."""
    table = text.split(f'<table class="{css_class}">', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    return [[html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
             for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def printed_rows(title: str, first: str, width: int) -> list[list[str]]:
    """The body rows of a table of the example text, from its first row to the blank line."""
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    start = lines.index(first, lines.index(title))
    end = lines.index("", start)
    return [(line.split("\t") + [""] * width)[:width] for line in lines[start:end]]


def test_department_lists_its_dataset_units_and_divisions(store: ox.Store) -> None:
    text = page(store, DEPARTMENT)
    assert f'href="{SITE.href(DATASET)}"' in text and TITLE in text
    assert rows_of(text, "data")[0] == ["2026", "预算", TITLE, "2026-04-07"]
    units = rows_of(text.split("预算单位")[1], "data")
    assert ["017002", "济源产城融合示范区中小企业发展服务中心"] in units
    assert "财务审计科" in text and "负责工业行业管理和科技创新工作" in text
    assert text.count('class="chart" role="img"') == 3  # the latest dataset's charts


def test_dataset_lists_its_13_tables_in_printed_order(store: ox.Store) -> None:
    entries = rows_of(page(store, DATASET), "data")[:13]
    assert [row[0] for row in entries] == [str(n) for n in range(1, 14)]
    assert entries[2][1:] == ["2026年部门支出总体情况表", "部门支出总体情况表", "万元", "16", "65"]
    text = page(store, DATASET)
    assert text.count('<tr class="table-entry">') == 13
    assert f'href="{SITE.href(DATASET + "/table/expenditure-overview")}"' in text


def test_dataset_shows_the_report_findings(store: ox.Store) -> None:
    text = page(store, DATASET)
    assert text.count('<tr class="finding violation">') == 7
    assert text.count('<tr class="finding warning">') == 51
    assert '<strong class="violations">7</strong>' in text
    assert "列合计不等于各分项之和：本年收入 / 合计 为 7253.8" in text
    assert "column total is not the sum of its parts: 本年收入 / 合计 is 7253.8" in text
    focus = DATASET + "/table/income-overview"
    assert f'<a href="{SITE.href(focus)}" title="{focus}">2026年部门收入总体情况表' in text
    first = text.index('<tr class="finding violation">')
    assert first < text.index('<tr class="finding warning">')  # violations first


def test_dataset_charts_sum_the_printed_figures(store: ox.Store) -> None:
    text = page(store, DATASET)
    # 类 206 printed only as its 项 rows: 10.00 + 1.00 + 4,368.90 + 200.00
    assert "<title>206 科学技术支出：4,579.90 万元</title>" in text
    assert "<title>基本支出：1,614.30 万元</title>" in text
    assert "<title>项目支出：5,840.50 万元</title>" in text
    assert "<title>公务用车运行维护费：5.00 万元</title>" in text
    assert "<title>公务接待费：2.50 万元</title>" in text


def test_a_dataset_without_three_public_items_has_no_such_chart(
        built: pipeline.BuildResult) -> None:
    store = load(built.output)
    store.update("DELETE WHERE { GRAPH ?g { ?o <https://w3id.org/budgetkg/ontology#"
                 "deptEconomicClassification> ?c } }")
    text = page(store, DATASET)
    assert "“三公”经费</title>" not in text
    assert text.count('class="chart" role="img"') == 2


def test_table_page_reproduces_the_printed_table(store: ox.Store) -> None:
    text = page(store, DATASET + "/table/expenditure-overview")
    printed = printed_rows("2026年部门支出总体情况表", "\t\t\t\t合计\t7,454.80\t1,614.30\t925.60\t"
                           "595.60\t93.10\t5,840.50\t93.10\t5,747.40", 13)
    assert rows_of(text, "printed") == printed
    assert len(printed) == 16
    assert '<th colspan="4" scope="col">基本支出</th>' in text
    assert '<th colspan="2" scope="col">人员经费</th>' in text
    assert '<th rowspan="3" scope="col">合计</th>' in text
    observation = SITE.href(DATASET + "/table/expenditure-overview/obs/")
    assert re.search(f'<td class="num"><a href="{re.escape(observation)}[^"]+">7,454.80</a>', text)


def test_header_rows_span_shared_headings() -> None:
    rows = pages.header_rows(["科目编码 / 类", "科目编码 / 款", "合计", "基本支出 / 小计",
                              "基本支出 / 人员经费 / 工资福利支出", "基本支出 / 人员经费 / 补助",
                              ""])
    shape = [[(c.text, c.rowspan, c.colspan) for c in row] for row in rows]
    assert shape == [
        [("科目编码", 1, 2), ("合计", 3, 1), ("基本支出", 1, 3), ("", 3, 1)],
        [("类", 2, 1), ("款", 2, 1), ("小计", 2, 1), ("人员经费", 1, 2)],
        [("工资福利支出", 1, 1), ("补助", 1, 1)],
    ]


def test_project_page_shows_amounts_indicators_and_chart(store: ox.Store) -> None:
    text = page(store, DATASET + "/project/419001240000000011252")
    assert "科普与学会服务能力提升专项-科技特派员服务团(队)工作经费" in text
    assert rows_of(text, "data")[0][1:] == ["项目金额（万元） / 资金总额", "83.00", "万元"]
    indicators = rows_of(text.split("绩效指标")[1], "data")
    assert ["产出指标", "", "组建科技特派员服务队", "=", "11", "个", "11个", ""] in indicators
    assert len(indicators) == 13
    svg = text[text.index("<svg"):text.index("</svg>")]
    assert 'class="chart" role="img"' in svg and "<title>项目金额</title>" in svg
    assert "资金总额：83.00 万元</title>" in svg
    assert "政策文件" not in text  # no policy document is cited in the graph yet


def test_code_page_shows_hierarchy_and_amounts(store: ox.Store) -> None:
    text = page(store, FUNCTION + "2080501")
    hierarchy = text.split('<ol class="hierarchy">')[1].split("</ol>")[0]
    top, middle = SITE.href(FUNCTION + "208"), SITE.href(FUNCTION + "20805")
    assert hierarchy.index(top) < hierarchy.index(middle) < hierarchy.index("行政单位离退休")
    bookings = rows_of(text, "data")
    assert ["济源产城融合示范区工业信息和科技局", "2026", "预算", TITLE, "3",
            "2026年部门支出总体情况表", "7", "6", "424.70", "万元"] in bookings
    assert bookings == sorted(bookings, key=lambda r: (int(r[4]), int(r[6]), int(r[7])))
    narrower = page(store, FUNCTION + "20805")
    assert SITE.href(FUNCTION + "2080501") in narrower.split('class="current"')[1]


def test_code_page_caps_its_amounts_with_a_note(store: ox.Store) -> None:
    text = page(store, "https://w3id.org/budgetkg/codelist/budget-phase/budget")
    assert "共 412 项，仅列出前 200 项。" in text  # every amount of the example is a budget one
    assert len(rows_of(text, "data")) == 200


def test_generic_page_lists_properties_and_references(store: ox.Store) -> None:
    unit = DEPARTMENT + "/unit/017001"
    text = page(store, unit)
    assert "017001" in text and "<h2>属性</h2>" in text
    assert f'href="{SITE.href(DATASET)}"' in text  # trail: department › dataset
    cells = page(store, ONTOLOGY + "TextCell")  # typed by every text cell: more than the cap
    assert "仅列出前 200 处" in cells
    assert len(rows_of(cells.split("被引用")[1], "data")) == pages.INCOMING_CAP


def test_graph_name_page_links_its_dataset(store: ox.Store) -> None:
    text = page(store, DATASET + "/graph")
    assert "此 IRI 是一个命名图" in text and f'href="{SITE.href(DATASET)}"' in text


def test_every_page_links_its_raw_rdf(store: ox.Store) -> None:
    text = page(store, DATASET + "/table/expenditure-overview")
    for ext in (".ttl", ".jsonld", ".nt"):
        assert f'href="{SITE.href(DATASET + "/table/expenditure-overview")}{ext}"' in text


def test_index_lists_departments_and_datasets(store: ox.Store) -> None:
    text = pages.render_index(store, SITE)
    assert f'href="{SITE.href(DEPARTMENT)}"' in text and f'href="{SITE.href(DATASET)}"' in text
    assert 'href="/query"' in text and 'href="/sparql"' in text
    assert ["济源产城融合示范区工业信息和科技局", "2026", "预算", TITLE, "7", "51"] in rows_of(
        text, "data")


def test_labels_are_escaped() -> None:
    store = ox.Store()
    evil = ox.Literal("<script>alert(1)</script>", language="zh")
    thing, project = ox.NamedNode(BASE + "thing"), ox.NamedNode(BASE + "project")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    graph = ox.NamedNode(BASE + "graph")
    for quad in (ox.Quad(thing, label, evil, graph),
                 ox.Quad(project, rdf_type, ox.NamedNode(ONTOLOGY + "Project"), graph),
                 ox.Quad(project, label, evil, graph),
                 ox.Quad(thing, ox.NamedNode(ONTOLOGY + "project"), project, graph)):
        store.add(quad)
    for iri in (BASE + "thing", BASE + "project"):
        text = page(store, iri)
        assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    svg = charts.bars('<b a="1">&', [charts.Item("<i>", Decimal(1), '/x?a=1&b="2"')], "万元")
    assert "<b" not in svg and "<i>" not in svg and 'href="/x?a=1&amp;b=&quot;2&quot;"' in svg


def test_unknown_iri_gives_no_page(store: ox.Store) -> None:
    assert pages.render(store, BASE + "no/such/thing", SITE) is None
    assert pages.render(store, BASE + "not an iri>", SITE) is None


def test_pages_are_deterministic(store: ox.Store) -> None:
    for iri in (DEPARTMENT, DATASET, DATASET + "/table/project-expenditure", FUNCTION + "208"):
        assert page(store, iri) == page(store, iri)
    assert pages.render_index(store, SITE) == pages.render_index(store, SITE)


def test_treemap_areas_are_proportional_and_marks_have_tooltips() -> None:
    values = {"甲": 6, "乙": 6, "丙": 4, "丁": 3, "戊": 2, "己": 2, "庚": 1, "零": 0}
    items = [charts.Item(name, Decimal(value)) for name, value in values.items()]
    svg = charts.treemap("树图", items, "万元", width=600, height=400)
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"')
    assert "<title>树图</title>" in svg
    rects = re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)" height="([\d.]+)"', svg)
    areas = [float(w) * float(h) for w, h in rects]
    assert len(areas) == 7  # the zero item has no area
    for area, value in zip(areas, (6, 6, 4, 3, 2, 2, 1), strict=True):
        assert area == pytest.approx(600 * 400 * value / 24, rel=0.01)
    assert svg.count("：") == 7 and "<title>甲：6.00 万元</title>" in svg
    assert svg == charts.treemap("树图", items, "万元", width=600, height=400)


def test_bars_keep_their_order_and_scale() -> None:
    svg = charts.bars("条形图", [charts.Item("基本支出", Decimal("1614.30")),
                                 charts.Item("项目支出", Decimal("5840.50"))], "万元")
    widths = [float(w) for w in re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)"', svg)]
    assert widths[0] / widths[1] == pytest.approx(1614.30 / 5840.50, rel=0.01)
    assert svg.index("基本支出") < svg.index("项目支出")
