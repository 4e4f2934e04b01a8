"""The formulas, against values worked out by hand."""

import pytest

from hub.models.common import Metric
from hub.services.analytics.figures import CesFigures, CsatFigures, NpsFigures, Summary, Tally


def tally(scores: dict[int, int], displays: int = 0, declines: int = 0, comments: int = 0) -> Tally:
    counts = [0] * 11
    for value, count in scores.items():
        counts[value] = count
    return Tally(
        displays=displays,
        declines=declines,
        responses=sum(scores.values()),
        comments=comments,
        score_sum=sum(value * count for value, count in scores.items()),
        scores=counts,
    )


def test_nps_of_a_mixed_sample() -> None:
    # 5 promoters (9, 10), 3 passives (7, 8), 2 detractors (0, 6): 50% - 20% = 30.
    # Adjusted Wald: n' = 13, p' = 5.75/13, d' = 2.75/13, centre = 3/13 = 0.230769,
    # var = (p' + d' - centre^2) / n' = 0.046199, margin = 1.96 * 0.214941 = 0.421277.
    figures = NpsFigures.of(tally({10: 3, 9: 2, 8: 2, 7: 1, 6: 1, 0: 1}))

    assert (figures.n, figures.promoters, figures.passives, figures.detractors) == (10, 5, 3, 2)
    assert figures.score == pytest.approx(30.0)
    assert [figures.promoters_pct, figures.passives_pct, figures.detractors_pct] == (
        pytest.approx([50.0, 30.0, 20.0])
    )
    assert figures.interval_low == pytest.approx(-19.05, abs=0.01)
    assert figures.interval_high == pytest.approx(65.20, abs=0.01)


def test_nps_of_all_promoters_is_100_with_an_interval_capped_at_100() -> None:
    # n' = 7, p' = 4.75/7, d' = 0.75/7, centre = 4/7; margin = 1.96 * 0.256121 = 0.501995.
    figures = NpsFigures.of(tally({9: 2, 10: 2}))

    assert figures.score == pytest.approx(100.0)
    assert figures.interval_low == pytest.approx(6.94, abs=0.01)
    assert figures.interval_high == 100.0


def test_nps_of_all_detractors_is_minus_100() -> None:
    figures = NpsFigures.of(tally({0: 1, 3: 2, 6: 1}))

    assert figures.score == pytest.approx(-100.0)
    assert figures.detractors == 4
    assert figures.interval_low == -100.0
    assert figures.interval_high == pytest.approx(-6.94, abs=0.01)


def test_nps_of_a_single_response() -> None:
    # n' = 4, p' = 1.75/4, d' = 0.75/4, centre = 0.25, var = 0.140625, margin = 0.734986.
    figures = NpsFigures.of(tally({9: 1}))

    assert figures.score == pytest.approx(100.0)
    assert figures.interval_low == pytest.approx(-48.50, abs=0.01)
    assert figures.interval_high == pytest.approx(98.50, abs=0.01)


def test_nps_with_no_responses_has_no_score() -> None:
    figures = NpsFigures.of(tally({}))

    assert figures.n == 0
    assert figures.score is None
    assert figures.promoters_pct is None
    assert figures.interval_low is None and figures.interval_high is None


def test_csat_counts_4_and_5_as_satisfied() -> None:
    # Scores 5, 4, 4, 3, 1: 3 of 5 satisfied = 60%; mean 17 / 5 = 3.4.
    figures = CsatFigures.of(tally({5: 1, 4: 2, 3: 1, 1: 1}))

    assert figures.satisfied == 3
    assert figures.satisfied_pct == pytest.approx(60.0)
    assert figures.mean == pytest.approx(3.4)
    assert CsatFigures.of(tally({})).mean is None


def test_ces_mean_and_share_of_5_to_7() -> None:
    # Scores 7, 5, 4, 2: 2 of 4 are 5-7 = 50%; mean 18 / 4 = 4.5.
    figures = CesFigures.of(tally({7: 1, 5: 1, 4: 1, 2: 1}))

    assert figures.easy == 2
    assert figures.easy_pct == pytest.approx(50.0)
    assert figures.mean == pytest.approx(4.5)


def test_rates_leave_declines_out_of_the_score() -> None:
    # 10 displays: 4 answered (2 with a comment), 3 declined, 3 ignored.
    summary = Summary.of(
        {Metric.NPS: tally({10: 2, 0: 2}, displays=10, declines=3, comments=2)}, [Metric.NPS]
    )

    assert summary.response_rate == pytest.approx(40.0)
    assert summary.decline_rate == pytest.approx(30.0)
    assert summary.comment_rate == pytest.approx(50.0)
    assert summary.nps is not None and summary.nps.n == 4 and summary.nps.score == 0.0
    assert summary.csat is None and summary.ces is None


def test_rates_with_nothing_shown_are_empty() -> None:
    summary = Summary.of({}, [Metric.CSAT])

    assert summary.response_rate is None and summary.decline_rate is None
    assert summary.csat is not None and summary.csat.n == 0 and summary.csat.satisfied_pct is None
