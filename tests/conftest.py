"""Shared fixtures: a real Postgres database per test session, emptied before each test."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import psycopg
import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from psycopg import sql
from psycopg.conninfo import make_conninfo
from psycopg_pool import AsyncConnectionPool

from portfolio.adapters.postgres.migrations import migrate
from portfolio.adapters.postgres.pool import Connection, make_pool, open_pool
from portfolio.adapters.s3.storage import S3Location
from portfolio.entrypoints.embedded_postgres import (
    NOT_AVAILABLE,
    EmbeddedPostgresUnavailable,
    embedded_available,
)
from portfolio.entrypoints.embedded_postgres import start as start_embedded
from tests.redis_server import RedisUnavailable, running_redis
from tests.seaweedfs import SeaweedFS, running_seaweedfs
from tests.varnish import Site, Varnish, running_varnish

REPOSITORY = Path(__file__).resolve().parent.parent

# The commands the tests start read a .env file from the current directory; a developer's own
# (copied from .env.example, say) must not reach them. Tests of the file name their own.
os.environ["PORTFOLIO_ENV_FILE"] = os.devnull

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
def database_server_url() -> str:
    """A URL of the Postgres server the tests use, for tests that create (and drop)
    databases of their own."""
    return _server_url()


@pytest.fixture(scope="session")
def database_url(database_server_url: str) -> Iterator[str]:
    """A fresh, migrated database on the test server, dropped after the session."""
    server = database_server_url
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


# Rows first in tables that refer to others, so no foreign key is ever left dangling.
_EMPTYING_ORDER = """
WITH RECURSIVE refs AS (
    SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent
    FROM pg_constraint c
    WHERE c.contype = 'f' AND c.conrelid <> c.confrelid
), depth (name, level) AS (
    SELECT tablename::text, 0 FROM pg_tables
    WHERE schemaname = 'public' AND tablename <> 'schema_migrations'
    UNION ALL
    SELECT refs.child, depth.level + 1 FROM refs JOIN depth ON refs.parent = depth.name
)
SELECT name FROM depth GROUP BY name ORDER BY max(level) DESC, name
"""


@pytest.fixture(scope="session")
def _emptying(database_url: str) -> bytes:
    """One transaction that empties every table and restarts every id sequence.

    DELETE, not TRUNCATE: on tables this small it is about twenty times faster, as TRUNCATE
    makes and syncs new files for every table each time.
    """
    with psycopg.connect(database_url, autocommit=True) as conn:
        tables = [row[0] for row in conn.execute(_EMPTYING_ORDER)]
        sequences = [
            row[0]
            for row in conn.execute(
                "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"
            )
        ]
    statements = [
        *(sql.SQL("DELETE FROM {}").format(sql.Identifier(table)) for table in tables),
        *(sql.SQL("ALTER SEQUENCE {} RESTART").format(sql.Identifier(seq)) for seq in sequences),
    ]
    with psycopg.connect(database_url) as conn:
        body = sql.SQL("; ").join(statements).as_string(conn)
    # The audit log refuses deletes but for a transaction that says it is pruning.
    return f"BEGIN; SET LOCAL portfolio.audit_prune = 'on'; {body}; COMMIT".encode()


@pytest.fixture
def clean_database(database_url: str, _emptying: bytes) -> str:
    """The session database with every table emptied and ids restarted."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(_emptying)
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


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedFS]:
    """One SeaweedFS (S3 gateway included) on loopback for the whole session."""
    with running_seaweedfs(tmp_path_factory.mktemp("seaweedfs")) as server:
        yield server


@pytest.fixture
def s3_location(seaweedfs: SeaweedFS) -> S3Location:
    """A fresh, empty bucket on the session's SeaweedFS, reached path-style."""
    return S3Location(
        bucket=seaweedfs.create_bucket(),
        region=seaweedfs.region,
        endpoint_url=seaweedfs.endpoint_url,
        access_key_id=seaweedfs.access_key,
        secret_access_key=seaweedfs.secret_key,
    )


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The Redis the tests use: PORTFOLIO_TEST_REDIS_URL when set, else one started for the
    session from .venv/bin/redis-server on a free port."""
    configured = os.environ.get("PORTFOLIO_TEST_REDIS_URL")
    if configured:
        yield configured
        return
    try:
        with running_redis(tmp_path_factory.mktemp("redis")) as url:
            yield url
    except RedisUnavailable as error:
        pytest.fail(f"Redis tests need a server: {error}")


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix no other test uses; its keys are deleted afterwards."""
    import redis

    prefix = f"portfolio-test:{secrets.token_hex(6)}:"
    client = redis.Redis.from_url(redis_url, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis tests need a server at {redis_url}: {error}")
    try:
        yield prefix
    finally:
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)
        client.close()


@pytest.fixture
def varnish(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Varnish]]:
    """Start a Varnish running the shipped VCL in front of a loopback port, with a site file
    (tests.varnish.Site) of the test's choice. Each one is stopped after the test, so no test
    inherits another's cache."""
    with ExitStack() as started:

        def start(backend_port: int, site: Site | None = None) -> Varnish:
            directory = tmp_path_factory.mktemp("varnish")
            return started.enter_context(running_varnish(directory, backend_port, site or Site()))

        yield start
