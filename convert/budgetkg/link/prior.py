"""Figures of an earlier year implied by the narrative: a stated amount and its stated change
against a named year give that year's figure (amount - change); a growth rate alone gives
amount / (1 + rate). The comparison words come from mappings/links.yaml."""

from __future__ import annotations

import re
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import Any

from budgetkg.tables import Document, PriorFigure, Statement

_CENT = Decimal("0.01")  # the printed precision of an amount, in its unit


def _key(st: Statement) -> tuple[str, str]:
    """What a change and its amount share: the section and the topic (else the subject)."""
    return st.section, st.topic or st.subject


def _amount_for(doc: Document, index: int, money: dict[str, str]) -> int | None:
    """The stated amount a change or growth rate refers to: same section and topic, printed in
    the same paragraph before it if any, else the last one before it in the section; with
    none, the last amount of its paragraph before it (省检察院财政拨款预算支出21940.96万元…。与上年
    相比，财政拨款支出增加3643.5万元: the paragraph's subject, in other words)."""
    change = doc.statements[index]
    candidates = [i for i, st in enumerate(doc.statements)
                  if st.measure == "amount" and st.unit in money and _key(st) == _key(change)]
    before = [i for i in candidates if i < index]
    same_line = [i for i in before if doc.statements[i].line == change.line]
    chosen = same_line or before or candidates
    if not chosen:
        chosen = [i for i, st in enumerate(doc.statements[:index])
                  if st.measure == "amount" and st.unit in money and st.line == change.line
                  and st.section == change.section and st.file == change.file]
    return chosen[-1] if chosen else None


def _from_change(amount: Statement, change: Statement, factors: dict[str, Decimal]) -> (
    tuple[Decimal, Decimal]
):
    """(value, tolerance): this year's amount minus the change, both rounded to 0.01."""
    in_unit = change.value * factors[change.unit] / factors[amount.unit]
    return amount.value - in_unit, 2 * _CENT


def _from_growth(amount: Statement, growth: Statement) -> tuple[Decimal, Decimal] | None:
    """(value, tolerance): this year's amount over 1 + rate, the rate rounded to 0.01 %."""
    ratio = 1 + growth.value / 100
    if ratio <= 0:
        return None
    value = (amount.value / ratio).quantize(_CENT, rounding=ROUND_HALF_UP)
    spread = _CENT / 2 / ratio + amount.value * Decimal("0.00005") / ratio**2 + _CENT
    return value, spread.quantize(_CENT, rounding=ROUND_CEILING)


def derive(doc: Document, rules: dict[str, Any], money: dict[str, str],
           factors: dict[str, Decimal]) -> tuple[PriorFigure, ...]:
    """One earlier-year figure per stated amount that a change (else a growth rate) compares
    with a year the sentence names. `money` maps a printed money unit to its unit concept id,
    `factors` a printed money unit to 元 per unit."""
    spec = rules["prior_year"]
    comparison = re.compile(spec["comparison"])
    found: dict[int, PriorFigure] = {}
    for index, st in enumerate(doc.statements):
        if st.measure not in ("change", "growth") or not (m := comparison.search(st.sentence)):
            continue
        if (st.measure == "change" and st.unit not in money) or (
                st.measure == "growth" and st.unit != "%"):  # 增长16倍: too coarse to derive from
            continue
        amount_index = _amount_for(doc, index, money)
        if amount_index is None or (st.measure == "growth" and amount_index in found):
            continue
        amount = doc.statements[amount_index]
        derived = (_from_change(amount, st, factors) if st.measure == "change"
                   else _from_growth(amount, st))
        if derived is None:
            continue
        year = int(m["year"]) if m["year"] else doc.year - 1
        phase = spec["basis"][m["basis"]] if m["basis"] else doc.phase
        found[amount_index] = PriorFigure(year, phase, derived[0], derived[1], st.measure,
                                          m.group(0), amount_index, index)
    return tuple(found[i] for i in sorted(found))
