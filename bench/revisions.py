"""What revisions cost: a PATCH with and without them, and restoring a revision of a
portfolio holding 50.

    .venv/bin/python -m bench.revisions [--patches 300] [--rounds 5] [--restores 100]

Runs the application in-process (Litestar's test client, no server) over a database of its
own, ``portfolio_bench_revisions`` on the server of PORTFOLIO_BENCH_DATABASE_URL (default: the
machine's Postgres; made afresh on each run). One whole portfolio (cover, employer, tags,
links, gallery and meta, as bench/lists.py loads them) is PATCHed, one request at a time, in
alternating rounds by two applications over the same database: the service as it is, and the
same service whose revisions are a stand-in that keeps nothing (the baseline: what a PATCH
cost before revisions). Then the portfolio is given 50 revisions and the oldest is restored
again and again (each restore is a revision, pruned to 50), beside PATCHes of the same
portfolio. Prints each round and the medians (p50) side by side.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psycopg
from dependency_injector import providers
from psycopg import sql
from psycopg.conninfo import make_conninfo
from tests.app_client import SameLoopClient
from tests.builders import add_full_portfolio, stores_of

from portfolio.adapters.postgres.migrations import migrate
from portfolio.application.listing import Slice, Window
from portfolio.application.portfolios.records import Editor, Revision
from portfolio.domain import Portfolio
from portfolio.entrypoints.container import Container
from portfolio.entrypoints.http.app import create_app
from portfolio.entrypoints.settings import Settings

DATABASE = "portfolio_bench_revisions"
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
KEPT = 50
WARM_UP = 20


class NoRevisions:
    """Revisions that keep nothing: the service as it was before them."""

    async def latest(self, portfolio_id: int) -> Revision | None:
        """None: nothing is kept."""
        return None

    async def add(
        self, portfolio: Portfolio, by: Editor | None, changes: Sequence[str], keep: int
    ) -> Revision:
        """Not stored."""
        return Revision(0, portfolio.updated_at, by, tuple(changes), portfolio)

    async def of(self, portfolio_id: int, window: Window) -> Slice[Revision]:
        """None."""
        return Slice((), 0)

    async def get(self, portfolio_id: int, revision_id: int) -> Revision | None:
        """None."""
        return None


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


async def timed(client: Any, method: str, path: str, headers: dict[str, str], body: Any) -> float:
    """Milliseconds of one request, which must succeed."""
    started = time.perf_counter()
    response = await client.request(method, path, headers=headers, json=body)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{method} {path}: {response.status_code} {response.text}")
    return elapsed


async def run(url: str, args: argparse.Namespace) -> None:
    """Measure and print."""
    media = Path(tempfile.mkdtemp())
    settings = Settings(media_root=media, revisions_kept=KEPT)
    with_revisions = Container(settings=settings, database_url=url)
    without = Container(settings=settings, database_url=url)
    without.revisions.override(providers.Object(NoRevisions()))
    async with (
        SameLoopClient(create_app(with_revisions)) as kept,
        SameLoopClient(create_app(without)) as bare,
    ):
        await with_revisions.administer_users().create("bench", is_admin=True)
        key = (await with_revisions.manage_tokens().issue("bench")).key
        headers = {"Authorization": f"Token {key}"}
        full = await add_full_portfolio(stores_of(with_revisions))
        item = f"/api/portfolios/{full.portfolio.id}"

        async def patches(client: Any, count: int) -> list[float]:
            return [
                await timed(client, "PATCH", item, headers, {"excerpt": f"Edit {n}"})
                for n in range(count)
            ]

        await patches(kept, WARM_UP)
        await patches(bare, WARM_UP)
        medians: dict[str, list[float]] = {"with revisions": [], "without": []}
        print(f"PATCH {item}, {args.patches} a round, p50 ms")
        for round_number in range(args.rounds):
            for name, client in (("with revisions", kept), ("without", bare)):
                medians[name].append(statistics.median(await patches(client, args.patches)))
            print(
                f"round {round_number + 1}: with revisions {medians['with revisions'][-1]:.2f},"
                f" without {medians['without'][-1]:.2f}"
            )
        with_p50 = statistics.median(medians["with revisions"])
        without_p50 = statistics.median(medians["without"])
        print(
            f"PATCH p50: {with_p50:.2f} ms with revisions, {without_p50:.2f} ms without"
            f" (+{with_p50 - without_p50:.2f} ms, {with_p50 / without_p50:.2f}x)"
        )

        await patches(kept, KEPT)
        listing = f"{item}/revisions/?page_size=100"
        held = (await kept.get(listing, headers=headers)).json()["count"]
        print(f"\nrestore of the oldest revision of a portfolio holding {held}")
        restores, edits = [], []
        for n in range(args.restores):
            # Each restore is a revision and prunes the oldest: the oldest is looked up anew.
            oldest = (await kept.get(listing, headers=headers)).json()["results"][-1]["id"]
            restore = f"{item}/revisions/{oldest}/restore/"
            restores.append(await timed(kept, "POST", restore, headers, None))
            edits.append(await timed(kept, "PATCH", item, headers, {"excerpt": f"Again {n}"}))
        held_now = (await kept.get(f"{item}/revisions/", headers=headers)).json()["count"]
        print(
            f"restore p50 {statistics.median(restores):.2f} ms (p95"
            f" {sorted(restores)[int(0.95 * len(restores))]:.2f}), PATCH of the same portfolio"
            f" p50 {statistics.median(edits):.2f} ms; {held_now} revisions kept"
        )


def main() -> None:
    """Parse, load, measure."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patches", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--restores", type=int, default=100)
    args = parser.parse_args()
    url = create_database(os.environ.get("PORTFOLIO_BENCH_DATABASE_URL", DEFAULT_SERVER))
    asyncio.run(run(url, args))


if __name__ == "__main__":
    main()
