"""Which database the service uses: the configured URL, or an embedded Postgres of its own."""

from __future__ import annotations

import contextlib
import os
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from portfolio.entrypoints.embedded_postgres import start as start_embedded
from portfolio.entrypoints.settings import Settings

EMBEDDED_DATABASE = "portfolio"

# The embedded server stops when the last process holding its handle exits.
_embedded_servers: list[Any] = []


def ensure_database(server_url: str, name: str) -> str:
    """Create database ``name`` on the server if missing; return a URL for it."""
    with psycopg.connect(server_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists is None:
            # Another process may create it first; that is as good.
            with contextlib.suppress(psycopg.errors.DuplicateDatabase):
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return make_conninfo(server_url, dbname=name)


def database_url(settings: Settings) -> str:
    """The configured URL, or the embedded server's (started on first use) for this process."""
    if settings.database_url is not None:
        return settings.database_url
    server_url, server = start_embedded(settings.data_dir / "postgres")
    _embedded_servers.append(server)
    url = ensure_database(server_url, EMBEDDED_DATABASE)
    # Worker processes started later read the URL from the environment.
    os.environ["PORTFOLIO_DATABASE_URL"] = url
    return url


def describe(url: str) -> str:
    """The URL without its password, fit for logs and terminals."""
    params = conninfo_to_dict(url)
    params.pop("password", None)
    return " ".join(f"{key}={value}" for key, value in params.items())
