"""Reads the narrative of any input form: the organisation's responsibilities, divisions and
units, and every figure stated in 情况说明 (mappings/narrative.yaml, mappings/document.yaml)."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal
from typing import Any

from budgetkg.cells import rejoin_wrapped
from budgetkg.tables import Organisation, Statement, TextLine

_SENTENCE_END = ("。", "；", "：", ":", "！", "？")


def paragraphs(lines: tuple[TextLine, ...], doc: dict[str, Any]) -> tuple[TextLine, ...]:
    """Re-join a paragraph that a page break cut in two (the first part ends mid-sentence and
    is long, the second starts no part): a text extraction prints a paragraph a line, a PDF's
    reader has joined its lines already."""
    parts = [re.compile(p) for p in doc["parts"].values()]
    merged: list[TextLine] = []
    for line in lines:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and previous.file == line.file
            and not previous.text.endswith(_SENTENCE_END)
            and len(previous.text) > 40
            and not any(p.search(line.text) for p in parts)
        ):
            merged[-1] = replace(previous, text=previous.text + line.text)
        else:
            merged.append(line)
    return tuple(merged)


def _part_of(lines: tuple[TextLine, ...], doc: dict[str, Any]) -> list[tuple[str, TextLine]]:
    """Each line with the document part it belongs to (overview, explanation, glossary …)."""
    patterns = {name: re.compile(p) for name, p in doc["parts"].items()}
    part = ""
    out = []
    for line in lines:
        part = next((name for name, p in patterns.items() if p.search(line.text)), part)
        out.append((part, line))
    return out


def organisation(
    name: str, lines: tuple[TextLine, ...], doc: dict[str, Any], rules: dict[str, Any]
) -> Organisation:
    """Responsibilities, internal divisions and named budget units from the overview part."""
    responsibilities: list[str] = []
    divisions_found: list[str] = []
    unit_names: list[str] = []
    section = re.compile(rules["section_heading"])
    resp = rules["responsibilities"]
    item = re.compile(resp["item"])
    unit_heading = re.compile(rules["units"]["heading"])
    unit_item = re.compile(rules["units"]["item"])
    divisions = re.compile(rules["divisions"]["pattern"])
    heading_chars = int(rules["section_heading_chars"])
    part_heading = [re.compile(p) for p in doc["parts"].values()]
    in_resp = in_units = False
    for part, line in _part_of(lines, doc):
        text = line.text
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
            responsibilities.append(m["text"].strip())
            continue
        if m := divisions.search(text):
            divisions_found.extend(
                d.strip() for d in m["list"].split(rules["divisions"]["separator"]) if d.strip()
            )
        if unit_heading.search(text):
            in_units = True
            continue
        if in_units and (m := unit_item.match(text)):
            unit_names.append(m["name"].strip())
    return Organisation(name, responsibilities=tuple(responsibilities),
                        divisions=tuple(divisions_found), unit_names=tuple(unit_names))


_QUOTES = re.compile(r"[“”\"]")


def _in_aside(text: str) -> bool:
    """Whether the end of `text` is within brackets it opens and does not close."""
    return text.count("（") + text.count("(") > text.count("）") + text.count(")")


def statements(
    lines: tuple[TextLine, ...], doc: dict[str, Any], rules: dict[str, Any], organisation: str
) -> tuple[Statement, ...]:
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
    rates: dict[str, int] = rules["rates"]
    phase_words = sorted(rules["phase_words"].items(), key=lambda item: -len(item[0]))
    not_after = tuple(rules["not_a_figure_after"])

    item_heading = re.compile(rules["item_heading"])
    units_as_printed: dict[str, str] = rules["units_as_printed"]
    org_suffix = re.compile(rules["organisation_suffix"])
    unchanged_subject = re.compile(rules["unchanged_subject"])
    phase_only = re.compile(rules["phase_only_subject"])
    earlier_amount = re.compile(rules["earlier_amount"])

    def clean(lead: str) -> str:
        """The subject of a figure: its clause without the organisation and filler words."""
        lead = lead.replace(organisation, "")
        return strip_re.sub("", org_suffix.sub("", lead)).strip()

    forms = rules["classified_item"]
    classified = [re.compile(p) for p in ([forms] if isinstance(forms, str) else forms)]
    outer_re = re.compile(rules["outer_heading"]) if rules.get("outer_heading") else None

    def classify(subject: str) -> tuple[str, str]:
        """(subject, topic): a 类/款/项 item becomes its names joined by " / "."""
        for pattern in classified:
            if m := pattern.match(subject):
                names = [m[g].strip() for g in ("l1", "l2", "l3") if m[g]]
                return " / ".join(names), str(rules["classified_topic"])
        return subject, topic_of(subject)

    def topic_of(subject: str) -> str:
        return next((tid for tid, pattern in topics if pattern.search(subject)), "")

    part_heading = [re.compile(p) for p in doc["parts"].values()]
    out: list[Statement] = []
    section = outer = ""
    for part, line in _part_of(lines, doc):
        text = line.text
        if part != "explanation":
            continue
        if any(p.search(text) for p in part_heading) or (
            section_re.match(text) and len(text) <= heading_chars
        ):
            section = text
            if outer_re is None or outer_re.match(text) or any(
                    p.search(text) for p in part_heading):
                outer = text
            # a heading stating a figure states it too: （一）收入预算总计28849.38万元。包括：
            if not figure_re.search(text):
                continue
        last_subject = item = ""
        pieces = re.split(f"({rules['sentence_split']})", text)
        for sentence, ends in zip(pieces[::2], [*pieces[1::2], ""], strict=True):
            sentence = rejoin_wrapped(sentence)
            if not sentence:
                continue
            if not figure_re.search(sentence) and classify(clean(sentence))[1] == rules[
                    "classified_topic"]:
                item = clean(sentence)  # 1、一般公共服务支出（类）财政事务（款）行政运行（项）。
                continue
            cursor = 0
            in_sentence = ""
            heading = item_heading.match(sentence)
            for m in figure_re.finditer(sentence):
                if sentence[m.end() :].startswith(not_after):
                    continue
                lead_text = sentence[cursor : m.start()]
                clauses = clause_re.split(lead_text)
                lead = clauses[-1].strip() if clauses else ""
                unit = units_as_printed.get(m["unit"], m["unit"])
                kind, sign, whole = ("count" if unit in counts else "amount"), 1, ""
                for name, pattern, msign, amount_only in measures:
                    if (found := pattern.search(lead)) and (unit not in rates or not amount_only):
                        kind, sign = name, msign
                        whole = _QUOTES.sub("", found.groupdict().get("whole") or "")
                        lead = pattern.sub("", lead)
                        break
                if kind == "share" and unit != "%":
                    kind = "amount"
                if rates.get(unit, 1) > 1 and kind != "growth":
                    cursor = m.end()  # 是上年的2倍: a ratio, not a growth
                    continue
                if kind == "amount" and earlier_amount.search(lead):
                    kind = "earlier-amount"  # 比上年预算数1400.00万元: another year's figure
                subject = clean(lead)
                if not subject and kind == "count":
                    subject = clean(clause_re.split(sentence[m.end() :])[0])
                subject = (heading["subject"] if heading else subject) or last_subject
                if not subject or phase_only.match(subject):  # 年初预算为…，支出决算为…: one thing
                    subject = in_sentence or item or subject
                if not subject and unit == "%" and kind == "amount":
                    cursor = m.end()  # a chart's label (项目支出,34.20%): a rate of nothing said
                    continue
                if not _in_aside(lead_text):  # （上年仅安排140.2万元）: not the subject after it
                    last_subject = in_sentence = subject
                value = Decimal(m["value"].replace(",", "")) * sign
                subject, topic = classify(subject)
                phase = next((p for word, p in phase_words if word in lead), "")
                out.append(Statement(section, subject, topic, kind, value, unit, sentence,
                                     line.line, line.page, line.file, phase,
                                     whole if kind == "share" else "", outer, ends))
                cursor = m.end()
            for clause in clause_re.split(sentence):
                if unchanged_re.search(clause):
                    own = unchanged_subject.match(clause)
                    subject = (clean(own["subject"]) if own else "") or last_subject
                    if not subject:
                        subject = section
                    out.append(
                        Statement(section, subject, topic_of(subject) or topic_of(section),
                                  "change", Decimal(0), "万元", sentence, line.line, line.page,
                                  line.file, ends=ends)
                    )
                    break
    return tuple(out)
