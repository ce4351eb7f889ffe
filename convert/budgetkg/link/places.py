"""The places a department's name begins with (上海市普陀区人民政府万里街道办事处 -> 上海市,
上海市普陀区, 上海市普陀区万里街道), each linked to its 6-digit administrative division code
(行政区划代码) where the national division list knows it.

The one place-name parser: the link stage reads the places with it, map/ mints them
(iris.place), and the catalogue takes each department's place from its graph.
The division list is the one jionlp ships (its offline copy of the Ministry of Civil Affairs'
list: province, city and county with their codes and short names); nothing is downloaded.
"""

from __future__ import annotations

import importlib.util
import re
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from budgetkg.errors import MappingError
from budgetkg.tables import Place

_LEVELS = ("province", "city", "county", "township")
_PSEUDO = "省直辖"  # the list's stand-in city above a province's directly administered counties


@dataclass(frozen=True)
class Division:
    """An entry of the national division list."""

    code: str  # 6 digits
    name: str  # 普陀区
    short: tuple[str, ...]  # the short names the list gives (普陀)
    level: int  # 0 province, 1 city, 2 county
    parent: str  # the code of the division above it ("" for a province)


_TOP_LEVELS = re.compile(r"^\t{0,2}[^\t\r\n][^\r\n]*", re.MULTILINE)  # a line two tabs deep at most


@cache
def divisions() -> dict[str, Division]:
    """The national division list by code, from jionlp's data file (read, not imported: the
    package prints a banner when imported)."""
    spec = importlib.util.find_spec("jionlp")
    if spec is None or not spec.submodule_search_locations:
        raise MappingError(None, "the package jionlp (the administrative division list) is not "
                                 "installed: pip install jionlp")
    path = Path(spec.submodule_search_locations[0]) / "dictionary" / "china_location.zip"
    try:
        with zipfile.ZipFile(path) as archive:
            text = archive.read("china_location.txt").decode("utf-8")
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise MappingError(path, f"cannot read the division list: {exc}") from exc
    out: dict[str, Division] = {}
    chain: list[str] = ["", "", ""]
    for line in _TOP_LEVELS.findall(text):  # the file's towns and villages are 700,000 lines
        depth = len(line) - len(line.lstrip("\t"))
        fields = line.strip("\t").split("\t")
        if len(fields) < 2 or not fields[1].isdigit():
            chain[depth] = ""  # a division the list gives no code (some of 台湾省)
            continue
        name, code = fields[0], fields[1]
        chain[depth] = code
        parent = next((c for c in reversed(chain[:depth]) if c and c in out), "")
        if name.startswith(_PSEUDO) or code in out:
            continue  # a stand-in level, or a municipality listed again as its own city
        short = tuple(s for s in fields[2:] if s) if len(fields) > 2 else ()
        out[code] = Division(code, name, short, depth, parent)
    return out


def _within(division: Division, ancestor: str) -> bool:
    table = divisions()
    code = division.code
    while code:
        if code == ancestor:
            return True
        code = table[code].parent
    return False


def _lookup(name: str, parent: str) -> str:
    """The code of the division called `name` (within `parent` when known); "" when none or
    several."""
    codes = {d.code for d in divisions().values()
             if d.name == name and (not parent or _within(d, parent))}
    return codes.pop() if len(codes) == 1 else ""


def _named_after(name: str, parent: str, zone: re.Pattern[str]) -> str:
    """A zone (济源产城融合示范区) named after one division by its short name (济源): that
    division's code, the longest short name winning; "" when none or several."""
    if not zone.search(name):
        return ""
    found = [(len(s), d.code) for d in divisions().values() if d.level > 0
             for s in d.short if len(s) >= 2 and name.startswith(s) and name != d.name
             and (not parent or _within(d, parent))]
    if not found:
        return ""
    longest = max(size for size, _ in found)
    codes = {code for size, code in found if size == longest}
    return codes.pop() if len(codes) == 1 else ""


def _extend(out: list[Place], code: str) -> None:
    """Append the division `code` and those above it that `out` lacks, broadest first, each
    named in full after the one before it."""
    table, chain = divisions(), []
    while code:
        chain.append(table[code])
        code = table[code].parent
    have = {p.code for p in out}
    for division in reversed(chain):
        if division.code in have:
            continue
        above = out[-1] if out else None
        full = division.name if above is None or division.name.startswith(above.name) else (
            above.name + division.name)
        out.append(Place(full, division.code, above.key if above else "", False))


def places(name: str, pattern: str, zone: str) -> tuple[Place, ...]:
    """The places a department's name begins with, broadest first, each named in full, with
    the divisions above them the list knows (济源产城融合示范区 -> 河南省, 河南省济源市,
    济源产城融合示范区). `pattern` has one group per level (mappings/links.yaml `region`);
    `zone` tells a zone named after a division."""
    m = re.match(pattern, name)
    if m is None:
        return ()
    out: list[Place] = []
    full, parent = "", ""
    for level in _LEVELS:
        part = m[level]
        if not part:
            continue
        full += part
        code = "" if level == "township" else _lookup(part, parent)
        if code and out and code == out[-1].code:  # 上海市 the province and the city: one
            out[-1] = Place(full, code, out[-1].within, True)
            continue
        if code:
            if divisions()[code].parent:
                _extend(out, divisions()[code].parent)
        elif level != "township" and (named := _named_after(part, parent, re.compile(zone))):
            _extend(out, named)
            parent = named
        out.append(Place(full, code, out[-1].key if out else "", True))
        parent = code or parent
    return tuple(out)
