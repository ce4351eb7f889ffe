"""The query page (/query) in a real browser: headless Chromium driven by Selenium against
`budgetkg serve` over the example build.

Needs the Debian packages chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver)
and the PyPI package selenium; a missing browser fails the run rather than skipping it. Selenium
Manager is never asked for anything: the driver and the browser are given by path."""

from __future__ import annotations

import json
import os
import re
import shutil
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from budgetkg import pipeline
from budgetkg.resources import named_queries, queries_dir
from budgetkg.serve.site import Site
from tests.conftest import ROOT, Server, start_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--window-size=1280,900")
WAIT = 10.0  # seconds any one page or answer may take
BK = "https://w3id.org/budgetkg/ontology#"
ROWS = "table.results tbody tr"


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.is_file()]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing: the browser tests need the Debian packages "
                    "chromium and chromium-driver (apt-get install chromium chromium-driver)")
    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options,
                              service=Service(executable_path=str(CHROMEDRIVER)))
    driver.set_page_load_timeout(WAIT)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def capped(built: pipeline.BuildResult,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The example build behind a server that answers at most 5 rows per query."""
    store = tmp_path_factory.mktemp("capped") / "store"
    yield from start_server(built.output, "--store", str(store), "--max-rows", "5")


def select(server: Server, query: str) -> list[dict[str, dict[str, str]]]:
    """The bindings of a SELECT, asked over plain HTTP (not through the page)."""
    url = f"{server.url}/sparql?{urllib.parse.urlencode({'query': query})}"
    with urllib.request.urlopen(url, timeout=WAIT) as response:
        bindings: list[dict[str, dict[str, str]]] = json.load(response)["results"]["bindings"]
    return bindings


def open_page(browser: WebDriver, server: Server, query: str | None = None) -> None:
    """The query page, with `query` preloaded (and so run) when given."""
    suffix = f"?{urllib.parse.urlencode({'query': query})}" if query is not None else ""
    browser.get(f"{server.url}/query{suffix}")


def wait_for_answer(browser: WebDriver) -> str:
    """The status line once the page has shown the answer to its query, or its failure."""
    def finished(driver: WebDriver) -> str | Literal[False]:
        status = driver.find_element(By.ID, "status")
        if status.get_attribute("data-state") not in ("done", "failed"):
            return False
        text: str = status.text  # read after the state: the page sets the text first
        return text

    return WebDriverWait(browser, WAIT).until(finished)


def open_examples(browser: WebDriver) -> None:
    """Unfold the list of example queries (folded below the results)."""
    box = browser.find_element(By.ID, "examples-box")
    if box.get_attribute("open") is None:
        box.find_element(By.TAG_NAME, "summary").click()


def follow(browser: WebDriver, link: WebElement) -> str:
    """Click a link in the results and wait for the page it leads to; its address."""
    target = link.get_attribute("href")
    assert target
    table = browser.find_element(By.CSS_SELECTOR, "table.results")
    link.click()
    WebDriverWait(browser, WAIT).until(ec.staleness_of(table))
    WebDriverWait(browser, WAIT).until(ec.url_to_be(target))
    return target


def local_path(url: str) -> str:
    """The decoded path of a URL (for comparing links whatever their percent-encoding)."""
    return urllib.parse.unquote(urllib.parse.urlsplit(url).path)


def page_of(iri: str) -> str:
    """The decoded path of the page the server answers for a data IRI."""
    return local_path(Site().href(iri))


def test_page_links_home_names_its_endpoint_and_lists_every_named_query(
        browser: WebDriver, served: Server) -> None:
    with urllib.request.urlopen(f"{served.url}/queries.json", timeout=WAIT) as response:
        names = [entry["name"] for entry in json.load(response)]
    open_page(browser, served)
    buttons = WebDriverWait(browser, WAIT).until(
        ec.presence_of_all_elements_located((By.CSS_SELECTOR, "button.example")))
    assert not buttons[0].is_displayed()  # folded below the results until asked for
    open_examples(browser)

    assert [button.text for button in buttons] == names
    assert browser.find_element(By.ID, "home").get_attribute("href") == f"{served.url}/"
    assert browser.find_element(By.ID, "endpoint").text == f"{served.url}/sparql"
    label = browser.find_element(By.CSS_SELECTOR, 'label[for="query"]')
    assert label.text.startswith("查询语句 Query")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh"
    assert browser.find_element(By.ID, "run").text == "运行 Run"
    assert "SELECT" in (browser.find_element(By.ID, "query").get_attribute("value") or "")


def test_named_query_example_runs_and_its_links_open_resource_pages(
        browser: WebDriver, served: Server) -> None:
    named = (queries_dir() / "table-rows.rq").read_text(encoding="utf-8")
    expected = select(served, named)
    assert expected, "the example has table rows"
    open_page(browser, served)
    WebDriverWait(browser, WAIT).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "button.example")))
    open_examples(browser)
    WebDriverWait(browser, WAIT).until(ec.element_to_be_clickable(
        (By.CSS_SELECTOR, 'button[data-name="table-rows"]'))).click()
    status = wait_for_answer(browser)

    rows = browser.find_elements(By.CSS_SELECTOR, ROWS)
    assert len(rows) == len(expected)
    assert status.startswith(f"{len(expected)} 行 · {len(expected)} rows · ")
    assert browser.find_element(By.ID, "query").get_attribute("value") == named
    headers = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "table.results th")]
    assert headers == ["?graph", "?table", "?rowNumber"]
    link = rows[0].find_elements(By.TAG_NAME, "td")[1].find_element(By.TAG_NAME, "a")
    iri = expected[0]["table"]["value"]
    assert link.get_attribute("title") == iri
    assert local_path(link.get_attribute("href") or "") == page_of(iri)

    follow(browser, link)
    heading = WebDriverWait(browser, WAIT).until(
        ec.presence_of_element_located((By.TAG_NAME, "h1"))).text.strip()
    assert heading
    assert heading in browser.title


def test_project_link_in_results_opens_its_page_with_a_chart(
        browser: WebDriver, served: Server) -> None:
    found = select(served, f"""
        PREFIX bk: <{BK}>
        SELECT ?project WHERE {{ ?project a bk:Project . ?obs bk:project ?project ;
                                 bk:printedAmount ?amount }}
        GROUP BY ?project ORDER BY DESC(COUNT(?obs)) ?project LIMIT 1""")
    assert found, "the example has projects with amounts"
    iri = found[0]["project"]["value"]
    open_page(browser, served, f"SELECT ?project WHERE {{ VALUES ?project {{ <{iri}> }} }}")
    wait_for_answer(browser)

    link = browser.find_element(By.CSS_SELECTOR, f'{ROWS} a[title="{iri}"]')
    assert local_path(follow(browser, link)) == page_of(iri)
    WebDriverWait(browser, WAIT).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "svg.chart")))


def test_ctrl_enter_runs_typed_query_and_shows_the_servers_syntax_error(
        browser: WebDriver, served: Server) -> None:
    open_page(browser, served)
    editor = browser.find_element(By.ID, "query")
    editor.send_keys(Keys.CONTROL, "a")
    editor.send_keys(Keys.DELETE, "SELEC ?x WHERE { }")
    editor.send_keys(Keys.CONTROL, Keys.ENTER)
    assert wait_for_answer(browser).startswith("失败 · Failed · ")

    error = browser.find_element(By.ID, "error")
    assert error.is_displayed()
    assert "400" in error.text
    assert "SPARQL syntax error" in error.text
    assert not browser.find_elements(By.CSS_SELECTOR, "table.results")


def test_editor_highlights_each_kind_of_token(browser: WebDriver, served: Server) -> None:
    query = (f'PREFIX bk: <{BK}>\nSELECT ?x WHERE {{ ?x bk:text "项目"@zh ; bk:amount 3.5 }}'
             " # a comment\n")
    open_page(browser, served, query)
    wait_for_answer(browser)

    tokens = {(span.get_attribute("class"), span.text) for span in
              browser.find_elements(By.CSS_SELECTOR, "#highlight span")}
    assert tokens == {
        ("tok-keyword", "PREFIX"), ("tok-keyword", "SELECT"), ("tok-keyword", "WHERE"),
        ("tok-prefixed", "bk:"), ("tok-prefixed", "bk:text"), ("tok-prefixed", "bk:amount"),
        ("tok-iri", f"<{BK}>"), ("tok-variable", "?x"), ("tok-string", '"项目"'),
        ("tok-lang", "@zh"), ("tok-number", "3.5"), ("tok-comment", "# a comment"),
    }
    assert browser.find_element(By.ID, "highlight").text.strip() == query.strip()


def test_result_iris_link_to_local_pages_vocabulary_or_themselves(
        browser: WebDriver, served: Server) -> None:
    open_page(browser, served, """SELECT ?data ?vocab ?other ?unsafe WHERE {
        BIND(<https://data.budgetkg.org/doc/部门/2026/budget> AS ?data)
        BIND(<https://w3id.org/budgetkg/ontology#Project> AS ?vocab)
        BIND(<http://purl.org/linked-data/cube#Observation> AS ?other)
        BIND(<javascript:alert(1)> AS ?unsafe) }""")
    wait_for_answer(browser)

    cells = browser.find_elements(By.CSS_SELECTOR, f"{ROWS} td")
    links = [cell.find_elements(By.TAG_NAME, "a") for cell in cells]
    assert [len(found) for found in links] == [1, 1, 1, 0]
    hrefs = [found[0].get_attribute("href") for found in links[:3]]
    assert local_path(hrefs[0] or "") == "/doc/部门/2026/budget"
    assert hrefs[1] == f"{served.url}/vocab/ontology#Project"
    assert hrefs[2] == "http://purl.org/linked-data/cube#Observation"
    assert cells[3].text == "javascript:alert(1)"


def test_literals_show_datatype_and_language_and_markup_stays_text(
        browser: WebDriver, served: Server) -> None:
    markup = '<img src=x onerror="document.title=1"><b>bold</b>'
    open_page(browser, served, f"""PREFIX bk: <{BK}>
        SELECT ?markup ?amount ?name WHERE {{
          BIND('{markup}' AS ?markup) BIND(2.5 AS ?amount) BIND("项目"@zh AS ?name) }}""")
    wait_for_answer(browser)

    cells = browser.find_elements(By.CSS_SELECTOR, f"{ROWS} td")
    assert [cell.text for cell in cells] == [markup, "2.5", "项目@zh"]
    number = cells[1].find_element(By.CSS_SELECTOR, ".literal")
    assert number.get_attribute("title") == "2.5 (xsd:decimal)"  # the datatype on hover
    assert not browser.find_elements(By.CSS_SELECTOR, "#results img, #results b")


@pytest.mark.parametrize(("query", "selector", "shown", "status"), [
    (f"ASK {{ ?s a <{BK}Project> }}", "p.boolean", "true", "答案 是 · the answer true · "),
    (f"CONSTRUCT WHERE {{ ?s a <{BK}Project> }}", "pre.graph", "a bk:Project",
     "一个图（Turtle） · a graph (Turtle) · "),
])
def test_ask_shows_boolean_and_construct_shows_turtle(
        browser: WebDriver, served: Server, query: str, selector: str, shown: str,
        status: str) -> None:
    open_page(browser, served, query)
    assert wait_for_answer(browser).startswith(status)
    assert shown in browser.find_element(By.CSS_SELECTOR, selector).text


def test_truncated_answer_shows_the_servers_row_cap(browser: WebDriver, capped: Server) -> None:
    open_page(browser, capped, "SELECT ?s WHERE { ?s ?p ?o }")
    assert wait_for_answer(browser).startswith("5 行 · 5 rows · ")

    assert len(browser.find_elements(By.CSS_SELECTOR, ROWS)) == 5
    note = browser.find_element(By.ID, "note")
    assert note.is_displayed()
    assert re.search(r"\bat most 5 rows\b", note.text)


def test_a_decimal_amount_reads_with_thousands_separators(
        browser: WebDriver, served: Server) -> None:
    open_page(browser, served, "SELECT ?amount WHERE { BIND(156211123.5 AS ?amount) }")
    wait_for_answer(browser)
    cell = browser.find_element(By.CSS_SELECTOR, f"{ROWS} td")
    assert cell.text == "156,211,123.5"
    assert "^^" not in cell.text


# --- the site as people see it ------------------------------------------------------------------
# The corpus (several departments, one with two years) with its tables as CSV in its catalogue,
# each page type opened at 1280 x 900: nothing overflows its box, every chart names its title and
# unit, a screenshot is kept in test-artefacts/, and axe-core finds no accessibility violation.

ARTEFACTS = Path(os.environ.get("BUDGETKG_ARTEFACTS", ROOT / "test-artefacts")) / "test_browser"
AXE = ROOT / "tests" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
JIYUAN = "济源产城融合示范区工业信息和科技局"
DOCUMENT = f"/doc/{JIYUAN}/2026/budget"
PAGES = {
    "home": "/",
    "department": f"/org/{JIYUAN}",
    "dataset": DOCUMENT,
    "dataset-in-yuan": "/doc/上海市普陀区人民政府万里街道办事处/2024/budget",
    "table": f"{DOCUMENT}/table/income",
    "project": f"{DOCUMENT}/project/419001240000000011252",
    "code": "/vocab/codelist/function/2080501",
    "catalogue": "/catalog",
    "query": "/query",
}

# Every element whose content is wider than its box while its overflow is visible, and the page
# itself when it scrolls sideways (charts are drawn inside their own viewBox and left out).
OVERFLOWING = """
const found = [];
const page = document.documentElement;
if (page.scrollWidth > window.innerWidth + 1) found.push(`the page: ${page.scrollWidth}px wide`);
for (const el of document.body.querySelectorAll("*")) {
  if (el.closest("svg")) continue;
  const style = getComputedStyle(el);
  const skipped = ["inline", "none", "contents", "table-row-group", "table-row"];
  if (skipped.includes(style.display)) continue;
  if (style.overflowX !== "visible" || el.clientWidth === 0) continue;
  if (el.scrollWidth > el.clientWidth + 1) {
    const text = (el.textContent || "").trim().slice(0, 40);
    const name = `${el.tagName.toLowerCase()}.${el.className}`;
    found.push(`${name}: ${el.scrollWidth} > ${el.clientWidth} (${text})`);
  }
}
return found;
"""

CHARTS = """
return [...document.querySelectorAll("figure.chart")].map((figure) => ({
  caption: figure.querySelector("figcaption")?.textContent.trim() ?? "",
  title: figure.querySelector("svg > title")?.textContent.trim() ?? "",
  marks: figure.querySelectorAll("svg rect").length,
}));
"""


@pytest.fixture(scope="module")
def site(corpus: pipeline.BuildResult, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[Server]:
    """The corpus build with its tables as CSV distributions of its catalogue, served."""
    out = tmp_path_factory.mktemp("site") / "out"
    shutil.copytree(corpus.output, out)
    pipeline.tables(out, out / "tables")
    pipeline.publish_catalogue(out)
    yield from start_server(out, "--store", str(tmp_path_factory.mktemp("site-store") / "s"))


def show(browser: WebDriver, server: Server, name: str) -> None:
    """Open one of PAGES as a reader would; the query page runs an example first."""
    browser.set_window_size(1280, 900)
    browser.get(server.url + urllib.parse.quote(PAGES[name], safe="/"))
    WebDriverWait(browser, WAIT).until(ec.presence_of_element_located((By.TAG_NAME, "h1")))
    if name == "query":
        WebDriverWait(browser, WAIT).until(
            ec.presence_of_element_located((By.CSS_SELECTOR, "button.example")))
        open_examples(browser)
        browser.find_element(By.CSS_SELECTOR, 'button[data-name="expenditure-totals"]').click()
        assert wait_for_answer(browser).startswith("5 行")


def screenshot(browser: WebDriver, name: str) -> Path:
    """The whole page as a PNG under test-artefacts/test_browser/ (kept out of git)."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    height = int(browser.execute_script("return document.documentElement.scrollHeight"))
    visible = browser.execute_script("return [window.scrollX, window.scrollY]")
    browser.set_window_size(1280, min(max(height, 900), 12000))
    path = ARTEFACTS / f"{name}.png"
    browser.save_screenshot(str(path))
    browser.set_window_size(1280, 900)
    browser.execute_script("window.scrollTo(arguments[0], arguments[1])", *visible)
    return path


@pytest.mark.parametrize("name", list(PAGES))
def test_page_fits_its_boxes_and_every_chart_names_its_title_and_unit(
        browser: WebDriver, site: Server, name: str) -> None:
    show(browser, site, name)
    assert browser.execute_script(OVERFLOWING) == []
    found = browser.execute_script(CHARTS)
    if name in ("department", "dataset", "dataset-in-yuan", "project"):
        assert found, f"the {name} page has charts"
    for chart in found:
        assert re.fullmatch(r".+（单位：(万元|元)）", chart["caption"]), chart
        assert chart["title"] == chart["caption"] and chart["marks"] > 0, chart
    if name == "dataset-in-yuan":  # printed in 元, charted in 万元 (and said so)
        assert {re.sub(r".*（单位：(.+)）", r"\1", c["caption"]) for c in found} == {"万元"}
    path = screenshot(browser, name)
    assert path.stat().st_size > 10_000


def axe_violations(browser: WebDriver) -> list[str]:
    """axe-core's WCAG 2 A and AA violations on the open page, one line each."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} missing: install it with `npm ci --prefix tests/axe` (.ci/run does)")
    browser.execute_script(AXE.read_text(encoding="utf-8"))
    browser.set_script_timeout(60)
    result = browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a",
                                                             "wcag21aa"] } })
          .then((r) => done(r.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length}: `
            + v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join("; ") + ")")))
          .catch((e) => done([`axe failed: ${e}`]));""")
    assert isinstance(result, list)
    return [str(line) for line in result]


@pytest.mark.parametrize("name", list(PAGES))
def test_page_passes_the_accessibility_check(browser: WebDriver, site: Server,
                                             name: str) -> None:
    show(browser, site, name)
    assert axe_violations(browser) == []


def test_query_page_works_from_the_keyboard_alone(browser: WebDriver, site: Server) -> None:
    open_page(browser, site)
    WebDriverWait(browser, WAIT).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "button.example")))
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)

    def focused() -> WebElement:
        return browser.switch_to.active_element

    for _ in range(10):  # Tab from the top of the page reaches the editor
        if focused().get_attribute("id") == "query":
            break
        focused().send_keys(Keys.TAB)
    assert focused().get_attribute("id") == "query"
    focused().send_keys(Keys.CONTROL, "a")
    focused().send_keys(Keys.DELETE, "ASK { ?s ?p ?o }")
    focused().send_keys(Keys.TAB)  # Tab leaves the editor for the Run button
    assert focused().get_attribute("id") == "run"
    focused().send_keys(Keys.ENTER)
    assert wait_for_answer(browser).startswith("答案 是")
    for _ in range(10):  # on to the folded examples, opened with Enter
        focused().send_keys(Keys.TAB)
        if focused().tag_name == "summary":
            break
    assert focused().tag_name == "summary"
    focused().send_keys(Keys.ENTER)
    focused().send_keys(Keys.TAB)
    assert focused().get_attribute("data-name") == "budget-vs-final"
    focused().send_keys(Keys.TAB, Keys.ENTER)  # the second example, run from the keyboard
    assert wait_for_answer(browser)
    second = named_queries()[1]
    assert browser.find_element(By.ID, "query").get_attribute("value") == second.text


def test_query_results_are_in_view_after_run(browser: WebDriver, site: Server) -> None:
    open_page(browser, site)
    WebDriverWait(browser, WAIT).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "button.example")))
    open_examples(browser)
    last = browser.find_elements(By.CSS_SELECTOR, "button.example")[-1]
    browser.execute_script("arguments[0].scrollIntoView()", last)
    last.click()
    wait_for_answer(browser)
    top = browser.execute_script(
        "return document.getElementById('results-heading').getBoundingClientRect().top")
    assert 0 <= top < 900 / 2, top  # the results' heading in the upper half of the window
