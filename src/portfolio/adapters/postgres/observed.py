"""Cursors that report each statement they send to an Observer."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from psycopg import AsyncCursor, sql
from psycopg.abc import Params, Query

from portfolio.application.observing import DB_STATEMENT
from portfolio.application.ports import Observer


def statement_text(query: Query | Any) -> str:
    """The SQL of ``query`` as written (placeholders, never values)."""
    # Most statements are plain strings: asked first, before the costlier check against the
    # abstract Composable.
    if isinstance(query, str):
        return query
    if isinstance(query, bytes):
        return query.decode("utf-8", "replace")
    if isinstance(query, sql.Composable):
        # Identifiers need a connection to be quoted; the structure is what tells a statement.
        return repr(query)
    return str(query)


def observed_cursor(observer: Observer) -> type[AsyncCursor[Any]]:
    """A cursor class whose ``execute`` and ``executemany`` are stages of ``observer``."""

    class ObservedCursor(AsyncCursor[Any]):
        async def execute(
            self,
            query: Any,
            params: Params | None = None,
            *,
            prepare: bool | None = None,
            binary: bool | None = None,
        ) -> ObservedCursor:
            with observer.stage(DB_STATEMENT, **{"db.query.text": statement_text(query)}):
                await super().execute(query, params, prepare=prepare, binary=binary)
            return self

        async def executemany(
            self, query: Query, params_seq: Iterable[Params], *, returning: bool = False
        ) -> None:
            with observer.stage(DB_STATEMENT, **{"db.query.text": statement_text(query)}):
                await super().executemany(query, params_seq, returning=returning)

    return ObservedCursor
