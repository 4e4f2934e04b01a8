"""Live events: what a recorded live event announces, and the stream of events under
a filter (the `analytics` subscription)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from hub.models.activity import Display
from hub.models.event import LiveEvent
from hub.models.response import Response
from hub.services.analytics.criteria import AnalyticsFilter
from hub.services.analytics.rollups import metric_of
from hub.services.surveys.surveys import SurveyService
from hub.services.widget.events import EventBus, EventKind, ResponseEvent


class LiveEvents:
    def __init__(self, events: EventBus, surveys: SurveyService) -> None:
        self.events = events
        self.surveys = surveys

    async def event_of(self, live: LiveEvent) -> ResponseEvent | None:
        """The event a live event announces, with its record as it is now (None when
        the record is gone, say erased since, or its person was taken out of
        processing: restricted, objected)."""
        if not isinstance(live.kind, EventKind):
            return None  # a change the console hears of, not a response event
        if live.kind is EventKind.DECLINE:
            display = await Display.get(live.record_id)
            if display is None or display.analytics_excluded:
                return None
            return ResponseEvent(
                kind=EventKind.DECLINE,
                at=display.declined_at or display.shown_at,
                survey_key=display.survey_key,
                metric=await metric_of(self.surveys, display.survey_key),
                product=display.context.product or "",
                country=display.context.country,
                channel=display.channel,
                company=display.context.company,
                display=display,
            )
        response = await Response.get(live.record_id)
        if response is None or response.analytics_excluded:
            return None
        if live.kind is EventKind.SCORE:  # as it was scored: its comment is an event of its own
            response = response.model_copy(update={"comment": None, "commented_at": None})
        return _response_event(live.kind, response)

    async def listen(self, criteria: AnalyticsFilter) -> AsyncIterator[ResponseEvent]:
        """Live events under `criteria`, from now on."""
        async for event in self.events.listen():
            if criteria.accepts(event):
                yield event


def _response_event(kind: EventKind, response: Response) -> ResponseEvent:
    return ResponseEvent(
        kind=kind,
        at=response.commented_at
        if kind is EventKind.COMMENT and response.commented_at
        else response.answered_at,
        survey_key=response.survey_key,
        metric=response.metric,
        product=response.product,
        country=response.customer.country,
        channel=response.channel,
        company=response.customer.company,
        response=response,
    )
