"""Small named normalisation steps applied to printed cells; each says the rule it applies."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from budgetkg.tables import Amount

_CJK = r"[\u3400-\u9fff\uf900-\ufaff（）“”、]"
_WRAP = re.compile(rf"(?<={_CJK})\s+(?={_CJK})")
_AMOUNT = re.compile(r"^[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")


def rejoin_wrapped(text: str) -> str:
    """A space between two CJK characters is a line wrap of the PDF cell: remove it."""
    return _WRAP.sub("", text.strip())


def compact(text: str) -> str:
    """Header and title matching ignores every space (wraps and padding alike)."""
    return re.sub(r"\s+", "", text)


_ASCII_PARENS = str.maketrans("()", "（）")
_YEAR_PREFIX = re.compile(r"^\d{4}年度?")


def header_key(text: str) -> str:
    """Header cells match without spaces, with full-width brackets and without a leading year
    (因公出国(境)费 = 因公出国（境）费; 2024年“三公”经费预算数 = “三公”经费预算数)."""
    return _YEAR_PREFIX.sub("", compact(text).translate(_ASCII_PARENS))


def title_key(text: str) -> str:
    """Titles match without spaces or quotes (a PDF can print the quotes of “三公” apart)."""
    return re.sub(r"[\s“”\"'‘’「」]+", "", text)


def parse_amount(text: str, zero_marks: tuple[str, ...]) -> Amount | None:
    """Exact decimal of a printed amount; None when the cell is not an amount.

    Thousands separators are dropped; 0, 0.00 and the dash marks are stated zeros.
    """
    cell = text.strip()
    if cell in zero_marks:
        return Amount(Decimal(0), cell, stated_zero=True)
    if not _AMOUNT.match(cell):
        return None
    try:
        value = Decimal(cell.replace(",", ""))
    except InvalidOperation:
        return None
    return Amount(value, cell, stated_zero=value == 0)


def is_amount(text: str, zero_marks: tuple[str, ...]) -> bool:
    return parse_amount(text, zero_marks) is not None


def join_code(parts: list[tuple[int, str]], digits: list[int]) -> str:
    """Codes printed as 类/款/项 columns (`206 04 04`) join into one code (`2060404`).

    `parts` are (part number, text); a part printed without its leading zero (`2` for 款 02)
    is padded to the digits its level has (`digits`, from mappings/codes.yaml).
    """
    out = []
    for part, text in parts:
        text = compact(text)
        if not text:
            continue
        width = digits[part - 1] if 0 < part <= len(digits) else 0
        out.append(text.zfill(width) if text.isdigit() and len(parts) > 1 else text)
    return "".join(out)
