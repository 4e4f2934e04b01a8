"""Calls to Slack's Web API from the bot, and the rule for the listeners that make them.

A listener acknowledges first and calls Slack after; if it then raised, Bolt would
answer the acknowledged request 404 or 500 (its runner drops the ack when the listener
fails quickly). So a listener never raises: a call Slack does not take is logged
(`CALL_ERRORS`), and `guarded` logs anything else. Work that must reach Slack goes
through the outbox, which retries it."""

from __future__ import annotations

import asyncio
import functools
import logging
import traceback
from collections.abc import Awaitable, Callable
from typing import ParamSpec

import aiohttp
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)

# What a Web API call raises when Slack refuses it, cannot be reached or is too slow.
CALL_ERRORS = (SlackApiError, aiohttp.ClientError, asyncio.TimeoutError, OSError)

P = ParamSpec("P")


def failure(error: BaseException) -> str:
    """Slack's error code, or the kind of failure: never the text, which may quote data."""
    if isinstance(error, SlackApiError):
        return str(error.response.get("error") or "slack_error")
    return type(error).__name__


def guarded(listener: Callable[P, Awaitable[None]]) -> Callable[P, Awaitable[None]]:
    """Run a listener so that nothing it raises reaches Bolt (see the module's doc).
    Bolt still sees the listener's own arguments (it follows `__wrapped__`)."""

    @functools.wraps(listener)
    async def run(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            await listener(*args, **kwargs)
        except Exception as error:  # logged here: Bolt would turn it into an error answer
            frames = "".join(traceback.format_tb(error.__traceback__))
            log.error("Slack listener %s failed: %s\n%s", listener.__name__, failure(error), frames)

    return run
