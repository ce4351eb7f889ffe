"""Just enough SPARQL lexing for what the protocol layer must see before the engine does: the
SERVICE endpoints a query calls, USING/WITH clauses in an update, and where USING clauses go."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""(?P<space>\s+)
    |(?P<comment>\#[^\n]*)
    |(?P<iri><[^<>"{}|^`\\\s]*>)
    |(?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
        |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    |(?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
    |(?P<pname>(?:[A-Za-z\u00c0-\U000effff][\w.\-\u00b7]*)?:(?:[\w.\-:%\\]*[\w\-:%])?)
    |(?P<word>[A-Za-z_]\w*)
    |(?P<punct>.)""",
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int


def tokens(text: str) -> Iterator[Token]:
    """The significant tokens of a query or update (no spaces or comments)."""
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "punct"
        if kind not in ("space", "comment"):
            yield Token(kind, match.group(), match.start())


def _prefixes(toks: list[Token]) -> dict[str, str]:
    found: dict[str, str] = {}
    for i, tok in enumerate(toks[:-2]):
        if tok.kind == "word" and tok.text.upper() == "PREFIX" and toks[i + 2].kind == "iri":
            found[toks[i + 1].text.rstrip(":")] = toks[i + 2].text[1:-1]
    return found


def service_targets(query: str) -> list[str]:
    """The endpoints a query's SERVICE clauses call; a variable endpoint is returned as `?var`."""
    toks = list(tokens(query))
    prefixes = _prefixes(toks)
    found = []
    for i, tok in enumerate(toks):
        if tok.kind != "word" or tok.text.upper() != "SERVICE":
            continue
        j = i + 1
        if j < len(toks) and toks[j].kind == "word" and toks[j].text.upper() == "SILENT":
            j += 1
        target = toks[j] if j < len(toks) else Token("punct", "", 0)
        if target.kind == "iri":
            found.append(target.text[1:-1])
        elif target.kind == "pname":
            prefix, _, local = target.text.partition(":")
            found.append(prefixes.get(prefix, "") + local if prefix in prefixes else target.text)
        else:
            found.append(target.text or "?")
    return found


def has_dataset_clause(update: str) -> bool:
    """Whether an update names its own dataset with USING or WITH."""
    return any(t.kind == "word" and t.text.upper() in ("USING", "WITH") for t in tokens(update))


def with_using(update: str, default: tuple[str, ...], named: tuple[str, ...]) -> str:
    """The update with USING / USING NAMED clauses added to every INSERT/DELETE … WHERE operation
    (the protocol's using-graph-uri and using-named-graph-uri parameters)."""
    clause = " ".join([f"USING <{g}>" for g in default] + [f"USING NAMED <{g}>" for g in named])
    out, last, depth, previous = [], 0, 0, Token("punct", "", 0)
    for tok in tokens(update):
        if tok.text == "{":
            depth += 1
        elif tok.text == "}":
            depth -= 1
        elif (depth == 0 and tok.kind == "word" and tok.text.upper() == "WHERE"
              and previous.text == "}"):
            out.append(update[last:tok.start] + clause + " ")
            last = tok.start
        previous = tok
    return "".join(out) + update[last:]
