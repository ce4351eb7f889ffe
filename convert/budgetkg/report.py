"""Renders a ValidationReport: text (one line a finding), JSON (codes = shape and severity IRIs)
or RDF (an sh:ValidationReport published beside the dumps and linked from the dataset). The words
are those of validate.WORDS: a finding is an inconsistency (不一致) of the document."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox

from budgetkg.errors import OutputError
from budgetkg.iris import DQV, RDF_TYPE, RDFS, SH, digest
from budgetkg.validate import WORDS, Finding, ValidationReport

BKS = "https://w3id.org/budgetkg/shapes/"
FORMATS = ("text", "json", "turtle")


def report_iri(document: str) -> str:
    return f"{document}/report"


def text(report: ValidationReport, source: str = "") -> str:
    """One line a finding: what it is (INCONSISTENCY 不一致, WARNING 警告), table and row as
    printed, code, zh and en message."""
    lines = []
    for f in report.findings:
        where = " ".join(part for part in (f"«{f.table}»" if f.table else "",
                                             f"[{f.row}]" if f.row else "") if part)
        code = f.shape.removeprefix(BKS)
        english, _, chinese = WORDS.get(f.severity, (f.severity, "", ""))
        lines.append(f"{english.upper()} {chinese} {where} {code}: {f.message_zh} / "
                     f"{f.message_en}")
    head = f"{source}: " if source else ""
    lines.append(f"{head}{'conforms' if report.conforms else 'does not conform'} "
                 f"({report.summary}; engine {report.engine})")
    return "\n".join(lines) + "\n"


def as_json(report: ValidationReport) -> list[dict[str, object]]:
    return [
        {"severity": SH + f.severity, "code": f.shape, "focus": f.focus, "value": f.value,
         "table": f.table, "row": f.row, "message": {"zh": f.message_zh, "en": f.message_en}}
        for f in report.findings
    ]


def json_text(reports: dict[str, ValidationReport]) -> str:
    data = {name: {"conforms": r.conforms, "summary": r.summary, "engine": r.engine,
                   "findings": as_json(r)} for name, r in reports.items()}
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def triples(report: ValidationReport, document: str) -> list[ox.Triple]:
    """The report as an sh:ValidationReport that is also a dqv:QualityAnnotation of the dataset."""
    node = ox.NamedNode
    iri = node(report_iri(document))
    out = [
        ox.Triple(iri, node(RDF_TYPE), node(SH + "ValidationReport")),
        ox.Triple(iri, node(RDF_TYPE), node(DQV + "QualityAnnotation")),
        ox.Triple(iri, node(SH + "conforms"), ox.Literal(
            "true" if report.conforms else "false",
            datatype=node("http://www.w3.org/2001/XMLSchema#boolean"))),
        ox.Triple(iri, node("http://www.w3.org/ns/oa#hasTarget"), node(document)),
        ox.Triple(iri, node(RDFS + "comment"), ox.Literal(report.summary, language="en")),
    ]
    for f in report.findings:
        result = node(f"{report_iri(document)}/result/"
                      f"{digest(*f.key, f.message_en, size=16)}")
        out += [
            ox.Triple(iri, node(SH + "result"), result),
            ox.Triple(result, node(RDF_TYPE), node(SH + "ValidationResult")),
            ox.Triple(result, node(SH + "resultSeverity"), node(SH + f.severity)),
            ox.Triple(result, node(SH + "sourceShape"), node(f.shape)),
            ox.Triple(result, node(SH + "focusNode"), node(f.focus)),
            ox.Triple(result, node(SH + "resultMessage"), ox.Literal(f.message_zh, language="zh")),
            ox.Triple(result, node(SH + "resultMessage"), ox.Literal(f.message_en, language="en")),
        ]
        if f.value:
            value: ox.NamedNode | ox.Literal = (
                node(f.value) if f.value.startswith(("http://", "https://"))
                else ox.Literal(f.value))
            out.append(ox.Triple(result, node(SH + "value"), value))
    return sorted(set(out), key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def link(document: str) -> ox.Triple:
    """The dataset's pointer to its report (so a portal can show "3 inconsistencies")."""
    return ox.Triple(ox.NamedNode(document), ox.NamedNode(DQV + "hasQualityAnnotation"),
                     ox.NamedNode(report_iri(document)))


def turtle(report: ValidationReport, document: str) -> bytes:
    data = ox.serialize(triples(report, document), format=ox.RdfFormat.TURTLE,
                        prefixes={"sh": SH, "dqv": DQV, "rdfs": RDFS, "bks": BKS})
    assert data is not None
    return data


def read(path: Path, engine: str) -> ValidationReport:
    """A report written by turtle() read back: its findings without their places (the table and
    row as printed are not in the RDF; turtle() does not need them)."""
    results: dict[str, dict[str, str]] = defaultdict(dict)
    try:
        for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            name = t.predicate.value.removeprefix(SH)
            if isinstance(t.subject, ox.NamedNode) and name in (
                    "resultSeverity", "sourceShape", "focusNode", "value", "resultMessage"):
                language = t.object.language if isinstance(t.object, ox.Literal) else None
                key = f"{name}@{language}" if language else name
                results[t.subject.value][key] = str(t.object.value)
    except (SyntaxError, ValueError, OSError) as exc:
        raise OutputError(path, f"cannot read the report: {exc}".splitlines()[0]) from exc
    findings = [Finding(r["resultSeverity"].removeprefix(SH), r["sourceShape"], r["focusNode"],
                        r.get("value", ""), r.get("resultMessage@zh", ""),
                        r.get("resultMessage@en", ""))
                for r in results.values() if "resultSeverity" in r]
    return ValidationReport(engine, sorted(findings, key=lambda f: f.key))
