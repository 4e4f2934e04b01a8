"""What an analytics query asks for: the filter, the breakdown dimensions and the
trend intervals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from hub.models.common import Channel, Metric
from hub.models.rollup import BREAKDOWN_LEVELS, Detail
from hub.services.platform import validation
from hub.services.widget.events import ResponseEvent


class Interval(StrEnum):
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"


class Dimension(StrEnum):
    PRODUCT = "product"
    COUNTRY = "country"
    CHANNEL = "channel"
    COMPANY = "company"
    SURVEY = "survey_key"


@dataclass(frozen=True)
class AnalyticsFilter:
    """Which rollups count. Built only from typed values (no operator can slip in)."""

    survey_keys: list[str] | None = None
    metric: Metric | None = None
    product: str | None = None
    country: str | None = None
    channel: Channel | None = None
    company: str | None = None
    date_from: datetime | None = None  # inclusive
    date_to: datetime | None = None  # exclusive

    def dimension_query(self) -> dict[str, Any]:
        query: dict[str, Any] = {}
        if self.survey_keys is not None:
            keys = [str(key) for key in self.survey_keys]
            # Equality for one survey: an index range scan on every server.
            query["survey_key"] = keys[0] if len(keys) == 1 else {"$in": keys}
        if self.metric is not None:
            query["metric"] = Metric(self.metric).value
        if self.product is not None:
            query["product"] = str(self.product)
        if self.country is not None:
            query["country"] = validation.country(self.country, "filter.country")
        if self.channel is not None:
            query["channel"] = Channel(self.channel).value
        if self.company is not None:
            query["company"] = str(self.company)
        return query

    def _filtered_below_survey(self) -> bool:
        """Whether a filter names a country, channel or company."""
        return any(value is not None for value in (self.country, self.channel, self.company))

    def detail(self, by: Dimension | None = None) -> Detail:
        """The coarsest rollups that can answer: survey level unless a filter or the
        breakdown needs country, channel or company."""
        if self._filtered_below_survey() or (by is not None and by.value in BREAKDOWN_LEVELS):
            return Detail.FULL
        return Detail.SURVEY

    def day_detail(self, by: Dimension | None = None) -> Detail:
        """The coarsest daily rollups that can answer: a breakdown by country, channel
        or company without a filter on any of them reads that dimension's own level;
        otherwise as `detail`."""
        if by is not None and by.value in BREAKDOWN_LEVELS and not self._filtered_below_survey():
            return Detail(by.value)
        return self.detail(by)

    def accepts(self, event: ResponseEvent) -> bool:
        """Whether a live event falls under this filter (date bounds aside)."""
        return (
            (self.survey_keys is None or event.survey_key in self.survey_keys)
            and (self.metric is None or event.metric == self.metric)
            and (self.product is None or event.product == self.product)
            and (self.country is None or event.country == self.country.upper())
            and (self.channel is None or event.channel == self.channel)
            and (self.company is None or event.company == self.company)
        )
