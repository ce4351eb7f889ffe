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
    # the latest dataset's three charts and the years side by side
    assert text.count('class="chart" role="group"') == 4


def test_dataset_lists_its_13_tables_in_printed_order(store: ox.Store) -> None:
    entries = rows_of(page(store, DATASET), "data")[:13]
    assert [row[0] for row in entries] == [str(n) for n in range(1, 14)]
    assert entries[2][1:] == ["2026年部门支出总体情况表", "支出总表", "万元", "16", "65"]
    text = page(store, DATASET)
    assert text.count('<tr class="table-entry">') == 13
    assert f'href="{SITE.href(DATASET + "/table/expenditure")}"' in text


def test_dataset_shows_the_report_findings(store: ox.Store) -> None:
    text = page(store, DATASET)
    assert text.count('<tr class="finding violation" id="finding-') == 4
    assert text.count('<tr class="finding warning" id="finding-') == 5
    assert '<strong class="violations">4</strong>' in text
    assert "合计行不等于各行之和：合计 合计为 7253.8" in text
    assert "the total row is not the sum of the rows: 合计 total is 7253.8" in text
    focus = DATASET + "/table/general-budget-expenditure"
    assert f'<a href="{SITE.href(focus)}" title="{focus}">2026年一般公共预算支出情况表' in text
    first = text.index('<tr class="finding violation"')
    assert first < text.index('<tr class="finding warning"')  # inconsistencies first
    assert "违规" not in text and "不一致 <strong class=\"violations\">4</strong> 处" in text


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
    store.update("PREFIX bk: <https://w3id.org/budgetkg/ontology#> "  # of the printed cells
                 "DELETE { GRAPH ?g { ?o bk:deptEconomicClassification ?c } } "
                 "WHERE { GRAPH ?g { ?o bk:column [] ; bk:deptEconomicClassification ?c } }")
    text = page(store, DATASET)
    assert "“三公”经费</title>" not in text
    assert text.count('class="chart" role="group"') == 2


def test_table_page_reproduces_the_printed_table(store: ox.Store) -> None:
    text = page(store, DATASET + "/table/expenditure")
    printed = printed_rows("2026年部门支出总体情况表", "\t\t\t\t合计\t7,454.80\t1,614.30\t925.60\t"
                           "595.60\t93.10\t5,840.50\t93.10\t5,747.40", 13)
    # the first cell of a row holds its findings' marks (none here on the 合计 row)
    assert [row[1:] for row in rows_of(text, "printed")] == printed
    assert len(printed) == 16
    assert '<th colspan="4" scope="col">基本支出</th>' in text
    assert '<th colspan="2" scope="col">人员经费</th>' in text
    assert '<th rowspan="3" scope="col">合计</th>' in text
    observation = SITE.href(DATASET + "/table/expenditure/obs/")
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
    assert 'class="chart" role="group"' in svg and "<title>项目金额（单位：万元）</title>" in svg
    assert "资金总额：83.00 万元</title>" in svg
    assert "政策文件" not in text  # no policy document is cited in the graph yet


def test_code_page_shows_hierarchy_and_amounts_under_their_printed_column_headers(
        store: ox.Store) -> None:
    text = page(store, FUNCTION + "2080501")
    hierarchy = text.split('<ol class="hierarchy">')[1].split("</ol>")[0]
    top, middle = SITE.href(FUNCTION + "208"), SITE.href(FUNCTION + "20805")
    assert hierarchy.index(top) < hierarchy.index(middle) < hierarchy.index("行政单位离退休")
    bookings = rows_of(text, "data")
    assert ["济源产城融合示范区工业信息和科技局", "2026", "预算", TITLE, "3",
            "2026年部门支出总体情况表", "7", "合计", "424.70", "万元", "424.70"] in bookings
    assert ["济源产城融合示范区工业信息和科技局", "2026", "预算", TITLE, "3",
            "2026年部门支出总体情况表", "7", "基本支出 / 人员经费 / 对个人和家庭的补助", "415.70",
            "万元", "415.70"] in bookings
    # the header as printed, its number on hover
    assert '<td title="第 9 列">基本支出 / 人员经费 / 对个人和家庭的补助</td>' in text
    assert "折合万元" in text
    assert bookings == sorted(bookings, key=lambda r: (int(r[4]), int(r[6])))
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
    text = page(store, DATASET + "/table/expenditure")
    for ext in (".ttl", ".jsonld", ".nt"):
        assert f'href="{SITE.href(DATASET + "/table/expenditure")}{ext}"' in text


def test_index_lists_departments_and_datasets(store: ox.Store) -> None:
    text = pages.render_index(store, SITE)
    assert f'href="{SITE.href(DEPARTMENT)}"' in text and f'href="{SITE.href(DATASET)}"' in text
    assert 'href="/query"' in text and 'href="/sparql"' in text
    assert ["济源产城融合示范区工业信息和科技局", "2026", "预算", TITLE, "4", "5"] in rows_of(
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
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="group"')
    assert "<title>树图（单位：万元）</title>" in svg
    rects = re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)" height="([\d.]+)"', svg)
    areas = [float(w) * float(h) for w, h in rects]
    assert len(areas) == 7  # the zero item has no area
    for area, value in zip(areas, (6, 6, 4, 3, 2, 2, 1), strict=True):
        assert area == pytest.approx(600 * 400 * value / 24, rel=0.01)
    assert len(re.findall(r"<title>[^<]+：[\d,.]+ 万元</title>", svg)) == 7  # a tooltip a tile
    assert "<title>甲：6.00 万元</title>" in svg
    assert svg == charts.treemap("树图", items, "万元", width=600, height=400)


def test_bars_keep_their_order_and_scale() -> None:
    svg = charts.bars("条形图", [charts.Item("基本支出", Decimal("1614.30")),
                                 charts.Item("项目支出", Decimal("5840.50"))], "万元")
    widths = [float(w) for w in re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)"', svg)]
    assert widths[0] / widths[1] == pytest.approx(1614.30 / 5840.50, rel=0.01)
    assert svg.index("基本支出") < svg.index("项目支出")


# --- units, labels, findings on tables, downloads (issue 17) -------------------------------------

WANLI = BASE + "doc/上海市普陀区人民政府万里街道办事处/2024/budget"


@pytest.fixture(scope="session")
def corpus_store(corpus: pipeline.BuildResult) -> ox.Store:
    return load(corpus.output)


def captions(text: str) -> list[str]:
    return [html.unescape(c) for c in re.findall(r"<figcaption>(.*?)</figcaption>", text)]


def svg_titles(text: str) -> list[str]:
    found = re.findall(r'<svg [^>]*class="chart"[^>]*><title>(.*?)</title>', text)
    return [html.unescape(title) for title in found]


def test_every_chart_names_its_unit_in_its_title_and_caption(store: ox.Store) -> None:
    for iri in (DEPARTMENT, DATASET, DATASET + "/project/419001240000000011252"):
        text = page(store, iri)
        assert svg_titles(text) and svg_titles(text) == captions(text), iri
        assert all(t.endswith("（单位：万元）") for t in svg_titles(text)), iri


def test_a_budget_printed_in_yuan_is_charted_in_wan_yuan_and_says_so(
        corpus_store: ox.Store) -> None:
    text = page(corpus_store, WANLI)
    tables = rows_of(text.split("<h2>表格")[1], "data")
    assert "元" in {row[3] for row in tables}  # its tables are printed in 元 (and some in 万元)
    assert "<h2>图表（单位：万元）</h2>" in text
    assert set(captions(text)) == {"支出功能分类（类）（单位：万元）",
                                   "基本支出与项目支出（单位：万元）", "“三公”经费（单位：万元）"}
    # one unit on the page: every tooltip of every chart in 万元
    tips = re.findall(r"<title>[^<（]+：[\d,.]+ (\S+)</title>", text)
    assert tips and set(tips) == {"万元"}


def test_every_treemap_tile_shows_its_name_or_its_key_and_the_legend_lists_all() -> None:
    values = {"206 科学技术支出": 4579.9, "211 （类名未收录于代码表）": 1160.4,
              "215 资源勘探工业信息等支出": 922.6, "208 社会保障和就业支出": 637.4,
              "221 住房保障支出": 65.4, "201 一般公共服务支出": 3.0}
    items = [charts.Item(name, Decimal(str(value))) for name, value in values.items()]
    svg = charts.treemap("支出功能分类（类）", items, "万元")
    legend = charts.legend(items)
    assert [e.label for e in legend] == list(values)
    assert [e.key for e in legend] == list(range(1, 7))
    tiles = re.findall(r"<g><rect [^>]*>.*?</rect>(.*?)</g>", svg)
    assert len(tiles) == 6
    for entry, texts in zip(legend, tiles, strict=True):
        shown = "".join(re.findall(r">([^<]*)</text>", texts))
        if entry.in_tile:
            assert shown.startswith(entry.label[:4]) and "…" not in shown, entry
        else:
            assert shown in (str(entry.key), ""), entry  # "" only when not even a key fits
    assert any(not e.in_tile for e in legend)  # small tiles rely on the legend
    assert legend[0].amount == "4,579.90" and legend[0].share == "62.2%"


def test_department_with_several_years_shows_them_side_by_side(corpus_store: ox.Store) -> None:
    text = page(corpus_store, DEPARTMENT)
    table = text.split('<table class="data comparison">', 1)[1].split("</table>", 1)[0]
    heads = [html.unescape(re.sub(r"<[^>]+>", "", h)) for h in re.findall(r"<th[^>]*>(.*?)</th>",
                                                                            table.split("<tbody>")[0])]
    assert heads == ["项目", "2026年预算", "2027年预算"]
    rows = {html.unescape(re.sub(r"<[^>]+>", "", name)): cells for name, cells in re.findall(
        r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', table)}
    figures = {name: re.findall(r'<td class="num">([^<]*)</td>', cells)
               for name, cells in rows.items()}
    assert figures["支出合计"] == ["7,454.80", "14,909.60"]  # as printed in the 合计 row
    assert figures["基本支出"] == ["1,614.30", "3,228.60"]  # the second year doubles every amount
    assert figures["项目支出"] == ["5,840.50", "11,681.00"]
    assert figures["206 科学技术支出"] == ["4,579.90", "9,159.80"]
    assert "历年对比（单位：万元）" in text
    title = "各年度支出：合计、基本支出与项目支出、主要功能分类（类）"
    assert f"{title}（单位：万元）" in captions(text)


def test_metadata_is_labelled_chinese_text_with_the_vocabulary_on_hover(store: ox.Store) -> None:
    text = page(store, DATASET)
    facts = text.split('<table class="facts">', 1)[1].split("</table>", 1)[0]
    names = [html.unescape(re.sub(r"<[^>]+>", "", n)) for n in re.findall(
        r'<th scope="row">(.*?)</th>', facts)]
    assert names == ["机构", "预算年度", "预算阶段", "文件范围", "发布日期", "来源", "生成过程"]
    assert 'title="prov:wasDerivedFrom &lt;http://www.w3.org/ns/prov#wasDerivedFrom&gt;"' in facts
    assert "xsd:" not in re.sub(r'title="[^"]*"', "", facts)  # datatypes only on hover
    assert "prov:" not in re.sub(r'title="[^"]*"', "", facts)
    assert ">部门</div>" in facts and "department" not in re.sub(r'"[^"]*"', "", facts)
    data_tab = text.split('<summary>全部属性（RDF 词汇）</summary>', 1)[1]
    assert ">prov:wasDerivedFrom</a>" in data_tab and "xsd:gYear" in data_tab


def test_an_observation_shows_its_amounts_with_separators_and_unit(store: ox.Store) -> None:
    solutions = store.query(f"""PREFIX bk: <{ONTOLOGY}> SELECT ?o WHERE {{ ?o bk:amount 891000.0 ;
        bk:row/bk:inTable <{DATASET}/table/expenditure> }} LIMIT 1""",
                            use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    (observation,) = [s["o"].value for s in solutions]
    text = page(store, observation)
    main = text.split("<h2>属性</h2>", 1)[1].split("<details", 1)[0]
    assert ">891,000.00 元</div>" in main and ">89.10 万元</div>" in main
    assert "^^" not in main and "xsd:decimal" not in re.sub(r'title="[^"]*"', "", main)


def test_table_page_marks_the_rows_and_cells_of_each_finding_and_links_to_it(
        store: ox.Store) -> None:
    text = page(store, DATASET + "/table/general-budget-expenditure")
    findings = re.findall(r'<li id="(finding-[0-9a-f]+)" class="finding (\w+)"', text)
    assert findings and {kind for _, kind in findings} >= {"violation"}
    flagged = re.findall(r'<tr id="row-(\d+)" class="flagged (\w+)">(.*?)</tr>', text, re.S)
    assert flagged
    for _, _, cells in flagged:  # each marked row links to a finding on the page
        targets = re.findall(r'href="#(finding-[0-9a-f]+)"', cells)
        assert targets and set(targets) <= {anchor for anchor, _ in findings}
    for anchor, _ in findings:  # each finding links back to the rows it is about
        item = text.split(f'<li id="{anchor}"', 1)[1].split("</li>", 1)[0]
        for row in re.findall(r'href="#row-(\d+)"', item):
            assert f'<tr id="row-{row}" class="flagged' in text
    assert "合计行不等于各行之和" in text and "违规" not in text


def test_catalogue_downloads_are_named_by_file_and_by_what_they_hold(
        built: pipeline.BuildResult, tmp_path: Path) -> None:
    import shutil

    out = tmp_path / "out"
    shutil.copytree(built.output, out)
    pipeline.tables(out, out / "tables")
    pipeline.publish_catalogue(out)
    catalogued = load(out)
    catalogued.bulk_load(path=str(out / "catalog.ttl"), format=ox.RdfFormat.TURTLE,
                         to_graph=ox.NamedNode(BASE + "catalog/graph"))
    text = page(catalogued, BASE + "catalog")
    downloads = re.findall(r'<li><a href="([^"]+)" download>([^<]+)</a> <span class="note">'
                           r"([^<]+)</span></li>", text)
    names = [name for _, name, _ in downloads]
    assert "济源产城融合示范区工业信息和科技局-2026-budget.ttl" in names
    assert "03-expenditure.csv" in names
    notes = dict((name, note) for _, name, note in downloads)
    assert "2026年部门支出总体情况表（CSV）" in notes["03-expenditure.csv"]
    assert "（Turtle）" in notes["济源产城融合示范区工业信息和科技局-2026-budget.ttl"]
    assert "CSV 1 KB" not in text
