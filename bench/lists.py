"""List pages as the catalogue grows: each list operation at 1,000, 10,000 and 100,000
portfolios, beside the single retrieve.

    .venv/bin/python -m bench.lists [--sizes 1000,10000,100000] [--requests 40] [--trashed]
        [--only NAME,...] [--before DIR] [--reuse]

Loads a realistic catalogue straight through SQL (bench/catalogue_sql.py: each portfolio with
a cover and four gallery images with their thumbnails, an employer with a logo, three of 500
tags, two links, three meta) into a database of its own, ``portfolio_bench_lists`` on the
server of PORTFOLIO_BENCH_DATABASE_URL (default: the machine's Postgres; dropped and made
afresh on each run), growing it from one size to the next. At each size one granian worker
serves it, with no answers kept in memory (``PORTFOLIO_ANSWER_MEMORY_BYTES=0``: each request
builds its page); every operation is sent ``--requests`` times in a row over one keep-alive
connection, after a warm-up, and its median and p95 printed. Filters and searches take values
that fill a page of 20 at every size (popular tags and clients, common words), so each figure
is the cost of the same page at a different catalogue size. The statements each request sends
(the token's and the page's) are caught as an in-process app sends them; after each request
the same statements are run on a connection of the bench's own, so beside each list's median
stands the median of its SQL time and the ratio of the two: what the service adds to its
database. Each list's page statement is also run under EXPLAIN ANALYZE: its database time is
shown, with any sequential scan and the rows it returned. The summary gives each operation's
medians and p95s at every size and its growth from the smallest size to the largest.

``--only`` keeps the operations whose name contains one of the given words. ``--before DIR``
serves another checkout's src/ beside this one, on a worker of its own, and sends each request
to both in turn, so the two are compared under the same load. ``--reuse`` keeps the database
of the last run and only grows it (100,000 portfolios take minutes to load).

With ``--trashed``, one portfolio in ten (those numbered 7 mod 10, live or not) is in the trash
at every size, as a catalogue deleted from over a month would be; the lists skip them, and the
retrieves ask for the others.
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import http.client
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
from dependency_injector import providers
from litestar.testing import AsyncTestClient
from psycopg import AsyncConnection, AsyncCursor, sql
from psycopg.conninfo import make_conninfo

from bench.catalogue_sql import (
    PERSIAN_WORDS,
    POPULAR,
    TITLE_WORDS,
    grow_catalogue,
    vocabulary,
)
from bench.servers import REPOSITORY, SERVICE, free_port, start_server, stop_server
from portfolio.adapters.argon2.passwords import Argon2PasswordHasher
from portfolio.adapters.postgres.journal import PostgresJournal
from portfolio.adapters.postgres.migrations import migrate
from portfolio.adapters.postgres.pool import PoolSettings, connection_kwargs, make_pool, open_pool
from portfolio.adapters.postgres.statements import PostgresTransactions
from portfolio.adapters.postgres.users import PostgresTokenStore, PostgresUserStore
from portfolio.application.accounts.auth import ManageTokens
from portfolio.application.accounts.users import Accounts, AdministerUsers
from portfolio.entrypoints.container import Container, utc_now
from portfolio.entrypoints.http.app import create_app
from portfolio.entrypoints.settings import Settings

DATABASE = "portfolio_bench_lists"
# A word in most descriptions, searched beside a title word.
COMMON = vocabulary()[4]
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
# Requests before measuring: each pooled connection prepares its statements and caches the
# document functions' plans after a few runs.
WARM_UP = 20
# Runs of a page statement before it is EXPLAINed, for the same reason.
PLAN_WARM_UP = 6
# The labels of the checkouts served: this one, and the one given with --before.
THIS, BEFORE = "this", "before"


@dataclass(frozen=True, slots=True)
class Operation:
    """One kind of request; ``path(size, n)`` is its n-th path at a catalogue size."""

    name: str
    path: Callable[[int, int], str]
    is_list: bool = True


OPERATIONS = (
    Operation(
        "GET /api/portfolios/{id}",
        lambda size, n: f"/api/portfolios/{_kept(1 + (n * 7919) % size)}",
        is_list=False,
    ),
    Operation("first page of 20", lambda size, n: "/api/portfolios/"),
    # Page 9, which exists at 1,000 portfolios with one in ten in the trash too.
    Operation("page 9 of page_size=100", lambda size, n: "/api/portfolios/?page=9&page_size=100"),
    Operation("tag=", lambda size, n: f"/api/portfolios/?tag={1 + n % POPULAR}"),
    Operation("employer=", lambda size, n: f"/api/portfolios/?employer={1 + n % POPULAR}"),
    Operation("is_active=false", lambda size, n: "/api/portfolios/?is_active=false"),
    Operation("ordering=title", lambda size, n: "/api/portfolios/?ordering=title"),
    Operation("ordering=-completed_at", lambda size, n: "/api/portfolios/?ordering=-completed_at"),
    Operation("ordering=-order", lambda size, n: "/api/portfolios/?ordering=-order"),
    Operation(
        "search= (a title word)",
        lambda size, n: f"/api/portfolios/?search={TITLE_WORDS[n % len(TITLE_WORDS)]}",
    ),
    Operation(
        "search= (a Persian word)",
        lambda size, n: f"/api/portfolios/?search={quote(PERSIAN_WORDS[n % len(PERSIAN_WORDS)])}",
    ),
    Operation(
        "search= (two words)",
        lambda size, n: f"/api/portfolios/?search={TITLE_WORDS[n % len(TITLE_WORDS)]}+{COMMON}",
    ),
    Operation(
        "public: by slug",
        lambda size, n: f"/api/public/portfolios/portfolio-{_live(1 + (n * 7919) % size)}",
        is_list=False,
    ),
    Operation("public: first page of 20", lambda size, n: "/api/public/portfolios/"),
    Operation("public: tag=", lambda size, n: f"/api/public/portfolios/?tag={1 + n % POPULAR}"),
    Operation(
        "public: search= (a title word)",
        lambda size, n: f"/api/public/portfolios/?search={TITLE_WORDS[n % len(TITLE_WORDS)]}",
    ),
    Operation("public: tags menu", lambda size, n: "/api/public/tags/"),
    Operation("public: employers menu", lambda size, n: "/api/public/employers/"),
    Operation("GET /api/media/ first page", lambda size, n: "/api/media/"),
    Operation("GET /api/links/ first page", lambda size, n: "/api/links/"),
    Operation("GET /api/meta/?search=key2", lambda size, n: "/api/meta/?search=key2"),
)


def _live(number: int) -> int:
    """A live portfolio's number near ``number`` (catalogue_sql: n % 10 == 3 is not live;
    with ``--trashed``, n % 10 == 7 is in the trash)."""
    return number + 1 if number % 10 in (3, 7) else number


def _kept(number: int) -> int:
    """A number near ``number`` of a portfolio out of the trash."""
    return number + 1 if number % 10 == TRASHED_RESIDUE else number


TRASHED_RESIDUE = 7
"""With ``--trashed``: portfolio n is in the trash when n % 10 is this."""


def trash_tenth(url: str) -> None:
    """Put one portfolio in ten in the trash (those not there yet), then ANALYZE."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "UPDATE portfolios SET deleted_at = now() - interval '1 day'"
            " WHERE id %% 10 = %s AND deleted_at IS NULL",
            (TRASHED_RESIDUE,),
        )
        conn.execute("VACUUM ANALYZE portfolios")


@dataclass
class Figures:
    """What one operation measured at one size (ms); ``sql_median`` is its statements' time."""

    median: float
    p95: float
    sql_median: float | None = None
    seq_scans: list[str] = field(default_factory=list)
    database_ms: float | None = None

    @property
    def ratio(self) -> float | None:
        """The request's median over its statements' median: what the service adds."""
        return None if self.sql_median is None else self.median / self.sql_median


def _median_p95(found: list[float]) -> tuple[float, float]:
    found = sorted(found)
    return statistics.median(found), found[min(len(found) - 1, int(0.95 * len(found)))]


def create_database(server_url: str, *, reuse: bool = False) -> str:
    """A migrated bench database: a fresh one (the last run's dropped), or with ``reuse`` the
    last run's when there is one."""
    with psycopg.connect(server_url, autocommit=True) as conn:
        name = sql.Identifier(DATABASE)
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,))
        if not (reuse and exists.fetchone()):
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(name))
    url = make_conninfo(server_url, dbname=DATABASE)
    migrate(url)
    return url


async def admin_token(url: str) -> str:
    """A fresh admin (named after this run, so a reused database takes another) and their
    token."""
    pool = make_pool(url, PoolSettings(min_size=1, max_size=1))
    await open_pool(pool)
    try:
        users = PostgresUserStore(pool)
        audited = (PostgresTransactions(pool), PostgresJournal(pool, ()))
        token_store = PostgresTokenStore(pool)
        administer = AdministerUsers(
            Accounts(users, token_store, Argon2PasswordHasher(), utc_now, *audited)
        )
        name = f"bench-admin-{os.getpid()}-{time.time_ns()}"
        await administer.create(name, is_admin=True)
        tokens = ManageTokens(token_store, users, utc_now, *audited)
        issued = await tokens.issue(name)
        return issued.key
    finally:
        await pool.close()


def timed_request(conn: http.client.HTTPConnection, path: str, headers: dict[str, str]) -> float:
    """Milliseconds to send ``path`` and read the whole answer, on a kept-alive connection."""
    started = time.perf_counter()
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    response.read()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status != 200:
        raise RuntimeError(f"{path}: {response.status}")
    return elapsed


Statement = tuple[Any, Any, dict[str, Any]]
"""A statement as a connection's ``execute`` takes it: query, parameters and options (the page
statements are sent unprepared, and so are they run again)."""

_catching: contextvars.ContextVar[list[Statement] | None] = contextvars.ContextVar(
    "catching", default=None
)


class CatchingCursor(AsyncCursor[Any]):
    """A cursor that keeps what a request sends (not what background tasks send), so its
    statements can be timed and EXPLAINed: those sent by the connection's ``execute`` and
    those sent by a cursor of their own (a page, whose documents are read as bytes)."""

    async def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
        caught = _catching.get()
        if caught is not None:
            caught.append((query, params, kwargs))
        return await super().execute(query, params, **kwargs)


class CatchingConnection(AsyncConnection[Any]):
    """A connection whose cursors are CatchingCursors."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cursor_factory = CatchingCursor


def _text(query: Any) -> str:
    return query.decode() if isinstance(query, bytes) else str(query)


def _reads(statements: list[Statement]) -> list[Statement]:
    # A token's first use writes when it was last used; later requests do not.
    return [
        one for one in statements if _text(one[0]).lstrip().upper().startswith(("SELECT", "WITH"))
    ]


async def catch_statements(url: str, token: str, paths: set[str]) -> dict[str, list[Statement]]:
    """Path -> the statements a request for it reads, as the service sends them."""
    with tempfile.TemporaryDirectory() as media:
        container = Container(settings=Settings(media_root=Path(media)), database_url=url)
        container.pool.override(
            providers.Singleton(
                make_pool, url, PoolSettings(min_size=1, max_size=1), CatchingConnection
            )
        )
        found = {}
        async with AsyncTestClient(create_app(container)) as client:
            for path in sorted(paths):
                caught: list[Statement] = []
                reset = _catching.set(caught)
                try:
                    response = await client.get(path, headers={"Authorization": f"Token {token}"})
                finally:
                    _catching.reset(reset)
                assert response.status_code == 200, (path, response.status_code)
                found[path] = _reads(caught)
        return found


async def connect(url: str) -> AsyncConnection[Any]:
    """A connection with the options of the service's pool."""
    # Options of any type, as psycopg takes them.
    options: dict[str, Any] = connection_kwargs(PoolSettings())
    return await AsyncConnection.connect(url, **options)


async def explain_pages(url: str, pages: dict[str, Statement]) -> dict[str, Any]:
    """Operation name -> EXPLAIN ANALYZE (JSON) of its page statement."""
    plans = {}
    async with await connect(url) as conn:
        for name, (query, params, options) in pages.items():
            for _ in range(PLAN_WARM_UP):
                await conn.execute(query, params, **options)
            cursor = await conn.execute(
                f"EXPLAIN (ANALYZE, FORMAT JSON) {_text(query)}".encode(), params
            )
            row = await cursor.fetchone()
            plans[name] = row[0][0] if row else {}
    return plans


class StatementClock:
    """Times a request's statements on a connection of its own, as the service's pool would
    run them (the same connection options, each statement sent as the service sent it)."""

    def __init__(self, url: str) -> None:
        self._loop = asyncio.new_event_loop()
        self._conn = self._loop.run_until_complete(connect(url))

    def time(self, statements: list[Statement]) -> float:
        """Milliseconds to run ``statements`` one after another, each fetched whole."""
        return self._loop.run_until_complete(self._run(statements))

    async def _run(self, statements: list[Statement]) -> float:
        started = time.perf_counter()
        for query, params, options in statements:
            cursor = await self._conn.execute(query, params, **options)
            await cursor.fetchall()
        return (time.perf_counter() - started) * 1000

    def close(self) -> None:
        """Close the connection and its loop."""
        self._loop.run_until_complete(self._conn.close())
        self._loop.close()


def seq_scans(plan: dict[str, Any]) -> list[str]:
    """Relations read by a sequential scan anywhere in the plan (subplans included), each
    with the rows the scan returned: a scan stopped early by a LIMIT returns few."""
    found = []
    if plan.get("Node Type") == "Seq Scan":
        rows = plan.get("Actual Rows", 0) * plan.get("Actual Loops", 1)
        found.append(f"{plan.get('Relation Name')} ({rows:,} rows)")
    for child in plan.get("Plans", []):
        found.extend(seq_scans(child))
    return found


def measure_size(
    url: str,
    token: str,
    size: int,
    requests: int,
    operations: tuple[Operation, ...],
    before: str | None,
) -> dict[str, dict[str, Figures]]:
    """Every operation at the catalogue's current size, served by this checkout (``THIS``)
    and, with ``before``, by that one too; each list's SQL time after each request."""
    lists = [operation for operation in operations if operation.is_list]
    count = WARM_UP + requests
    paths = {operation.path(size, n) for operation in lists for n in range(count)}
    statements = asyncio.run(catch_statements(url, token, paths))
    # Every answer built: a page asked again is otherwise sent from memory (bench.retrieve
    # measures that), and the figure here is what building a page adds to its SQL.
    built = {"PORTFOLIO_ANSWER_MEMORY_BYTES": "0"}
    environments: dict[str, dict[str, str] | None] = {THIS: built}
    if before:
        source = f"{REPOSITORY}:{Path(before).resolve()}/src"
        environments[BEFORE] = {**built, "PYTHONPATH": source}
    servers, clients = {}, {}
    clock = StatementClock(url)
    headers = {"Authorization": f"Token {token}"}
    results: dict[str, dict[str, Figures]] = {label: {} for label in environments}
    try:
        for label, environment in environments.items():
            port = free_port()
            servers[label] = start_server("granian", SERVICE, port, url, environment)
            clients[label] = http.client.HTTPConnection("127.0.0.1", port)
        for operation in operations:
            found: dict[str, list[float]] = {label: [] for label in clients}
            in_sql: list[float] = []
            for n in range(count):
                path = operation.path(size, n)
                # Each server goes first half the time, so neither always follows the SQL.
                for label in sorted(clients, reverse=n % 2 == 1):
                    elapsed = timed_request(clients[label], path, headers)
                    if n >= WARM_UP:
                        found[label].append(elapsed)
                if operation.is_list:
                    elapsed = clock.time(statements[path])
                    if n >= WARM_UP:
                        in_sql.append(elapsed)
            sql_median = statistics.median(in_sql) if in_sql else None
            for label, times in found.items():
                results[label][operation.name] = Figures(*_median_p95(times), sql_median)
    finally:
        clock.close()
        for conn in clients.values():
            conn.close()
        for server in servers.values():
            stop_server(server)
    pages = {op.name: statements[op.path(size, 0)][-1] for op in lists}
    plans = asyncio.run(explain_pages(url, pages))
    for name, explained in plans.items():
        for figures in results.values():
            figures[name].seq_scans = seq_scans(explained["Plan"])
            figures[name].database_ms = explained.get("Execution Time")
    return results


def _ratio(figures: Figures) -> str:
    return "" if figures.ratio is None else f"{figures.ratio:.2f}x"


def print_size(results: dict[str, dict[str, Figures]]) -> None:
    """One size's figures: each operation's median and p95 (and the other checkout's), its
    SQL time and the ratio, its page statement's EXPLAINed time and sequential scans."""
    before = results.get(BEFORE)
    columns = f"{'median':>8} {'p95':>8} {'SQL':>7} {'ratio':>6}"
    if before:
        columns += f" {'before':>8} {'p95':>8} {'ratio':>6}"
    print(f"{'operation':<30} {columns} {'in db':>7}  sequential scans")
    for name, figures in results[THIS].items():
        in_sql = "" if figures.sql_median is None else f"{figures.sql_median:.1f}"
        line = f"{name:<30} {figures.median:>8.1f} {figures.p95:>8.1f}"
        line += f" {in_sql:>7} {_ratio(figures):>6}"
        if before:
            line += (
                f" {before[name].median:>8.1f} {before[name].p95:>8.1f} {_ratio(before[name]):>6}"
            )
        in_db = "" if figures.database_ms is None else f"{figures.database_ms:.1f}"
        note = ", ".join(figures.seq_scans)
        if any(scan.startswith("portfolios ") for scan in figures.seq_scans):
            note += "  <- a sequential scan of portfolios"
        print(f"{line} {in_db:>7}  {note}")


def main() -> None:
    """Load, measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--trashed", action="store_true", help="one portfolio in ten trashed")
    parser.add_argument("--only", help="operations whose name holds one of these, comma-separated")
    parser.add_argument("--before", help="a checkout whose src/ is served beside this one")
    parser.add_argument("--reuse", action="store_true", help="grow the last run's database")
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))
    words = args.only.split(",") if args.only else None
    operations = tuple(
        op for op in OPERATIONS if words is None or any(word in op.name for word in words)
    )

    server_url = os.environ.get("PORTFOLIO_BENCH_DATABASE_URL", DEFAULT_SERVER)
    url = create_database(server_url, reuse=args.reuse)
    token = asyncio.run(admin_token(url))
    table: dict[int, dict[str, dict[str, Figures]]] = {}
    for size in sizes:
        started = time.perf_counter()
        grow_catalogue(url, size)
        if args.trashed:
            trash_tenth(url)
        trashed = " (one in ten in the trash)" if args.trashed else ""
        print(f"\n{size:,} portfolios{trashed} (loaded in {time.perf_counter() - started:.1f} s)")
        table[size] = measure_size(url, token, size, args.requests, operations, args.before)
        print_size(table[size])
    smallest, largest = sizes[0], sizes[-1]
    print("\nmedian (p95) ms, one granian worker, one request at a time")
    header = " | ".join(f"{size:,}" for size in sizes)
    print(f"| operation | {header} | growth {smallest:,} -> {largest:,} | SQL at {largest:,} |")
    print("|---" * (len(sizes) + 3) + "|")
    for name in table[smallest][THIS]:
        cells = " | ".join(
            f"{table[size][THIS][name].median:.1f} ({table[size][THIS][name].p95:.1f})"
            for size in sizes
        )
        last = table[largest][THIS][name]
        growth = last.median / table[smallest][THIS][name].median
        in_sql = "" if last.sql_median is None else f"{last.sql_median:.1f} ({_ratio(last)})"
        print(f"| {name} | {cells} | {growth:.2f}x | {in_sql} |")


if __name__ == "__main__":
    main()
