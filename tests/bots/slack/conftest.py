"""Fixtures of the Slack bot tests: the fake Slack Web API, the hub pointed at it,
signed requests to /slack/events, and the widget flow that creates follow-ups."""

from __future__ import annotations

import httpx
import pytest

from hub.services import Services
from tests.support.slack_hub import hub, hub_http, hub_services, slack, slack_settings
from tests.support.slack_sender import SlackSender
from tests.support.widget import Widget

__all__ = ["hub", "hub_http", "hub_services", "sender", "slack", "slack_settings", "widget"]


@pytest.fixture
def sender(hub_http: httpx.AsyncClient) -> SlackSender:
    return SlackSender(hub_http)


@pytest.fixture
def widget(hub_services: Services) -> Widget:
    return Widget(hub_services)
