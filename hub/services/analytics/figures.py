"""The figures of a metric from summed counters: NPS with its adjusted Wald interval,
CSAT and CES, and the summary of display, response, comment and decline rates."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from hub.models.common import Metric
from hub.models.rollup import SCORE_KEYS
from hub.services.analytics.bands import bands

Z95 = 1.959963984540054


@dataclass
class Tally:
    """Counters summed over some rollups."""

    displays: int = 0
    declines: int = 0
    responses: int = 0
    comments: int = 0
    score_sum: int = 0
    scores: list[int] = field(default_factory=lambda: [0] * 11)

    def add(self, other: Tally, sign: int = 1) -> None:
        self.displays += sign * other.displays
        self.declines += sign * other.declines
        self.responses += sign * other.responses
        self.comments += sign * other.comments
        self.score_sum += sign * other.score_sum
        for value in range(11):
            self.scores[value] += sign * other.scores[value]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Tally:
        return cls(
            displays=int(row.get("displays") or 0),
            declines=int(row.get("declines") or 0),
            responses=int(row.get("responses") or 0),
            comments=int(row.get("comments") or 0),
            score_sum=int(row.get("score_sum") or 0),
            scores=[int(row.get(key) or 0) for key in SCORE_KEYS],
        )

    def count(self, low: int, high: int) -> int:
        return sum(self.scores[low : high + 1])


def percent(part: int, whole: int) -> float | None:
    return None if whole == 0 else 100.0 * part / whole


@dataclass(frozen=True)
class NpsFigures:
    n: int
    promoters: int
    passives: int
    detractors: int
    promoters_pct: float | None
    passives_pct: float | None
    detractors_pct: float | None
    score: float | None
    interval_low: float | None
    interval_high: float | None

    @classmethod
    def of(cls, tally: Tally) -> NpsFigures:
        """% promoters (9-10) - % detractors (0-6), with a 95% adjusted Wald interval:
        3 added to n and 3/4 to the promoter and detractor counts."""
        n = tally.responses
        nps = bands(Metric.NPS)
        promoters = tally.count(*nps.favourable)
        detractors = tally.count(*nps.unfavourable)
        passives = n - promoters - detractors
        score = low = high = None
        if n > 0:
            score = 100.0 * (promoters - detractors) / n
            adjusted_n = n + 3
            p = (promoters + 0.75) / adjusted_n
            d = (detractors + 0.75) / adjusted_n
            centre = p - d
            margin = Z95 * math.sqrt((p + d - centre**2) / adjusted_n)
            low = max(-100.0, 100.0 * (centre - margin))
            high = min(100.0, 100.0 * (centre + margin))
        return cls(
            n=n,
            promoters=promoters,
            passives=passives,
            detractors=detractors,
            promoters_pct=percent(promoters, n),
            passives_pct=percent(passives, n),
            detractors_pct=percent(detractors, n),
            score=score,
            interval_low=low,
            interval_high=high,
        )


@dataclass(frozen=True)
class CsatFigures:
    n: int
    satisfied: int
    satisfied_pct: float | None
    mean: float | None

    @classmethod
    def of(cls, tally: Tally) -> CsatFigures:
        """% of 4-5 answers on the 1-5 scale, and the mean."""
        n = tally.responses
        satisfied = tally.count(*bands(Metric.CSAT).favourable)
        return cls(
            n=n,
            satisfied=satisfied,
            satisfied_pct=percent(satisfied, n),
            mean=tally.score_sum / n if n else None,
        )


@dataclass(frozen=True)
class CesFigures:
    n: int
    mean: float | None
    easy: int
    easy_pct: float | None

    @classmethod
    def of(cls, tally: Tally) -> CesFigures:
        """The mean on the 1-7 scale and the % of 5-7 answers."""
        n = tally.responses
        easy = tally.count(*bands(Metric.CES).favourable)
        return cls(
            n=n, mean=tally.score_sum / n if n else None, easy=easy, easy_pct=percent(easy, n)
        )


@dataclass(frozen=True)
class Summary:
    displays: int
    responses: int
    comments: int
    declines: int
    response_rate: float | None  # % of displays answered
    comment_rate: float | None  # % of responses with a comment
    decline_rate: float | None  # % of displays declined
    nps: NpsFigures | None
    csat: CsatFigures | None
    ces: CesFigures | None

    @classmethod
    def of(cls, by_metric: dict[Metric, Tally], metrics: Iterable[Metric]) -> Summary:
        """Figures of the metrics in `metrics` (present even with no data, so every
        period of a trend has the same shape)."""
        total = Tally()
        for tally in by_metric.values():
            total.add(tally)
        shown = set(metrics)

        def of_metric(metric: Metric) -> Tally:
            return by_metric.get(metric) or Tally()

        return cls(
            displays=total.displays,
            responses=total.responses,
            comments=total.comments,
            declines=total.declines,
            response_rate=percent(total.responses, total.displays),
            comment_rate=percent(total.comments, total.responses),
            decline_rate=percent(total.declines, total.displays),
            nps=NpsFigures.of(of_metric(Metric.NPS)) if Metric.NPS in shown else None,
            csat=CsatFigures.of(of_metric(Metric.CSAT)) if Metric.CSAT in shown else None,
            ces=CesFigures.of(of_metric(Metric.CES)) if Metric.CES in shown else None,
        )
