"""The statements of the narrative (情况说明): each figure, the fact it restates or the whole it
is a share of, and the earlier-year figures a change implies."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal

import pyoxigraph as ox

from budgetkg.iris import PROV, concept, digest, term
from budgetkg.map.graph import (
    CODE_PROPERTY,
    Context,
    Fact,
    fact_key,
    half_digit,
    iri_pairs,
    lit,
    zh,
)
from budgetkg.tables import PriorFigure, Statement
from budgetkg.vocab import codelists


def statements(ctx: Context) -> list[str]:
    """Each narrative statement; their IRIs in the order of Document.statements."""
    g, iri = ctx.graph, ctx.iri
    seen: Counter[str] = Counter()
    out = []
    yuan: dict[str, str] = ctx.mappings.document["units"]
    rates: dict[str, int] = ctx.mappings.narrative["rates"]
    for st in ctx.doc.statements:
        key = digest(st.section, st.subject, st.measure, str(st.value), st.sentence, size=10)
        seen[key] += 1
        s = iri.statement(key if seen[key] == 1 else f"{key}-{seen[key]}")
        out.append(s)
        g.a(s, term("Statement"))
        g.add(s, term("document"), iri.document)
        g.add(s, term("section"), zh(st.section))
        g.add(s, term("subjectText"), zh(st.subject))
        if st.topic:
            g.add(s, term("statementTopic"), concept("statement-topic", st.topic))
        g.add(s, term("measureKind"), concept("measure-kind", st.measure))
        if st.phase:  # 年初预算为2993.92万元, 支出决算为2940.05万元
            g.add(s, term("budgetPhase"), concept("budget-phase", st.phase))
        rate = Decimal(rates.get(st.unit, 1))  # 增长16倍: 1600%, give or take 50%
        g.add(s, term("value"), lit(st.value * rate))
        g.add(s, term("unitText"), lit("%" if st.unit in rates else st.unit))
        factor = codelists().yuan_factor[yuan[st.unit]] if st.unit in yuan else Decimal(1)
        if st.unit in yuan:
            g.add(s, term("valueInYuan"), lit(st.value * factor))
        tolerance = Decimal(0) if st.measure == "count" else (  # 1辆 is exactly one
            half_digit(str(abs(st.value))) * factor * rate)
        g.add(s, term("tolerance"), lit(tolerance))
        g.add(s, term("sentence"), zh(st.sentence))
        g.add(s, term("sourceLine"), lit(st.line))  # the paragraph, also for a PDF's text form
        if st.page:
            g.add(s, term("sourcePage"), lit(st.page))
        if st.file:
            g.add(s, term("sourceFilePart"), lit(st.file + 1))
        fact = None
        if st.measure == "amount" and st.unit in yuan:
            fact = _restated(ctx, st) or _class_restated(ctx, st)
        if fact is not None:
            g.add(s, term("restates"), fact)
            ctx.restated.setdefault(fact, []).append((st.value * factor, tolerance))
        elif st.measure == "amount" and st.unit in yuan and (
                bound := _topic_terms(ctx, st.topic, "at_most")):
            fact = _fact_named(ctx, bound, "", st.phase)
            if fact is not None:  # 涉及项目预算资金: of the project expenditure
                g.add(s, term("atMost"), fact)
        if st.whole:
            g.add(s, term("wholeText"), zh(st.whole))
            whole = _whole(ctx, st)
            if whole is not None:
                g.add(s, term("shareOf"), whole)
    parts, openings = _parts(ctx)
    for part, wholes in parts.items():
        for of, complete in wholes:
            g.add(out[part], term("partOf"), out[of])
            if complete:  # all of a set (货物, 工程 and 服务) or closed by a total
                g.add(out[of], term("partsComplete"), lit(True))
    for part, opening in openings.items():  # …其中：a万元；b万元: b's sentence goes on a's list
        g.add(out[part], term("listOpening"), out[opening])
    for reason, change in _reasons(ctx).items():  # …增加4322.77万元。主要原因是基本支出增加…
        g.add(out[reason], term("explains"), out[change])
    return out


def _reasons(ctx: Context) -> dict[int, int]:
    """The figures in 元 a sentence gives after narrative.yaml `reason`, each with the change
    in 元 it explains: the last stated before `reason` in the sentence, else in the paragraph's
    sentence before (…各增加4322.77万元，增长14.98%。主要原因是基本支出增加1447.63万元、…)."""
    reason = re.compile(ctx.mappings.narrative["reason"])
    yuan: dict[str, str] = ctx.mappings.document["units"]
    statements = ctx.doc.statements
    out: dict[int, int] = {}
    changes: list[int] = []  # of the sentence before, in the same paragraph
    paragraph = (-1, -1)
    for place, members in _by_sentence(statements).items():
        if place[:2] != paragraph:
            changes, paragraph = [], place[:2]
        money = [i for i in members if statements[i].unit in yuan
                 and statements[i].measure in ("amount", "change")]
        mark = reason.search(place[2])
        if mark is None:
            changes = [i for i in money if statements[i].measure == "change"]
            continue
        before = set(members[:_figures_before(ctx, place[2], mark.start())])
        explained = [i for i in money if i in before and statements[i].measure == "change"]
        explained = explained or changes
        out.update((i, explained[-1]) for i in money if explained and i not in before)
        changes = []  # a reason is explained by none after it
    return out


def _parts(ctx: Context) -> tuple[dict[int, list[tuple[int, bool]]], dict[int, int]]:
    """The figures a sentence states as parts of its figure before 其中
    (政府采购预算总额X万元，其中：货物a万元、工程b万元、服务c万元; 购置车辆1辆，其中：…用车0辆),
    with those of the sentences after it while a semicolon joins them (…；事业收入0万元；其他收入
    0万元。) up to a new whole; in a sentence opened by 其中, as parts of the last amount of the
    sentence before it, with the amounts of the paragraph's next sentences of the same set
    (其中拟购买货物962.86万元；拟购买工程539万元；拟购买服务3139.76万元); in a sentence opened
    by the subject of an amount of its paragraph and 中, as parts of that amount
    (财政拨款支出预算中，一般公共预算拨款…；政府性基金…). Parts of two families of
    narrative.yaml list_families are no list. For each part: its wholes, each with whether the
    parts are complete: all of a set (narrative.yaml parts: 货物, 工程 and 服务), the last the
    rest (其他收入), or closed by a total (…，合计1410.00万), which is then a whole of the same
    parts. The changes of complete parts that each state one, with the whole's, are parts too.
    Also, for each part stated in a sentence that goes on a list of its paragraph (after a
    semicolon, or a set's next sentence), the first part of the list: the list's opening."""
    rules = ctx.mappings.narrative["parts"]
    of_which, among = re.compile(rules["of_which"]), re.compile(rules["among"])
    sets = [set(group) for group in rules["complete_sets"] + rules["complete_fact_sets"]]
    rest = re.compile(rules["rest"])
    families = [set(f) for f in rules["list_families"]]
    total = ctx.mappings.vocabulary.total
    yuan: dict[str, str] = ctx.mappings.document["units"]
    statements = ctx.doc.statements
    sentences = _by_sentence(statements)

    def place_of(i: int) -> tuple[int, int, str]:
        return statements[i].file, statements[i].line, statements[i].sentence

    order = list(sentences)

    def kind_of(i: int) -> str:
        """What a figure can be added to: an amount in money (any unit of 元), a count of its
        unit (辆); "" for the rest (shares, changes)."""
        st = statements[i]
        if st.measure == "amount" and st.unit in yuan:
            return "yuan"
        return st.unit if st.measure == "count" else ""

    def figures(place: tuple[int, int, str]) -> list[int]:
        return [i for i in sentences[place] if kind_of(i)]

    def money(place: tuple[int, int, str]) -> list[int]:
        return [i for i in sentences[place] if kind_of(i) == "yuan"]

    def of_set(i: int, first: int) -> bool:
        return any({statements[i].topic, statements[first].topic} <= group for group in sets)

    def ends(place: tuple[int, int, str]) -> str:
        return statements[sentences[place][-1]].ends

    groups: list[tuple[int, list[int]]] = []
    open_group = -1  # a group opened by a sentence beginning with 其中, continued by its set
    listing = -1  # a group whose sentence ended with ；: the next sentence lists on
    for n, place in enumerate(order):
        same_paragraph = n > 0 and order[n - 1][:2] == place[:2]
        if not (same_paragraph and ends(order[n - 1]) == "；"):
            listing = -1
        members = figures(place)
        mark = of_which.search(place[2])
        named = among.match(place[2].strip())
        whole = next((i for before in reversed(order[:n]) if before[:2] == place[:2]
                      for i in reversed(money(before))
                      if statements[i].subject == named["whole"]), None) if named else None
        head = groups[listing][0] if listing >= 0 else -1
        if listing >= 0 and any(  # a new whole (…；支出预算Y万元) ends the list
                statements[i].subject == statements[head].subject
                or _whole_budget(ctx, statements[i].subject) for i in members):
            listing = -1
        if listing >= 0 and not mark and whole is None:  # …其中：a万元；b万元；其他c万元。
            groups[listing][1].extend(i for i in members if kind_of(i) == kind_of(head))
        elif whole is not None:  # 财政拨款支出预算中，一般公共预算拨款支出预算…；政府性基金…
            open_group = -1
            groups.append((whole, money(place)))
            listing = len(groups) - 1
        elif mark:
            before = set(sentences[place][:_figures_before(ctx, place[2], mark.start())])
            after = [i for i in members if i not in before]
            kind = kind_of(after[0]) if after else "yuan"  # the parts' (辆), and their whole's
            ahead = [i for i in members if i in before and kind_of(i) == kind]
            earlier = money(order[n - 1]) if same_paragraph else []
            open_group = listing = -1
            if ahead:
                groups.append((ahead[-1], [i for i in after if kind_of(i) == kind]))
                listing = len(groups) - 1
            elif earlier and kind == "yuan" and after:
                groups.append((earlier[-1], [i for i in after if kind_of(i) == kind]))
                open_group = listing = len(groups) - 1
        elif open_group >= 0 and same_paragraph and money(place) and all(
                of_set(i, groups[open_group][1][0]) for i in money(place)):
            groups[open_group][1].extend(money(place))
        else:
            open_group = -1
    listed = {i for _, members in groups for i in members}
    openings = {i: members[0] for _, members in groups for i in members
                if place_of(i) != place_of(members[0])}
    groups.extend((whole, [i for i in members if i not in listed])
                  for whole, members in _listed(ctx))  # items of their own paragraphs
    out: dict[int, list[tuple[int, bool]]] = {}
    for whole, members in groups:
        closing = [i for i in members if total.search(statements[i].subject)][:1]
        parts = [i for i in members if i not in closing]
        if not parts:
            continue
        topics = {statements[i].topic for i in parts}
        if len({k for k, kin in enumerate(families) for t in topics if t in kin}) > 1:
            continue  # 基本支出a万元；公务接待费b万元: two families may overlap
        complete = bool(closing) or any(group <= topics for group in sets) or bool(
            rest.search(statements[parts[-1]].subject))
        for i in parts:
            out.setdefault(i, []).extend((w, complete) for w in [whole, *closing])
        change = _change_of(statements, whole)
        changes = [c for i in parts if (c := _change_of(statements, i)) is not None]
        if complete and change is not None and len(changes) == len(parts):  # 比上年增加a万元
            for i, c in zip(parts, changes, strict=True):
                out.setdefault(c, []).append((change, True))
                if i in openings:
                    openings[c] = openings[i]
    return out, openings


def _by_sentence(statements: tuple[Statement, ...]) -> dict[tuple[int, int, str], list[int]]:
    """The statements' indexes by sentence (file, paragraph line, sentence), in reading order."""
    sentences: dict[tuple[int, int, str], list[int]] = {}
    for i, st in enumerate(statements):
        sentences.setdefault((st.file, st.line, st.sentence), []).append(i)
    return sentences


def _change_of(statements: tuple[Statement, ...], i: int) -> int | None:
    """The change stated right after the amount `i`, of its subject in its sentence
    (一般公共预算拨款支出预算37,151.47万元，比2024年预算增加24,491.71万元; 持平: a change of 0)."""
    st = statements[i]
    if i + 1 < len(statements):
        after = statements[i + 1]
        if after.measure == "change" and (after.subject, after.sentence, after.line) == (
                st.subject, st.sentence, st.line):
            return i + 1
    return None


def _listed(ctx: Context) -> list[tuple[int, list[int]]]:
    """Parts stated as a numbered list of the paragraphs after a paragraph ending with 其中：
    (…年初预算为2993.92万元，支出决算为2940.05万元…其中： / 1、…（项）。…年初预算为135.90万元，
    支出决算为135.25万元。 / 2、…): the first amount of each phase in each item is a part of the
    opening paragraph's last amount of that phase (an item naming no phase: of its only amount).
    Items are the paragraphs numbered alike from 1 on (deeper numbering in between is within an
    item; one unnumbered heading without figures may come first); an item stating a total
    (收入预算总计) is no part, nor one naming the whole's subject. For each whole: its parts."""
    opening = re.compile(ctx.mappings.narrative["parts"]["list_opening"])
    total = ctx.mappings.vocabulary.total
    yuan: dict[str, str] = ctx.mappings.document["units"]
    statements = ctx.doc.statements
    money: dict[tuple[int, int], list[int]] = {}  # (file, line) -> its amounts
    for i, st in enumerate(statements):
        if st.measure == "amount" and st.unit in yuan:
            money.setdefault((st.file, st.line), []).append(i)
    stating = set(money)
    groups: list[tuple[int, list[int]]] = []
    for k, p in enumerate(ctx.doc.paragraphs):
        wholes = money.get((p.file, p.line), [])
        if not wholes or not opening.search(p.text.strip()):
            continue
        by_phase = {statements[i].phase: i for i in wholes}
        parts: dict[int, list[int]] = {}
        for place in _items(ctx, k, stating):
            firsts: dict[str, int] = {}
            for i in money.get(place, []):
                firsts.setdefault(statements[i].phase, i)
            for phase, i in firsts.items():
                whole = by_phase.get(phase, wholes[0] if len(wholes) == 1 and not phase else None)
                st = statements[i]
                if whole is not None and not total.search(st.subject) \
                        and st.subject != statements[whole].subject:
                    parts.setdefault(whole, []).append(i)
        groups.extend((whole, members) for whole, members in parts.items()
                      if _disjoint(ctx, [statements[i] for i in members]))
    return groups


def _items(ctx: Context, opening: int, stating: set[tuple[int, int]]) -> list[tuple[int, int]]:
    """(file, line) of each item of the list the paragraph `opening` opens: the paragraphs
    after it numbered alike from 1 on (narrative.yaml parts.list_item), deeper numbering in
    between being within an item; one unnumbered paragraph stating no amount (`stating`: the
    places of those that do) may come first, a heading (一般公共服务)."""
    numberings = [re.compile(rx) for rx in ctx.mappings.narrative["parts"]["list_item"]]

    def numbered(text: str) -> tuple[int, int] | None:
        for level, rx in enumerate(numberings):
            if m := rx.match(text.strip()):
                return level, _numeral(m["n"])
        return None

    paragraphs = ctx.doc.paragraphs
    items: list[tuple[int, int]] = []
    level, headings = -1, 0
    for q in paragraphs[opening + 1:]:
        place, number = (q.file, q.line), numbered(q.text)
        if q.file != paragraphs[opening].file:
            break
        if number is None:
            if items or place in stating or headings:
                break
            headings += 1
        elif not items:
            if number[1] != 1:
                break
            level = number[0]
            items.append(place)
        elif number[0] > level:
            continue
        elif number == (level, len(items) + 1):
            items.append(place)
        else:
            break
    return items


def _disjoint(ctx: Context, items: list[Statement]) -> bool:
    """Whether a list's items are amounts no two of which overlap, so that they can add up:
    all classes of the classification (a 类/款/项 item, none a class above another listed:
    社会保障和就业支出 and its 行政单位离退休 overlap), or all of one family of disjoint topics
    (narrative.yaml parts.list_families: 人员经费 and 公用经费, not 公用经费 and 三公经费)."""
    rules = ctx.mappings.narrative
    families = [set(f) for f in rules["parts"]["list_families"]]

    def family(st: Statement) -> int | None:
        if st.topic == rules["classified_topic"] or _LEVEL.search(st.subject):
            return -1
        return next((k for k, f in enumerate(families) if st.topic in f), None)

    kinds = {family(st) for st in items}
    if len(kinds) != 1 or None in kinds or any(_OTHER_YEAR.search(st.subject) for st in items):
        return False
    names = [tuple(st.subject.split(" / ")) for st in items]
    return not any(a != b and b[:len(a)] == a for a in names for b in names)


_CHINESE_DIGITS = {c: n for n, c in enumerate("一二三四五六七八九", start=1)}


def _numeral(text: str) -> int:
    """The number an item's numbering gives it: 3, 三, 十二, 二十."""
    if text.isdigit():
        return int(text)
    tens, ten, ones = text.rpartition("十")
    return (_CHINESE_DIGITS.get(tens, 1) * 10 if ten else 0) + _CHINESE_DIGITS.get(ones, 0)


def _figures_before(ctx: Context, sentence: str, end: int) -> int:
    """How many figures the statement recogniser reads in a sentence before a position."""
    rules = ctx.mappings.narrative
    not_after = tuple(rules["not_a_figure_after"])
    return sum(1 for m in re.finditer(rules["figure"], sentence[:end])
               if not sentence[m.end():].startswith(not_after))


_OTHER_YEAR = re.compile(r"上年|去年|以前年度|(?:19|20)\d{2}年")


def _restated(ctx: Context, st: Statement) -> str | None:
    """The fact a stated amount restates: the one whose dimensions are what the words of its
    section heading and its subject mean (vocabulary.yaml), when the document has it. The
    subject must name what it is (more than 收入 or 支出, or a total: 收入预算总计); a subject
    naming another year states no fact of this document. A total of income and expenditure
    (收入支出总计) restates the expenditure total, else the income total: the two are one figure."""
    vocabulary = ctx.mappings.vocabulary
    if _OTHER_YEAR.search(st.subject):
        return None
    if any(st.topic in group for group in ctx.mappings.narrative["parts"]["complete_sets"]):
        return None  # 货物类政府采购支出预算: a part of a set, not its whole 政府采购
    own = [t for t in vocabulary.terms_of(st.subject) if t[0] != "operationCharacter"]
    if not own and not vocabulary.total.search(st.subject) and not _whole_budget(ctx, st.subject):
        return None  # a subject that names nothing (政府采购) or only 支出 restates no fact
    words = _in_section(ctx, st) | _topic_terms(ctx, st.topic)
    operations = {t for t in words if t[0] == "operationCharacter"}
    if len(operations) > 1 and vocabulary.total.search(st.subject):
        # 收入支出总计307.82万元: the income and the expenditure total, one figure
        return next((fact for operation in sorted(operations) if (fact := _fact_named(
            ctx, _implied(ctx, words - operations | {operation}), st.subject, st.phase))), None)
    return _fact_named(ctx, _implied(ctx, words), st.subject, st.phase)


def _in_section(ctx: Context, st: Statement) -> set[tuple[str, str]]:
    """What a statement's subject and section heading name; the operation the subject names
    before the heading's (收入总计 under 一、收入支出预算总体情况说明 is income, not both)."""
    vocabulary = ctx.mappings.vocabulary
    own = set(vocabulary.terms_of(st.subject))
    operation = "operationCharacter"
    named = any(dimension == operation for dimension, _ in own)
    return own | {t for t in vocabulary.terms_of(st.section) if not (named and t[0] == operation)}


def _whole_budget(ctx: Context, subject: str) -> bool:
    """A subject naming only an operation and a phase (支出预算37,151.47万元): the department's
    whole budget of it, as 收入总计 and 支出总计 are (narrative.yaml whole_subject)."""
    return bool(re.search(ctx.mappings.narrative["whole_subject"], subject))


def _implied(ctx: Context, words: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """The words' terms with those they imply (narrative.yaml implied_terms: 基本支出 is an
    expenditure, though in 一般公共预算财政拨款基本支出预算 the longer word takes its 支出)."""
    implied: dict[str, dict[str, str]] = ctx.mappings.narrative["implied_terms"]
    given = {d for d, _ in words}
    return words | {(d, v) for dimension, _ in words for d, v in implied.get(dimension, {}).items()
                    if d not in given}


def _topic_terms(ctx: Context, topic: str, key: str = "terms") -> set[tuple[str, str]]:
    """What a figure of a narrative topic is beyond the words of its subject (narrative.yaml:
    公务接待费 of the 三公 paragraph is the 三公 figure), or (`at_most`) what it is a part of."""
    for t in ctx.mappings.narrative["topics"]:
        if t["id"] == topic:
            return {(d, v) for d, values in t.get(key, {}).items() for v in values}
    return set()


_LEVEL = re.compile(r"([^（()）“”\"，,：:]+?)\s*[（(](类|款|项)[）)]")

_DIGITS = {"类": 3, "款": 5, "项": 7}

_NUMBERING = re.compile(
    r"^(?:[（(]?[一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十\d]+\s*[、.．])\s*")


def _bare(name: str) -> str:
    """A class name as the narrative and the tables both write it: no numbering, no spaces,
    no final 支出 (公共安全（类）支出 is the class 公共安全支出)."""
    name = _NUMBERING.sub("", re.sub(r"\s+", "", name))
    return name.removesuffix("支出")


def _class_levels(ctx: Context, st: Statement) -> list[tuple[int, str]]:
    """(code digits, bare name) of each level the statement names: its subject's 类 / 款 / 项
    (a classified subject's names joined by " / ", or names each marked （类）…), and the 类 or
    款 of its section heading (（一）公共安全（类）) above them."""
    if st.topic == ctx.mappings.narrative["classified_topic"]:
        names = st.subject.split(" / ")
        return [(_DIGITS[level], _bare(n)) for level, n in zip("类款项", names, strict=False)]
    levels = [(_DIGITS[m[2]], _bare(m[1])) for m in _LEVEL.finditer(st.subject)]
    if not levels:
        return []
    above = [(_DIGITS[m[2]], _bare(m[1])) for m in _LEVEL.finditer(st.section)]
    return [lv for lv in above if lv[0] < levels[0][0]] + levels


def _class_code(ctx: Context, st: Statement) -> tuple[str, str]:
    """(scheme, code) a statement names by its 类 / 款 / 项 names, as the document's tables
    print them: the one function code (else economic code: 离休费（款）) of the innermost level
    whose name and whose named parents' names agree; ("", "") when none or several do. Failing
    that, the one code whose named parents are among its parents at any level: a 款 named
    with the mark of a 类 (行政事业单位离退休（类）机关事业单位基本养老保险缴费支出（项）)."""
    levels = _class_levels(ctx, st)
    if not levels:
        return "", ""
    digits, name = levels[-1]

    def parents_agree(printed: dict[str, str], code: str, any_level: bool) -> bool:
        parents = {printed.get(code[:d]) for d in range(3, digits, 2)}
        return all((outer in parents) if any_level else printed.get(code[:d]) == outer
                   for d, outer in levels[:-1])

    for any_level in (False, True):
        for scheme_name in ("function", "dept-economic"):
            printed = {c: _bare(n) for c, n in ctx.printed_codes.get(scheme_name, {}).items()}
            found = [c for c, n in printed.items() if len(c) == digits and n == name
                     and parents_agree(printed, c, any_level)]
            if found:
                return (scheme_name, found[0]) if len(found) == 1 else ("", "")
    return "", ""


def _class_restated(ctx: Context, st: Statement) -> str | None:
    """The fact a class's amount restates (公共安全（类）支出13656.34万元, “一般公共服务支出
    （类）商贸事务（款）行政运行（项）”938.99万元): the expenditure of its function code, of
    the funding source the words of its heading, section and subject name. Where they name
    none, the figure is any fund's: linked only when the document prints it for all funds
    and every funding source's figure of that code agrees with it, so that whichever the text
    means, it is that amount."""
    scheme_name, code = _class_code(ctx, st)
    if not code or _OTHER_YEAR.search(st.subject):
        return None
    vocabulary = ctx.mappings.vocabulary
    words = vocabulary.terms_of(f"{st.outer} {st.section} {st.subject}")
    funding = {concept("funding-source", v) for d, v in words if d == "fundingSource"}
    kinds = {(term(d), concept("expenditure-type", v)) for d, v in words
             if d == "expenditureType"}  # 基本支出 of 财政拨款基本支出预算表情况说明
    of_document = ctx.dims()
    if st.phase:
        of_document["budgetPhase"] = ox.NamedNode(concept("budget-phase", st.phase))
    dims = {(term(d), str(v.value)) for d, v in of_document.items()}
    coded = (term(CODE_PROPERTY[scheme_name]), concept(scheme_name, code))
    wanted = {coded, (term("operationCharacter"), concept("operation", "expenditure"))} \
        | dims | kinds
    allowed = {term("fundingSource"), term("coverage")}
    candidates: list[tuple[str, set[str], Fact]] = []
    for printed in (kinds, kinds & _printed_kinds(ctx, coded, wanted - kinds)):
        # the headings' 人员经费 over 离休费（款）: a kind the tables do not print the code under
        for iri, key, fact in ctx.broken_down.get(coded, []):
            core = wanted - kinds | printed
            if not core <= key or any(p not in allowed for p, _ in key - core):
                continue
            candidates.append((iri, {v for p, v in key if p == term("fundingSource")}, fact))
        if candidates:
            break
    if funding:
        named = [iri for iri, sources, _ in candidates if sources == funding]
        return named[0] if len(named) == 1 else None
    whole = [iri for iri, sources, _ in candidates if not sources]
    amounts = [a for _, _, fact in candidates for _, a, _, _ in fact.cells]
    if not whole or max(amounts) - min(amounts) > 2 * max(
            t for _, _, fact in candidates for _, _, t, _ in fact.cells):
        return None
    return whole[0]


def _printed_kinds(ctx: Context, coded: tuple[str, str],
                   wanted: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """The expenditure types the document's facts of the wanted dimensions (among them the
    code `coded`) are printed under."""
    kind = term("expenditureType")
    return {(p, v) for _, key, fact in ctx.broken_down.get(coded, []) if wanted <= key
            for p, v in fact.key if p == kind}


def _whole(ctx: Context, st: Statement) -> str | None:
    """The fact a share names as its whole (占“三公”经费的…, 占本年支出合计的…): the words of
    the whole, with the operation of its part where it names none; a whole that is no total
    (“三公”经费) is of the section's funding source too, a total (本年支出合计) is the
    document's."""
    vocabulary = ctx.mappings.vocabulary
    words = set(vocabulary.terms_of(st.whole))
    context = vocabulary.terms_of(f"{st.section} {st.subject}")
    if not any(d == "operationCharacter" for d, _ in words):
        words |= {t for t in context if t[0] == "operationCharacter"}
    if not vocabulary.total.search(st.whole):
        words |= {t for t in context if t[0] == "fundingSource"}
    if len(words) < 2 and not vocabulary.total.search(st.whole):
        return None
    return _fact_named(ctx, words, st.whole, "")


def _fact_named(ctx: Context, words: set[tuple[str, str]], subject: str,
                phase: str) -> str | None:
    """The document's fact with the dimensions the words give, if it has one. Where it has
    none, the funding source the words name may say more than the tables do: 一般公共预算财政拨款
    is the general budget where the tables print it under 一般公共预算 alone (财政拨款 alone names
    no budget); and a figure the document prints under no funding source at all (a 三公 table
    titled without 一般公共预算) is the one the words name with one, unless it is a total (the
    document's 收入总计 is no figure of 其他资金收入预算总计)."""
    funding = {t for t in words if t[0] == "fundingSource"}
    others = words - funding
    narrower = funding - {("fundingSource", "fiscal-appropriation")}
    for named in (funding, narrower if narrower != funding and narrower else None):
        if named is not None and (fact := _fact_of(ctx, others | named, subject, phase)):
            return fact
    if funding and not ctx.mappings.vocabulary.total.search(subject) and (
            fact := _fact_of(ctx, others, subject, phase)) and not _by_funding(
            ctx, ctx.facts[fact].key):
        return fact
    return None


def _by_funding(ctx: Context, key: tuple[tuple[str, str], ...]) -> bool:
    """Whether the document prints the figure of a key under some funding source."""
    funding = term("fundingSource")
    every = dict(ctx.totals)[funding]
    rest = {(p, v) for p, v in key if p != funding}
    for fact in ctx.facts.values():
        sources = {v for p, v in fact.key if p == funding}
        if sources - {every} and {(p, v) for p, v in fact.key if p != funding} == rest:
            return True
    return False


def _fact_of(ctx: Context, words: set[tuple[str, str]], subject: str,
             phase: str) -> str | None:
    """The document's fact with exactly the dimensions the words give, if it has one."""
    vocabulary = ctx.mappings.vocabulary
    of_document = ctx.dims()
    if phase:  # 年初预算为2993.92万元 in a final account
        of_document["budgetPhase"] = ox.NamedNode(concept("budget-phase", phase))
    dims = {(term(d), str(v.value)) for d, v in of_document.items()}
    # a total of the narrative (收入总计) is the table's total with carry-over where the
    # document prints one, else its plain total; a total of the year (本年收入合计) is plain
    grand = bool(vocabulary.total.search(subject) or _whole_budget(ctx, subject)) and not (
        vocabulary.current_year.search(subject))
    for extra in ([{("coverage", "with-carry-over")}] if grand else []) + [set()]:
        key = fact_key(ctx, {(p, v) for p, v in iri_pairs(tuple(words | extra))
                              if p != term("budgetPhase")} | dims)
        fact = ctx.iri.fact(digest(*(f"{p} {v}" for p, v in key), size=16))
        if fact in ctx.facts:
            return fact
    return None


def prior_figures(ctx: Context, statements: list[str]) -> None:
    """Each earlier-year figure the narrative implies, derived from its two statements."""
    g, doc = ctx.graph, ctx.doc
    factors = codelists().yuan_factor
    units: dict[str, str] = ctx.mappings.document["units"]
    for prior in doc.links.prior:
        amount, change = doc.statements[prior.amount], doc.statements[prior.change]
        figure = ctx.iri.prior(statements[prior.amount], prior.year)
        factor = factors[units[amount.unit]]
        g.a(figure, term("DerivedFigure"), PROV + "Entity")
        g.add(figure, term("document"), ctx.iri.document)
        g.add(figure, term("organisation"), ctx.iri.org)
        g.add(figure, term("fiscalYear"), lit(prior.year, "gYear"))
        if prior.phase:
            g.add(figure, term("budgetPhase"), concept("budget-phase", prior.phase))
        if amount.topic:
            g.add(figure, term("statementTopic"), concept("statement-topic", amount.topic))
        g.add(figure, term("subjectText"), zh(amount.subject))
        g.add(figure, term("section"), zh(amount.section))
        g.add(figure, term("value"), lit(prior.value))
        g.add(figure, term("unitText"), lit(amount.unit))
        g.add(figure, term("valueInYuan"), lit(prior.value * factor))
        g.add(figure, term("tolerance"), lit(prior.tolerance * factor))
        g.add(figure, term("derivation"), lit(_derivation(prior, amount, change)))
        g.add(figure, term("comparedWith"), zh(prior.comparison))
        g.add(figure, term("sentence"), zh(change.sentence))
        for source in (statements[prior.amount], statements[prior.change]):
            g.add(figure, PROV + "wasDerivedFrom", source)


def _derivation(prior: PriorFigure, amount: Statement, change: Statement) -> str:
    """The formula of a derived figure: 7454.80万元 − 4157.59万元 = 3297.21万元."""
    stated = f"{change.value}{change.unit}"
    stated = f"({stated})" if change.value < 0 else stated
    operator = "−" if prior.method == "change" else "÷ 1 +"
    return f"{amount.value}{amount.unit} {operator} {stated} = {prior.value}{amount.unit}"
