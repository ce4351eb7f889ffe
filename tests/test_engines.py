"""Two engines, one report (issue 16): the fast engine and pyshacl give the same findings, with
the same messages in Chinese and English, focus nodes, values, severities and shapes, on a
small document made inconsistent so that every shape of shapes/ finds something in it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import RDF, SH
from typer.testing import CliRunner  # noqa: TID251

from budgetkg import pipeline, validate
from budgetkg.cli import app
from budgetkg.tables import Document
from tests.conftest import EXAMPLE
from tests.printed_mutations import CLASSES, composed, recoded, shrunk

BASE = "https://data.budgetkg.org/"
BK = "https://w3id.org/budgetkg/ontology#"
SHAPES = "https://w3id.org/budgetkg/shapes/"
ROWS = 10  # rows kept of each table: pyshacl takes seconds, not a minute


def _select(triples: list[ox.Triple], query: str) -> list[dict[str, str]]:
    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    solutions = store.query(f"PREFIX bk: <{BK}>\n{query}")
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in solutions]


def _cell_changed(doc: Document, table: int, row: int, column: int) -> Document:
    """The amount at (table, row, column) printed 100 larger."""
    t = next(t for t in doc.tables if t.number == table)
    r = next(r for r in t.rows if r.number == row)
    old = r.amounts[column - 1]
    assert old is not None
    value = old.value + 100
    yuan = old.yuan * value / old.value if old.yuan is not None and old.value else old.yuan
    amounts = list(r.amounts)
    amounts[column - 1] = replace(old, value=value, printed=f"{value}", yuan=yuan)
    rows = tuple(replace(r, amounts=tuple(amounts)) if x is r else x for x in t.rows)
    return replace(doc, tables=tuple(replace(t, rows=rows) if x is t else x for x in doc.tables))


def _with_table(doc: Document, number: int, **changes: object) -> Document:
    return replace(doc, tables=tuple(replace(t, **changes) if t.number == number else t  # type: ignore[arg-type]
                                     for t in doc.tables))


def _inconsistent(doc: Document) -> Document:
    """The document with every kind of inconsistency the shapes look for."""
    _, _, triples = pipeline.convert_document(doc, BASE)
    # a figure printed in two tables, changed in one of them (SameFigure)
    shared = _select(triples, """
        SELECT ?t ?r ?c WHERE {
          ?o bk:statesFact ?fact ; bk:column/bk:columnNumber ?c ; bk:row ?row ;
            bk:column/bk:inTable/bk:tableNumber ?t .
          ?row bk:rowNumber ?r .
          ?other bk:statesFact ?fact ; bk:column/bk:inTable/bk:tableNumber ?t2 .
          FILTER (?t2 < ?t)
        } ORDER BY ?t ?r ?c LIMIT 1""")[0]
    doc = _cell_changed(doc, int(shared["t"]), int(shared["r"]), int(shared["c"]))
    # a part of a column sum whose code's parent row is the sum of its children in that
    # column (CrossedSums: the two sums fail by the same difference)
    crossing = _select(triples, """
        SELECT ?t ?r ?c WHERE {
          {
            SELECT ?table ?parent ?col ?total (SUM(?a) AS ?sum) WHERE {
              ?parent bk:inTable ?table ; bk:code ?pc .
              ?po bk:row ?parent ; bk:column ?col ; bk:printedAmount ?total .
              ?child bk:inTable ?table ; bk:code ?cc .
              FILTER (STRLEN(?pc) = STRLEN(?cc) - 2 && STRSTARTS(?cc, ?pc))
              ?co bk:row ?child ; bk:column ?col ; bk:printedAmount ?a .
            } GROUP BY ?table ?parent ?col ?total
          }
          FILTER (ABS(?total - ?sum) < 0.001)
          ?table bk:identity ?identity ; bk:tableNumber ?t .
          ?identity a bk:ColumnSum ; bk:partColumn ?col .
          ?col bk:columnNumber ?c .
          ?row bk:inTable ?table ; bk:rowNumber ?r ; bk:code ?code .
          ?parent bk:code ?pc .
          FILTER (STRLEN(?pc) = STRLEN(?code) - 2 && STRSTARTS(?code, ?pc))
          ?o bk:row ?row ; bk:column ?col ; bk:printedAmount ?a .
        } ORDER BY ?t ?r ?c LIMIT 1""")[0]
    doc = _cell_changed(doc, int(crossing["t"]), int(crossing["r"]), int(crossing["c"]))
    doc = composed(doc, dict.fromkeys(CLASSES, 3), seed=3)
    # the total row of a row identity (RowSum)
    table, identity = next((t, i) for t in doc.tables for i in t.identities if i.axis == "row")
    row = next(r for r in table.rows if r.number == identity.total)
    column = next(c for c in table.columns if c.role == "amount" and row.amount(c))
    doc = _cell_changed(doc, table.number, row.number, column.number)
    # a code name printed differently in two tables (CodeNameConsistent)
    named = _select(triples, """
        SELECT ?t ?r WHERE {
          ?row bk:code ?code ; bk:inTable/bk:tableNumber ?t ; bk:rowNumber ?r .
          ?other bk:code ?code ; bk:inTable/bk:tableNumber ?t2 .
          FILTER (?t2 < ?t)
        } ORDER BY ?t ?r LIMIT 1""")[0]
    t = next(t for t in doc.tables if t.number == int(named["t"]))
    r = next(r for r in t.rows if r.number == int(named["r"]))
    renamed = recoded(t, r, 0, replace(r.codes[0], name=r.codes[0].name + "（其他）"))
    doc = _with_table(doc, t.number, rows=tuple(renamed if x is r else x for x in t.rows))
    # a row printed without its code (CodePrinted): its codes and code cells dropped (an
    # economic code: the functional one above is compared across tables)
    t, r = [(t, r) for t in doc.tables for r in t.rows
            if r.codes and all(c.scheme != "function" for c in r.codes)][-1]
    cells = tuple("" if c.role == "code" else r.cells[c.number - 1] for c in t.columns)
    uncoded = replace(r, codes=(), cells=cells, raw=cells)
    doc = _with_table(doc, t.number, rows=tuple(uncoded if x is r else x for x in t.rows))
    # a project code one digit short (ProjectCodeFormat)
    t = next(t for t in doc.tables if any(p.code for p in t.projects))
    p = next(p for p in t.projects if p.code)
    doc = _with_table(doc, t.number, projects=tuple(
        replace(p, code=p.code[:-1]) if x is p else x for x in t.projects))
    # a note saying the table is empty above amounts (EmptyTableNote); an empty table that
    # says nothing of why (EmptyTableExplained)
    printing = next(t for t in doc.tables if any(any(r.amounts) for r in t.rows))
    doc = _with_table(doc, printing.number, notes=("本表无数据。",))
    last = [t for t in doc.tables if not t.projects and not t.empty][-1]
    return _with_table(doc, last.number, rows=(), identities=(), indicators=(), empty=True,
                       notes=())


def _incomplete(triples: list[ox.Triple]) -> list[ox.Triple]:
    """The triples and, for each class a property shape checks, a node of that class with
    nothing but its type (every minimum count broken) and a node with two plain strings for
    each property (every maximum count and datatype broken)."""
    shapes = validate.shapes_graph()
    added = []
    for shape in sorted(shapes.subjects(SH.property, None), key=str):
        kind = ox.NamedNode(str(shapes.value(shape, SH.targetClass)))
        bare, doubled = (ox.NamedNode(f"{BASE}incomplete/{kind.value.rsplit('#', 1)[-1]}/{n}")
                         for n in ("bare", "doubled"))
        added += [ox.Triple(node, ox.NamedNode(str(RDF.type)), kind) for node in (bare, doubled)]
        for prop in sorted(shapes.objects(shape, SH.property), key=str):
            path = ox.NamedNode(str(shapes.value(prop, SH.path)))
            added += [ox.Triple(doubled, path, ox.Literal(text)) for text in ("x", "y")]
    return [*triples, *added]


def _misnamed(triples: list[ox.Triple]) -> list[ox.Triple]:
    """The triples and rows and statements the code and narrative shapes look for, added to the
    document's first table and narrative: a 款 row under a 类 the table does not print
    (CodeParent), a class printed with the name it had before its rename (CodeRenamed), two
    rows printing one name under sibling codes (CodeSibling), a code under a class no edition
    has (CodeClass), a 款 the lists lack under a class they hold all 款 of (CodeChild), an
    item stated twice with two figures in one paragraph and a reason of a change restated with
    another figure (NarrativeRestated), a class the narrative names by its old name
    (NarrativeClassName)."""
    bk = lambda name: ox.NamedNode(BK + name)  # noqa: E731
    label = ox.NamedNode(str(rdflib.RDFS.label))
    codelist = "https://w3id.org/budgetkg/codelist/"
    (table, document) = next((t.subject, t.object) for t in triples
                             if t.predicate == bk("document")
                             and any(u.subject == t.subject and u.predicate == bk("tableNumber")
                                     for u in triples))
    added: list[ox.Triple] = []

    def row(name: str, code: str, scheme: str, text: str) -> None:
        node = ox.NamedNode(f"{BASE}misnamed/row/{name}")
        concept = ox.NamedNode(f"{codelist}{scheme}/{code}")
        prop = {"function": "functionalClassification",
                "dept-economic": "deptEconomicClassification"}[scheme]
        added.extend([ox.Triple(node, bk("inTable"), table), ox.Triple(node, bk("code"),
                                                                         ox.Literal(code)),
                      ox.Triple(node, bk(prop), concept),
                      ox.Triple(node, label, ox.Literal(text, language="zh"))])

    row("class", "303", "dept-economic", "对个人和家庭的补助")
    row("orphan", "30499", "dept-economic", "其他支出")  # its 类 304 is not printed
    row("renamed", "30307", "dept-economic", "医疗费")
    row("twin-a", "30101", "dept-economic", "工资")
    row("twin-b", "30102", "dept-economic", "工资")
    row("pension", "20805", "function", "行政事业单位养老支出")
    # a code under a class no edition has (CodeClass), and a 款 the lists lack under a class
    # whose 款 they hold in full (CodeChild; the sample is of 2026, after the 2018 edition):
    # the concepts a document mints for them
    row("mistyped", "30001", "dept-economic", "基本工资")
    row("no-such-kuan", "30116", "dept-economic", "其他社会保障缴费")
    skos = "http://www.w3.org/2004/02/skos/core#"
    dept = f"{codelist}dept-economic"
    for code, above, target in (("30001", "broader", f"{dept}/300"),
                                ("300", "topConceptOf", dept),
                                ("30116", "broader", f"{dept}/301")):
        concept = ox.NamedNode(f"{dept}/{code}")
        added.extend([
            ox.Triple(concept, bk("unlisted"), ox.Literal(True)),
            ox.Triple(concept, ox.NamedNode(skos + "notation"), ox.Literal(code)),
            ox.Triple(concept, ox.NamedNode(skos + "inScheme"), ox.NamedNode(dept)),
            ox.Triple(concept, ox.NamedNode(skos + above), ox.NamedNode(target))])

    def said(name: str, subject: str, value: str, sentence: str) -> None:
        node = ox.NamedNode(f"{BASE}misnamed/statement/{name}")
        added.extend([
            ox.Triple(node, ox.NamedNode(str(RDF.type)), bk("Statement")),
            ox.Triple(node, bk("document"), document),
            ox.Triple(node, bk("measureKind"), ox.NamedNode(f"{codelist}measure-kind/amount")),
            ox.Triple(node, bk("section"), ox.Literal("一、支出情况", language="zh")),
            ox.Triple(node, bk("subjectText"), ox.Literal(subject, language="zh")),
            ox.Triple(node, bk("sentence"), ox.Literal(sentence, language="zh")),
            ox.Triple(node, bk("sourceLine"), ox.Literal("900", datatype=ox.NamedNode(
                "http://www.w3.org/2001/XMLSchema#integer"))),
            ox.Triple(node, bk("value"), ox.Literal(value, datatype=ox.NamedNode(
                "http://www.w3.org/2001/XMLSchema#decimal"))),
            ox.Triple(node, bk("unitText"), ox.Literal("万元")),
            ox.Triple(node, bk("valueInYuan"), ox.Literal(f"{value}0000", datatype=ox.NamedNode(
                "http://www.w3.org/2001/XMLSchema#decimal"))),
            ox.Triple(node, bk("tolerance"), ox.Literal("50", datatype=ox.NamedNode(
                "http://www.w3.org/2001/XMLSchema#decimal")))])

    said("first", "社会保障和就业支出（类）行政事业单位离退休（款）", "12",
         "社会保障和就业支出（类）行政事业单位离退休（款）12万元")
    said("again", "社会保障和就业支出（类）行政事业单位离退休（款）", "13",
         "其中社会保障和就业支出（类）行政事业单位离退休（款）13万元")

    def kind(name: str, measure: str, unit: str = "") -> None:
        node = ox.NamedNode(f"{BASE}misnamed/statement/{name}")
        added[:] = [t for t in added if not (t.subject == node and t.predicate in (
            bk("measureKind"), bk("unitText"), bk("valueInYuan"), bk("tolerance")))]
        added.append(ox.Triple(node, bk("measureKind"),
                               ox.NamedNode(f"{codelist}measure-kind/{measure}")))
        added.append(ox.Triple(node, bk("unitText"), ox.Literal(unit)))
        added.append(ox.Triple(node, bk("tolerance"), ox.Literal(
            "0.5" if unit == "%" else "0" if measure == "count" else "50", datatype=ox.NamedNode(
                "http://www.w3.org/2001/XMLSchema#decimal"))))

    # a growth rate of a change stated under other words than its amount, off by far
    # (NarrativeGrowthDerived)
    derived = "支出合计100万元，比上年支出增加20万元，增长50%"
    said("derived-amount", "支出合计", "100", derived)
    said("derived-change", "支出", "20", derived)
    said("derived-growth", "支出", "50", derived)
    kind("derived-change", "change", "万元")
    added.append(ox.Triple(ox.NamedNode(f"{BASE}misnamed/statement/derived-change"),
                           bk("valueInYuan"), ox.Literal("200000", datatype=ox.NamedNode(
                               "http://www.w3.org/2001/XMLSchema#decimal"))))
    kind("derived-growth", "growth", "%")
    figure = ox.NamedNode(f"{BASE}misnamed/prior")
    prov = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
    added += [ox.Triple(figure, ox.NamedNode(str(RDF.type)), bk("DerivedFigure")),
              ox.Triple(figure, bk("document"), document),
              *(ox.Triple(figure, prov, ox.NamedNode(f"{BASE}misnamed/statement/{n}"))
                for n in ("derived-amount", "derived-change"))]
    # a completion rate its final and budget amounts do not give (NarrativeCompletion)
    completion = "年初预算为40万元，支出决算为30万元，完成年初预算的90%"
    said("budget", "年初预算", "40", completion)
    said("final", "支出决算", "30", completion)
    said("completion", "完成年初预算的", "90", completion)
    kind("completion", "amount", "%")
    added.append(ox.Triple(ox.NamedNode(f"{BASE}misnamed/statement/final"), bk("budgetPhase"),
                           ox.NamedNode(f"{codelist}budget-phase/final")))
    # a growth rate stated with two amounts only, given by neither order (NarrativeGrowthBetween)
    between = "2023年执行数为40万元，2024年预算安排50万元，比2023年增加60%"
    said("earlier", "当年预算执行数", "40", between)
    said("later", "当年预算执行数", "50", between)
    said("between", "当年预算执行数", "60", between)
    kind("between", "growth", "%")
    # parts stated of an amount, all of them, not adding up to it (NarrativeParts)
    parts = "政府采购预算总额100万元，其中：货物40万元、工程30万元、服务20万元"
    said("procurement", "政府采购预算总额", "100", parts)
    added.append(ox.Triple(ox.NamedNode(f"{BASE}misnamed/statement/procurement"),
                           bk("partsComplete"), ox.Literal("true", datatype=ox.NamedNode(
                               "http://www.w3.org/2001/XMLSchema#boolean"))))
    for name, value in (("goods", "40"), ("works", "30"), ("services", "20")):
        said(name, name, value, parts)
        added.append(ox.Triple(ox.NamedNode(f"{BASE}misnamed/statement/{name}"), bk("partOf"),
                               ox.NamedNode(f"{BASE}misnamed/statement/procurement")))
    # a list going on after a semicolon, reported where it opens, not on the sentence going on
    # (bk:listOpening); counts, with no value in 元, closed by the rest (NarrativeParts)
    said("rest", "其他", "20", "其他20万元")
    added += [ox.Triple(ox.NamedNode(f"{BASE}misnamed/statement/rest"), bk(name), node)
              for name, node in (
        ("partOf", ox.NamedNode(f"{BASE}misnamed/statement/procurement")),
        ("listOpening", ox.NamedNode(f"{BASE}misnamed/statement/goods")))]
    vehicles = "购置车辆3辆，其中：一般公务用车1辆、其他用车1辆"
    for name, subject, value in (("cars", "购置车辆", "3"), ("general-cars", "一般公务用车", "1"),
                                 ("other-cars", "其他用车", "1")):
        said(name, subject, value, vehicles)
        kind(name, "count", "辆")
    added += [ox.Triple(ox.NamedNode(f"{BASE}misnamed/statement/{name}"), bk("partOf"),
                        ox.NamedNode(f"{BASE}misnamed/statement/cars"))
              for name in ("general-cars", "other-cars")]
    added.append(ox.Triple(ox.NamedNode(f"{BASE}misnamed/statement/cars"), bk("partsComplete"),
                           ox.Literal("true", datatype=ox.NamedNode(
                               "http://www.w3.org/2001/XMLSchema#boolean"))))
    # an amount of a part of a table figure exceeding it (NarrativeAtMost)
    said("bounded", "涉及项目预算资金", "99999",
         "编报绩效目标的项目共2个，涉及项目预算资金99999万元")
    printed = next(t.object for t in triples if t.predicate == bk("statesFact"))
    added.append(ox.Triple(ox.NamedNode(f"{BASE}misnamed/statement/bounded"), bk("atMost"),
                           printed))
    # an increase beyond this year's amount: last year's figure negative (NarrativeGrowth)
    negative = "新增经费10万元，比上年增加20万元，增长100%"
    said("new-amount", "新增经费", "10", negative)
    said("new-change", "新增经费", "20", negative)
    said("new-growth", "新增经费", "100", negative)
    kind("new-change", "change", "万元")
    kind("new-growth", "growth", "%")
    added.append(ox.Triple(ox.NamedNode(f"{BASE}misnamed/statement/new-change"),
                           bk("valueInYuan"), ox.Literal("200000", datatype=ox.NamedNode(
                               "http://www.w3.org/2001/XMLSchema#decimal"))))
    # a change stated twice, its reason given with two figures (NarrativeRestated, bk:explains)
    for n, reason in (("a", "20"), ("b", "30")):
        said(f"change-{n}", "支出", "50", f"支出比上年增加50万元（{n}）")
        said(f"reason-{n}", "基本支出", reason, f"主要原因是基本支出增加{reason}万元")
        for name in (f"change-{n}", f"reason-{n}"):
            kind(name, "change", "万元")
        added += [ox.Triple(ox.NamedNode(f"{BASE}misnamed/statement/{name}"), bk("valueInYuan"),
                            ox.Literal(f"{value}0000", datatype=ox.NamedNode(
                                "http://www.w3.org/2001/XMLSchema#decimal")))
                  for name, value in ((f"change-{n}", "50"), (f"reason-{n}", reason))]
        statement = f"{BASE}misnamed/statement/"
        added.append(ox.Triple(ox.NamedNode(f"{statement}reason-{n}"), bk("explains"),
                               ox.NamedNode(f"{statement}change-{n}")))
    return [*triples, *added]


def _unsummed(triples: list[ox.Triple]) -> list[ox.Triple]:
    """The triples and what the arithmetic across funding sources, the code hierarchy and two
    crossing sums look for, in the document's first table: a 财政拨款 fact its 一般公共预算 part
    does not add up to (FundingSum), a 类 whose only 款 prints another figure (OnlyChild), a
    cell that breaks its row's total column and its column's total row by the same difference
    (CrossedRowSums), within a total row that a sum over it confirms, a code whose figure a
    row identity over it confirms (SuspectPart), and a subtotal printed in another block's
    column (bk:totalInColumn) whose row prints two labels."""
    bk = lambda name: ox.NamedNode(BK + name)  # noqa: E731
    decimal = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
    codelist = "https://w3id.org/budgetkg/codelist/"
    table = next(t.subject for t in triples if t.predicate == bk("tableNumber"))
    unit = next(t.object for t in triples if t.predicate == bk("printedUnit")
                and t.subject.value.startswith(table.value))
    column = ox.NamedNode(f"{BASE}unsummed/column")
    added = [ox.Triple(column, bk("header"), ox.Literal("合计", language="zh")),
             ox.Triple(column, bk("inTable"), table)]

    def cell(name: str, amount: str, **links: ox.NamedNode | ox.Literal) -> None:
        node = ox.NamedNode(f"{BASE}unsummed/{name}")
        added.extend([
            ox.Triple(node, ox.NamedNode(str(RDF.type)), ox.NamedNode(
                "http://purl.org/linked-data/cube#Observation")),
            ox.Triple(node, ox.NamedNode("http://purl.org/linked-data/cube#dataSet"), table),
            ox.Triple(node, bk("column"), column), ox.Triple(node, bk("printedUnit"), unit),
            ox.Triple(node, bk("printedAmount"), ox.Literal(amount, datatype=decimal)),
            ox.Triple(node, bk("printedTolerance"), ox.Literal("0.005", datatype=decimal)),
            *(ox.Triple(node, bk(p), o) for p, o in links.items())])

    facts = next(t.object for t in triples if t.predicate == ox.NamedNode(
        "http://purl.org/linked-data/cube#dataSet") and t.subject.value.startswith(
        f"{table.value.split('/table/')[0]}/fact/"))

    def fact(name: str, amount: str, key: str, source: str) -> ox.NamedNode:
        node = ox.NamedNode(f"{BASE}unsummed/fact/{name}")
        added.extend([
            ox.Triple(node, ox.NamedNode("http://purl.org/linked-data/cube#dataSet"), facts),
            ox.Triple(node, bk(key), ox.Literal("unsummed")),
            ox.Triple(node, bk("fundingSource"),
                      ox.NamedNode(f"{codelist}funding-source/{source}")),
            ox.Triple(node, bk("amount"), ox.Literal(amount, datatype=decimal)),
            ox.Triple(node, bk("tolerance"), ox.Literal("50", datatype=decimal))])
        return node

    cell("appropriation", "100", statesFact=fact(
        "appropriation", "1000000", "fundingSumKey", "fiscal-appropriation"))
    cell("general", "90", statesFact=fact("general", "900000", "fundingPartKey",
                                          "general-budget"))

    def printed(name: str, row: ox.NamedNode, column: ox.NamedNode,
                amount: str) -> list[ox.Triple]:
        """A cell of the table printing `amount` exactly, at `row` and `column`."""
        node = ox.NamedNode(f"{BASE}unsummed/{name}")
        return [ox.Triple(node, ox.NamedNode("http://purl.org/linked-data/cube#dataSet"), table),
                ox.Triple(node, bk("row"), row), ox.Triple(node, bk("column"), column),
                ox.Triple(node, bk("printedAmount"), ox.Literal(amount, datatype=decimal)),
                ox.Triple(node, bk("printedTolerance"), ox.Literal("0", datatype=decimal))]

    # a 2 x 2 grid with its total row and total column: 15 at (first, part-a) should be 10
    label = ox.NamedNode(str(rdflib.RDFS.label))
    grid = {name: ox.NamedNode(f"{BASE}unsummed/grid/{name}") for name in (
        "total", "first", "second", "total-column", "part-a", "part-b", "by-column", "by-row",
        "grand", "other", "outer")}
    added += [ox.Triple(grid[r], label, ox.Literal(text, language="zh"))
              for r, text in (("total", "合计"), ("first", "甲"), ("second", "乙"),
                              ("grand", "总计"), ("other", "丙"))]
    added += [ox.Triple(grid[c], bk("header"), ox.Literal(text, language="zh"))
              for c, text in (("total-column", "合计"), ("part-a", "基本支出"),
                              ("part-b", "项目支出"))]
    added += [ox.Triple(table, bk("identity"), grid["by-column"]),
              ox.Triple(grid["by-column"], ox.NamedNode(str(RDF.type)), bk("ColumnSum")),
              ox.Triple(grid["by-column"], bk("totalColumn"), grid["total-column"]),
              ox.Triple(table, bk("identity"), grid["by-row"]),
              ox.Triple(grid["by-row"], ox.NamedNode(str(RDF.type)), bk("RowSum")),
              ox.Triple(grid["by-row"], bk("totalRow"), grid["total"]),
              ox.Triple(grid["by-row"], bk("inColumn"), grid["part-a"])]
    added += [ox.Triple(grid["by-column"], bk("partColumn"), grid[c]) for c in ("part-a",
                                                                              "part-b")]
    added += [ox.Triple(grid["by-row"], bk("partRow"), grid[r]) for r in ("first", "second")]
    # the failing total row is a part of a sum that holds (SuspectPart): 25 = 20 + 5
    added += [ox.Triple(table, bk("identity"), grid["outer"]),
              ox.Triple(grid["outer"], ox.NamedNode(str(RDF.type)), bk("RowSum")),
              ox.Triple(grid["outer"], bk("totalRow"), grid["grand"]),
              ox.Triple(grid["outer"], bk("inColumn"), grid["part-a"])]
    added += [ox.Triple(grid["outer"], bk("partRow"), grid[r]) for r in ("total", "other")]
    for r, c, amount in (("first", "total-column", "30"), ("first", "part-a", "15"),
                         ("first", "part-b", "20"), ("second", "part-a", "10"),
                         ("total", "part-a", "20"), ("grand", "part-a", "25"),
                         ("other", "part-a", "5")):
        added += printed(f"grid/{r}/{c}", grid[r], grid[c], amount)
    # a subtotal labelled in two blocks, the function amounts' total printed under the use
    # block's column (bk:totalInColumn): 55 is not 30 + 20, while 支出合计 over it holds
    span = {name: ox.NamedNode(f"{BASE}unsummed/span/{name}") for name in (
        "function", "use", "first", "second", "subtotal", "total", "sum", "over")}
    added += [ox.Triple(span[r], label, ox.Literal(text, language="zh"))
              for r, text in (("first", "一、一般公共服务支出"), ("second", "二、教育支出"),
                              ("subtotal", "当年收入小计"), ("subtotal", "当年支出小计"),
                              ("total", "支出合计"), ("sum", "当年支出小计"))]
    added += [ox.Triple(span[c], bk("header"), ox.Literal(text, language="zh"))
              for c, text in (("function", "功能分类 / 金额"), ("use", "支出用途 / 金额"))]
    added += [ox.Triple(table, bk("identity"), span["sum"]),
              ox.Triple(span["sum"], ox.NamedNode(str(RDF.type)), bk("RowSum")),
              ox.Triple(span["sum"], bk("totalRow"), span["subtotal"]),
              ox.Triple(span["sum"], bk("inColumn"), span["function"]),
              ox.Triple(span["sum"], bk("totalInColumn"), span["use"]),
              *(ox.Triple(span["sum"], bk("partRow"), span[r]) for r in ("first", "second")),
              ox.Triple(table, bk("identity"), span["over"]),
              ox.Triple(span["over"], ox.NamedNode(str(RDF.type)), bk("RowSum")),
              ox.Triple(span["over"], bk("totalRow"), span["total"]),
              ox.Triple(span["over"], bk("inColumn"), span["use"]),
              ox.Triple(span["over"], bk("partRow"), span["subtotal"])]
    for r, c, amount in (("first", "function", "30"), ("second", "function", "20"),
                         ("subtotal", "use", "55"), ("total", "use", "55")):
        added += printed(f"span/{r}/{c}", span[r], span[c], amount)
    notation = ox.NamedNode("http://www.w3.org/2004/02/skos/core#notation")
    for code in ("229", "22999"):
        added.append(ox.Triple(ox.NamedNode(f"{codelist}function/{code}"), notation,
                               ox.Literal(code)))
    cell("parent", "10", functionalClassification=ox.NamedNode(f"{codelist}function/229"))
    cell("child", "12", functionalClassification=ox.NamedNode(f"{codelist}function/22999"))
    # 301 over its 款 fails (60 vs 35 + 30) while 人员经费合计 over 301 and 303 holds (100 = 60 +
    # 40): the 款 are suspects (SuspectPart)
    staff = ox.NamedNode(f"{BASE}unsummed/staff/column")
    added += [ox.Triple(staff, bk("header"), ox.Literal("决算数", language="zh")),
              ox.Triple(staff, bk("inTable"), table)]
    rows = {name: ox.NamedNode(f"{BASE}unsummed/staff/{name}") for name in (
        "total", "301", "303", "30101", "30102")}
    added.append(ox.Triple(rows["total"], label, ox.Literal("人员经费合计", language="zh")))
    identity = ox.NamedNode(f"{BASE}unsummed/staff/identity")
    added += [ox.Triple(table, bk("identity"), identity),
              ox.Triple(identity, ox.NamedNode(str(RDF.type)), bk("RowSum")),
              ox.Triple(identity, bk("totalRow"), rows["total"]),
              ox.Triple(identity, bk("inColumn"), staff),
              *(ox.Triple(identity, bk("partRow"), rows[r]) for r in ("301", "303"))]
    for name, amount in (("total", "100"), ("301", "60"), ("303", "40"), ("30101", "35"),
                         ("30102", "30")):
        added += printed(f"staff/{name}/cell", rows[name], staff, amount)
        node = ox.NamedNode(f"{BASE}unsummed/staff/{name}/cell")
        if name != "total":
            concept = ox.NamedNode(f"{codelist}dept-economic/{name}")
            added += [ox.Triple(node, bk("deptEconomicClassification"), concept),
                      ox.Triple(concept, notation, ox.Literal(name))]
    return [*triples, *added]


@pytest.fixture(scope="module")
def sample() -> list[ox.Triple]:
    doc = _inconsistent(shrunk(pipeline.normalised((EXAMPLE,)), ROWS))
    return _incomplete(_unsummed(_misnamed(pipeline.convert_document(doc, BASE)[2])))


def test_the_sample_gives_every_shape_a_finding(sample: list[ox.Triple]) -> None:
    found = {f.shape for f in validate.validate(sample).findings}
    assert sorted(s.removeprefix(SHAPES) for s in validate.finding_shapes() - found) == []


def test_both_engines_give_the_same_report_on_the_sample(sample: list[ox.Triple]) -> None:
    fast = validate.validate(sample, "fast").findings
    done: list[str] = []
    reference = validate.validate(sample, "pyshacl", progress=done.append).findings
    assert fast == reference  # messages (zh, en), focus, value, severity, shape and place
    assert all(f.message_zh and f.message_en for f in fast)
    assert done == list(validate.shape_names())


def test_the_reference_engine_fills_every_variable_of_a_message() -> None:
    """pyshacl drops the language of a filled template and prints decimals as Python does;
    the reference engine fills the shapes' own templates from the bindings (issue 16: it
    printed "EmptyTableNote:  / ")."""
    graph = rdflib.Graph()
    bk = rdflib.Namespace(BK)
    table = rdflib.URIRef("https://example.org/table")
    cell = rdflib.URIRef("https://example.org/cell")
    graph.add((table, RDF.type, bk.BudgetTable))
    graph.add((table, bk.note, rdflib.Literal("本表无数据", lang="zh")))
    graph.add((cell, rdflib.URIRef("http://purl.org/linked-data/cube#dataSet"), table))
    graph.add((cell, bk.printedAmount, rdflib.Literal("47.910", datatype=rdflib.XSD.decimal)))
    triples = list(ox.parse(graph.serialize(format="nt").encode(),
                            format=ox.RdfFormat.N_TRIPLES))
    [fast] = validate.validate(triples).findings
    [reference] = validate.validate(triples, "pyshacl").findings
    assert reference == fast
    assert fast.message_zh == "表注说明为空表，但表中有金额：47.91"
    assert fast.message_en == "the note says the table is empty but it prints amounts: 47.91"


def test_validate_with_pyshacl_prints_the_fast_engines_report_and_its_progress(
        tmp_path: Path) -> None:
    """The same lines from both engines (but the engine's name), and the reference engine's
    progress on stderr: one line per shape when stderr is no terminal."""
    bk = rdflib.Namespace(BK)
    graph = rdflib.Graph()
    document, table = (rdflib.URIRef(f"https://example.org/{n}") for n in ("doc", "doc/table"))
    cell = rdflib.URIRef("https://example.org/doc/table/cell")
    graph.add((document, RDF.type, bk.BudgetDocument))
    graph.add((table, RDF.type, bk.BudgetTable))
    graph.add((table, bk.document, document))
    graph.add((table, bk.note, rdflib.Literal("本表为空表", lang="zh")))
    graph.add((cell, rdflib.URIRef("http://purl.org/linked-data/cube#dataSet"), table))
    graph.add((cell, bk.printedAmount, rdflib.Literal("12.50", datatype=rdflib.XSD.decimal)))
    dump = tmp_path / "doc.nt"
    graph.serialize(dump, format="nt", encoding="utf-8")
    fast, reference = (CliRunner().invoke(app, ["validate", str(dump), "--engine", engine])
                       for engine in ("fast", "pyshacl"))
    assert (fast.exit_code, reference.exit_code) == (1, 1)
    assert "EmptyTableNote: 表注说明为空表，但表中有金额：12.5 / the note says" in fast.stdout
    assert reference.stdout == fast.stdout.replace("engine fast", "engine pyshacl")
    shapes = validate.shape_names()
    lines = [line for line in reference.stderr.splitlines() if line.startswith("validate")]
    assert len(lines) == len(shapes)
    assert lines[-1].startswith(f"validate (pyshacl): {len(shapes)}/{len(shapes)} finished "
                                f"{document}: ")
    assert not fast.stderr
