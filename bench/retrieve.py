"""Retrieve-endpoint throughput: the real service beside a bare ASGI app, in the same run.

    .venv/bin/python -m bench.retrieve [--portfolios 300] [--seconds 5] [--rounds 5]

Loads portfolios (cover, employer with logo, three tags, two links, four gallery images,
three meta) into a fresh database, starts both servers on one uvicorn worker each, and drives
them in alternating rounds with the same keep-alive client. Prints requests/s, latency and
server CPU time per request for each round, then medians and the ratio real/bare.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from bench.load import LoadResult, drive
from portfolio.adapters.postgres import (
    EMPLOYERS,
    LINKS,
    META,
    TAGS,
    PostgresMediaRepository,
    PostgresPortfolios,
    PostgresSharedObjects,
    make_pool,
    migrate,
    open_pool,
)
from portfolio.application import (
    EmployerFields,
    LinkFields,
    ManageTokens,
    ManageUsers,
    MetaFields,
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

REPOSITORY = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")


async def _image(media: PostgresMediaRepository, name: str) -> int:
    key = media_key(utc_now(), name)
    added = await media.add(
        NewMedia(
            key=key,
            type="image/jpeg",
            name=name,
            size=123_456,
            width=1600,
            height=1200,
            mode="RGB",
            thumbnails=tuple(NewThumbnail(thumbnail_key(key, s), s) for s in THUMBNAIL_SIZES),
        )
    )
    return added.id


async def load_portfolios(url: str, count: int) -> tuple[list[int], str]:
    """Fill the database; return the portfolio ids and an admin token."""
    from portfolio.adapters.postgres import PostgresTokenStore, PostgresUserStore

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
        await ManageUsers(users).create("bench-admin", is_admin=True)
        issued = await ManageTokens(PostgresTokenStore(pool), users, utc_now).issue("bench-admin")
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


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(target: str, port: int, url: str) -> subprocess.Popen[bytes]:
    """One uvicorn worker serving ``target``; waits until it answers."""
    env = {
        **os.environ,
        "PORTFOLIO_DATABASE_URL": url,
        "PORTFOLIO_LOG_LEVEL": "WARNING",
        "PYTHONPATH": f"{REPOSITORY}:{REPOSITORY / 'src'}",
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        target,
        "--port",
        str(port),
        "--workers",
        "1",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    if target.endswith("()"):
        command = [*command[:3], target[:-2], "--factory", *command[4:]]
    process = subprocess.Popen(command, env=env, cwd=REPOSITORY)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
            return process
        except OSError as error:
            if getattr(error, "code", None) is not None:
                return process  # it answered, even if with an error status
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{target} did not start")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def measure(
    port: int, pid: int, paths: list[str], token: str, seconds: float, connections: int
) -> tuple[LoadResult, float]:
    """One round: the load result and the server's CPU milliseconds per request."""
    before = cpu_seconds(pid)
    result = asyncio.run(drive("127.0.0.1", port, paths, token, seconds, connections))
    used = cpu_seconds(pid) - before
    return result, used * 1000 / max(result.requests, 1)


def main() -> None:
    """Run the comparison and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--portfolios", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()

    server_url = database_url(Settings.from_env())
    url = fresh_database(server_url)
    ids, token = asyncio.run(load_portfolios(url, args.portfolios))
    paths = [f"/api/portfolios/{portfolio_id}" for portfolio_id in ids]
    servers = {
        "service": start_server(
            "portfolio.entrypoints.http.app:create_app_from_env()", free_port(), url
        ),
        "bare ASGI": start_server("bench.bare_app:app", free_port(), url),
    }
    ports = {name: int(proc.args[proc.args.index("--port") + 1]) for name, proc in servers.items()}  # type: ignore[union-attr]
    figures: dict[str, list[tuple[float, float, float]]] = {name: [] for name in servers}
    try:
        for name in servers:  # warm up: prepared statements, pools, caches
            measure(ports[name], servers[name].pid, paths, token, 1.0, args.connections)
        print(
            f"{args.portfolios} portfolios, {args.connections} connections, "
            f"{args.seconds:g}s rounds, 1 worker each"
        )
        header = ("round", "server", "req/s", "p50 ms", "p99 ms", "CPU ms/req")
        print("{:>5} {:<10} {:>8} {:>7} {:>7} {:>10}  statuses".format(*header))
        for round_number in range(1, args.rounds + 1):
            for name in servers:
                result, cpu = measure(
                    ports[name], servers[name].pid, paths, token, args.seconds, args.connections
                )
                figures[name].append((result.per_second, cpu, result.percentile(0.5)))
                p50, p99 = result.percentile(0.5), result.percentile(0.99)
                print(
                    f"{round_number:>5} {name:<10} {result.per_second:>8.0f} {p50:>7.2f} "
                    f"{p99:>7.2f} {cpu:>10.3f}  {dict(result.statuses)}"
                )
    finally:
        for process in servers.values():
            process.terminate()
            process.wait(10)
    medians = {
        name: [statistics.median(column) for column in zip(*rows, strict=True)]
        for name, rows in figures.items()
    }
    service, bare = medians["service"], medians["bare ASGI"]
    print("\nmedians")
    for name, (rps, cpu, p50) in medians.items():
        print(f"  {name:<10} {rps:>8.0f} req/s  {cpu:.3f} CPU ms/req  p50 {p50:.2f} ms")
    print(
        f"  service / bare ASGI: {service[0] / bare[0]:.2f} of the requests/s "
        f"(target >= 0.50), {service[1] / bare[1]:.2f}x the CPU per request"
    )


if __name__ == "__main__":
    main()
