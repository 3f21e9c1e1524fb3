"""The async connection pool, and the translation of database outages into ServiceUnavailable."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

import psycopg
from psycopg import AsyncConnection
from psycopg.rows import TupleRow
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from portfolio.adapters.postgres.observed import observed_cursor
from portfolio.adapters.postgres.outage import UNAVAILABLE, OutageWatch
from portfolio.application.observing import DB_ACQUIRE, UNOBSERVED
from portfolio.application.ports import Observer
from portfolio.domain import ServiceUnavailable

Connection = AsyncConnection[TupleRow]


@dataclass(frozen=True, slots=True)
class PoolSettings:
    """How many connections to keep and how long anything may wait for the database."""

    min_size: int = 2
    max_size: int = 10
    # A request waits at most this long for a connection before answering 503.
    acquire_timeout: float = 5.0
    # Every use of a connection, from asking for it to giving it back, ends within this; the
    # server's statement timeout and TCP user timeout are set to the same bound.
    deadline: float = 10.0
    connect_timeout: int = 3
    # While the database is known to be down, one probe tries it this often, each try cut
    # off after ``probe_timeout``.
    probe_interval: float = 0.2
    probe_timeout: float = 0.5


# Idle connections are probed by the kernel after 10 s of silence, every 5 s, and given up
# after 3 unanswered probes: a server that vanished without a word is noticed within 25 s
# even by a connection nobody uses.
KEEPALIVES = {
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
}


def connection_kwargs(settings: PoolSettings) -> dict[str, object]:
    """Per-connection options: UTC timestamps, bounded statements and sockets, a short
    connect timeout.

    JIT is off: the nested portfolio statements look expensive to the planner, which then
    spends tens of milliseconds compiling a query that runs in one or two. Parallel workers are
    off too: a statement reads a bounded slice of an index, and starting two workers for one
    took 40 ms of a 50 ms tag-filtered page at 100,000 portfolios (bench/lists.py).
    """
    bound_ms = max(1, round(settings.deadline * 1000))
    return {
        "autocommit": True,
        "connect_timeout": settings.connect_timeout,
        **KEEPALIVES,
        # Data sent and not acknowledged for this long breaks the connection in the kernel.
        "tcp_user_timeout": bound_ms,
        "options": (
            f"-c timezone=UTC -c statement_timeout={bound_ms} -c jit=off"
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


class BoundedPool(AsyncConnectionPool[Connection]):
    """The service's pool: every use of a connection has a deadline, and an outage once known
    makes uses fail at once (see ``connection``)."""

    def __init__(self, conninfo: str, settings: PoolSettings, **kwargs: Any) -> None:
        super().__init__(conninfo, **kwargs)
        self.deadline = settings.deadline
        self.outage = OutageWatch(
            conninfo,
            connection_kwargs(settings),
            interval=settings.probe_interval,
            timeout=settings.probe_timeout,
            on_recovery=self.check,
        )

    async def close(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109 (the pool's own signature)
        """Stop the outage probe, then close every connection."""
        await self.outage.close()
        await super().close(timeout)


# The observer of each pool, for the waits for its connections.
_observers: WeakKeyDictionary[AsyncConnectionPool[Connection], Observer] = WeakKeyDictionary()


def make_pool(
    conninfo: str,
    settings: PoolSettings | None = None,
    connection_class: type[Connection] = AsyncConnection,
    observer: Observer = UNOBSERVED,
) -> BoundedPool:
    """A closed pool; open it with ``open_pool`` inside the application's lifespan.

    ``connection_class`` lets a test observe every statement the pool's connections send;
    ``observer`` is told of each wait for a connection and each statement.
    """
    settings = settings or PoolSettings()
    kwargs = connection_kwargs(settings)
    if observer is not UNOBSERVED:
        kwargs["cursor_factory"] = observed_cursor(observer)
    pool = BoundedPool(
        conninfo,
        settings,
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


# The connection of the unit of work the current task is inside (``PostgresTransactions``),
# with its pool: every use of that pool inside it is made on that connection.
ambient: ContextVar[tuple[AsyncConnectionPool[Connection], Connection] | None] = ContextVar(
    "portfolio_unit_of_work", default=None
)

# After the deadline the query is cancelled; if the server has not confirmed by this much
# later (a partition: nothing comes back), the connection is closed where it stands.
CANCEL_GRACE = 0.2


@asynccontextmanager
async def connection(pool: BoundedPool, deadline: float | None = None) -> AsyncIterator[Connection]:
    """A pooled connection, used within the pool's deadline (or ``deadline``, if shorter).

    Fails at once with ServiceUnavailable while the database is known to be down. A use that
    fails for want of the server (no connection in time, a broken connection, the deadline)
    reports the outage and is ServiceUnavailable too; a connection cut off by the deadline is
    closed, so the pool discards it instead of handing it out again.
    """
    held = ambient.get()
    if held is not None and held[0] is pool:
        # Inside a unit of work: its connection, under its deadline and error handling.
        yield held[1]
        return
    if pool.outage.down:
        raise ServiceUnavailable(UNAVAILABLE)
    bound = pool.deadline if deadline is None else min(deadline, pool.deadline)
    used: Connection | None = None
    try:
        async with (
            asyncio.timeout(bound + CANCEL_GRACE),
            asyncio.timeout(bound),
            _checked_out(pool) as conn,
        ):
            used = conn
            try:
                yield conn
            except asyncio.CancelledError:
                # Cut off mid-statement: its state is unknown, so it never goes back.
                await conn.close()
                raise
            _last_used[conn] = time.monotonic()
    except TimeoutError as error:
        if used is not None and not used.closed:
            await used.close()
        pool.outage.report_failure(f"no answer within {bound:g}s")
        raise ServiceUnavailable(UNAVAILABLE) from error
    except (PoolTimeout, psycopg.OperationalError) as error:
        if _server_is_gone(error, used):
            pool.outage.report_failure(str(error).strip() or type(error).__name__)
        raise ServiceUnavailable(UNAVAILABLE) from error


@asynccontextmanager
async def _checked_out(pool: BoundedPool) -> AsyncIterator[Connection]:
    """``pool.connection()``, given up on as soon as an outage becomes known meanwhile."""
    with _observers.get(pool, UNOBSERVED).stage(DB_ACQUIRE):
        conn = await pool.outage.unless_down(pool.getconn)
    try:
        yield conn
    finally:
        await pool.putconn(conn)


def _server_is_gone(error: Exception, used: Connection | None) -> bool:
    # A statement the server cancelled (its own timeout) says the server is there.
    if isinstance(error, PoolTimeout):
        return True
    return used is None or used.broken or used.closed


# /ready answers within a second whatever the database does (this, plus the cancel grace).
READINESS_DEADLINE = 0.6


async def database_answers(pool: BoundedPool) -> bool:
    """Whether a trivial query gets through right now (known down: no, at once)."""
    try:
        async with connection(pool, READINESS_DEADLINE) as conn:
            await conn.execute("SELECT 1")
    except ServiceUnavailable:
        return False
    return True
