"""One page of a list in one round trip: the total count and the page's documents together."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

import msgspec

from adapters.postgres.pool import Connection
from application import Slice, Window

T = TypeVar("T")


async def fetch_slice(
    conn: Connection,
    *,
    table: str,
    where: Sequence[str],
    params: Sequence[Any],
    order_by: str,
    document: str,
    window: Window,
    decoder: msgspec.json.Decoder[list[T]],
) -> Slice[T]:
    """Rows of ``table`` (aliased ``t``) matching every ``where`` condition, ordered by
    ``order_by``, inside ``window``, as documents built by the function ``document`` (one id
    in, one JSON document out; migration 0002) and read by ``decoder``.

    The ids are picked and their documents built in the same statement, so a page costs one
    round trip however long it is; the function is called for the page's ids only, so the
    page costs what its own rows cost, however large the table.
    """
    condition = " AND ".join(where) or "true"
    query = (
        f"SELECT (SELECT count(*) FROM {table} t WHERE {condition}),"
        f" (SELECT coalesce(json_agg({document}(u.id) ORDER BY u.n), '[]'::json)::text"
        f"   FROM unnest(ARRAY(SELECT t.id FROM {table} t WHERE {condition}"
        f"                      ORDER BY {order_by} LIMIT %s OFFSET %s))"
        "        WITH ORDINALITY AS u(id, n))"
    )
    cursor = await conn.execute(query.encode(), (*params, *params, window.limit, window.offset))
    row = await cursor.fetchone()
    if row is None:
        raise LookupError("the page statement returned no row")
    total, documents = row
    return Slice(tuple(decoder.decode(documents)), total)


def search_conditions(terms: Sequence[str], searched: str) -> tuple[list[str], list[object]]:
    """Conditions (and their parameters) that every term occurs in the text ``searched``,
    ignoring case: ``lower(...) LIKE '%term%'``, which a trigram index answers (migration
    0004); the term's own ``%``, ``_`` and ``\\`` are plain characters."""
    return [f"{searched} LIKE lower(%s)" for _ in terms], [f"%{_literal(term)}%" for term in terms]


def _literal(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
