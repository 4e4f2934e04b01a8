"""The score bands are defined once: the analytics figures, `/feedback stats`, the
escalation of detractors and the follow-up labels agree on every score of every scale."""

from __future__ import annotations

import pytest

from hub.models.common import Metric
from hub.services.analytics.bands import bands, is_detractor, score_label
from hub.services.analytics.figures import CesFigures, CsatFigures, NpsFigures, Tally
from hub.services.analytics.queries import ScoreCount
from hub.services.followups.followups import summarise


def one_answer(score: int) -> Tally:
    scores = [0] * 11
    scores[score] = 1
    return Tally(responses=1, score_sum=score, scores=scores)


def favourable_in_figures(metric: Metric, score: int) -> bool:
    tally = one_answer(score)
    if metric is Metric.NPS:
        return NpsFigures.of(tally).promoters == 1
    if metric is Metric.CSAT:
        return CsatFigures.of(tally).satisfied == 1
    return CesFigures.of(tally).easy == 1


@pytest.mark.parametrize("metric", list(Metric))
def test_every_user_of_the_bands_agrees_on_every_score(metric: Metric) -> None:
    low, high = metric.scale
    for score in range(low, high + 1):
        band = bands(metric)
        (stats,) = summarise([ScoreCount(metric=metric, score=score, count=1)])
        favourable, unfavourable = band.is_favourable(score), band.is_unfavourable(score)
        assert not (favourable and unfavourable)
        assert favourable_in_figures(metric, score) is favourable
        assert (stats.favourable_percent == 100.0) is favourable
        assert (stats.unfavourable_percent == 100.0) is unfavourable
        assert is_detractor(metric, score) is unfavourable
        labels = band.labels
        expected = labels[0] if favourable else labels[2] if unfavourable else labels[1]
        assert score_label(metric, score) == expected


def test_the_bands_of_each_metric() -> None:
    assert [score_label(Metric.NPS, s) for s in (0, 6, 7, 8, 9, 10)] == [
        "detractor",
        "detractor",
        "passive",
        "passive",
        "promoter",
        "promoter",
    ]
    assert [score_label(Metric.CSAT, s) for s in range(1, 6)] == [
        "unsatisfied",
        "unsatisfied",
        "neutral",
        "satisfied",
        "satisfied",
    ]
    assert [is_detractor(Metric.CES, s) for s in range(1, 8)] == [True] * 3 + [False] * 4
    assert bands(Metric.CES).favourable == (5, 7)
