"""The code of a row printed without one (the PDF lost it), inferred from its name and its place
in the table: the listed item of the same level, within the 类 of the coded row above it, whose
name is most similar and which no other row of the table prints; below the similarity floor of
mappings/links.yaml only the 类 is inferred. The reason is kept, in Chinese and English."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from budgetkg.link.names import normalised, similarity

_CLASS_DIGITS = 3  # a 类 code: the first three digits of every code below it


@dataclass(frozen=True)
class TableRow:
    """A row of a classified table, in printed order: its code ("" when none) and its name."""

    key: str
    code: str
    name: str
    missing: bool  # printed without its code (bk:codeMissing)


@dataclass(frozen=True)
class Inference:
    key: str  # the row's key
    code: str
    reason_zh: str
    reason_en: str


def _neighbour(rows: list[TableRow], index: int) -> TableRow | None:
    """The nearest coded row above (else below): the block the row is printed in."""
    above = [r for r in rows[:index] if r.code]
    below = [r for r in rows[index + 1 :] if r.code]
    return above[-1] if above else (below[0] if below else None)


def infer(rows: list[TableRow], listed: dict[str, str], floor: Decimal) -> list[Inference]:
    """An inference for each row printed without its code. `listed` maps each code the code
    lists or the document print to its name."""
    printed = {r.code for r in rows if r.code}
    out = []
    for index, row in enumerate(rows):
        neighbour = _neighbour(rows, index)
        if not row.missing or neighbour is None or not row.name:
            continue
        klass = neighbour.code[:_CLASS_DIGITS]
        name = normalised(row.name, {})
        scored = sorted(((similarity(name, normalised(n, {})), code) for code, n in listed.items()
                         if code.startswith(klass) and len(code) == len(neighbour.code)),
                        key=lambda s: (-s[0], s[1]))
        free = [(score, code) for score, code in scored if code not in printed]
        if free and free[0][0] >= floor:
            out.append(_item(row, neighbour, free[0][0], free[0][1], listed))
        elif klass in listed:
            out.append(_klass(row, neighbour, klass, scored[:1], printed, listed))
    return out


def _item(row: TableRow, neighbour: TableRow, score: Decimal, code: str,
          listed: dict[str, str]) -> Inference:
    """The item of the level whose name is most similar, free in the table."""
    return Inference(
        row.key, code,
        f"按名称推断：本行印于 {neighbour.code} {neighbour.name} 之后，属 {code[:3]} 类；"
        f"该类同级科目中名称最接近的是 {code} {listed[code]}（相似度 {score}），且表中其他行未列出",
        f"inferred from the name: the row follows {neighbour.code} {neighbour.name}, so it is in "
        f"类 {code[:3]}; of that level, {code} {listed[code]} has the most similar name "
        f"(similarity {score}) and no other row of the table prints it")


def _klass(row: TableRow, neighbour: TableRow, klass: str, best: list[tuple[Decimal, str]],
           printed: set[str], listed: dict[str, str]) -> Inference:
    """Only the 类: no free item of the level has a name close enough; the reason names the
    nearest item and why it was not taken."""
    zh = f"按位置推断：本行印于 {neighbour.code} {neighbour.name} 之后，属 {klass} {listed[klass]}"
    en = (f"inferred from the position: the row follows {neighbour.code} {neighbour.name}, so "
          f"it is in 类 {klass} {listed[klass]}")
    if best:
        score, code = best[0]
        taken = code in printed
        zh += (f"；名称最接近的同级科目 {code} {listed[code]}（相似度 {score}）"
               + ("已由表中其他行列出" if taken else "相似度不足") + "，故只推断到类")
        en += (f"; the item of that level with the nearest name, {code} {listed[code]} "
               f"(similarity {score}), " + ("is printed on another row" if taken
                                             else "is not similar enough")
               + ", so only the 类 is inferred")
    return Inference(row.key, klass, zh, en)
