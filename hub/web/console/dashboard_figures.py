"""The dashboard's figures picked out of the API's answers: which number is a metric's
headline (NPS score; CSAT % satisfied; CES mean), its interval where it has one, the
trend's points, the distribution's bars and the breakdowns' rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from hub.web.console import charts

DIMENSIONS = ("product", "country", "channel", "company")

# The lowest and highest the headline can be, the chart's axis.
_SCALES = {"NPS": (-100.0, 100.0), "CSAT": (0.0, 100.0), "CES": (1.0, 7.0)}


def scale_of(metric: str) -> tuple[float, float]:
    return _SCALES[metric]


@dataclass(frozen=True)
class Headline:
    """A metric's main figure under a filter, its interval (NPS only) and its n."""

    value: float | None
    low: float | None
    high: float | None
    n: int
    # The second figure: NPS none, CSAT the mean, CES % easy.
    extra: float | None = None


def headline(metric: str, summary: dict[str, Any]) -> Headline:
    """The headline of `metric` in a MetricSummary (as the API answered it)."""
    if metric == "NPS":
        nps = summary.get("nps") or {}
        return Headline(
            nps.get("score"), nps.get("intervalLow"), nps.get("intervalHigh"), nps.get("n", 0)
        )
    if metric == "CSAT":
        csat = summary.get("csat") or {}
        return Headline(csat.get("satisfiedPct"), None, None, csat.get("n", 0), csat.get("mean"))
    ces = summary.get("ces") or {}
    return Headline(ces.get("mean"), None, None, ces.get("n", 0), ces.get("easyPct"))


@dataclass(frozen=True)
class TrendRow:
    """One period of the trend: its label, its counts and its headline."""

    label: str
    start: str
    end: str
    responses: int
    displays: int
    figure: Headline

    @property
    def chart(self) -> charts.Point:
        return charts.Point(self.label, self.figure.value, self.figure.low, self.figure.high)


def period_label(start: str, grain: str) -> str:
    """A period by its first local day (a month by year and month)."""
    return start[:7] if grain == "month" else start[:10]


def trend_points(metric: str, trend: Sequence[dict[str, Any]], grain: str) -> list[TrendRow]:
    return [
        TrendRow(
            label=period_label(point["start"], grain),
            start=point["start"][:10],
            end=point["end"][:10],
            responses=point["summary"]["responses"],
            displays=point["summary"]["displays"],
            figure=headline(metric, point["summary"]),
        )
        for point in trend
    ]


@dataclass(frozen=True)
class ScoreBar:
    """One score value of the distribution, its count and its group."""

    score: int
    count: int
    group: str

    @property
    def chart(self) -> charts.Bar:
        return charts.Bar(str(self.score), float(self.count), self.group)


def score_group(metric: str, score: int) -> str:
    """The group a score is in: NPS detractor, passive or promoter; CSAT satisfied
    (4-5); CES easy (5-7); else neutral."""
    if metric == "NPS":
        return "detractor" if score <= 6 else "passive" if score <= 8 else "promoter"
    if metric == "CSAT":
        return "promoter" if score >= 4 else "neutral"
    return "promoter" if score >= 5 else "neutral"


def distribution_bars(metric: str, counts: Sequence[dict[str, Any]]) -> list[ScoreBar]:
    return [
        ScoreBar(row["score"], row["count"], score_group(metric, row["score"]))
        for row in sorted(counts, key=lambda row: row["score"])
        if row["metric"] == metric
    ]


@dataclass(frozen=True)
class BreakdownRow:
    """One group of a breakdown: its key (None: not recorded), whether it is the
    groups beyond the top ten, its counts, headline and a small bar of responses."""

    key: str | None
    other: bool
    groups: int
    responses: int
    displays: int
    response_rate: float | None
    figure: Headline
    meter: Markup


def breakdown_rows(metric: str, groups: Sequence[dict[str, Any]]) -> list[BreakdownRow]:
    most = max((group["summary"]["responses"] for group in groups), default=0)
    return [
        BreakdownRow(
            key=group["key"],
            other=group["other"],
            groups=group["groups"],
            responses=group["summary"]["responses"],
            displays=group["summary"]["displays"],
            response_rate=group["summary"]["responseRate"],
            figure=headline(metric, group["summary"]),
            meter=charts.meter(group["summary"]["responses"], most),
        )
        for group in groups
    ]
