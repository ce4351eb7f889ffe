"""What a document says of itself: its title, year, phase (预算, 决算, 调整预算), scope (a
department's or a unit's document), organisation and date (mappings/document.yaml `heading`).

Each is read from the cover first (its first lines, joined: a title printed over several lines
is read whole), then the table titles and meta lines, then the rest of the narrative. A year
found only in the file name, a phase or a scope found nowhere, is guessed and reported.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from budgetkg.errors import NotABudgetDocument
from budgetkg.tables import Heading, Notice, RawTable, TextLine


def _cover(lines: Sequence[TextLine], rules: dict[str, Any]) -> list[str]:
    """The cover's lines: the first lines of the first file, up to the contents or first part."""
    ends = re.compile(rules["cover_ends"])
    first_file = lines[0].file if lines else 0
    out: list[str] = []
    for line in lines:
        if line.file != first_file or len(out) >= int(rules["cover_lines"]) or ends.search(
                line.text):
            break
        out.append(line.text)
    return out


def _first(patterns: Sequence[re.Pattern[str]], texts: Sequence[str], group: str) -> str:
    for text in texts:
        for pattern in patterns:
            if (m := pattern.search(text)) and m[group]:
                return m[group].strip()
    return ""


def _word(words: dict[str, str], texts: Sequence[str]) -> str:
    """The value of the first word of `words` found, in text order (longest word first)."""
    ordered = sorted(words, key=len, reverse=True)
    for text in texts:
        hits = [(text.find(w), -len(w), w) for w in ordered if w in text]
        if hits:
            return words[min(hits)[2]]
    return ""


def read_heading(paths: Sequence[Path], narrative: Sequence[TextLine], tables: Sequence[RawTable],
                 rules: dict[str, Any], region: str) -> tuple[Heading, list[Notice]]:
    """The document's heading; NotABudgetDocument when neither a year nor an organisation can
    be told."""
    cover = _cover(narrative, rules)
    cover_text = "".join("".join(t.split()) for t in cover)
    titles = [t.title for t in tables if t.title]
    meta = [m for t in tables for m in t.meta]
    rest = [line.text for line in narrative[len(cover):]]
    notices: list[Notice] = []
    guessed: list[str] = []
    where = "heading"

    year_re = re.compile(rules["year"])
    year_text = _first([year_re], [cover_text, *titles, *meta, *rest[:40]], "year")
    if not year_text:
        year_text = _first([re.compile(rules["file_year"])], [p.stem for p in paths], "year")
        if year_text:
            guessed.append("year")
            notices.append(Notice("heading-guessed", where,
                                  f"the document prints no year; {year_text} is taken from the "
                                  "file name"))
    if not year_text:
        raise NotABudgetDocument(paths[0], "not a budget document: it names no year (neither "
                                           "a title such as 2026年度…部门预算, nor a table "
                                           "title, nor its file name)")
    phase = _word(rules["phases"], [cover_text, *titles, *rest])
    if not phase:
        phase = "budget"
        guessed.append("phase")
        notices.append(Notice("heading-guessed", where, "the document names no phase (预算, "
                              "决算, 调整预算): taken as a budget (预算)"))
    scope = _word(rules["scopes"], [cover_text, *titles, *meta, *rest[:60]])
    if not scope:
        scope = "department"
        guessed.append("scope")
        notices.append(Notice("heading-guessed", where, "the document does not say whether it "
                              "is a department's (部门) or a unit's (单位) own: taken as a "
                              "department's"))
    organisation = _organisation(cover, cover_text, meta, rest, rules, region)
    if not organisation:
        raise NotABudgetDocument(paths[0], "not a budget document: it names no organisation "
                                           "(no title such as …2026年度部门预算, no line such "
                                           "as 部门名称：… or 预算单位：…)")
    issued_re = re.compile(rules["issued"])
    issued = next((f"{int(d['year']):04d}-{int(d['month']):02d}-{int(d['day']):02d}"
                   for text in [*cover, *rest] if (d := issued_re.match(text))), "")
    title = "".join(cover) if cover else rules["made_title"].format(
        year=year_text, organisation=organisation, scope=rules["scope_words"][scope],
        phase=rules["phase_words"][phase])
    return Heading(title, int(year_text), phase, scope, organisation, issued,
                   tuple(guessed)), notices


def _organisation(cover: list[str], cover_text: str, meta: list[str], rest: list[str],
                  rules: dict[str, Any], region: str) -> str:
    """The title's name, unless a labelled line names one that starts with it or the title
    names only a region; a labelled name alone; else the first part's heading."""
    in_title = _first([re.compile(p) for p in rules["title_organisation"]], [cover_text], "name")
    labelled = _first([re.compile(p) for p in rules["labelled_organisation"]],
                      [*cover, *meta, *rest[:30]], "name")
    # the region pattern needs a name after the region: a placeholder character stands in
    m = re.match(region, in_title + "\u4e00") if in_title else None
    only_region = m is not None and m.end() >= len(in_title)
    if labelled and (not in_title or labelled.startswith(in_title) or only_region):
        return labelled
    if in_title:
        return in_title
    return _first([re.compile(rules["part_organisation"])], rest, "name")
