"""The fact layer: each distinct fiscal fact a document prints, once, with every dimension of
its structure, its amount and its aggregation level; the cells stating it point to it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from budgetkg.iris import QB, concept, digest, scheme, term
from budgetkg.map.graph import (
    CNY,
    CODE_PROPERTY,
    FACT_TOTALS,
    Context,
    Fact,
    Value,
    fact_key,
    half_digit,
    lit,
    unlisted,
)
from budgetkg.tables import Amount, BudgetTable, Column, Row
from budgetkg.vocab import codelists

# The fact layer: each fact is an observation of its document's fact set of its kind (its
# operation), under the kind's structure in ontology/budgetkg.ttl.
FACT_STRUCTURES = {"expenditure": "ExpenditureFactStructure", "income": "IncomeFactStructure"}

# The dimensions a grand total may be broken down by, in the order the leaves are sought in.
BREAKDOWNS = ("functionalClassification", "fundingSource", "expenditureType", "budgetUnit",
              "deptEconomicClassification", "govEconomicClassification", "project")

FISCAL_YEAR_INTERVAL = "http://reference.data.gov.uk/id/year/"

OBEU_DIMENSION = "http://data.openbudgets.eu/ontology/dsd/dimension/"


def states_a_fact(ctx: Context, table: BudgetTable, row: Row, column: Column,
                   terms: list[tuple[str, str]], table_terms: list[tuple[str, str]]) -> bool:
    """A cell states a fiscal fact when its figure says income or expenditure, and its row is
    a total, or says what it is (a code, a unit, a project, words of the vocabulary), or is
    the only kind of row its table has (no label, no text beside the amounts): a named row the
    vocabulary does not know would otherwise pass for its table's total. In a table of a part
    of the budget (三公: `part` in kinds.yaml) whose title names no expenditure type (“三公”经费、
    会议费、培训费), the words of the cell's row or column must say which part: its bare 合计 is
    not the budget's total."""
    if not any(p == term("operationCharacter") for p, _ in terms):
        return False
    if ctx.mappings.kind(table.kind).part and not any(
            t[0] == term("expenditureType") for t in table_terms) and not any(
            t not in table_terms and t[0] != term("budgetPhase") for t in terms):
        return False
    named = column.block in row.named or (column.block == 0 and bool(row.named))
    unlabelled = not row.label and not any(c.role in ("label", "text") for c in table.columns)
    return row.total or unlabelled or bool(row.codes or row.unit or named)


@dataclass(frozen=True)
class CellStatement:
    """A cell stating a fact: its observation, the fact's key, its amount and place."""

    obs: str
    key: tuple[tuple[str, str], ...]
    amount: Amount
    place: tuple[int, int, int]  # (table, row, column)


def cell_statement(ctx: Context, obs: str, terms: list[tuple[str, str]], dims: dict[str, Value],
               amount: Amount, place: tuple[int, int, int]) -> CellStatement:
    key = fact_key(ctx, {(p, v) for p, v in terms if p != term("budgetPhase")}
                    | {(term(d), str(v.value)) for d, v in dims.items()})
    return CellStatement(obs, key, amount, place)


def state(ctx: Context, stated: list[CellStatement]) -> None:
    """The observations of one row state the facts their dimensions name (one per document and
    key); two cells of a row naming the same fact are told apart by nothing the vocabulary
    knows, so neither states it."""
    keys = Counter(s.key for s in stated)
    for s in stated:
        if keys[s.key] > 1:
            continue
        fact = ctx.iri.fact(digest(*(f"{p} {v}" for p, v in s.key), size=16))
        ctx.graph.add(s.obs, term("statesFact"), fact)
        amount = s.amount
        assert amount.yuan is not None
        tolerance = half_digit(amount.printed) * (
            amount.yuan / amount.value if amount.value else codelists().yuan_factor[amount.unit])
        ctx.facts.setdefault(fact, Fact(s.key)).cells.append((s.place, amount.yuan, tolerance,
                                                               s.obs))


def build(ctx: Context) -> None:
    """Each fact with its dimensions and its amount: the one most of its cells print; on a
    tie, the one more of the narrative's statements restating it agree with (ctx.restated,
    within the rounding of both), then the first printed. A cell printing another is a finding
    of validation. The facts of one operation are the observations of the document's fact set
    of that kind."""
    g = ctx.graph
    if not ctx.facts:
        return
    amounts: dict[str, tuple[Decimal, Decimal]] = {}
    for fact, state in sorted(ctx.facts.items()):
        counts = Counter(amount for _, amount, _, _ in state.cells)
        first = {amount: place for place, amount, _, _ in sorted(state.cells, reverse=True)}
        slack = {a: min(t for _, b, t, _ in state.cells if b == a) for a in counts}
        said = Counter(a for a in counts for value, tolerance in ctx.restated.get(fact, [])
                       if abs(value - a) <= tolerance + slack[a])
        value = max(counts, key=lambda a: (counts[a], said[a], tuple(-p for p in first[a])))
        amounts[fact] = (value, slack[value])
    levels = _aggregation(ctx, amounts)
    exact, listed = codelists().exact, codelists()
    classes = {term(p) for p in CODE_PROPERTY.values()}
    for fact, state in sorted(ctx.facts.items()):
        dims = _dimensions(state.key)
        (operation,) = sorted(dims[term("operationCharacter")])[:1]
        kind = operation.rsplit("/", 1)[-1]
        dataset = f"{ctx.iri.facts}/{kind}"
        if kind in FACT_STRUCTURES:
            g.a(dataset, term("FactSet"))
            g.add(dataset, QB + "structure", term(FACT_STRUCTURES[kind]))
        g.add(dataset, term("document"), ctx.iri.document)
        g.a(fact, term("Fact"))
        g.add(fact, QB + "dataSet", dataset)
        for prop, dimension in state.key:
            if prop == term("fiscalYear"):
                g.add(fact, prop, lit(dimension, "gYear"))
                g.add(fact, term("fiscalPeriod"), FISCAL_YEAR_INTERVAL + dimension)
            else:
                g.add(fact, prop, dimension)
            if prop in classes and not listed.knows(dimension):
                # a class the words of a row name (其他商品和服务支出 -> 50299) that the lists
                # lack: a concept under its parent, as for a printed code
                unlisted(ctx, *dimension.removeprefix(scheme("")).split("/", 1))
            if dimension in exact and prop in (term("budgetPhase"),
                                               term("operationCharacter")):
                # OpenBudgets.eu's own code (obeu-budgetphase:approved…) beside ours
                g.add(fact, OBEU_DIMENSION + prop.removeprefix(term("")), exact[dimension])
        value, tolerance = amounts[fact]
        g.add(fact, term("amount"), lit(value))
        g.add(fact, term("tolerance"), lit(tolerance))
        g.add(fact, term("currency"), CNY)
        g.add(fact, term("aggregation"), concept("aggregation", levels.get(fact, "detail")))
        g.add(fact, term("cellCount"), lit(len(state.cells)))
        g.add(fact, term("seriesKey"), lit(digest(*(
            f"{p} {v}" for p, v in state.key if p not in _OF_THE_YEAR), size=16)))
        _funding_sum(ctx, fact, state)


_OF_THE_YEAR = {term("fiscalYear"), term("budgetPhase")}  # what seriesKey leaves out


_CLASSIFIED = {term(p) for p in CODE_PROPERTY.values()}


def _funding_sum(ctx: Context, fact: str, state: Fact) -> None:
    """A fact of a funding source that is the sum of others (财政拨款: codes.yaml funding_parts)
    gets the key of its sum (its dimensions but the funding source) as bk:fundingSumKey; a fact
    of one of its parts (一般公共预算, or 财政拨款 and 一般公共预算 where a row names both) the
    same key as bk:fundingPartKey, so that validation adds the parts of each sum. Only facts of
    a classification code: a total (支出合计) may count the carry-over in one table and not in
    another, a code's row is the year's (a classification's total, FACT_TOTALS, is no code)."""
    if not any(p in _CLASSIFIED for p, _ in set(state.key) - ctx.totals):
        return
    source = term("fundingSource")
    sources = {v for p, v in state.key if p == source}
    rest = [f"{p} {v}" for p, v in state.key if p != source]
    for total, parts in ctx.mappings.codes.get("funding_parts", {}).items():
        whole = concept("funding-source", total)
        named = sources - {whole}
        part_iris = {concept("funding-source", p) for p in parts}
        key = digest(whole, *rest, size=16)
        if sources == {whole}:
            ctx.graph.add(fact, term("fundingSumKey"), lit(key))
        elif len(named) == 1 and named <= part_iris:
            ctx.graph.add(fact, term("fundingPartKey"), lit(key))


_Dims = dict[str, frozenset[str]]


def _dimensions(key: tuple[tuple[str, str], ...]) -> _Dims:
    found: dict[str, set[str]] = {}
    for prop, value in key:
        found.setdefault(prop, set()).add(value)
    return {p: frozenset(v) for p, v in found.items()}


def _aggregation(ctx: Context, amounts: dict[str, tuple[Decimal, Decimal]]) -> dict[str, str]:
    """The aggregation level of each fact (codelist aggregation.ttl): per operation and phase,
    the grand total, the leaves (the finest facts of the first breakdown, in BREAKDOWNS order,
    that add up to it) and the subtotals; every other fact is a detail."""
    dims = {f: _dimensions(s.key) for f, s in ctx.facts.items()}
    totals = {term(d): {concept(*t.split("/"))} for d, t in FACT_TOTALS.items()}
    totals[term("budgetUnit")] = {ctx.iri.org}
    breakdowns = [term(d) for d in BREAKDOWNS]
    levels: dict[str, str] = {}
    # facts alike but in one dimension: (dimension, the others) -> facts
    alike: dict[tuple[str, tuple[tuple[str, frozenset[str]], ...]], list[str]] = {}
    for fact in sorted(dims):
        for d in breakdowns:
            others = tuple(sorted((p, v) for p, v in dims[fact].items() if p != d))
            alike.setdefault((d, others), []).append(fact)
    for (d, _), group in alike.items():
        for fact in group:
            if any(_refines(d, dims[o][d], dims[fact][d], totals[d]) for o in group):
                levels[fact] = "subtotal"
    with_carry = concept("coverage", "with-carry-over")
    grand: dict[tuple[frozenset[str], frozenset[str]], dict[str, str]] = {}
    for fact in sorted(dims):
        values = dims[fact]
        if all(values.get(p) == frozenset(v) for p, v in totals.items()
               if p != term("coverage")):
            phase_op = (values[term("budgetPhase")], values[term("operationCharacter")])
            cover = "with" if with_carry in values[term("coverage")] else "plain"
            grand.setdefault(phase_op, {})[cover] = fact
    for found in grand.values():
        candidates = [found[c] for c in ("with", "plain") if c in found]
        whole = candidates[0]
        leaves: list[str] = []
        for total in candidates:
            leaves = _leaves(total, dims, amounts, alike, breakdowns, totals)
            if leaves and total != whole:
                # the year's own total is the whole less what was carried over: its leaves
                # and the carried part (上年结转, 结转下年), a fact breaking the whole down
                leaves = _with_carried(whole, total, leaves, dims, amounts, alike, breakdowns,
                                       totals)
            if leaves:
                break
        for total in candidates:
            levels[total] = "total"
        for fact in leaves or [whole]:
            levels[fact] = "leaf"
    return levels


def _leaves(total: str, dims: dict[str, _Dims], amounts: dict[str, tuple[Decimal, Decimal]],
            alike: dict[tuple[str, tuple[tuple[str, frozenset[str]], ...]], list[str]],
            breakdowns: list[str], totals: dict[str, set[str]]) -> list[str]:
    """The finest facts of the first breakdown of `total` whose finest facts add up to it; or
    else of a fact that is the same money named more narrowly (the whole expenditure is the
    general budget's, which the functional classes break down), nearest first."""
    seen, frontier = {total}, [total]
    while frontier:
        for fact in frontier:
            if found := _breakdown(fact, dims, amounts, alike, breakdowns, totals):
                return found
        same = []
        for fact in frontier:
            value, tolerance = amounts[fact]
            for d in breakdowns:
                others = tuple(sorted((p, v) for p, v in dims[fact].items() if p != d))
                same += [f for f in alike.get((d, others), []) if f not in seen
                         and _refines(d, dims[f][d], dims[fact][d], totals[d])
                         and abs(amounts[f][0] - value) <= tolerance + amounts[f][1]]
        seen.update(same)
        frontier = sorted(set(same))
    return []


def _breakdown(total: str, dims: dict[str, _Dims], amounts: dict[str, tuple[Decimal, Decimal]],
               alike: dict[tuple[str, tuple[tuple[str, frozenset[str]], ...]], list[str]],
               breakdowns: list[str], totals: dict[str, set[str]]) -> list[str]:
    """The finest facts of the first breakdown of `total` that add up to it."""
    value, tolerance = amounts[total]
    for d in breakdowns:
        others = tuple(sorted((p, v) for p, v in dims[total].items() if p != d))
        group = [f for f in alike.get((d, others), []) if not dims[f][d] <= totals[d]]
        finest = [f for f in group
                  if not any(_refines(d, dims[o][d], dims[f][d], totals[d]) for o in group)]
        if len(finest) < 2:
            continue
        found = sum((amounts[f][0] for f in finest), Decimal(0))
        slack = tolerance + sum((amounts[f][1] for f in finest), Decimal(0))
        if abs(found - value) <= slack:
            return sorted(finest)
    return []


def _with_carried(whole: str, own: str, leaves: list[str], dims: dict[str, _Dims],
                  amounts: dict[str, tuple[Decimal, Decimal]],
                  alike: dict[tuple[str, tuple[tuple[str, frozenset[str]], ...]], list[str]],
                  breakdowns: list[str], totals: dict[str, set[str]]) -> list[str]:
    """The leaves of the year's own total and the one fact of a breakdown of the whole with
    carry-over whose amount is the difference; none when no such fact is printed."""
    value, tolerance = amounts[whole]
    difference = value - amounts[own][0]
    slack = tolerance + amounts[own][1]
    if abs(difference) <= slack:
        return leaves
    for d in breakdowns:
        others = tuple(sorted((p, v) for p, v in dims[whole].items() if p != d))
        for fact in alike.get((d, others), []):
            if not dims[fact][d] <= totals[d] and (
                    abs(amounts[fact][0] - difference) <= slack + amounts[fact][1]):
                return sorted([*leaves, fact])
    return []


def _refines(d: str, finer: frozenset[str], coarser: frozenset[str], total: set[str]) -> bool:
    """Whether values `finer` of dimension `d` break down values `coarser`: the total, fewer
    values of the same, or a concept (a longer code) under one of them."""
    if finer == coarser:
        return False
    if coarser <= total:
        return True
    if finer > coarser:
        return True
    above = codelists().broader
    return any(c in above.get(f, ()) or (f != c and f.startswith(c) and f[len(c):].isdigit())
               for f in finer - coarser for c in coarser - finer)
