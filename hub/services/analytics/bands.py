"""The score bands of each metric, defined once: which answers are favourable (NPS
promoters, satisfied CSAT answers, low-effort CES answers) and which unfavourable
(detractors, unsatisfied, high effort). The analytics figures, `/feedback stats`, the
escalation of detractors and the labels on Slack follow-ups all read them here."""

from __future__ import annotations

from dataclasses import dataclass

from hub.models.common import Metric


@dataclass(frozen=True)
class Bands:
    """A metric's favourable and unfavourable score ranges (inclusive); the scores
    between them are the middle band."""

    favourable: tuple[int, int]
    unfavourable: tuple[int, int]
    labels: tuple[str, str, str]  # favourable, middle, unfavourable

    def is_favourable(self, score: int) -> bool:
        low, high = self.favourable
        return low <= score <= high

    def is_unfavourable(self, score: int) -> bool:
        low, high = self.unfavourable
        return low <= score <= high

    def label(self, score: int) -> str:
        favourable, middle, unfavourable = self.labels
        if self.is_favourable(score):
            return favourable
        return unfavourable if self.is_unfavourable(score) else middle


_SATISFACTION = ("satisfied", "neutral", "unsatisfied")

BANDS: dict[Metric, Bands] = {
    # NPS on 0-10: promoters 9-10, passives 7-8, detractors 0-6.
    Metric.NPS: Bands((9, 10), (0, 6), ("promoter", "passive", "detractor")),
    # CSAT on 1-5: satisfied 4-5, unsatisfied 1-2.
    Metric.CSAT: Bands((4, 5), (1, 2), _SATISFACTION),
    # CES on 1-7: low effort (easy) 5-7, high effort 1-3.
    Metric.CES: Bands((5, 7), (1, 3), _SATISFACTION),
}


def bands(metric: Metric) -> Bands:
    return BANDS[Metric(metric)]


def is_detractor(metric: Metric, score: int) -> bool:
    """In the unfavourable band: NPS 0-6, CSAT 1-2, CES 1-3."""
    return bands(metric).is_unfavourable(score)


def score_label(metric: Metric, score: int) -> str:
    """Promoter / passive / detractor for NPS; satisfied / neutral / unsatisfied else."""
    return bands(metric).label(score)
