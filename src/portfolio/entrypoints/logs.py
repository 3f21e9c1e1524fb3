"""Log configuration shared by the server and its worker processes: plain lines for a person
at a terminal, or one JSON object per record for a log pipeline."""

from __future__ import annotations

import logging
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import msgspec
from opentelemetry import trace

REQUEST_ID: ContextVar[str | None] = ContextVar("portfolio_request_id", default=None)
"""The id of the request being answered, for every record logged while it is."""

FIELDS = "fields"
"""The ``extra`` key whose dict a record adds to its JSON object (never a header or body)."""


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, the request's id and trace,
    the record's own fields, and the error's type and traceback."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = REQUEST_ID.get()
        if request_id is not None:
            entry["request_id"] = request_id
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            entry["trace_id"] = format(span.trace_id, "032x")
            entry["span_id"] = format(span.span_id, "016x")
        fields = getattr(record, FIELDS, None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__
            entry["traceback"] = self.formatException(record.exc_info)
        return msgspec.json.encode(entry).decode()


def logging_config(level: str, log_format: str = "text") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` dict: one line per record on stderr, plain text or
    JSON (``log_format``)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
            "json": {"()": JsonFormatter},
        },
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": log_format},
        },
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            "_granian": {"level": level, "handlers": [], "propagate": True},
            "granian.access": {"level": level, "handlers": [], "propagate": True},
            "psycopg": {"level": "WARNING"},
        },
    }
