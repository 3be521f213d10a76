"""Reach drawn on the server as SVG, as the account pages draw posts per week (posts/charts.py).

Each function returns the shapes the template draws together with the numbers
themselves, which the page also lists in a table hidden from sight for those
who do not see the picture. A figure never read is left out of a line (a gap
in what was read, not a fall to zero) and drawn as no bar.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

LINE = {"width": 390, "height": 120, "top": 14, "bottom": 22, "left": 8, "right": 8}
BARS = {"width": 560, "row": 22, "label": 200, "bar": 300}


@dataclass
class Line:
    points: list[tuple[dt.date, int | None]]  # the numbers, for the table
    path: str  # SVG path data ("" with fewer than one point)
    dots: list[tuple[float, float]]
    width: int
    height: int
    low: int | None
    high: int | None
    first_label: str
    last_label: str


def line(points: list[tuple[dt.date, int | None]]) -> Line:
    size = LINE
    known = [(day, value) for day, value in points if value is not None]
    values = [value for _day, value in known]
    low, high = (min(values), max(values)) if values else (None, None)
    inner_w = size["width"] - size["left"] - size["right"]
    inner_h = size["height"] - size["top"] - size["bottom"]
    dots: list[tuple[float, float]] = []
    if known:
        first, last = known[0][0], known[-1][0]
        span = max((last - first).days, 1)
        spread = (high - low) if high is not None and low is not None and high > low else 1
        for day, value in known:
            x = size["left"] + ((day - first).days / span) * inner_w if len(known) > 1 else size["width"] / 2
            y = size["top"] + inner_h - ((value - (low or 0)) / spread) * inner_h
            dots.append((round(x, 1), round(y, 1)))
    path = " ".join(("M" if i == 0 else "L") + f"{x},{y}" for i, (x, y) in enumerate(dots))
    return Line(
        points=points,
        path=path,
        dots=dots,
        width=size["width"],
        height=size["height"],
        low=low,
        high=high,
        first_label=f"{known[0][0]:%m/%d}" if known else "",
        last_label=f"{known[-1][0]:%m/%d}" if known else "",
    )


@dataclass
class Bar:
    label: str
    value: int | None
    y: int
    width: float


@dataclass
class Bars:
    bars: list[Bar]
    width: int
    height: int
    label_width: int
    row: int


def bars(items: list[tuple[str, int | None]]) -> Bars:
    size = BARS
    top = max((value for _label, value in items if value), default=0)
    return Bars(
        bars=[
            Bar(
                label=label,
                value=value,
                y=index * size["row"],
                width=round((value / top) * size["bar"], 1) if value and top else 0,
            )
            for index, (label, value) in enumerate(items)
        ],
        width=size["width"],
        height=max(len(items), 1) * size["row"],
        label_width=size["label"],
        row=size["row"],
    )
