"""Corrupted copies of a text-form document, one contradiction each, for mutation testing.

Each mutation class changes the printed document the way a careless edit would: an amount
beyond rounding, a dropped row, two swapped codes, a changed narrative figure, a project
deleted from the project-performance table. Deterministic for a seed.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

AMOUNT = re.compile(r"^\d{1,3}(?:,\d{3})*\.\d{2}$")
NARRATIVE_FIGURE = re.compile(r"(\d+(?:\.\d+)?)(万元|%)")
CODE = re.compile(r"^\d{3}$")
PROJECT_CODE = re.compile(r"^\d{20,21}$")
CLASSES = ("amount", "row", "codes", "narrative", "project")


@dataclass(frozen=True)
class Mutant:
    kind: str
    text: str
    where: str  # line number and what changed, for the failure message


def _table_lines(lines: list[str]) -> list[int]:
    return [i for i, line in enumerate(lines) if "\t" in line]


def _amount(lines: list[str], rng: random.Random) -> Mutant:
    cells = [(i, j) for i in _table_lines(lines)
             for j, cell in enumerate(lines[i].split("\t"))
             if AMOUNT.match(cell.strip()) and cell.strip() not in ("0.00",)]
    i, j = rng.choice(cells)
    row = lines[i].split("\t")
    old = row[j]
    value = float(old.replace(",", "")) + rng.choice([1, -1]) * rng.choice([0.5, 3, 12.7, 100])
    row[j] = f"{abs(value):,.2f}"
    return Mutant("amount", "\n".join([*lines[:i], "\t".join(row), *lines[i + 1:]]),
                  f"line {i + 1}: {old} -> {row[j]}")


def _row(lines: list[str], rng: random.Random) -> Mutant:
    candidates = [i for i in _table_lines(lines)
                  if any(AMOUNT.match(c.strip()) and c.strip() != "0.00"
                         for c in lines[i].split("\t"))]
    i = rng.choice(candidates)
    return Mutant("row", "\n".join(lines[:i] + lines[i + 1:]), f"line {i + 1} dropped: "
                                                                 f"{lines[i][:60]}")


def _codes(lines: list[str], rng: random.Random) -> Mutant:
    coded = [i for i in _table_lines(lines) if CODE.match(lines[i].split("\t")[0].strip())
             and len(lines[i].split("\t")) > 4 and lines[i].split("\t")[1].strip().isdigit()]
    a, b = rng.sample(coded, 2)
    while lines[a].split("\t")[:3] == lines[b].split("\t")[:3]:
        a, b = rng.sample(coded, 2)
    ra, rb = lines[a].split("\t"), lines[b].split("\t")
    width = min(next(k for k, c in enumerate(r) if not c.strip().isdigit()) for r in (ra, rb))
    ra[:width], rb[:width] = rb[:width], ra[:width]  # the code cells only, names stay
    out = list(lines)
    out[a], out[b] = "\t".join(ra), "\t".join(rb)
    return Mutant("codes", "\n".join(out), f"lines {a + 1} and {b + 1}: codes swapped")


def _narrative(lines: list[str], rng: random.Random) -> Mutant:
    start = next(i for i, line in enumerate(lines) if line.startswith("第二部分")
                 and i > 20)
    end = next(i for i, line in enumerate(lines) if line.startswith("第三部分") and i > start)
    figures = [(i, m) for i in range(start, end) for m in NARRATIVE_FIGURE.finditer(lines[i])
               if float(m.group(1)) > 0]
    i, m = rng.choice(figures)
    new = f"{float(m.group(1)) * 1.1 + 1:.2f}"
    line = lines[i][: m.start(1)] + new + lines[i][m.end(1):]
    return Mutant("narrative", "\n".join([*lines[:i], line, *lines[i + 1:]]),
                  f"line {i + 1}: {m.group(0)} -> {new}{m.group(2)}")


def _project(lines: list[str], rng: random.Random) -> Mutant:
    starts = [i for i in _table_lines(lines) if PROJECT_CODE.match(lines[i].split("\t")[0])]
    i = rng.choice(starts)
    end = i + 1
    while end < len(lines) and "\t" in lines[end] and not lines[end].split("\t")[0].strip():
        end += 1
    return Mutant("project", "\n".join(lines[:i] + lines[end:]),
                  f"lines {i + 1}-{end}: project {lines[i].split(chr(9))[1][:30]} deleted")


_MAKERS = {"amount": _amount, "row": _row, "codes": _codes, "narrative": _narrative,
           "project": _project}


def mutants(text: str, kind: str, count: int, seed: int = 0) -> list[Mutant]:
    """`count` corrupted copies of `text`, each with one mutation of class `kind`."""
    lines = text.split("\n")
    rng = random.Random(f"{seed}-{kind}")
    return [_MAKERS[kind](lines, rng) for _ in range(count)]
