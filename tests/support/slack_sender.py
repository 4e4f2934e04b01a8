"""Requests to /slack/events signed the way Slack signs them."""

from __future__ import annotations

import json
import time
import urllib.parse
from typing import Any

import httpx
from slack_sdk.signature import SignatureVerifier

SIGNING_SECRET = "test-signing-secret"


def signed_headers(
    body: str, secret: str = SIGNING_SECRET, at: int | None = None
) -> dict[str, str]:
    """Headers as Slack sends them: v0 HMAC-SHA256 over `v0:{timestamp}:{body}`."""
    timestamp = str(at if at is not None else int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    assert signature is not None
    return {
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature,
        "Content-Type": "application/x-www-form-urlencoded",
    }


class SlackSender:
    """Sends requests to /slack/events the way Slack does."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.triggers = 0
        self.events = 0

    def trigger(self) -> str:
        self.triggers += 1
        return f"trigger-{self.triggers}"

    async def send(
        self, body: str, headers: dict[str, str] | None = None, retry: int | None = None
    ) -> httpx.Response:
        headers = dict(headers if headers is not None else signed_headers(body))
        if retry is not None:
            headers["X-Slack-Retry-Num"] = str(retry)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        return await self.http.post("/slack/events", content=body, headers=headers)

    def action_body(
        self, action_id: str, follow_up_id: str, user: str, channel: str = "CROUTED"
    ) -> str:
        payload = self.action_payload(action_id, follow_up_id, user, channel)
        return "payload=" + urllib.parse.quote(json.dumps(payload))

    def action_payload(
        self, action_id: str, follow_up_id: str, user: str, channel: str = "CROUTED"
    ) -> dict[str, Any]:
        return {
            "type": "block_actions",
            "team": {"id": "T0001"},
            "user": {"id": user, "username": user.lower(), "team_id": "T0001"},
            "api_app_id": "A0001",
            "token": "legacy",
            "trigger_id": self.trigger(),
            "channel": {"id": channel},
            "container": {"type": "message", "channel_id": channel, "message_ts": "1.000001"},
            "response_url": "http://127.0.0.1:9/unused",
            "actions": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "block_id": "follow_up_actions",
                    "value": follow_up_id,
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }

    async def click(
        self, action_id: str, follow_up_id: str, user: str, channel: str = "CROUTED"
    ) -> httpx.Response:
        return await self.send(self.action_body(action_id, follow_up_id, user, channel))

    async def submit_resolution(
        self,
        follow_up_id: str,
        user: str,
        note: str,
        informed: bool,
        channel: str | None = "CROUTED",
    ) -> httpx.Response:
        selected = [{"value": "informed"}] if informed else []
        values = {
            "note": {"note_input": {"type": "plain_text_input", "value": note}},
            "informed": {"informed_input": {"type": "checkboxes", "selected_options": selected}},
        }
        return await self.submit_view("followup_resolve_view", follow_up_id, user, values, channel)

    async def click_in_home(self, action_id: str, follow_up_id: str, user: str) -> httpx.Response:
        """A button clicked on the user's App Home: no channel, a `home` view."""
        payload = self.action_payload(action_id, follow_up_id, user)
        del payload["channel"]
        payload["container"] = {"type": "view", "view_id": "VHOME"}
        payload["view"] = {"id": "VHOME", "type": "home", "blocks": []}
        return await self.send("payload=" + urllib.parse.quote(json.dumps(payload)))

    async def submit_reply(
        self,
        follow_up_id: str,
        user: str,
        text: str,
        view_id: str = "V0001",
        channel: str | None = "CROUTED",
    ) -> httpx.Response:
        """The "Reply to customer" form submitted; `view_id` names the opened form
        (Slack sends the same one again when it retries), `channel` None: opened on
        the App Home."""
        values = {"reply": {"reply_input": {"type": "plain_text_input", "value": text}}}
        return await self.submit_view(
            "followup_reply_view", follow_up_id, user, values, channel, view_id
        )

    async def open_home(self, user: str, event_id: str, retry: int | None = None) -> httpx.Response:
        """The user opened the app's Home tab."""
        event = {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home"}
        return await self.event({**event, "event_ts": f"{time.time():.6f}"}, event_id, retry)

    def command_body(self, text: str, user: str, response_url: str) -> str:
        return urllib.parse.urlencode(
            {
                "token": "legacy",
                "team_id": "T0001",
                "channel_id": "CROUTED",
                "user_id": user,
                "user_name": user.lower(),
                "command": "/feedback",
                "text": text,
                "api_app_id": "A0001",
                "response_url": response_url,
                "trigger_id": self.trigger(),
            }
        )

    async def command(self, text: str, user: str, response_url: str) -> httpx.Response:
        return await self.send(self.command_body(text, user, response_url))

    async def submit_view(
        self,
        callback_id: str,
        follow_up_id: str,
        user: str,
        values: dict[str, Any],
        channel: str | None = "CROUTED",
        view_id: str = "V0001",
    ) -> httpx.Response:
        """A modal of ours submitted, with `values` as its state."""
        payload = {
            "type": "view_submission",
            "team": {"id": "T0001"},
            "user": {"id": user, "username": user.lower(), "team_id": "T0001"},
            "api_app_id": "A0001",
            "token": "legacy",
            "trigger_id": self.trigger(),
            "view": {
                "id": view_id,
                "type": "modal",
                "callback_id": callback_id,
                "private_metadata": json.dumps(
                    {"follow_up_id": follow_up_id, "channel_id": channel}
                ),
                "state": {"values": values},
            },
        }
        return await self.send("payload=" + urllib.parse.quote(json.dumps(payload)))

    def event_body(self, event: dict[str, Any], event_id: str | None = None) -> str:
        """An Events API delivery of `event`, with a new event id unless given."""
        self.events += 1
        return json.dumps(
            {
                "token": "legacy",
                "team_id": "T0001",
                "api_app_id": "A0001",
                "type": "event_callback",
                "event_id": event_id or f"Ev{self.events:08d}",
                "event_time": int(time.time()),
                "event": event,
            }
        )

    async def event(
        self, event: dict[str, Any], event_id: str | None = None, retry: int | None = None
    ) -> httpx.Response:
        body = self.event_body(event, event_id)
        headers = signed_headers(body)
        headers["Content-Type"] = "application/json"
        return await self.send(body, headers, retry)
