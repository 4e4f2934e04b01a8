"""The figures of a theme from summed counters: the metric among the responses whose
comment mentions it, its share of comments, and its impact on the metric with a 95%
interval.

Impact. Each metric's headline figure is the mean, over the responses, of a value of
each score: NPS of +100 for a promoter, 0 for a passive and -100 for a detractor (their
mean is % promoters - % detractors); CSAT of 100 for a satisfied answer (the mean is the
% satisfied); CES the score itself (the mean). The impact of a theme is the figure of
every response minus the figure without the responses that mention it:

    impact = F(all) - F(without)

Its interval comes from the delta method on the multinomial counts: the responses fall
into cells k = (mentions the theme or not, score), with shares p_k = c_k / n. With
w = the share that mentions the theme, A and B the sums of p_k x_k over the cells that
do and do not mention it, impact = A + B - B / (1 - w), whose gradient is

    g_k = x_k - b / (1 - w)     for a cell that mentions the theme
    g_k = -x_k w / (1 - w)      for one that does not (b = B / (1 - w), F without)

so Var(impact) = (sum p_k g_k^2 - (sum p_k g_k)^2) / n, and the interval is
impact +- 1.96 sqrt(Var). The same formula serves every metric; docs/themes.md works
an example through."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from hub.models.common import Metric
from hub.services.analytics.bands import bands
from hub.services.analytics.figures import (
    Z95,
    CesFigures,
    CsatFigures,
    NpsFigures,
    Tally,
    percent,
)


def headline(metric: Metric) -> Callable[[int], float]:
    """What one answer's score adds to the metric's headline figure (its mean)."""
    favourable = bands(metric)
    if metric is Metric.NPS:
        return lambda score: (
            100.0
            if favourable.is_favourable(score)
            else -100.0
            if favourable.is_unfavourable(score)
            else 0.0
        )
    if metric is Metric.CSAT:
        return lambda score: 100.0 if favourable.is_favourable(score) else 0.0
    return float


@dataclass(frozen=True)
class Impact:
    """How much a theme's responses move a metric's headline figure (NPS, CSAT %
    satisfied, CES mean): `overall` minus `without` them, with a 95% interval. Null
    where there is nothing to compare (no responses, or all of them mention it)."""

    n: int  # responses of the metric under the filter
    mentions: int  # of them, those whose comment mentions the theme
    overall: float | None
    without: float | None
    impact: float | None
    interval_low: float | None
    interval_high: float | None

    @classmethod
    def of(cls, metric: Metric, overall: Tally, mentioned: Tally) -> Impact:
        value = headline(metric)
        n, mentions = overall.responses, mentioned.responses
        rest = n - mentions
        if n <= 0 or rest <= 0:
            figure = _mean(value, overall.scores, n) if n > 0 else None
            return cls(n, mentions, figure, None, None, None, None)
        others = [overall.scores[s] - mentioned.scores[s] for s in range(11)]
        share = mentions / n
        without = _mean(value, others, rest)
        everyone = _mean(value, overall.scores, n)
        impact = everyone - without
        mentioning = enumerate(mentioned.scores)
        gradients = [
            *((count, value(s) - without / (1 - share)) for s, count in mentioning),
            *((count, -value(s) * share / (1 - share)) for s, count in enumerate(others)),
        ]
        first = sum(count * g for count, g in gradients) / n
        second = sum(count * g * g for count, g in gradients) / n
        margin = Z95 * math.sqrt(max(second - first**2, 0.0) / n)
        return cls(n, mentions, everyone, without, impact, impact - margin, impact + margin)


def _mean(value: Callable[[int], float], scores: list[int], n: int) -> float:
    return sum(count * value(score) for score, count in enumerate(scores)) / n


def mentions_tally(row: dict[str, Any]) -> Tally:
    """A theme rollup row as a tally of the responses that mention the theme: each
    one a response with a comment."""
    mentions = int(row.get("mentions") or 0)
    return Tally.from_row({**row, "responses": mentions, "comments": mentions})


@dataclass(frozen=True)
class ThemeFigures:
    """A theme's figures under a filter: its mentions, their share of the comments,
    the metrics among the responses that mention it, and its impact on each."""

    key: str
    name: str
    mentions: int
    comments: int  # every comment under the filter
    share_pct: float | None
    nps: NpsFigures | None
    csat: CsatFigures | None
    ces: CesFigures | None
    nps_impact: Impact | None
    csat_impact: Impact | None
    ces_impact: Impact | None

    @classmethod
    def of(
        cls,
        key: str,
        name: str,
        overall: dict[Metric, Tally],
        mentioned: dict[Metric, Tally],
        metrics: Iterable[Metric],
    ) -> ThemeFigures:
        shown = set(metrics)
        mentions = sum(tally.responses for tally in mentioned.values())
        comments = sum(tally.comments for tally in overall.values())

        def among(metric: Metric) -> Tally:
            return mentioned.get(metric) or Tally()

        def impact(metric: Metric) -> Impact | None:
            if metric not in shown:
                return None
            return Impact.of(metric, overall.get(metric) or Tally(), among(metric))

        return cls(
            key=key,
            name=name,
            mentions=mentions,
            comments=comments,
            share_pct=percent(mentions, comments),
            nps=NpsFigures.of(among(Metric.NPS)) if Metric.NPS in shown else None,
            csat=CsatFigures.of(among(Metric.CSAT)) if Metric.CSAT in shown else None,
            ces=CesFigures.of(among(Metric.CES)) if Metric.CES in shown else None,
            nps_impact=impact(Metric.NPS),
            csat_impact=impact(Metric.CSAT),
            ces_impact=impact(Metric.CES),
        )
