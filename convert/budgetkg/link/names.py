"""How alike two printed names are: the same steps for projects and for code-list items."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from difflib import SequenceMatcher

# Full-width ASCII (U+FF01..U+FF5E) to half-width, one character for one, so that positions
# in a text and in its half-width form agree.
HALF_WIDTH = str.maketrans({chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)})
_SPACE = re.compile(r"\s+")


def half_width(text: str) -> str:
    """（２０２５） -> (2025): the same length, so positions carry over."""
    return text.translate(HALF_WIDTH)


def normalised(name: str, abbreviations: dict[str, str]) -> str:
    """A name as compared: half-width brackets, no spaces, abbreviations written out."""
    text = _SPACE.sub("", half_width(name))
    for short, full in abbreviations.items():
        text = text.replace(short, full)
    return text


def similarity(a: str, b: str) -> Decimal:
    """difflib's ratio of two normalised names (1 = the same), to three decimals."""
    ratio = SequenceMatcher(None, a, b, autojunk=False).ratio()
    return Decimal(str(ratio)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
