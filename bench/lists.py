"""List pages as the catalogue grows: each list operation at 1,000, 10,000 and 100,000
portfolios, beside the single retrieve.

    .venv/bin/python -m bench.lists [--sizes 1000,10000,100000] [--requests 40] [--trashed]

Loads a realistic catalogue straight through SQL (bench/catalogue_sql.py: each portfolio with
a cover and four gallery images with their thumbnails, an employer with a logo, three of 500
tags, two links, three meta) into a database of its own, ``portfolio_bench_lists`` on the
server of PORTFOLIO_BENCH_DATABASE_URL (default: the machine's Postgres; dropped and made
afresh on each run), growing it from one size to the next. At each size one granian worker
serves it; every operation is sent ``--requests`` times in a row over one keep-alive
connection, after a warm-up, and its median and p95 printed. Filters and searches take values
that fill a page of 20 at every size (popular tags and clients, common words), so each figure
is the cost of the same page at a different catalogue size. Each list's page statement,
caught as the service sends it, is run again under EXPLAIN ANALYZE: its database time is
shown, with any sequential scan and the rows it returned. The summary gives each operation's
medians and p95s at every size and its growth from the smallest size to the largest.

With ``--trashed``, one portfolio in ten (those numbered 7 mod 10, live or not) is in the trash
at every size, as a catalogue deleted from over a month would be; the lists skip them, and the
retrieves ask for the others.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
from dependency_injector import providers
from litestar.testing import AsyncTestClient
from psycopg import AsyncConnection, sql
from psycopg.conninfo import make_conninfo

from bench.catalogue_sql import (
    PERSIAN_WORDS,
    POPULAR,
    TITLE_WORDS,
    grow_catalogue,
    vocabulary,
)
from bench.servers import SERVICE, free_port, start_server
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
    """What one operation measured at one size."""

    median: float
    p95: float
    seq_scans: list[str]
    database_ms: float | None


def create_database(server_url: str) -> str:
    """A fresh, migrated bench database (the last run's is dropped)."""
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DATABASE))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))
    url = make_conninfo(server_url, dbname=DATABASE)
    migrate(url)
    return url


async def admin_token(url: str) -> str:
    """A fresh admin and their token."""
    pool = make_pool(url, PoolSettings(min_size=1, max_size=1))
    await open_pool(pool)
    try:
        users = PostgresUserStore(pool)
        audited = (PostgresTransactions(pool), PostgresJournal(pool, ()))
        token_store = PostgresTokenStore(pool)
        administer = AdministerUsers(
            Accounts(users, token_store, Argon2PasswordHasher(), utc_now, *audited)
        )
        await administer.create("bench-admin", is_admin=True)
        tokens = ManageTokens(token_store, users, utc_now, *audited)
        issued = await tokens.issue("bench-admin")
        return issued.key
    finally:
        await pool.close()


def timings(port: int, token: str, paths: Iterator[str], count: int, warm_up: int) -> list[float]:
    """Milliseconds of ``count`` requests sent one after another on one connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port)
    headers = {"Authorization": f"Token {token}"}
    found = []
    try:
        for n in range(warm_up + count):
            path = next(paths)
            started = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            elapsed = (time.perf_counter() - started) * 1000
            if response.status != 200:
                raise RuntimeError(f"{path}: {response.status}")
            if n >= warm_up:
                found.append(elapsed)
    finally:
        conn.close()
    return found


caught: list[tuple[Any, Any]] = []


class CatchingConnection(AsyncConnection[Any]):
    """A connection that keeps what it sends, so the page statement can be EXPLAINed."""

    async def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:  # type: ignore[override]
        caught.append((query, params))
        return await super().execute(query, params, **kwargs)


async def explain_pages(url: str, token: str, paths: dict[str, str]) -> dict[str, Any]:
    """Operation name -> EXPLAIN ANALYZE (JSON) of the last statement its request sends."""
    with tempfile.TemporaryDirectory() as media:
        container = Container(settings=Settings(media_root=Path(media)), database_url=url)
        container.pool.override(
            providers.Singleton(
                make_pool, url, PoolSettings(min_size=1, max_size=1), CatchingConnection
            )
        )
        plans = {}
        async with AsyncTestClient(create_app(container)) as client:
            for name, path in paths.items():
                caught.clear()
                response = await client.get(path, headers={"Authorization": f"Token {token}"})
                assert response.status_code == 200, (path, response.status_code)
                query, params = caught[-1]
                text = query.decode() if isinstance(query, bytes) else str(query)
                async with await AsyncConnection.connect(
                    url, **connection_kwargs(PoolSettings())
                ) as conn:
                    for _ in range(PLAN_WARM_UP):
                        await conn.execute(query, params)
                    cursor = await conn.execute(
                        f"EXPLAIN (ANALYZE, FORMAT JSON) {text}".encode(), params
                    )
                    row = await cursor.fetchone()
                    plans[name] = row[0][0] if row else {}
        return plans


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


def measure_size(url: str, token: str, size: int, requests: int) -> dict[str, Figures]:
    """Every operation at the catalogue's current size."""
    port = free_port()
    server = start_server("granian", SERVICE, port, url)
    results = {}
    try:
        for operation in OPERATIONS:
            numbers = iter(range(10**9))
            paths = (operation.path(size, n) for n in numbers)
            found = timings(port, token, paths, requests, warm_up=WARM_UP)
            found.sort()
            results[operation.name] = Figures(
                median=statistics.median(found),
                p95=found[min(len(found) - 1, int(0.95 * len(found)))],
                seq_scans=[],
                database_ms=None,
            )
    finally:
        server.terminate()
        server.wait(10)
    lists = {op.name: op.path(size, 0) for op in OPERATIONS if op.is_list}
    plans = asyncio.run(explain_pages(url, token, lists))
    for name, explained in plans.items():
        results[name].seq_scans = seq_scans(explained["Plan"])
        results[name].database_ms = explained.get("Execution Time")
    return results


def main() -> None:
    """Load, measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--trashed", action="store_true", help="one portfolio in ten trashed")
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))

    server_url = os.environ.get("PORTFOLIO_BENCH_DATABASE_URL", DEFAULT_SERVER)
    url = create_database(server_url)
    token = asyncio.run(admin_token(url))
    table: dict[int, dict[str, Figures]] = {}
    for size in sizes:
        started = time.perf_counter()
        grow_catalogue(url, size)
        if args.trashed:
            trash_tenth(url)
        trashed = " (one in ten in the trash)" if args.trashed else ""
        print(f"\n{size:,} portfolios{trashed} (loaded in {time.perf_counter() - started:.1f} s)")
        table[size] = measure_size(url, token, size, args.requests)
        print(f"{'operation':<28} {'median':>8} {'p95':>8} {'in db':>8}  sequential scans")
        for name, figures in table[size].items():
            in_db = "" if figures.database_ms is None else f"{figures.database_ms:.1f}"
            note = ", ".join(figures.seq_scans)
            if any(scan.startswith("portfolios ") for scan in figures.seq_scans):
                note += "  <- a sequential scan of portfolios"
            print(f"{name:<28} {figures.median:>8.1f} {figures.p95:>8.1f} {in_db:>8}  {note}")
    smallest, largest = sizes[0], sizes[-1]
    print("\nmedian (p95) ms, one granian worker, one request at a time")
    header = " | ".join(f"{size:,}" for size in sizes)
    print(f"| operation | {header} | growth {smallest:,} -> {largest:,} |")
    print("|---" * (len(sizes) + 2) + "|")
    for name in table[smallest]:
        cells = " | ".join(
            f"{table[size][name].median:.1f} ({table[size][name].p95:.1f})" for size in sizes
        )
        growth = table[largest][name].median / table[smallest][name].median
        print(f"| {name} | {cells} | {growth:.2f}x |")


if __name__ == "__main__":
    main()
