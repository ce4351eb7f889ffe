"""Policy documents (文件) and technical standards cited in any text, each resolved to its
canonical number whatever its written form (mappings/policy.yaml), with the issuer its 代字 names
(mappings/policy-issuers.yaml) and the title printed with it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from budgetkg.link.names import half_width
from budgetkg.mapping import Mappings

_OPENING = ("(", "[", "【", "〔")


@dataclass(frozen=True)
class Issuer:
    """The organisation a 代字 stands for, from the curated table."""

    name_zh: str
    name_en: str


@dataclass(frozen=True)
class Decision:
    """A cited decision (豫财科〔2025〕56号): canonical number, parts, title, printed form."""

    number: str  # canonical: 代字〔year〕number号
    issuer_code: str  # the 代字 as printed (豫财科)
    year: int
    serial: int  # the number within the year and 代字
    title: str  # the title printed with the citation; "" when none
    printed: str
    issuer: Issuer | None  # None: a 代字 the table does not list


@dataclass(frozen=True)
class Standard:
    """A cited standard (GB/T 5461), one per standard number whatever its edition."""

    number: str  # canonical: prefix, a space, number
    printed: str


@dataclass(frozen=True)
class Citations:
    decisions: tuple[Decision, ...] = ()
    standards: tuple[Standard, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.decisions or self.standards)


@dataclass(frozen=True)
class _IssuerEntry:
    issuer: Issuer
    region: str  # "" for everywhere


class Finder:
    """Finds the citations of one document's texts (issuers resolved for its regions)."""

    def __init__(self, mappings: Mappings, regions: tuple[str, ...] = ()) -> None:
        """`regions`: the names in full of the places the document's department is in."""
        rules: dict[str, Any] = mappings.policy["decision"]
        self.forms = [re.compile(p) for p in rules["forms"]]
        self.canonical: str = rules["canonical"]
        self.after = tuple(rules["issuer_after"])
        self.min_issuer = int(rules["issuer_min_chars"])
        title: dict[str, Any] = rules["title"]
        self.skip = re.compile(title["skip_after"])
        self.end = re.compile(title["end"])
        self.trim = re.compile("(?:" + "|".join(map(re.escape, title["trim"])) + ")+$")
        self.title_chars = (int(title["min_chars"]), int(title["max_chars"]))
        self.reads_as = re.compile(title["reads_as"])
        self.standard = re.compile(mappings.policy["standard"]["pattern"])
        self.standard_form: str = mappings.policy["standard"]["canonical"]
        self.issuers = {
            code: _IssuerEntry(Issuer(e["zh"], e["en"]), e.get("region", ""))
            for code, e in mappings.issuers.items()
        }
        self.regions = set(regions)

    def find(self, text: str) -> Citations:
        """Every decision and standard the text cites, in the order printed."""
        half = half_width(text)
        if not any(ch.isdigit() for ch in half):
            return Citations()
        spans = self._decision_spans(half)
        decisions = []
        for i, (start, end, issuer, year, serial) in enumerate(spans):
            limit = spans[i + 1][0] if i + 1 < len(spans) else len(text)
            decisions.append(Decision(
                self.canonical.format(issuer=issuer, year=year, number=serial), issuer, year,
                serial, self._title(text, half, start, end, limit), text[start:end],
                self._issuer(issuer)))
        standards = [
            Standard(self.standard_form.format(prefix=m["prefix"], number=m["number"]),
                     text[m.start():m.end()])
            for m in self.standard.finditer(half)
        ]
        return Citations(tuple(decisions), tuple(standards))

    def _decision_spans(self, half: str) -> list[tuple[int, int, str, int, int]]:
        """(start, end, 代字, year, number) of each citation, overlaps resolved leftmost-longest."""
        found = sorted(((m.start(), -m.end(), m) for form in self.forms
                        for m in form.finditer(half)), key=lambda f: (f[0], f[1]))
        spans: list[tuple[int, int, str, int, int]] = []
        for _, _, m in found:
            if spans and m.start() < spans[-1][1]:
                continue
            raw = m["issuer"]
            cut = max((raw.rfind(w) + len(w) for w in self.after if w in raw), default=0)
            issuer = raw[cut:]
            if len(issuer) >= self.min_issuer:
                spans.append((m.start("issuer") + cut, m.end(), issuer, int(m["year"]),
                              int(m["number"])))
        return spans

    def _title(self, text: str, half: str, start: int, end: int, limit: int) -> str:
        """The 《…》 just before or just after the citation, else the words after it up to the
        next delimiter when they read as a title (a 《…》 among them read whole; "" when too
        short, too long or not a title: a project named after the document it cites)."""
        before = half[:start].rstrip()
        if before.endswith(_OPENING):
            before = before[:-1].rstrip()
        if before.endswith("》") and (opening := before.rfind("《")) >= 0:
            return text[opening + 1 : len(before) - 1]
        skipped = self.skip.match(half, end)
        i = skipped.end() if skipped else end
        if half.startswith("《", i) and (closing := half.find("》", i, limit)) > i:
            return text[i + 1 : closing]
        j = i
        while j < limit and not self.end.match(half[j]):
            if half[j] == "《" and (closing := half.find("》", j, limit)) > j:
                j = closing
            j += 1
        title = self.trim.sub("", text[i:j]).strip()
        low, high = self.title_chars
        return title if low <= len(title) <= high and self.reads_as.search(title) else ""

    def _issuer(self, code: str) -> Issuer | None:
        """The longest listed 代字 that begins `code` and applies in the document's region."""
        for size in range(len(code), 0, -1):
            entry = self.issuers.get(code[:size])
            if entry and (not entry.region or entry.region in self.regions):
                return entry.issuer
        return None
