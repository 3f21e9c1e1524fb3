"""Shared fixtures: a real Postgres database per test session, emptied before each test."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from psycopg import sql
from psycopg.conninfo import make_conninfo
from psycopg_pool import AsyncConnectionPool

from adapters.postgres import Connection, make_pool, migrate, open_pool
from entrypoints.embedded_postgres import (
    NOT_AVAILABLE,
    EmbeddedPostgresUnavailable,
    embedded_available,
)
from entrypoints.embedded_postgres import start as start_embedded

REPOSITORY = Path(__file__).resolve().parent.parent

# The machine is shared and noisy: property tests judge behaviour, never speed.
hypothesis_settings.register_profile(
    "shared-machine", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("shared-machine")


def pytest_sessionstart(session: pytest.Session) -> None:
    """Say in one line, before anything runs, when Postgres tests cannot get a server."""
    if "not postgres" in (session.config.option.markexpr or ""):
        return
    if _configured_url() is None and not embedded_available():
        pytest.exit(f"Postgres tests need a server: {NOT_AVAILABLE}", returncode=3)


def _configured_url() -> str | None:
    return os.environ.get("PORTFOLIO_TEST_DATABASE_URL") or os.environ.get("PORTFOLIO_DATABASE_URL")


def _server_url() -> str:
    configured = _configured_url()
    if configured:
        return configured
    try:
        url, server = start_embedded(REPOSITORY / ".data" / "test-postgres")
    except EmbeddedPostgresUnavailable as error:
        pytest.exit(f"Postgres tests need a server: {error}", returncode=3)
    _keep_alive.append(server)
    return url


_keep_alive: list[object] = []


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A fresh, migrated database on the test server, dropped after the session."""
    server = _server_url()
    name = f"portfolio_test_{secrets.token_hex(4)}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = make_conninfo(server, dbname=name)
    try:
        migrate(url)
        yield url
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def clean_database(database_url: str) -> str:
    """The session database with every table emptied and ids restarted."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                " AND tablename <> 'schema_migrations'"
            )
        ]
        conn.execute(
            sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(
                sql.SQL(", ").join(map(sql.Identifier, tables))
            )
        )
    return database_url


@pytest.fixture
async def pool(clean_database: str) -> AsyncIterator[AsyncConnectionPool[Connection]]:
    """An open pool on the emptied test database."""
    opened = make_pool(clean_database)
    await open_pool(opened)
    try:
        yield opened
    finally:
        await opened.close()
