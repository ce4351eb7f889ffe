"""Reads the narrative of any input form: title, organisation, and every figure stated in 情况说明.

All patterns come from mappings/document.yaml and mappings/narrative.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from budgetkg.normalise import rejoin_wrapped
from budgetkg.tables import Organisation, Statement

_SENTENCE_END = ("。", "；", "：", ":", "！", "？")


@dataclass(frozen=True)
class Heading:
    """What the narrative says about the document itself."""

    title: str
    year: int
    phase: str
    organisation: str
    issued: str


def paragraphs(lines: tuple[tuple[int, str], ...], doc: dict[str, Any]) -> list[tuple[int, str]]:
    """Re-join a paragraph that a page break cut in two (the first part ends mid-sentence)."""
    parts = [re.compile(p) for p in doc["parts"].values()]
    merged: list[tuple[int, str]] = []
    for number, text in lines:
        previous = merged[-1][1] if merged else ""
        if (
            merged
            and not previous.endswith(_SENTENCE_END)
            and len(previous) > 40
            and not any(p.search(text) for p in parts)
        ):
            merged[-1] = (merged[-1][0], previous + text)
        else:
            merged.append((number, text))
    return merged


def heading(lines: list[tuple[int, str]], meta: list[str], doc: dict[str, Any]) -> (
    Heading | None
):
    """Title, year, phase, organisation and issue date, from the first lines that state them.

    The organisation is the one a line or a table's meta names (预算主管部门：…, 部门名称：…);
    else the one inside the title (2026年度济源…局部门预算说明).
    """
    titles = [re.compile(p) for p in doc["title"]["patterns"]]
    organisations = [re.compile(p) for p in doc["organisation_patterns"]]
    issued_re = re.compile(doc["issued"])
    title: re.Match[str] | None = None
    title_text = ""
    organisation = ""
    issued = ""
    for text in [t for _, t in lines] + meta:
        if title is None:
            for pattern in titles:
                if m := pattern.search(text):
                    title, title_text = m, text
                    break
        if not organisation:
            for pattern in organisations:
                if m := pattern.search(text):
                    organisation = m["name"]
                    break
        if not issued and (d := issued_re.match(text)):
            issued = f"{int(d['year']):04d}-{int(d['month']):02d}-{int(d['day']):02d}"
    if title is None:
        return None
    named = title.groupdict().get("organisation") or ""
    organisation = organisation or named
    if not organisation:
        return None
    return Heading(title_text, int(title["year"]), doc["phases"][title["phase"]], organisation,
                   issued)


def _part_of(lines: list[tuple[int, str]], doc: dict[str, Any]) -> list[tuple[str, int, str]]:
    """Each line with the document part it belongs to (overview, explanation, glossary …)."""
    patterns = {name: re.compile(p) for name, p in doc["parts"].items()}
    part = ""
    out = []
    for number, text in lines:
        part = next((name for name, p in patterns.items() if p.search(text)), part)
        out.append((part, number, text))
    return out


def organisation(
    name: str, lines: list[tuple[int, str]], doc: dict[str, Any], rules: dict[str, Any]
) -> Organisation:
    """Responsibilities, internal divisions and named budget units from the overview part."""
    org = Organisation(name=name)
    section = re.compile(rules["section_heading"])
    resp = rules["responsibilities"]
    item = re.compile(resp["item"])
    unit_heading = re.compile(rules["units"]["heading"])
    unit_item = re.compile(rules["units"]["item"])
    divisions = re.compile(rules["divisions"]["pattern"])
    heading_chars = int(rules["section_heading_chars"])
    part_heading = [re.compile(p) for p in doc["parts"].values()]
    in_resp = in_units = False
    for part, _, text in _part_of(lines, doc):
        if part != "overview" or any(p.search(text) for p in part_heading):
            in_resp = in_units = False
            if part != "overview":
                continue
        is_heading = (bool(section.match(text)) and len(text) <= heading_chars
                      and not text.endswith("。"))
        if re.search(resp["heading"], text) and (is_heading or not item.match(text)):
            in_resp, in_units = True, False
            continue
        if is_heading:
            in_resp = False
        if in_resp and (m := item.match(text)):
            org.responsibilities.append(m["text"].strip())
            continue
        if m := divisions.search(text):
            org.divisions.extend(
                d.strip() for d in m["list"].split(rules["divisions"]["separator"]) if d.strip()
            )
        if unit_heading.search(text):
            in_units = True
            continue
        if in_units and (m := unit_item.match(text)):
            org.unit_names.append(m["name"].strip())
    return org


def statements(
    lines: list[tuple[int, str]], doc: dict[str, Any], rules: dict[str, Any], organisation: str
) -> list[Statement]:
    """Every figure stated in the explanation part, each with its sentence."""
    section_re = re.compile(rules["section_heading"])
    heading_chars = int(rules["section_heading_chars"])
    figure_re = re.compile(rules["figure"])
    clause_re = re.compile(rules["clause_split"])
    strip_re = re.compile(rules["subject_strip"])
    unchanged_re = re.compile(rules["unchanged"])
    measures = [
        (m["kind"], re.compile(m["lead"]), int(m.get("sign", 1)), bool(m.get("amount_only")))
        for m in rules["measures"]
    ]
    topics = [(t["id"], re.compile(t["subject"])) for t in rules["topics"]]
    counts = set(rules["counts"])
    not_after = tuple(rules["not_a_figure_after"])

    org_suffix = re.compile(rules["organisation_suffix"])
    unchanged_subject = re.compile(rules["unchanged_subject"])

    def clean(lead: str) -> str:
        """The subject of a figure: its clause without the organisation and filler words."""
        lead = lead.replace(organisation, "")
        return strip_re.sub("", org_suffix.sub("", lead)).strip()

    classified = re.compile(rules["classified_item"])

    def classify(subject: str) -> tuple[str, str]:
        """(subject, topic): a 类/款/项 item becomes its names joined by " / "."""
        if m := classified.match(subject):
            names = [m[g].strip() for g in ("l1", "l2", "l3") if m[g]]
            return " / ".join(names), str(rules["classified_topic"])
        return subject, topic_of(subject)

    def topic_of(subject: str) -> str:
        return next((tid for tid, pattern in topics if pattern.search(subject)), "")

    part_heading = [re.compile(p) for p in doc["parts"].values()]
    out: list[Statement] = []
    section = ""
    for part, number, text in _part_of(lines, doc):
        if part != "explanation":
            continue
        if any(p.search(text) for p in part_heading) or (
            section_re.match(text) and len(text) <= heading_chars
        ):
            section = text
            continue
        last_subject = ""
        for sentence in re.split(rules["sentence_split"], text):
            sentence = rejoin_wrapped(sentence)
            if not sentence:
                continue
            cursor = 0
            for m in figure_re.finditer(sentence):
                if sentence[m.end() :].startswith(not_after):
                    continue
                lead_text = sentence[cursor : m.start()]
                clauses = clause_re.split(lead_text)
                lead = clauses[-1].strip() if clauses else ""
                unit = m["unit"]
                kind, sign = ("count" if unit in counts else "amount"), 1
                for name, pattern, msign, amount_only in measures:
                    if pattern.search(lead) and (unit != "%" or not amount_only):
                        kind, sign = name, msign
                        lead = pattern.sub("", lead)
                        break
                if kind == "share" and unit != "%":
                    kind = "amount"
                subject = clean(lead)
                if not subject and kind == "count":
                    subject = clean(clause_re.split(sentence[m.end() :])[0])
                subject = subject or last_subject
                last_subject = subject
                value = Decimal(m["value"].replace(",", "")) * sign
                subject, topic = classify(subject)
                out.append(Statement(section, subject, topic, kind, value, unit, sentence, number))
                cursor = m.end()
            for clause in clause_re.split(sentence):
                if unchanged_re.search(clause):
                    own = unchanged_subject.match(clause)
                    subject = (clean(own["subject"]) if own else "") or last_subject
                    if not subject:
                        subject = section
                    out.append(
                        Statement(section, subject, topic_of(subject) or topic_of(section),
                                  "change", Decimal(0), "万元", sentence, number)
                    )
                    break
    return out
