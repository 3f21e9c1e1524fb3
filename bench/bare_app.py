"""The near limit of Python + Postgres for the retrieve endpoint: a bare ASGI app.

No framework: it parses the Authorization header, runs the service's own token query and
its own portfolio query on a psycopg pool, and returns the database's JSON bytes as they are.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from datetime import UTC, datetime
from typing import Any

from portfolio.adapters.postgres.pool import BoundedPool, connection, make_pool, open_pool
from portfolio.adapters.postgres.portfolios import GET_PORTFOLIO_SQL
from portfolio.adapters.postgres.users import FIND_TOKEN_SQL

PREFIX = "/api/portfolios/"
pool: BoundedPool | None = None


async def _respond(send: Any, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """ASGI entry point."""
    global pool
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                # The service's own pool, settings and connection handling: only the
                # framework differs between the two servers.
                pool = make_pool(os.environ["PORTFOLIO_DATABASE_URL"])
                await open_pool(pool)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                assert pool is not None
                await pool.close()
                await send({"type": "lifespan.shutdown.complete"})
                return
    assert pool is not None
    header = dict(scope["headers"]).get(b"authorization", b"").split()
    if len(header) != 2 or header[0].lower() != b"token":
        await _respond(send, 401, b'{"detail":"Authentication credentials were not provided."}')
        return
    digest = hashlib.sha256(header[1]).digest()
    async with connection(pool) as conn:
        row = await (await conn.execute(FIND_TOKEN_SQL, (digest,), prepare=True)).fetchone()
    if row is None or not hmac.compare_digest(bytes(row[1]), digest):
        await _respond(send, 401, b'{"detail":"Invalid token."}')
        return
    expires_at, revoked_at, is_active, is_admin = row[3], row[4], row[8], row[10]
    if revoked_at or (expires_at and expires_at <= datetime.now(UTC)) or not is_active:
        await _respond(send, 401, b'{"detail":"Invalid token."}')
        return
    if not (is_admin or 4202 in row[11]):
        await _respond(send, 403, b'{"detail":"You do not have permission."}')
        return
    raw_id = scope["path"][len(PREFIX) :]
    async with connection(pool) as conn:
        found = await (
            await conn.execute(GET_PORTFOLIO_SQL, (int(raw_id),), prepare=True)
        ).fetchone()
    if found is None:
        await _respond(send, 404, b'{"detail":"Not found."}')
        return
    await _respond(send, 200, found[0].encode())
