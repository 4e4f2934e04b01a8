"""Logging: JSON lines (one object per event) for machines, a short readable line on a
terminal. Each line carries the request's id, GraphQL operation, and the caller's role
and key label when there is a request; never personal data (log ids, not people)."""

from __future__ import annotations

import contextvars
import logging
import sys
from dataclasses import dataclass
from typing import TextIO

from pythonjsonlogger.core import LogData
from pythonjsonlogger.json import JsonFormatter


@dataclass
class RequestFacts:
    """What is known about the request being served, filled in as it is handled."""

    request_id: str
    operation: str | None = None
    role: str | None = None
    key_label: str | None = None
    outcome: str | None = None


current_request: contextvars.ContextVar[RequestFacts | None] = contextvars.ContextVar(
    "current_request", default=None
)

_FIELDS = ("request_id", "operation", "role", "key_label")

# Libraries whose debug logs quote whole requests and replies (database commands,
# Slack message bodies), personal data included: never below INFO.
PAYLOAD_LOGGERS = ("pymongo", "slack_sdk", "slack_bolt", "aiohttp")


class RequestFilter(logging.Filter):
    """Adds the current request's facts to every record logged while serving it."""

    def filter(self, record: logging.LogRecord) -> bool:
        facts = current_request.get()
        for name in _FIELDS:
            if not hasattr(record, name):
                setattr(record, name, getattr(facts, name) if facts else None)
        return True


class HubJsonFormatter(JsonFormatter):
    """One JSON object per line: time, level, logger, message, request facts, and any
    `extra=` fields; fields without a value are left out."""

    def __init__(self) -> None:
        super().__init__(
            "%(levelname)s %(name)s %(message)s",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="time",
        )

    def process_log_record(self, log_data: LogData) -> LogData:
        # Uvicorn adds a terminal-coloured copy of some messages.
        return {
            key: value
            for key, value in log_data.items()
            if value is not None and key != "color_message"
        }


class ReadableFormatter(logging.Formatter):
    """`HH:MM:SS LEVEL logger: message [request facts]` for a person at a terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        facts = [
            f"{name}={getattr(record, name)}"
            for name in _FIELDS
            if getattr(record, name, None) is not None
        ]
        return f"{line} [{' '.join(facts)}]" if facts else line


def configure_logging(
    level: str, json_lines: bool | None = None, stream: TextIO | None = None
) -> None:
    """Send every log record to `stream` (stderr) as JSON lines, or readable lines when
    `json_lines` is False; None picks readable lines for a terminal."""
    stream = stream or sys.stderr
    if json_lines is None:
        json_lines = not stream.isatty()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestFilter())
    handler.setFormatter(HubJsonFormatter() if json_lines else ReadableFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # Uvicorn's own handlers would print a second, unstructured line.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    # Every request gets our own access line, with its id and outcome.
    logging.getLogger("uvicorn.access").disabled = True
    for name in PAYLOAD_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.INFO, root.level))
