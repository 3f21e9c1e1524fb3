"""Retrieve-endpoint throughput: the real service beside a bare ASGI app, in the same run.

    .venv/bin/python -m bench.retrieve [--portfolios 300] [--seconds 5] [--rounds 5]

Loads portfolios (cover, employer with logo, three tags, two links, four gallery images,
three meta) into a fresh database, starts the bare app and the service (``portfolio serve``)
on one uvicorn worker each, and drives them in alternating rounds with the same keep-alive
client. The service runs three times: quiet (no metrics, warnings only in the log), with
metrics, and observed (metrics and one JSON log line per request, written to a file); the
quiet one is also driven by a client that accepts gzip, then brotli, to show what compression
costs. Prints
requests/s, latency and server CPU time per request for each round, then medians and each
variant's ratio to the bare app.
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
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from bench.load import LoadResult, drive
from portfolio.adapters.postgres import PostgresCatalogue, make_pool, migrate, open_pool
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
from portfolio.domain import THUMBNAIL_SIZES
from portfolio.entrypoints.container import utc_now
from portfolio.entrypoints.database import database_url
from portfolio.entrypoints.settings import Settings

REPOSITORY = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")
PORTFOLIO = str(Path(sys.executable).parent / "portfolio")
QUIET = {"PORTFOLIO_METRICS": "false", "PORTFOLIO_LOG_LEVEL": "WARNING"}
METRICS = {"PORTFOLIO_METRICS": "true", "PORTFOLIO_LOG_LEVEL": "WARNING"}
OBSERVED = {
    "PORTFOLIO_METRICS": "true",
    "PORTFOLIO_LOG_LEVEL": "INFO",
    "PORTFOLIO_LOG_FORMAT": "json",
}


@dataclass(frozen=True)
class Server:
    """A server to start: the bare app, or the service with some settings."""

    name: str
    env: dict[str, str] = field(default_factory=dict)
    bare: bool = False


@dataclass(frozen=True)
class Variant:
    """What one line of figures measures: a server, and what the client accepts."""

    name: str
    server: str
    accept_encoding: str | None = None


SERVERS = (
    Server("bare", bare=True),
    Server("quiet", QUIET),
    Server("metrics", METRICS),
    Server("observed", OBSERVED),
)
VARIANTS = (
    Variant("bare ASGI", "bare"),
    Variant("service", "quiet"),
    Variant("+ metrics", "metrics"),
    Variant("+ metrics, JSON logs", "observed"),
    Variant("+ gzip", "quiet", "gzip"),
    Variant("+ brotli", "quiet", "br"),
)


async def _image(catalogue: PostgresCatalogue, name: str) -> int:
    key = media_key(utc_now(), name)
    media = await catalogue.add_media(
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
    return media.id


async def load_portfolios(url: str, count: int) -> tuple[list[int], str]:
    """Fill the database; return the portfolio ids and an admin token."""
    from portfolio.adapters.postgres import PostgresTokenStore, PostgresUserStore

    pool = make_pool(url)
    await open_pool(pool)
    try:
        catalogue = PostgresCatalogue(pool)
        tags = [
            (
                await catalogue.add_tag(
                    TagFields(name=f"tag {n}", image_id=await _image(catalogue, f"tag{n}.jpg"))
                )
            ).id
            for n in range(12)
        ]
        ids = []
        for n in range(count):
            employer = await catalogue.add_employer(
                EmployerFields(
                    name=f"employer {n}",
                    description="A client",
                    image_id=await _image(catalogue, f"e{n}.jpg"),
                )
            )
            links = [
                (
                    await catalogue.add_link(
                        LinkFields(name=name, url=f"https://example.com/{n}/{name}", description="")
                    )
                ).id
                for name in ("github", "site_url")
            ]
            metas = [
                (await catalogue.add_meta(MetaFields(key=f"key{k}", value_text="value " * 10))).id
                for k in range(3)
            ]
            gallery = tuple([await _image(catalogue, f"p{n}_g{g}.jpg") for g in range(4)])
            portfolio = await catalogue.add_portfolio(
                PortfolioFields(
                    title=f"Portfolio {n}",
                    slug=f"portfolio-{n}",
                    excerpt="An excerpt " * 8,
                    order=n,
                    image_id=await _image(catalogue, f"p{n}.jpg"),
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


def start_server(server: Server, port: int, url: str, log: Path) -> subprocess.Popen[bytes]:
    """One uvicorn worker: the bare app, or the service as ``portfolio serve`` runs it (its
    log in ``log``); waits until it answers."""
    env = {
        **os.environ,
        "PORTFOLIO_DATABASE_URL": url,
        "PORTFOLIO_LOG_LEVEL": "WARNING",
        "PYTHONPATH": f"{REPOSITORY}:{REPOSITORY / 'src'}",
        **server.env,
    }
    if server.bare:
        command = [sys.executable, "-m", "uvicorn", "bench.bare_app:app", "--port", str(port)]
        command += ["--workers", "1", "--no-access-log", "--log-level", "warning"]
    else:
        command = [PORTFOLIO, "serve", "--port", str(port), "--workers", "1"]
    with log.open("ab") as written:
        process = subprocess.Popen(command, env=env, cwd=REPOSITORY, stderr=written)
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
    raise RuntimeError(f"{server.name} did not start; see {log}")


def body_sizes(port: int, path: str, token: str) -> dict[str, int]:
    """The size of one retrieve's body as each variant's client receives it."""
    sizes = {}
    for encoding in ("identity", "gzip", "br"):
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}",
            headers={"Authorization": f"Token {token}", "Accept-Encoding": encoding},
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            sizes[encoding] = len(response.read())
    return sizes


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


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
    args = parser.parse_args()

    server_url = database_url(Settings.from_env())
    url = fresh_database(server_url)
    ids, token = asyncio.run(load_portfolios(url, args.portfolios))
    paths = [f"/api/portfolios/{portfolio_id}" for portfolio_id in ids]
    logs = Path(tempfile.mkdtemp(prefix="portfolio-bench-"))
    ports = {server.name: free_port() for server in SERVERS}
    processes = {
        server.name: start_server(server, ports[server.name], url, logs / f"{server.name}.log")
        for server in SERVERS
    }
    figures: dict[str, list[tuple[float, float, float]]] = {v.name: [] for v in VARIANTS}
    try:
        sizes = body_sizes(ports["quiet"], paths[0], token)
        for variant in VARIANTS:  # warm up: prepared statements, pools, caches
            measure(
                ports[variant.server],
                processes[variant.server].pid,
                paths,
                token,
                1.0,
                args.connections,
                variant.accept_encoding,
            )
        print(
            f"{args.portfolios} portfolios, {args.connections} connections, "
            f"{args.seconds:g}s rounds, 1 worker each; one retrieve's body: "
            + ", ".join(f"{size} bytes {name}" for name, size in sizes.items())
        )
        header = ("round", "variant", "req/s", "p50 ms", "p99 ms", "CPU ms/req")
        print("{:>5} {:<22} {:>8} {:>7} {:>7} {:>10}  statuses".format(*header))
        for round_number in range(1, args.rounds + 1):
            for variant in VARIANTS:
                result, cpu = measure(
                    ports[variant.server],
                    processes[variant.server].pid,
                    paths,
                    token,
                    args.seconds,
                    args.connections,
                    variant.accept_encoding,
                )
                figures[variant.name].append((result.per_second, cpu, result.percentile(0.5)))
                p50, p99 = result.percentile(0.5), result.percentile(0.99)
                print(
                    f"{round_number:>5} {variant.name:<22} {result.per_second:>8.0f} {p50:>7.2f} "
                    f"{p99:>7.2f} {cpu:>10.3f}  {dict(result.statuses)}"
                )
    finally:
        for process in processes.values():
            process.terminate()
            process.wait(10)
    logged = (logs / "observed.log").read_text().splitlines()
    medians = {
        name: [statistics.median(column) for column in zip(*rows, strict=True)]
        for name, rows in figures.items()
    }
    bare = medians["bare ASGI"]
    service = medians["service"]
    print("\nmedians")
    for name, (rps, cpu, p50) in medians.items():
        print(
            f"  {name:<22} {rps:>8.0f} req/s  {cpu:.3f} CPU ms/req  p50 {p50:.2f} ms  "
            f"ratio to bare {rps / bare[0]:.2f} (target >= 0.50), "
            f"{rps / service[0]:.3f} of the service's req/s"
        )
    print(f"  the observed server wrote {len(logged)} JSON log lines to {logs / 'observed.log'}")


if __name__ == "__main__":
    main()
