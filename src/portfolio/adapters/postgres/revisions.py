"""Portfolio revisions in Postgres: each written with the pruning of the oldest in one
statement, read as JSON documents decoded straight into the application's records."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from portfolio.adapters.postgres.pages import fetch_slice
from portfolio.adapters.postgres.pool import BoundedPool, connection
from portfolio.adapters.postgres.statements import transaction
from portfolio.application.listing import Slice, Window
from portfolio.application.portfolios.records import Editor, Revision
from portfolio.domain import Portfolio

_LATEST = (
    "SELECT portfolio_revision_document(id)::text FROM portfolio_revisions"
    " WHERE portfolio_id = %s ORDER BY id DESC LIMIT 1"
)
_ONE = (
    "SELECT portfolio_revision_document(id)::text FROM portfolio_revisions"
    " WHERE id = %s AND portfolio_id = %s"
)
# The new revision, and every one older than the newest ``keep`` (the new one among them),
# removed in the same statement: the pruning reads the revisions as they were before it.
_ADD = """
WITH added AS (
    INSERT INTO portfolio_revisions (portfolio_id, user_id, username, changes, document)
    VALUES (%(portfolio)s, %(user_id)s, %(username)s, %(changes)s, %(document)s::jsonb)
    RETURNING id, created_at
), pruned AS (
    DELETE FROM portfolio_revisions
    WHERE portfolio_id = %(portfolio)s AND id <= (
        SELECT id FROM portfolio_revisions WHERE portfolio_id = %(portfolio)s
        ORDER BY id DESC OFFSET %(older)s LIMIT 1)
)
SELECT id, created_at FROM added
"""

_decode_revision = msgspec.json.Decoder(Revision).decode
_decode_revisions = msgspec.json.Decoder(list[Revision])
_encode = msgspec.json.Encoder().encode


class PostgresRevisions:
    """Revisions over Postgres."""

    def __init__(self, pool: BoundedPool) -> None:
        self._pool = pool

    async def latest(self, portfolio_id: int) -> Revision | None:
        """The newest revision, from the index."""
        return await self._one(_LATEST, (portfolio_id,))

    async def add(
        self, portfolio: Portfolio, by: Editor | None, changes: Sequence[str], keep: int
    ) -> Revision:
        """Insert the revision and prune the oldest, in one round trip."""
        values = {
            "portfolio": portfolio.id,
            "user_id": None if by is None else by.id,
            "username": None if by is None else by.username,
            "changes": list(changes),
            "document": _encode(portfolio).decode(),
            "older": keep - 1,
        }
        async with transaction(self._pool) as conn:
            cursor = await conn.execute(_ADD, values)
            row = await cursor.fetchone()
        if row is None:
            raise LookupError("the revision insert returned no row")
        return Revision(row[0], row[1], by, tuple(changes), portfolio)

    async def of(self, portfolio_id: int, window: Window) -> Slice[Revision]:
        """A page of the portfolio's revisions, newest first."""
        async with connection(self._pool) as conn:
            return await fetch_slice(
                conn,
                table="portfolio_revisions",
                where=["t.portfolio_id = %s"],
                params=[portfolio_id],
                order_by="t.id DESC",
                document="portfolio_revision_document",
                window=window,
                decoder=_decode_revisions,
            )

    async def get(self, portfolio_id: int, revision_id: int) -> Revision | None:
        """One revision, if it is the portfolio's."""
        return await self._one(_ONE, (revision_id, portfolio_id))

    async def _one(self, query: str, params: tuple[int, ...]) -> Revision | None:
        async with connection(self._pool) as conn:
            cursor = await conn.execute(query.encode(), params)
            row = await cursor.fetchone()
        return None if row is None else _decode_revision(row[0])
