"""Server-side SVG charts for the linked-data pages: a squarified treemap, horizontal bars and
grouped bars (one group per category, one bar per year and phase).

Pure functions of their items: the same items give byte-identical SVG, every text is escaped,
every chart names its unit in its title, and each mark carries a <title> tooltip with its name
and amount, so no script is needed. A treemap tile too small for its name shows its number in
the legend (`legend()`), which lists every tile; a bar's name stands whole above it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

# A qualitative palette (Okabe-Ito and Tol) of colours dark enough for white text on them.
PALETTE = ("#0072B2", "#D55E00", "#007A5E", "#AA3377", "#6A3D9A", "#8C564B", "#4D4D4D",
           "#1F5F8B", "#A0522D", "#2E6B30")
INK = "#1f2328"  # text beside the bars
FONT = 12  # px; a CJK character is about one font size wide, a digit about half
BAR_HEIGHT = 18
BAR_GAP = 10
LABEL_LINE = FONT + 6  # the line of a bar's name, above the bar


@dataclass(frozen=True)
class Item:
    """One mark: its name, its amount (in the chart's unit) and where it links to ("" for none)."""

    label: str
    value: Decimal
    href: str = ""


@dataclass(frozen=True)
class LegendEntry:
    """A treemap tile as the legend lists it: its key (the number shown in a small tile), colour,
    name, amount and share of the whole."""

    key: int
    colour: str
    label: str
    amount: str
    share: str
    href: str
    in_tile: bool  # the tile shows the name itself


@dataclass(frozen=True)
class _Box:
    x: float
    y: float
    w: float
    h: float


def amount(value: Decimal) -> str:
    """An amount with thousands separators and two decimals (7,454.80)."""
    return f"{value:,.2f}"


def _svg(title: str, width: int, height: int, marks: list[str]) -> str:
    # a group, not an image: its marks are links a reader can reach and follow
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="group" '
            f'aria-label="{escape(title)}" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" font-size="{FONT}" font-family="sans-serif">'
            f"<title>{escape(title)}</title>")
    return head + "".join(marks) + "</svg>"


def titled(title: str, unit: str) -> str:
    """A chart's title naming its unit: 基本支出与项目支出（单位：万元）."""
    return f"{title}（单位：{unit}）"


def _mark(item: Item, unit: str, rect: str, texts: str) -> str:
    """A rectangle with its tooltip and its texts, wrapped in a link when the item has one."""
    tip = f"<title>{escape(item.label)}：{amount(item.value)} {escape(unit)}</title>"
    body = f"<g><rect {rect}>{tip}</rect>{texts}</g>"
    if item.href:
        return f'<a href="{escape(item.href)}">{body}</a>'
    return body


def _width(text: str) -> float:
    """The width of a text in pixels: CJK characters a font size, others about half."""
    return sum(FONT if ord(c) > 0x2E80 else FONT * 0.6 for c in text)


def _fit(text: str, width: float) -> str:
    """The text cut (with …) to what fits in `width` pixels, "" when not even one character."""
    if _width(text) <= width:
        return text
    kept = ""
    for c in text:
        if _width(kept + c + "…") > width:
            break
        kept += c
    return kept + "…" if kept else ""


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


def _shown(items: Sequence[Item]) -> list[Item]:
    """The items a treemap draws, largest first (no area for an amount that is not positive)."""
    return sorted((i for i in items if i.value > 0), key=lambda i: (-i.value, i.label))


def _names_fit(item: Item, box: _Box) -> bool:
    """The tile holds its whole name (on up to two lines) and its amount."""
    room = box.w - 8
    return box.h >= 3.5 * FONT and len(_lines(item.label, room)) <= min(2, int(
        (box.h - FONT - 8) // (FONT + 2)))


def _lines(text: str, room: float) -> list[str]:
    """The text broken into lines of at most `room` pixels (at any character: CJK has no
    spaces)."""
    lines, line = [], ""
    for c in text:
        if line and _width(line + c) > room:
            lines.append(line)
            line = ""
        line += c
    return [*lines, line] if line else lines


def _tile(item: Item, unit: str, box: _Box, colour: str, key: int) -> str:
    rect = (f'x="{_f(box.x)}" y="{_f(box.y)}" width="{_f(box.w)}" height="{_f(box.h)}" '
            f'fill="{colour}" stroke="#fff"')
    texts = ""
    if _names_fit(item, box):
        y = box.y + FONT + 4
        for line in _lines(item.label, box.w - 8):
            texts += (f'<text x="{_f(box.x + 4)}" y="{_f(y)}" fill="#fff">'
                      f"{escape(line)}</text>")
            y += FONT + 2
        figure = _fit(amount(item.value), box.w - 8)
        if figure:
            texts += (f'<text x="{_f(box.x + 4)}" y="{_f(y)}" fill="#fff">'
                      f"{escape(figure)}</text>")
    elif box.w >= _width(str(key)) + 6 and box.h >= FONT + 4:
        # too small for its name: its key in the legend
        texts += (f'<text x="{_f(box.x + box.w / 2)}" y="{_f(box.y + box.h / 2 + FONT / 2 - 2)}"'
                  f' fill="#fff" text-anchor="middle">{key}</text>')
    return _mark(item, unit, rect, texts)


def treemap(title: str, items: Sequence[Item], unit: str, width: int = 640,
            height: int = 360) -> str:
    """A squarified treemap of the items' amounts (items of no positive amount are left out):
    each tile shows its name and amount, or its key in the legend when too small for them."""
    shown = _shown(items)
    total = sum(float(i.value) for i in shown)
    scale = width * height / total if total else 0.0
    boxes = _squarify([float(i.value) * scale for i in shown], _Box(0, 0, width, height))
    marks = [_tile(item, unit, box, PALETTE[n % len(PALETTE)], n + 1)
             for n, (item, box) in enumerate(zip(shown, boxes, strict=True))]
    return _svg(titled(title, unit), width, height, marks)


def legend(items: Sequence[Item], width: int = 640, height: int = 360) -> list[LegendEntry]:
    """Every tile of `treemap(…, items)` in its order: key, colour, name, amount and share."""
    shown = _shown(items)
    total = sum(i.value for i in shown)
    scale = width * height / float(total) if total else 0.0
    boxes = _squarify([float(i.value) * scale for i in shown], _Box(0, 0, width, height))
    return [LegendEntry(n + 1, PALETTE[n % len(PALETTE)], item.label, amount(item.value),
                        f"{item.value / total:.1%}" if total else "", item.href,
                        _names_fit(item, box))
            for n, (item, box) in enumerate(zip(shown, boxes, strict=True))]


def _bar(item: Item, unit: str, y: float, colour: str, top: Decimal, width: int,
         room: float) -> str:
    """A bar with its whole name on the line above it and its amount after it."""
    length = room * float(item.value / top) if top > 0 and item.value > 0 else 0.0
    rect = (f'x="0" y="{_f(y + LABEL_LINE)}" width="{_f(length)}" height="{BAR_HEIGHT}" '
            f'fill="{colour}"')
    middle = _f(y + LABEL_LINE + BAR_HEIGHT / 2 + FONT / 2 - 2)
    texts = (f'<text x="0" y="{_f(y + FONT)}" fill="{INK}">'
             f"{escape(_fit(item.label, width))}</text>"
             f'<text x="{_f(length + 6)}" y="{middle}" fill="{INK}">'
             f"{escape(amount(item.value))}</text>")
    return _mark(item, unit, rect, texts)


def bars(title: str, items: Sequence[Item], unit: str, width: int = 640) -> str:
    """Horizontal bars in the given order, each with its name above and its amount at its end."""
    room = width - 110  # leave space for the amount after the longest bar
    top = max((i.value for i in items), default=Decimal(0))
    step = LABEL_LINE + BAR_HEIGHT + BAR_GAP
    marks = [_bar(item, unit, n * step, PALETTE[n % len(PALETTE)], top, width, room)
             for n, item in enumerate(items)]
    return _svg(titled(title, unit), width, max(len(items) * step, step), marks)


@dataclass(frozen=True)
class Series:
    """One bar of each group: a year and phase (its name, colour in the key) and its amounts by
    group, None where it has none."""

    label: str
    values: tuple[Decimal | None, ...]
    href: str = ""


def grouped(title: str, groups: Sequence[str], series: Sequence[Series], unit: str,
            width: int = 640) -> str:
    """Grouped horizontal bars: for each group (a total, a class …) its name, then one bar per
    series (year and phase) in the series' colour, each with its amount; a key at the top."""
    room = width - 110
    top = max((v for s in series for v in s.values if v is not None), default=Decimal(0))
    marks, y = [], 0.0
    x = 0.0
    for n, s in enumerate(series):  # the key
        colour = PALETTE[n % len(PALETTE)]
        marks.append(f'<rect x="{_f(x)}" y="2" width="12" height="12" fill="{colour}"/>'
                     f'<text x="{_f(x + 16)}" y="{FONT + 1}" fill="{INK}">'
                     f"{escape(s.label)}</text>")
        x += 16 + _width(s.label) + 18
    y = LABEL_LINE + 6
    for g, name in enumerate(groups):
        marks.append(f'<text x="0" y="{_f(y + FONT)}" fill="{INK}" font-weight="bold">'
                     f"{escape(_fit(name, width))}</text>")
        y += LABEL_LINE
        for n, s in enumerate(series):
            value = s.values[g]
            if value is None:
                continue
            length = room * float(value / top) if top > 0 and value > 0 else 0.0
            rect = (f'x="0" y="{_f(y)}" width="{_f(length)}" height="{BAR_HEIGHT - 4}" '
                    f'fill="{PALETTE[n % len(PALETTE)]}"')
            texts = (f'<text x="{_f(length + 6)}" y="{_f(y + BAR_HEIGHT / 2 + 2)}" '
                     f'fill="{INK}">{escape(amount(value))}</text>')
            marks.append(_mark(Item(f"{name} · {s.label}", value, s.href), unit, rect, texts))
            y += BAR_HEIGHT - 2
        y += BAR_GAP
    return _svg(titled(title, unit), width, int(y + 4), marks)
