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
# Where CREATE DATABASE is sent from, as createdb does: the first that accepts a connection.
MAINTENANCE_DATABASES = ("postgres", "template1")

# The embedded server stops when the last process holding its handle exits.
_embedded_servers: list[Any] = []


class DatabaseNotCreated(RuntimeError):
    """The database a URL names is missing, and the server would not create it."""


def _create_if_missing(server_url: str, name: str) -> bool:
    """Create database ``name`` through ``server_url`` unless it exists; whether it was made."""
    with psycopg.connect(server_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists is not None:
            return False
        # Another process may create it first; that is as good.
        with contextlib.suppress(psycopg.errors.DuplicateDatabase):
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return True


def ensure_database(server_url: str, name: str) -> str:
    """Create database ``name`` on the server if missing; return a URL for it."""
    _create_if_missing(server_url, name)
    return make_conninfo(server_url, dbname=name)


def create_missing_database(url: str) -> str | None:
    """Create the database ``url`` names when the server lacks it and lets its role create
    one; return its name when created, None when it was there.

    The URL is tried first, so a database that exists costs one connection and needs no
    maintenance database. When it cannot be reached, the server is asked through its
    ``postgres`` (or ``template1``) database whether the name exists: if it does, or no
    maintenance database answers either, the first failure is raised as it was.
    Raises DatabaseNotCreated, in one line, when the role may not create databases.
    """
    try:
        psycopg.connect(url).close()
        return None
    except psycopg.OperationalError as unreachable:
        name = conninfo_to_dict(url).get("dbname")
        if not name:
            raise
        for maintenance in MAINTENANCE_DATABASES:
            if maintenance == name:
                continue
            try:
                if _create_if_missing(make_conninfo(url, dbname=maintenance), str(name)):
                    return str(name)
            except psycopg.errors.InsufficientPrivilege as refused:
                reason = str(refused).strip().splitlines()[0]
                raise DatabaseNotCreated(
                    f'database "{name}" does not exist, and creating it failed: {reason}'
                ) from None
            except psycopg.OperationalError:
                continue
            raise unreachable from None
        raise


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
