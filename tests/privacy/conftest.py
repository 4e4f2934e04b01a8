"""The privacy tests run the hub against the fake Slack, like the Slack bot tests."""

from tests.support.slack_hub import hub, hub_http, hub_services, slack, slack_settings

__all__ = ["hub", "hub_http", "hub_services", "slack", "slack_settings"]
