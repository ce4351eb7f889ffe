"""Server-side SVG charts for the linked-data pages: a squarified treemap and horizontal bars.

Pure functions of their items: the same items give byte-identical SVG, every text is escaped,
and each mark carries a <title> tooltip with its name and amount, so no script is needed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

# A qualitative palette of colours dark enough for white text on them.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#AA3377", "#6A3D9A", "#8C564B", "#4D4D4D")
INK = "#1f2328"  # text beside the bars
FONT = 12  # px; a CJK character is about one font size wide, a digit about half
BAR_HEIGHT = 22
BAR_GAP = 8


@dataclass(frozen=True)
class Item:
    """One mark: its name, its amount and where it links to ("" for no link)."""

    label: str
    value: Decimal
    href: str = ""


@dataclass(frozen=True)
class _Box:
    x: float
    y: float
    w: float
    h: float


def _amount(value: Decimal) -> str:
    """An amount with thousands separators and two decimals (7,454.80)."""
    return f"{value:,.2f}"


def _svg(title: str, width: int, height: int, marks: list[str]) -> str:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
            f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
            f'font-size="{FONT}" font-family="sans-serif">'
            f"<title>{escape(title)}</title>")
    return head + "".join(marks) + "</svg>"


def _mark(item: Item, unit: str, rect: str, texts: str) -> str:
    """A rectangle with its tooltip and its texts, wrapped in a link when the item has one."""
    tip = f"<title>{escape(item.label)}：{_amount(item.value)} {escape(unit)}</title>"
    body = f"<g><rect {rect}>{tip}</rect>{texts}</g>"
    if item.href:
        return f'<a href="{escape(item.href)}">{body}</a>'
    return body


def _fit(text: str, width: float, char: float = FONT) -> str:
    """The text cut (with …) to what fits in `width` pixels, "" when not even one character."""
    room = int(width / char)
    if len(text) <= room:
        return text
    return text[: room - 1] + "…" if room > 1 else ""


def _f(number: float) -> str:
    return f"{number:.1f}"


def _worst(row: list[float], side: float) -> float:
    """The worst aspect ratio of a row of areas laid along a side (squarified treemap)."""
    total = sum(row)
    return max(max(side * side * r / (total * total), total * total / (side * side * r))
               for r in row)


def _lay_row(row: list[float], box: _Box) -> tuple[list[_Box], _Box]:
    """Place a row of areas along the shorter side of the box; return them and the space left."""
    total = sum(row)
    boxes = []
    if box.w >= box.h:
        width = total / box.h
        y = box.y
        for area in row:
            boxes.append(_Box(box.x, y, width, area / width))
            y += area / width
        return boxes, _Box(box.x + width, box.y, box.w - width, box.h)
    height = total / box.w
    x = box.x
    for area in row:
        boxes.append(_Box(x, box.y, area / height, height))
        x += area / height
    return boxes, _Box(box.x, box.y + height, box.w, box.h - height)


def _squarify(areas: list[float], box: _Box) -> list[_Box]:
    """Bruls, Huizing and van Wijk's squarified layout of areas (largest first) in a box."""
    boxes: list[_Box] = []
    rest = areas
    while rest:
        side = min(box.w, box.h)
        count = 1
        while count < len(rest) and (
                _worst(rest[: count + 1], side) <= _worst(rest[:count], side)):
            count += 1
        placed, box = _lay_row(rest[:count], box)
        boxes += placed
        rest = rest[count:]
    return boxes


def _tile(item: Item, unit: str, box: _Box, colour: str) -> str:
    rect = (f'x="{_f(box.x)}" y="{_f(box.y)}" width="{_f(box.w)}" height="{_f(box.h)}" '
            f'fill="{colour}" stroke="#fff"')
    texts = ""
    name = _fit(item.label, box.w - 8)
    if name and box.h >= 2.5 * FONT:
        texts += (f'<text x="{_f(box.x + 4)}" y="{_f(box.y + FONT + 4)}" fill="#fff">'
                  f"{escape(name)}</text>")
        figure = _fit(_amount(item.value), box.w - 8, FONT * 0.6)
        if figure and box.h >= 4 * FONT:
            texts += (f'<text x="{_f(box.x + 4)}" y="{_f(box.y + 2 * FONT + 8)}" fill="#fff">'
                      f"{escape(figure)}</text>")
    return _mark(item, unit, rect, texts)


def treemap(title: str, items: Sequence[Item], unit: str, width: int = 640,
            height: int = 360) -> str:
    """A squarified treemap of the items' amounts (items of no positive amount are left out)."""
    shown = sorted((i for i in items if i.value > 0), key=lambda i: (-i.value, i.label))
    total = sum(float(i.value) for i in shown)
    scale = width * height / total if total else 0.0
    boxes = _squarify([float(i.value) * scale for i in shown], _Box(0, 0, width, height))
    marks = [_tile(item, unit, box, PALETTE[n % len(PALETTE)])
             for n, (item, box) in enumerate(zip(shown, boxes, strict=True))]
    return _svg(title, width, height, marks)


def _bar(item: Item, unit: str, n: int, top: Decimal, label_width: float, room: float) -> str:
    """The n-th bar: its name right-aligned before it, its amount after it."""
    y = BAR_GAP + n * (BAR_HEIGHT + BAR_GAP)
    length = room * float(item.value / top) if top > 0 and item.value > 0 else 0.0
    rect = (f'x="{_f(label_width)}" y="{_f(y)}" width="{_f(length)}" '
            f'height="{BAR_HEIGHT}" fill="{PALETTE[n % len(PALETTE)]}"')
    middle = _f(y + BAR_HEIGHT / 2 + FONT / 2 - 2)
    texts = (f'<text x="{_f(label_width - 6)}" y="{middle}" text-anchor="end" fill="{INK}">'
             f"{escape(_fit(item.label, label_width - 6))}</text>"
             f'<text x="{_f(label_width + length + 6)}" y="{middle}" fill="{INK}">'
             f"{escape(_amount(item.value))}</text>")
    return _mark(item, unit, rect, texts)


def bars(title: str, items: Sequence[Item], unit: str, width: int = 640) -> str:
    """Horizontal bars in the given order, each with its name on the left and amount at its end."""
    label_width = width * 0.36
    room = width - label_width - 110  # leave space for the amount after the longest bar
    top = max((i.value for i in items), default=Decimal(0))
    marks = [_bar(item, unit, n, top, label_width, room) for n, item in enumerate(items)]
    return _svg(title, width, BAR_GAP + len(items) * (BAR_HEIGHT + BAR_GAP), marks)
