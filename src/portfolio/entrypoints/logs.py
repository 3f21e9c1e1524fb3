"""Log configuration shared by the server and its worker processes."""

from __future__ import annotations

from typing import Any


def logging_config(level: str) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` dict: one plain line per record on stderr."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        },
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "plain"},
        },
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            "_granian": {"level": level, "handlers": [], "propagate": True},
            "granian.access": {"level": level, "handlers": [], "propagate": True},
            "psycopg": {"level": "WARNING"},
        },
    }
