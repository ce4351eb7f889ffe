"""Every real document of ../shared/docs and ../shared/corpus, built once (conftest
`real_documents`): each builds as one graph, recognises every table its contents list, and keeps
every amount it prints under the row and the column it is printed in.

The amounts are checked against tests/pdf_oracle.py, which reads the PDFs with PDFium and the
positions of the characters alone (never the ruling lines the converter reads): page by page the
table amounts it finds are the observations' printed texts, and each observation sits on a line
that prints one of its row's labels and under a header that names its column.
"""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest

from budgetkg.batch import expand
from budgetkg.mapping import load
from tests.conftest import RealDocuments, real_pdfs
from tests.pdf_oracle import PrintedAmount, header_matches, label_matches, printed_amounts

PREFIXES = """PREFIX bk: <https://w3id.org/budgetkg/ontology#>
PREFIX qb: <http://purl.org/linked-data/cube#>
"""
KIND = "https://w3id.org/budgetkg/codelist/table-kind/"
DOCUMENTS = expand(real_pdfs())
TWO_FILES = [d for d in DOCUMENTS if len(d) > 1]

# Where the oracle cannot confirm the graph, each with why; an entry the oracle confirms after
# all fails the test (keep the list true). Key: (file, page, printed amount, column header).
ORACLE_LIMITS = {
    ("js-renda-2017-dept-budget.pdf", 7, "10,528.33", "支出 / 功能分类 / 金额"):
        "the row's labels are set so far apart from the amounts that PDFium's line holds only "
        "the amount of the block to the left",
    **{("js-renda-2017-dept-budget.pdf", 20, amount, header):
       "the oracle reads the group header “三公”经费 of this table as no cell of its own"
       for amount, header in [("427.50", "“三公”经费 / 公务接待费"),
                              ("833.60", "“三公”经费 / 小计")]},
    **{("js-jianchayuan-2018-dept-budget.pdf", 19, amount, header):
       "the oracle reads the group header “三公”经费 of this table as no cell of its own"
       for amount, header in [("116.50", "“三公”经费 / 公务接待费"),
                              ("100.00", "“三公”经费 / 因公出国（境）费"),
                              ("484.30", "“三公”经费 / 小计")]},
    **{("js-gaoyuan-2018-dept-budget.pdf", 11, amount, header):
       "the header's top row (收入 | 支出) is printed on page 10, the rest of the table on page "
       "11: the oracle reads page 11's header alone"
       for amount, header in [("3,258.06", "支出 / 支出用途 / 金额"),
                              ("18,570.82", "支出 / 支出用途 / 金额"),
                              ("11,343.27", "支出 / 支出用途 / 金额"),
                              ("33,172.15", "支出 / 支出用途 / 金额"),
                              ("33,172.15", "收入 / 金额")]},
}


def _id(files: tuple[Path, ...]) -> str:
    return files[0].stem.removesuffix("-text")


def _stem(real: RealDocuments, files: tuple[Path, ...]) -> str:
    (stem,) = [s for s, f in real.files.items() if f == files]
    return stem


@cache
def _graph(nt: Path) -> ox.Store:
    store = ox.Store()
    store.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
    return store


def _select(real: RealDocuments, stem: str, sparql: str) -> list[dict[str, str]]:
    solutions = _graph(real.result.output / f"{stem}.nt").query(PREFIXES + sparql)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: s[n].value if s[n] is not None else "" for n in names} for s in solutions]


# ------------------------------------------------------------------------------ one graph each


def test_every_real_document_builds_one_graph_per_publication(real_documents: RealDocuments,
                                                                ) -> None:
    result = real_documents.result
    assert result.ok, result.failures
    assert len(result.documents) == len(DOCUMENTS) == len(real_pdfs()) - len(TWO_FILES)
    assert TWO_FILES, "the corpus holds documents published as two files"
    for files in TWO_FILES:
        assert [p.name.rsplit("-", 1)[1] for p in files] == ["text.pdf", "tables.pdf"]
        stem = _stem(real_documents, files)
        parts = _select(real_documents, stem, """
            SELECT ?name ?part WHERE { ?f a bk:SourceFile ; <http://purl.org/dc/terms/identifier>
              ?name ; bk:partNumber ?part }""")
        assert sorted((r["part"], r["name"]) for r in parts) == [
            ("1", files[0].name), ("2", files[1].name)]
        cited = _select(real_documents, stem, """
            SELECT (COUNT(*) AS ?n) WHERE { ?s a bk:Statement }""")
        assert int(cited[0]["n"]) > 0, f"{stem}: the narrative file was not read"


def test_a_unit_budget_and_its_department_budget_sit_side_by_side(
        real_documents: RealDocuments) -> None:
    stems = set(real_documents.files)
    units = sorted(s for s in stems if s.endswith("-budget-unit"))
    assert units, "the corpus holds unit budgets"
    pairs = [u for u in units if u.removesuffix("-unit") in stems]
    assert pairs, "the corpus holds a unit and a department budget of one organisation and year"
    for unit in pairs:
        department = unit.removesuffix("-unit")
        graphs = {real_documents.result.output / f"{s}.nt" for s in (unit, department)}
        assert len(graphs) == 2 and all(g.is_file() for g in graphs)
        scopes = [_select(real_documents, s, "SELECT ?scope WHERE { ?d bk:documentScope ?scope }")
                  for s in (unit, department)]
        assert scopes == [[{"scope": "unit"}], [{"scope": "department"}]]


# -------------------------------------------------------------------------- tables recognised


@pytest.mark.parametrize("files", DOCUMENTS, ids=_id)
def test_every_table_the_contents_list_is_recognised_and_none_unknown(
        files: tuple[Path, ...], real_documents: RealDocuments) -> None:
    stem = _stem(real_documents, files)
    mappings = load()
    entries = [r["entry"] for r in _select(real_documents, stem, """
        SELECT ?entry WHERE { ?d a bk:BudgetDocument ; bk:contentsEntry ?entry }""")]
    listed = {k.id for e in entries if (k := mappings.kind_for_title(e)) is not None}
    kinds = Counter(r["kind"].removeprefix(KIND) for r in _select(real_documents, stem, """
        SELECT ?kind WHERE { ?t a bk:BudgetTable ; bk:tableKind ?kind }"""))
    assert "unrecognised" not in kinds
    assert listed <= set(kinds), f"listed but not recognised: {listed - set(kinds)}"
    if listed:  # a table of every kind listed, each once; beside them only untitled unit lists
        assert {k: n for k, n in kinds.items() if k in listed} == dict.fromkeys(listed, 1)
        assert set(kinds) - listed <= {"units"}
    (published,) = [d for d in real_documents.result.documents if d.stem == stem]
    assert not [p for p in published.problems if "prints no such table" in p
                or "no known kind" in p or "no money unit" in p], published.problems


# ---------------------------------------------------------------------- amounts, row and column


def _observations(real: RealDocuments, stem: str) -> list[dict[str, str]]:
    return _select(real, stem, """
        SELECT ?obs ?text ?page ?part ?column ?header ?row WHERE {
          ?obs a qb:Observation ; bk:printedText ?text ; bk:row ?row ; bk:column ?c .
          ?c bk:columnNumber ?column ; bk:header ?header .
          ?row bk:sourcePage ?page .
          OPTIONAL { ?row bk:sourceFilePart ?part }
        }""")


def _labels(real: RealDocuments, stem: str) -> dict[str, dict[int, str]]:
    """Each row's printed text cells by column number."""
    out: dict[str, dict[int, str]] = {}
    for r in _select(real, stem, """
            SELECT ?row ?column ?text WHERE {
              ?cell a bk:TextCell ; bk:row ?row ; bk:column/bk:columnNumber ?column ;
                bk:text ?text }"""):
        out.setdefault(r["row"], {})[int(r["column"])] = r["text"]
    return out


def _file(files: tuple[Path, ...], observation: dict[str, str]) -> Path:
    return files[int(observation["part"] or 1) - 1]


@pytest.mark.parametrize("files", DOCUMENTS, ids=_id)
def test_every_table_amount_printed_is_observed_on_its_page_and_none_invented(
        files: tuple[Path, ...], real_documents: RealDocuments) -> None:
    stem = _stem(real_documents, files)
    observed: dict[tuple[str, int], Counter[str]] = {}
    for o in _observations(real_documents, stem):
        key = (_file(files, o).name, int(o["page"]))
        observed.setdefault(key, Counter())[o["text"]] += 1
    printed: dict[tuple[str, int], Counter[str]] = {}
    for path in files:
        for amount in printed_amounts(path):
            if amount.headers:  # an amount of a table, not of a sentence
                printed.setdefault((path.name, amount.page), Counter())[amount.text] += 1
    assert sum(sum(c.values()) for c in printed.values()) > 0
    differ = {key: (dict(printed.get(key, Counter()) - observed.get(key, Counter())),
                    dict(observed.get(key, Counter()) - printed.get(key, Counter())))
              for key in set(printed) | set(observed)
              if printed.get(key) != observed.get(key)}
    assert not differ, f"(file, page): (printed not observed, observed not printed): {differ}"


def _placed(amount: PrintedAmount, labels: list[str], header: str) -> bool:
    """The oracle's amount is on a line printing one of the row's labels (or one it could not
    read) and under the column's header path."""
    on_line = not amount.line_text or any(label_matches(amount.line_text, label)
                                          for label in labels)
    return on_line and header_matches(amount.headers, header)


@pytest.mark.parametrize("files", DOCUMENTS, ids=_id)
def test_every_observation_sits_under_its_printed_row_label_and_column_header(
        files: tuple[Path, ...], real_documents: RealDocuments) -> None:
    stem = _stem(real_documents, files)
    labels = _labels(real_documents, stem)
    oracle = {path: printed_amounts(path) for path in files}
    misplaced, limits = [], []
    for o in _observations(real_documents, stem):
        path, page, column = _file(files, o), int(o["page"]), int(o["column"])
        row_labels = [t for c, t in sorted(labels.get(o["row"], {}).items()) if c < column]
        candidates = [a for a in oracle[path] if a.page == page and a.text == o["text"]]
        if any(_placed(a, row_labels or [""], o["header"]) for a in candidates):
            continue
        key = (path.name, page, o["text"], o["header"])
        (limits if key in ORACLE_LIMITS else misplaced).append(key)
        if key not in ORACLE_LIMITS:
            misplaced[-1] += (row_labels, [(a.line_text, a.headers) for a in candidates])
    assert not misplaced, misplaced
    ours = {k for k in ORACLE_LIMITS if k[0] in {p.name for p in files}}
    assert set(limits) == ours, f"no longer beyond the oracle: {ours - set(limits)}"
