"""The audit log at 1,000,000 entries: each filter's first page beside the unfiltered one, and
what journaling adds to a PATCH, in the same run.

    .venv/bin/python -m bench.audit [--entries 1000000] [--repeats 50] [--patches 200]
                                    [--rounds 5]

Queries: a fresh database is filled in one INSERT ... SELECT generate_series (triggers off for
the fill only: a bench database), vacuumed and analysed; then each case's first page (20
entries, with its count, one statement) is read through the Postgres adapter ``--repeats``
times, cases interleaved, and the median and 95th percentile printed beside the unfiltered
page (the baseline) and a bare ``SELECT 1`` round trip.

PATCH: the application in-process (ASGI, no network), sequential PATCHes of one portfolio's
excerpt by an admin, in alternating rounds with the real journal and with a journal whose
``record`` does nothing (everything else identical); medians of each round's p50.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import psycopg
from dependency_injector import providers
from psycopg import sql
from tests.app_client import SameLoopClient

from bench.retrieve import fresh_database
from portfolio.adapters.postgres.audit import PostgresAuditLog
from portfolio.adapters.postgres.pool import make_pool, open_pool
from portfolio.application.audit import AuditFilter, ReadAuditLog
from portfolio.application.changes import Author, Change
from portfolio.entrypoints.container import Container
from portfolio.entrypoints.database import database_url
from portfolio.entrypoints.http.app import create_app
from portfolio.entrypoints.settings import Settings

Client = SameLoopClient
BASE = "http://portfolio.test"
ACTORS = 200
"""Users who write; actor 1 writes a twentieth of everything, actor 200 almost nothing."""

# One statement: ids rise with time over a year; actors skewed (an exponential share by id:
# actor 1 a twentieth, the last few almost nothing), a tenth by the operator; resources and
# actions in the proportions a busy admin panel has.
_FILL = """
INSERT INTO audit_log (at, actor_id, actor_username, via, action, resource, object_id,
                       changes, request_id, client)
SELECT %(start)s::timestamptz + interval '1 second' * (n * 31536000.0 / %(entries)s),
       actor, CASE WHEN actor IS NULL THEN NULL ELSE 'user' || actor END,
       CASE WHEN actor IS NULL THEN 'cli' ELSE 'api' END,
       (ARRAY['update','update','update','update','create','create','delete','sign_in',
              'sign_out','move','restore','revoke','sign_in_failed'])[1 + n %% 13],
       (ARRAY['portfolio','portfolio','portfolio','media','tag','employer','link','meta',
              'user','token','webhook'])[1 + (n / 13) %% 11],
       1 + (n * 7919) %% 100000,
       ARRAY['title','excerpt'],
       CASE WHEN actor IS NULL THEN NULL ELSE md5(n::text) END,
       CASE WHEN actor IS NULL THEN NULL ELSE '10.0.' || (n %% 250) || '.' || (n %% 200) END
FROM generate_series(1::bigint, %(entries)s::bigint) AS n,
     LATERAL (SELECT CASE WHEN n %% 10 = 0 THEN NULL
                          ELSE least(%(actors)s, 1 + floor(-ln(1 - random()) * 20)::int) END
              AS actor) AS chosen
"""


def fill(url: str, entries: int) -> float:
    """Write ``entries`` audit entries; the seconds it took, vacuum and analyse included."""
    started = time.perf_counter()
    start = datetime.now(UTC) - timedelta(days=365)
    with psycopg.connect(url, autocommit=True) as conn:
        with conn.transaction():
            conn.execute("SET LOCAL session_replication_role = replica")
            conn.execute(_FILL, {"start": start, "entries": entries, "actors": ACTORS})
        conn.execute("VACUUM (ANALYZE) audit_log")
    return time.perf_counter() - started


def cases(url: str) -> dict[str, AuditFilter]:
    """The first pages timed: the unfiltered one, then each filter, rare and common values."""
    with psycopg.connect(url) as conn:
        latest = conn.execute("SELECT max(at) FROM audit_log").fetchone()
        counts: dict[int, int] = dict(
            conn.execute(
                "SELECT actor_id, count(*) FROM audit_log WHERE actor_id IS NOT NULL"
                " GROUP BY actor_id"
            ).fetchall()
        )
    now = latest[0] if latest and latest[0] else datetime.now(UTC)
    busiest = max(counts, key=counts.__getitem__)
    quiet = min(counts, key=counts.__getitem__)
    return {
        "unfiltered": AuditFilter(),
        f"actor (busiest, {counts[busiest]:,})": AuditFilter(actor_id=busiest),
        f"actor (quiet, {counts[quiet]:,})": AuditFilter(actor_id=quiet),
        "actor + since a week": AuditFilter(actor_id=busiest, since=now - timedelta(days=7)),
        "resource=user": AuditFilter(resource="user"),
        "resource+object_id": AuditFilter(resource="portfolio", object_id=4242),
        "object_id alone": AuditFilter(object_id=4242),
        "action=sign_in_failed": AuditFilter(action="sign_in_failed"),
        "since a day": AuditFilter(since=now - timedelta(days=1)),
        "until 300 days ago": AuditFilter(until=now - timedelta(days=300)),
    }


async def time_queries(
    url: str, chosen: dict[str, AuditFilter], repeats: int
) -> dict[str, list[float]]:
    """Milliseconds of each case's first page, ``repeats`` times, cases interleaved; and of
    a bare round trip, under ``SELECT 1``."""
    pool = make_pool(url)
    await open_pool(pool)
    read = ReadAuditLog(PostgresAuditLog(pool))
    timings: dict[str, list[float]] = {"SELECT 1": [], **{name: [] for name in chosen}}
    try:
        for round_number in range(repeats + 1):
            async with pool.connection() as conn:
                started = time.perf_counter()
                await conn.execute("SELECT 1")
                elapsed = (time.perf_counter() - started) * 1000
            if round_number:
                timings["SELECT 1"].append(elapsed)
            for name, criteria in chosen.items():
                started = time.perf_counter()
                await read(criteria, 1, 20)
                elapsed = (time.perf_counter() - started) * 1000
                if round_number:  # the first round warms the caches
                    timings[name].append(elapsed)
    finally:
        await pool.close()
    return timings


class SilentJournal:
    """A journal whose ``record`` does nothing: the PATCH as it would be without the log."""

    async def record(self, change: Change, author: Author) -> None:
        """Record nothing."""

    async def publish(self, change: Change) -> None:
        """Queue nothing."""


async def time_patches(url: str, patches: int, rounds: int) -> dict[str, list[float]]:
    """Each round's PATCH p50 in milliseconds, with the journal and with a silent one."""
    results: dict[str, list[float]] = {"journal on": [], "record() a no-op": []}
    with TemporaryDirectory() as media:
        settings = Settings(media_root=Path(media), background=False)
        apps = {}
        for name in results:
            container = Container(settings=settings, database_url=url)
            if name != "journal on":
                container.journal.override(providers.Object(SilentJournal()))
            apps[name] = (container, create_app(container))
        async with (
            SameLoopClient(apps["journal on"][1], base_url=BASE) as on,
            SameLoopClient(apps["record() a no-op"][1], base_url=BASE) as off,
        ):
            first = apps["journal on"][0]
            await first.administer_users().create("bench-admin", is_admin=True)
            key = (await first.manage_tokens().issue("bench-admin")).key
            headers = {"Authorization": f"Token {key}"}
            made = await on.post("/api/portfolios/", headers=headers, json={"title": "Bench"})
            path = f"/api/portfolios/{made.json()['id']}"
            clients = {"journal on": on, "record() a no-op": off}
            for round_number in range(rounds + 1):
                for name, client in clients.items():
                    took = await _patches(client, path, headers, patches, round_number, name)
                    if round_number:  # the first round warms up
                        results[name].append(statistics.median(took))
    return results


async def _patches(
    client: Client,
    path: str,
    headers: dict[str, str],
    count: int,
    round_number: int,
    name: str,
) -> list[float]:
    took = []
    for n in range(count):
        body = {"excerpt": f"{name} {round_number} {n}"}
        started = time.perf_counter()
        answer = await client.patch(path, headers=headers, json=body)
        took.append((time.perf_counter() - started) * 1000)
        if answer.status_code != 200:
            raise RuntimeError(f"PATCH answered {answer.status_code}: {answer.text}")
    return took


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def report(title: str, timings: dict[str, list[float]], baseline: str) -> None:
    print(f"\n{title}")
    base = statistics.median(timings[baseline])
    print(f"  {'case':<28} {'p50 ms':>8} {'p95 ms':>8} {'x ' + baseline:>16}")
    for name, values in timings.items():
        median = statistics.median(values)
        print(f"  {name:<28} {median:>8.2f} {p95(values):>8.2f} {median / base:>16.2f}")


def run(step: Callable[[], Coroutine[Any, Any, dict[str, list[float]]]]) -> dict[str, list[float]]:
    return asyncio.run(step())


def main() -> None:
    """Fill, time and print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--patches", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    server = os.environ.get("PORTFOLIO_BENCH_DATABASE_URL") or database_url(Settings.from_env())
    url = fresh_database(server)
    try:
        measure_all(url, args)
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            name = str(psycopg.conninfo.conninfo_to_dict(url)["dbname"])
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def measure_all(url: str, args: argparse.Namespace) -> None:
    """Fill the database at ``url``, then time the queries and the PATCHes."""
    seconds = fill(url, args.entries)
    print(f"filled {args.entries:,} audit entries in {seconds:.1f} s (vacuum and analyse included)")
    chosen = cases(url)
    timings = run(lambda: time_queries(url, chosen, args.repeats))
    report(f"first page of 20 with its count, {args.repeats} reads each", timings, "unfiltered")
    patched = run(lambda: time_patches(url, args.patches, args.rounds))
    print(f"\nPATCH of a portfolio in-process, {args.patches} a round, {args.rounds} rounds")
    base = statistics.median(patched["record() a no-op"])
    for name, values in patched.items():
        median = statistics.median(values)
        rounds = " ".join(f"{value:.2f}" for value in values)
        print(f"  {name:<18} p50 {median:.2f} ms (+{median - base:.2f})  rounds: {rounds}")


if __name__ == "__main__":
    main()
