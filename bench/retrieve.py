"""Retrieve-endpoint throughput: the real service beside a bare ASGI app, in the same run.

    .venv/bin/python -m bench.retrieve [--portfolios 300] [--seconds 5] [--rounds 5]
        [--servers granian,uvicorn-httptools] [--connections 16] [--before DIR]

Loads portfolios (cover, employer with logo, three tags, two links, four gallery images,
three meta) into a fresh database, starts both apps on one worker of each server named
(granian, which the service uses, uvicorn-httptools, which it used before, uvicorn-h11,
hypercorn; a server's CPU time counts its worker processes too), the service again with no
answers kept in memory (``built``: each request builds its answer), and drives them all in
alternating rounds with the same keep-alive client. Prints requests/s, latency and server CPU
time per request for each round, then medians, the ratio service/bare on each server, and the
service on each server against the bare app on the last one named (the baseline).

``--before DIR`` serves a third app in the same rounds: the service as another checkout's
``src`` (``git archive <commit> src | tar -x -C DIR``) has it, so that a change is measured
against the code before it under the same load.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from bench.load import LoadResult, drive
from bench.servers import SERVERS, SERVICE, cpu_seconds, free_port, start_server, stop_server
from portfolio.adapters.argon2.passwords import Argon2PasswordHasher
from portfolio.adapters.postgres.media import PostgresMediaRepository
from portfolio.adapters.postgres.migrations import migrate
from portfolio.adapters.postgres.pool import make_pool, open_pool
from portfolio.adapters.postgres.portfolios import PostgresPortfolios
from portfolio.adapters.postgres.shared_objects import PostgresSharedObjects
from portfolio.application.accounts.auth import ManageTokens
from portfolio.application.accounts.users import Accounts, AdministerUsers
from portfolio.application.fields import (
    EMPLOYERS,
    LINKS,
    META,
    TAGS,
    EmployerFields,
    LinkFields,
    MetaFields,
    NewImage,
    NewMedia,
    NewThumbnail,
    PortfolioFields,
    TagFields,
)
from portfolio.application.media.keys import media_key, thumbnail_key
from portfolio.domain import THUMBNAIL_SIZES, Employer, Link, Meta, Tag
from portfolio.entrypoints.container import utc_now
from portfolio.entrypoints.database import database_url
from portfolio.entrypoints.settings import Settings

# `portfolio serve` cannot serve the bare app.
SKIPPED = {"portfolio-serve"}


async def _image(media: PostgresMediaRepository, name: str) -> int:
    key = media_key(utc_now(), name)
    added = await media.add(
        NewMedia(
            key=key,
            type="image/jpeg",
            name=name,
            size=123_456,
            image=NewImage(
                width=1600,
                height=1200,
                mode="RGB",
                thumbnails=tuple(NewThumbnail(thumbnail_key(key, s), s) for s in THUMBNAIL_SIZES),
            ),
        )
    )
    return added.id


async def load_portfolios(url: str, count: int) -> tuple[list[int], str]:
    """Fill the database; return the portfolio ids and an admin token."""
    from portfolio.adapters.postgres.journal import PostgresJournal
    from portfolio.adapters.postgres.statements import PostgresTransactions
    from portfolio.adapters.postgres.users import PostgresTokenStore, PostgresUserStore

    pool = make_pool(url)
    await open_pool(pool)
    try:
        media = PostgresMediaRepository(pool)
        employers = PostgresSharedObjects[EmployerFields, Employer](pool, EMPLOYERS)
        tag_store = PostgresSharedObjects[TagFields, Tag](pool, TAGS)
        link_store = PostgresSharedObjects[LinkFields, Link](pool, LINKS)
        meta_store = PostgresSharedObjects[MetaFields, Meta](pool, META)
        tags = [
            (
                await tag_store.add(
                    TagFields(name=f"tag {n}", image_id=await _image(media, f"tag{n}.jpg"))
                )
            ).id
            for n in range(12)
        ]
        ids = []
        for n in range(count):
            employer = await employers.add(
                EmployerFields(
                    name=f"employer {n}",
                    description="A client",
                    image_id=await _image(media, f"e{n}.jpg"),
                )
            )
            links = [
                (
                    await link_store.add(
                        LinkFields(name=name, url=f"https://example.com/{n}/{name}", description="")
                    )
                ).id
                for name in ("github", "site_url")
            ]
            metas = [
                (await meta_store.add(MetaFields(key=f"key{k}", value_text="value " * 10))).id
                for k in range(3)
            ]
            gallery = tuple([await _image(media, f"p{n}_g{g}.jpg") for g in range(4)])
            portfolio = await PostgresPortfolios(pool).add(
                PortfolioFields(
                    title=f"Portfolio {n}",
                    slug=f"portfolio-{n}",
                    excerpt="An excerpt " * 8,
                    order=n,
                    image_id=await _image(media, f"p{n}.jpg"),
                    employer_id=employer.id,
                    completed_at=utc_now(),
                    description="A description " * 40,
                    tag_ids=tuple(tags[(n + k) % len(tags)] for k in range(3)),
                    link_ids=tuple(links),
                    image_ids=gallery,
                    meta_ids=tuple(metas),
                )
            )
            ids.append(portfolio.id)
        users = PostgresUserStore(pool)
        audited = (PostgresTransactions(pool), PostgresJournal(pool, ()))
        token_store = PostgresTokenStore(pool)
        administer = AdministerUsers(
            Accounts(users, token_store, Argon2PasswordHasher(), utc_now, *audited)
        )
        await administer.create("bench-admin", is_admin=True)
        tokens = ManageTokens(token_store, users, utc_now, *audited)
        issued = await tokens.issue("bench-admin")
        return ids, issued.key
    finally:
        await pool.close()


def fresh_database(server_url: str) -> str:
    """A new, migrated database for this run."""
    name = f"portfolio_bench_{secrets.token_hex(3)}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = make_conninfo(server_url, dbname=name)
    migrate(url)
    return url


def measure(
    port: int,
    pid: int,
    paths: list[str],
    token: str,
    seconds: float,
    connections: int,
    accept_encoding: str | None = None,
) -> tuple[LoadResult, float]:
    """One round: the load result and the server's CPU milliseconds per request."""
    before = cpu_seconds(pid)
    result = asyncio.run(
        drive("127.0.0.1", port, paths, token, seconds, connections, accept_encoding)
    )
    used = cpu_seconds(pid) - before
    return result, used * 1000 / max(result.requests, 1)


def main() -> None:
    """Run the comparison and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--portfolios", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--before", help="A checkout whose src/ serves a third app.")
    parser.add_argument(
        "--servers",
        default="granian,uvicorn-httptools",
        help="Comma-separated servers, each running both apps (the service's own is granian; "
        f"the others: {', '.join(name for name in SERVERS if name not in SKIPPED)}).",
    )
    args = parser.parse_args()
    chosen = args.servers.split(",")
    if unknown := [name for name in chosen if name not in SERVERS or name in SKIPPED]:
        parser.error(f"unknown server(s): {', '.join(unknown)}")

    server_url = database_url(Settings.from_env())
    url = fresh_database(server_url)
    ids, token = asyncio.run(load_portfolios(url, args.portfolios))
    paths = [f"/api/portfolios/{portfolio_id}" for portfolio_id in ids]
    # "built": the service with no answers kept in memory, so that each request builds its
    # answer (the query, presenting, encoding, hashing), as every URL's first GET does.
    targets = {"service": SERVICE, "built": SERVICE, "bare ASGI": "bench.bare_app:app"}
    environments: dict[str, dict[str, str]] = {"built": {"PORTFOLIO_ANSWER_MEMORY_BYTES": "0"}}
    if args.before:
        targets["before"] = SERVICE
        source = f"{args.before}/src"
        environments["before"] = {"PYTHONPATH": f"{source}:{os.environ.get('PYTHONPATH', '')}"}
    ports = {(server, app): free_port() for server in chosen for app in targets}
    servers = {}
    try:
        for server, app in ports:
            servers[server, app] = start_server(
                server, targets[app], ports[server, app], url, environments.get(app)
            )
        figures: dict[tuple[str, str], list[tuple[float, float, float]]] = {
            key: [] for key in servers
        }
        for key in servers:  # warm up: prepared statements, pools, caches
            measure(ports[key], servers[key].pid, paths, token, 1.0, args.connections)
        print(
            f"{args.portfolios} portfolios, {args.connections} connections, "
            f"{args.seconds:g}s rounds, 1 worker each"
        )
        header = ("round", "server", "app", "req/s", "p50 ms", "p99 ms", "CPU ms/req")
        print("{:>5} {:<18} {:<10} {:>8} {:>7} {:>7} {:>10}  statuses".format(*header))
        for round_number in range(1, args.rounds + 1):
            for key in servers:
                result, cpu = measure(
                    ports[key], servers[key].pid, paths, token, args.seconds, args.connections
                )
                figures[key].append((result.per_second, cpu, result.percentile(0.5)))
                p50, p99 = result.percentile(0.5), result.percentile(0.99)
                print(
                    f"{round_number:>5} {key[0]:<18} {key[1]:<10} {result.per_second:>8.0f} "
                    f"{p50:>7.2f} {p99:>7.2f} {cpu:>10.3f}  {dict(result.statuses)}"
                )
    finally:
        for process in servers.values():
            stop_server(process)
    medians = {
        key: [statistics.median(column) for column in zip(*rows, strict=True)]
        for key, rows in figures.items()
    }
    print("\nmedians")
    for (server, app), (rps, cpu, p50) in medians.items():
        print(f"  {server:<18} {app:<10} {rps:>8.0f} req/s  {cpu:.3f} CPU ms/req  p50 {p50:.2f} ms")
    baseline = chosen[-1]
    for server in chosen:
        service, bare = medians[server, "service"], medians[server, "bare ASGI"]
        print(
            f"  {server}: service / bare ASGI on the same server: {service[0] / bare[0]:.2f} of "
            f"the requests/s (target >= 0.85), {service[1] / bare[1]:.2f}x the CPU per request, "
            f"{service[2] / bare[2]:.2f}x the p50 latency"
        )
        built = medians[server, "built"]
        print(
            f"  {server}: the service building every answer / bare ASGI: {built[0] / bare[0]:.2f} "
            f"of the requests/s, {built[1] / bare[1]:.2f}x the CPU per request, "
            f"{built[2] / bare[2]:.2f}x the p50 latency"
        )
        if args.before:
            before = medians[server, "before"]
            print(
                f"  {server}: the service before / bare ASGI: {before[0] / bare[0]:.2f} of the "
                f"requests/s, {before[1] / bare[1]:.2f}x the CPU per request, "
                f"{before[2] / bare[2]:.2f}x the p50 latency"
            )
    for server in chosen[:-1]:
        service, bare = medians[server, "service"], medians[baseline, "bare ASGI"]
        print(
            f"  service on {server} / bare ASGI on {baseline}: {service[0] / bare[0]:.2f} of "
            f"the requests/s, {service[1] / bare[1]:.2f}x the CPU per request"
        )


if __name__ == "__main__":
    main()
