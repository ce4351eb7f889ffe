"""The example document as its department might publish it a year later: the synthetic second
year of the corpus the named queries are tested on (tests/test_queries.py).

Every year moves on by one (2026 -> 2027, 2025 -> 2026, in policy numbers too), every amount is
doubled (so totals, shares and growth rates still agree within the document, while the figures
it implies for the previous year no longer agree with the example), and one entry of the project
performance table is renamed so that its project is unmatched."""

from __future__ import annotations

import re
from decimal import Decimal

RENAMED = "工业行业管理与服务工作经费-专家评审费"  # its last printing: the performance table
RENAMED_TO = "产业政策第三方咨询服务费"

# Amounts: numbers with two decimals (with or without thousands separators), and whole numbers
# of 万元 in the narrative; not percentages, codes or counts.
_AMOUNT = re.compile(r"(?<![\d.,])((?:\d{1,3}(?:,\d{3})+|\d+)\.\d{2}|\d+(?=万元))(?![\d%])")


def _doubled(match: re.Match[str]) -> str:
    printed = match.group(1)
    places = len(printed.split(".")[1]) if "." in printed else 0
    value = (Decimal(printed.replace(",", "")) * 2).quantize(Decimal(1).scaleb(-places))
    return f"{value:,}" if "," in printed else f"{value}"


def a_year_later(text: str) -> str:
    text = _AMOUNT.sub(_doubled, text.replace("2026", "2027").replace("2025", "2026"))
    at = text.rindex(RENAMED)
    return text[:at] + RENAMED_TO + text[at + len(RENAMED):]
