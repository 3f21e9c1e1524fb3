"""A Postgres of the project's own (the pgserver wheel) for when no database URL is given."""

from __future__ import annotations

import importlib.util
import sys
import warnings
from pathlib import Path
from typing import Any

NOT_AVAILABLE = (
    "No PORTFOLIO_DATABASE_URL is set and the embedded Postgres (pgserver) is not available "
    f"on Python {sys.version_info.major}.{sys.version_info.minor}; set PORTFOLIO_DATABASE_URL, "
    "for example postgresql://postgres@127.0.0.1:5432/portfolio"
)


class EmbeddedPostgresUnavailable(RuntimeError):
    """pgserver cannot be imported or started here."""


def embedded_available() -> bool:
    """Whether pgserver is installed here (it publishes wheels up to Python 3.12)."""
    return importlib.util.find_spec("pgserver") is not None


def start(data_dir: Path) -> tuple[str, Any]:
    """Start (or join) the embedded server under ``data_dir``; return its URL and handle.

    Keep the handle alive as long as the database is needed: the server stops when the
    last process holding it exits.
    """
    try:
        # pgserver's platformdirs warns about XDG_RUNTIME_DIR on servers; it is harmless.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import pgserver  # optional: only needed without a URL
    except ImportError as error:
        raise EmbeddedPostgresUnavailable(NOT_AVAILABLE) from error
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        server = pgserver.get_server(  # type: ignore[attr-defined]
            str(data_dir.resolve())
        )
    except Exception as error:  # pgserver raises bare exceptions for start-up failures
        message = f"the embedded Postgres did not start: {error}"
        raise EmbeddedPostgresUnavailable(message) from error
    return str(server.get_uri()), server
