"""Server-rendered SVG charts for the console: a line chart with an interval band, a
bar chart and a small bar for table rows. Pure functions from figures to markup.

Every text is escaped; colours come from classes styled in dashboard.css (the CSP
allows no inline style), so a chart prints and follows the Okabe-Ito palette. A
chart scales with its container (a viewBox, width 100%) and names itself for
assistive technology (`role="img"`, `<title>`, `<desc>`); the page puts the numbers
in a table beside it, so nothing is told by colour or shape alone."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from hub import i18n

WIDTH = 400
HEIGHT = 220
# Room for the axis labels: left, right, top, bottom.
LEFT, RIGHT, TOP, BOTTOM = 52, 12, 16, 30
MAX_TICKS = 3
LONE_BAND = 4.0  # half the width of the band of a point without neighbours


@dataclass(frozen=True)
class Point:
    """One period of a trend: its label and its figure (None without data), with the
    interval around it where the metric has one."""

    label: str
    value: float | None
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its height and a class naming its group (`detractor`,
    `passive`, `promoter`, `neutral`)."""

    label: str
    value: float
    group: str = "neutral"


EMPTY = "\u2013"  # an en dash where a chart has no data


def _markup(parts: Sequence[str]) -> Markup:
    """The chart's markup: every text in `parts` went through `escape`."""
    return Markup("".join(parts))  # noqa: S704


def _number(value: float, language: str) -> str:
    """A tick or a bar's value: one decimal at most, as `language` writes it."""
    whole = f"{value:.1f}".rstrip("0").rstrip(".")
    return i18n.decimal(float(whole), 1 if "." in whole else 0, language)


def _opening(chart_id: str, kind: str, title: str, description: str) -> str:
    ident = escape(chart_id)
    return (
        f'<svg class="chart chart-{kind}" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
        f'role="img" aria-labelledby="{ident}-title {ident}-desc" '
        f'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(description)}</desc>'
    )


@dataclass(frozen=True)
class Scale:
    """Maps a figure between `low` and `high` onto the plot's height."""

    low: float
    high: float

    def y(self, value: float) -> float:
        span = self.high - self.low or 1.0
        clamped = min(max(value, self.low), self.high)
        return TOP + (HEIGHT - TOP - BOTTOM) * (self.high - clamped) / span


def _x(index: int, count: int) -> float:
    plot = WIDTH - LEFT - RIGHT
    if count <= 1:
        return LEFT + plot / 2
    return LEFT + plot * index / (count - 1)


def _y_axis(scale: Scale, language: str) -> str:
    parts = []
    middle = (scale.low + scale.high) / 2
    for value in (scale.high, middle, scale.low):
        y = scale.y(value)
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(_number(value, language))}</text>"
        )
    return "".join(parts)


def tick_indexes(count: int) -> list[int]:
    """Which points get a label under the axis: the first, the last and the middle."""
    if count <= MAX_TICKS:
        return list(range(count))
    return [0, (count - 1) // 2, count - 1]


def _x_labels(labels: Sequence[str], positions: Sequence[float]) -> str:
    parts = []
    ticks = tick_indexes(len(labels))
    for order, index in enumerate(ticks):
        anchor = "middle"
        if len(ticks) > 1 and order == 0:
            anchor = "start"
        elif len(ticks) > 1 and order == len(ticks) - 1:
            anchor = "end"
        parts.append(
            f'<text class="tick" x="{positions[index]:.1f}" y="{HEIGHT - 10}" '
            f'text-anchor="{anchor}">{escape(labels[index])}</text>'
        )
    return "".join(parts)


def runs(points: Sequence[Point]) -> list[list[int]]:
    """The stretches of consecutive points that have a figure (a gap breaks the line)."""
    found: list[list[int]] = []
    for has_value, group in itertools.groupby(
        range(len(points)), key=lambda i: points[i].value is not None
    ):
        if has_value:
            found.append(list(group))
    return found


def band_polygon(points: Sequence[Point], indexes: Sequence[int], scale: Scale) -> str:
    """The interval band of a stretch of points: along the highs, back along the lows
    (`x,y` pairs); empty when a point of the stretch has no interval."""
    count = len(points)
    upper: list[tuple[float, float]] = []
    lower: list[tuple[float, float]] = []
    for i in indexes:
        low, high = points[i].low, points[i].high
        if low is None or high is None:
            return ""
        upper.append((_x(i, count), scale.y(high)))
        lower.append((_x(i, count), scale.y(low)))
    if len(indexes) == 1:  # a lone point gets a narrow band, within its own period
        (x, top), (_, bottom) = upper[0], lower[0]
        half = LONE_BAND if count <= 1 else min(LONE_BAND, 0.45 * (_x(1, count) - _x(0, count)))
        upper = [(x - half, top), (x + half, top)]
        lower = [(x - half, bottom), (x + half, bottom)]
    outline = [*upper, *reversed(lower)]
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in outline)


def line_chart(
    points: Sequence[Point],
    *,
    chart_id: str,
    title: str,
    description: str,
    low: float,
    high: float,
    language: str = i18n.DEFAULT_LANGUAGE,
) -> Markup:
    """A line of the points' figures from `low` to `high`, each with a marker, over
    the band of their intervals; gaps where a period has no figure."""
    scale = Scale(low, high)
    count = len(points)
    parts = [_opening(chart_id, "line", title, description), _y_axis(scale, language)]
    stretches = runs(points)
    for stretch in stretches:
        outline = band_polygon(points, stretch, scale)
        if outline:
            parts.append(f'<polygon class="band" points="{outline}"/>')
    for stretch in stretches:
        coordinates = " ".join(
            f"{_x(i, count):.1f},{scale.y(points[i].value or 0):.1f}" for i in stretch
        )
        if len(stretch) > 1:
            parts.append(f'<polyline class="line" points="{coordinates}"/>')
    if count <= 100:
        for stretch in stretches:
            for i in stretch:
                x, y = _x(i, count), scale.y(points[i].value or 0)
                parts.append(f'<circle class="marker" cx="{x:.1f}" cy="{y:.1f}" r="3"/>')
    else:  # too many markers would hide the line; lone points still get one
        for stretch in stretches:
            if len(stretch) == 1:
                i = stretch[0]
                x, y = _x(i, count), scale.y(points[i].value or 0)
                parts.append(f'<circle class="marker" cx="{x:.1f}" cy="{y:.1f}" r="3"/>')
    if not points:
        parts.append(_empty_note())
    parts.append(_x_labels([p.label for p in points], [_x(i, count) for i in range(count)]))
    parts.append("</svg>")
    return _markup(parts)


def _empty_note() -> str:
    return (
        f'<text class="empty" x="{WIDTH / 2:.0f}" y="{HEIGHT / 2:.0f}" '
        f'text-anchor="middle">{EMPTY}</text>'
    )


def bar_chart(
    bars: Sequence[Bar],
    *,
    chart_id: str,
    title: str,
    description: str,
    language: str = i18n.DEFAULT_LANGUAGE,
) -> Markup:
    """Vertical bars from zero to the largest value, each labelled under the axis and
    with its value above it (the values are text, not only heights)."""
    top = max((bar.value for bar in bars), default=0.0)
    scale = Scale(0.0, top if top > 0 else 1.0)
    parts = [_opening(chart_id, "bars", title, description), _y_axis(scale, language)]
    plot = WIDTH - LEFT - RIGHT
    slot = plot / len(bars) if bars else plot
    width = max(slot * 0.7, 1.0)
    base = scale.y(0)
    for index, bar in enumerate(bars):
        x = LEFT + slot * index + (slot - width) / 2
        y = scale.y(bar.value)
        group = escape(bar.group)
        parts.append(
            f'<rect class="bar bar-{group}" x="{x:.1f}" y="{y:.1f}" '
            f'width="{width:.1f}" height="{base - y:.1f}"/>'
            f'<text class="value" x="{x + width / 2:.1f}" y="{y - 3:.1f}" '
            f'text-anchor="middle">{escape(_number(bar.value, language))}</text>'
            f'<text class="tick" x="{x + width / 2:.1f}" y="{HEIGHT - 10}" '
            f'text-anchor="middle">{escape(bar.label)}</text>'
        )
    if not bars:
        parts.append(_empty_note())
    parts.append("</svg>")
    return _markup(parts)


def meter(value: float, maximum: float, group: str = "neutral") -> Markup:
    """A small horizontal bar for a table row, `value` of `maximum`. Hidden from
    assistive technology: the row says the number."""
    share = 0.0 if maximum <= 0 else min(max(value / maximum, 0.0), 1.0)
    return _markup(
        [
            '<svg class="meter" viewBox="0 0 100 10" width="100%" aria-hidden="true" '
            'focusable="false" preserveAspectRatio="none" xmlns="http://www.w3.org/2000/svg">',
            '<rect class="meter-track" x="0" y="0" width="100" height="10"/>',
            f'<rect class="bar bar-{escape(group)}" x="0" y="0" width="{share * 100:.1f}" ',
            'height="10"/></svg>',
        ]
    )
