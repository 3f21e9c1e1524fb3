"""The async connection pool, and the translation of database outages into ServiceUnavailable."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

import psycopg
from psycopg import AsyncConnection
from psycopg.rows import TupleRow
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from portfolio.adapters.postgres.observed import observed_cursor
from portfolio.application import UNOBSERVED, Observer
from portfolio.application.observing import DB_ACQUIRE
from portfolio.domain import ServiceUnavailable

Connection = AsyncConnection[TupleRow]


@dataclass(frozen=True, slots=True)
class PoolSettings:
    """How many connections to keep and how long to wait for the database."""

    min_size: int = 2
    max_size: int = 10
    # A request waits at most this long for a connection before answering 503.
    acquire_timeout: float = 5.0
    connect_timeout: int = 3
    statement_timeout_ms: int = 10_000


def connection_kwargs(settings: PoolSettings) -> dict[str, object]:
    """Per-connection options: UTC timestamps, bounded statements, a short connect timeout.

    JIT is off: the nested portfolio statements look expensive to the planner, which then
    spends tens of milliseconds compiling a query that runs in one or two. Parallel workers are
    off too: a statement reads a bounded slice of an index, and starting two workers for one
    took 40 ms of a 50 ms tag-filtered page at 100,000 portfolios (bench/lists.py).
    """
    return {
        "autocommit": True,
        "connect_timeout": settings.connect_timeout,
        "options": (
            f"-c timezone=UTC -c statement_timeout={settings.statement_timeout_ms} -c jit=off"
            " -c max_parallel_workers_per_gather=0"
        ),
        "application_name": "portfolio-service",
    }


# A connection used in the last few seconds is alive; checking it would add a round trip to
# every request. One idle for longer may have been cut (a restart, a firewall) and is checked
# before it is handed out. A hot connection that breaks fails its request with a 503 and is
# discarded by the pool.
CHECK_AFTER_IDLE_SECONDS = 5.0
_last_used: WeakKeyDictionary[Connection, float] = WeakKeyDictionary()


async def _check_if_idle(conn: Connection) -> None:
    if time.monotonic() - _last_used.get(conn, 0.0) > CHECK_AFTER_IDLE_SECONDS:
        await AsyncConnectionPool.check_connection(conn)


# The observer of each pool, for the waits for its connections.
_observers: WeakKeyDictionary[AsyncConnectionPool[Connection], Observer] = WeakKeyDictionary()


def make_pool(
    conninfo: str,
    settings: PoolSettings | None = None,
    connection_class: type[Connection] = AsyncConnection,
    observer: Observer = UNOBSERVED,
) -> AsyncConnectionPool[Connection]:
    """A closed pool; open it with ``open_pool`` inside the application's lifespan.

    ``connection_class`` lets a test observe every statement the pool's connections send;
    ``observer`` is told of each wait for a connection and each statement.
    """
    settings = settings or PoolSettings()
    kwargs = connection_kwargs(settings)
    if observer is not UNOBSERVED:
        kwargs["cursor_factory"] = observed_cursor(observer)
    pool: AsyncConnectionPool[Connection] = AsyncConnectionPool(
        conninfo,
        connection_class=connection_class,
        min_size=settings.min_size,
        max_size=settings.max_size,
        timeout=settings.acquire_timeout,
        kwargs=kwargs,
        check=_check_if_idle,
        open=False,
        # Keep retrying a lost server for as long as the process lives.
        reconnect_timeout=365 * 24 * 3600.0,
        name="portfolio",
    )
    _observers[pool] = observer
    return pool


@dataclass(frozen=True, slots=True)
class PoolUsage:
    """How a pool's connections are used right now."""

    size: int
    in_use: int
    waiting: int


def pool_usage(pool: AsyncConnectionPool[Connection]) -> PoolUsage:
    """The pool's connections: open, handed out, and the requests waiting for one."""
    stats = pool.get_stats()
    size = stats.get("pool_size", 0)
    return PoolUsage(
        size=size,
        in_use=size - stats.get("pool_available", 0),
        waiting=stats.get("requests_waiting", 0),
    )


async def open_pool(pool: AsyncConnectionPool[Connection], wait_seconds: float = 10.0) -> None:
    """Open the pool and fail fast, with a clear message, when the database cannot be reached."""
    if isinstance(pool.conninfo, str) and isinstance(pool.kwargs, dict):
        await _probe(pool.conninfo, pool.kwargs)
    try:
        await pool.open(wait=True, timeout=wait_seconds)
    except PoolTimeout as error:
        await pool.close()
        raise ServiceUnavailable(
            f"cannot connect to the database within {wait_seconds:g}s; "
            "check PORTFOLIO_DATABASE_URL and that the server is up"
        ) from error


async def _probe(conninfo: str, kwargs: dict[str, Any]) -> None:
    # One direct attempt first: a refused or misaddressed server fails in milliseconds,
    # where the pool would keep retrying until its timeout.
    try:
        probe = await AsyncConnection.connect(conninfo, **kwargs)
    except psycopg.Error as error:
        raise ServiceUnavailable(
            f"cannot connect to the database: {connect_failure(error)}"
        ) from error
    await probe.close()


def connect_failure(error: psycopg.Error) -> str:
    """Why the database could not be used, in one line that never repeats the connection string.

    Server-side failures (refused, unknown host, bad password) are safe to show; a string
    that cannot even be parsed is not, as the parser quotes the part it choked on, which
    may be the password.
    """
    # Errors the server sent carry an SQLSTATE; a refused connection is an OperationalError.
    # Anything else was raised while parsing the connection string.
    if error.sqlstate is None and not isinstance(error, psycopg.OperationalError):
        return "the database URL is not a valid PostgreSQL connection string"
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


@asynccontextmanager
async def connection(pool: AsyncConnectionPool[Connection]) -> AsyncIterator[Connection]:
    """A pooled connection; an unreachable or failing server surfaces as ServiceUnavailable."""
    try:
        async with AsyncExitStack() as held:
            with _observers.get(pool, UNOBSERVED).stage(DB_ACQUIRE):
                conn = await held.enter_async_context(pool.connection())
            yield conn
            # Only a use that went well counts: after an error the next checkout checks.
            _last_used[conn] = time.monotonic()
    except PoolTimeout as error:
        raise ServiceUnavailable("The database is not answering.") from error
    except psycopg.OperationalError as error:
        raise ServiceUnavailable("The database is not answering.") from error


async def database_answers(pool: AsyncConnectionPool[Connection]) -> bool:
    """Whether a trivial query gets through right now."""
    try:
        async with connection(pool) as conn:
            await conn.execute("SELECT 1")
    except ServiceUnavailable:
        return False
    return True
