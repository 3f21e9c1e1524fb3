"""One page of a list in one round trip: the count and the page's documents together.

A page costs what its own rows cost, not what the table holds: documents are built for the
page's ids only, and counting stops at a limit. Up to the limit the count is exact; beyond
it, it is the planner's estimate, kept consistent with what the page saw, so ``next`` and
``previous`` are always true (docs/api.md, "Counts").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

import msgspec
from psycopg import AsyncClientCursor
from psycopg.abc import AdaptContext, Buffer
from psycopg.adapt import Loader

from portfolio.adapters.postgres.pool import Connection
from portfolio.application.listing import Slice, Window

T = TypeVar("T")

# Counting 10,000 rows from an index takes about 2 ms at 100,000 portfolios, a tenth of what
# building a page of 20 documents takes; counting all 500,000 media took 60 ms.
COUNT_LIMIT = 10_000
# A searched row costs far more to count: its row is read and its text lower-cased and
# scanned for each term (about 13 ms for 1,000 portfolios, 50 ms for 10,000 meta entries).
SEARCH_COUNT_LIMIT = 1_000


class Utf8Text(Loader):
    """A text column as UTF-8 bytes: a page's documents go to msgspec as they arrived, with
    no str made of them and encoded again on the way (some 0.1 ms a public page)."""

    def __init__(self, oid: int, context: AdaptContext | None = None) -> None:
        super().__init__(oid, context)
        self._encoding = "utf-8" if self.connection is None else self.connection.info.encoding

    def load(self, data: Buffer) -> bytes:
        """The bytes, re-encoded should the connection's encoding be another. SQL_ASCII
        ("ascii") converts nothing, so what arrives is what was stored: UTF-8."""
        if self._encoding in ("utf-8", "ascii"):
            return bytes(data)
        return str(data, self._encoding).encode()


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
    searched: bool = False,
    count_limit: int | None = None,
) -> Slice[T]:
    """Rows of ``table`` (aliased ``t``) matching every ``where`` condition, ordered by
    ``order_by``, inside ``window``, as documents built by the function ``document`` (one id
    in, one JSON document out; migration 0002) and read by ``decoder``.

    The ids are picked and their documents built in the same statement, so a page costs one
    round trip however long it is; the function is called for the page's ids only, so the
    page costs what its own rows cost, however large the table. The total is exact up to
    ``count_limit`` matching rows (by default COUNT_LIMIT, or SEARCH_COUNT_LIMIT when the
    conditions are ``searched`` terms), and an estimate beyond (see ``page_total``).
    """
    if count_limit is None:
        count_limit = SEARCH_COUNT_LIMIT if searched else COUNT_LIMIT
    condition = " AND ".join(where) or "true"
    # One row past the page says whether another page follows; its document is not built.
    pick = (
        f"ARRAY(SELECT t.id FROM {table} t WHERE {condition}"
        f" ORDER BY {order_by} LIMIT %s OFFSET %s)"
    )
    page = (window.limit + 1, window.offset)
    if searched:
        # Counting read every counted row whole to test the terms; when those are all the
        # matches, the page is sorted from them instead of being searched for again.
        ctes = (
            f"matching AS MATERIALIZED (SELECT t.* FROM {table} t WHERE {condition} LIMIT %s),"
            " counted AS (SELECT count(*) AS n FROM matching),"
            " chosen AS MATERIALIZED (SELECT CASE WHEN (SELECT n FROM counted) <= %s"
            f" THEN ARRAY(SELECT t.id FROM matching t ORDER BY {order_by} LIMIT %s OFFSET %s)"
            f" ELSE {pick} END AS ids)"
        )
        values: tuple[Any, ...] = (*params, count_limit + 1, count_limit, *page, *params, *page)
    else:
        # The chosen ids are materialised, as they are read twice.
        ctes = (
            f"chosen AS MATERIALIZED (SELECT {pick} AS ids),"
            " counted AS (SELECT count(*) AS n"
            f" FROM (SELECT FROM {table} t WHERE {condition} LIMIT %s) AS matching)"
        )
        values = (*params, *page, *params, count_limit + 1)
    query = (
        f"WITH {ctes}"
        " SELECT counted.n, CASE WHEN counted.n > %s THEN planned_rows(%s) END,"
        " cardinality(chosen.ids),"
        f" (SELECT coalesce(json_agg({document}(u.id) ORDER BY u.n), '[]'::json)::text"
        "   FROM unnest(chosen.ids[1:%s]) WITH ORDINALITY AS u(id, n))"
        " FROM chosen, counted"
    )
    # Only planned, never run, and only once the count passes its limit; the values are
    # quoted by psycopg as literals, since EXPLAIN runs inside planned_rows (migration 0005).
    estimated = AsyncClientCursor(conn).mogrify(f"SELECT FROM {table} t WHERE {condition}", params)
    # Never prepared, so planned for each request's own values: reading every match and
    # sorting them is best for a rare search term or tag, walking the order's index for a
    # common one, and a prepared statement may settle on one plan for both.
    cursor = conn.cursor()
    cursor.adapters.register_loader("text", Utf8Text)
    await cursor.execute(
        query.encode(), (*values, count_limit, estimated, window.limit), prepare=False
    )
    row = await cursor.fetchone()
    if row is None:
        raise LookupError("the page statement returned no row")
    counted, estimate, fetched, documents = row
    items = tuple(decoder.decode(documents))
    return Slice(items, page_total(counted, estimate, window, fetched, count_limit))


def page_total(
    counted: int, estimate: int | None, window: Window, fetched: int, count_limit: int
) -> int:
    """The list's total as a page reports it.

    ``counted`` rows were counted, stopping past ``count_limit``; ``fetched`` rows were read
    from the window's offset, up to one past the window. At or below the limit the count is
    exact. Beyond it, the planner's ``estimate`` is used but made to agree with what the
    page saw, so that ``next``/``previous`` (computed from the total) are true: the total
    lies past the page when another row follows it, ends with the page when none does, and
    does not reach a page that is past the end.
    """
    if counted <= count_limit:
        return counted
    guess = max(estimate or 0, count_limit + 1)
    seen = window.offset + min(fetched, window.limit)
    if fetched > window.limit:
        return max(guess, seen + 1)
    if fetched > 0:
        return seen
    # Past the end: the window's offset is beyond the last row, which is beyond the limit.
    return min(guess, window.offset)


def search_conditions(terms: Sequence[str], searched: str) -> tuple[list[str], list[object]]:
    """Conditions (and their parameters) that every term occurs in the text ``searched``,
    ignoring case: ``lower(...) LIKE '%term%'``, which a trigram index answers (migration
    0004); the term's own ``%``, ``_`` and ``\\`` are plain characters."""
    return [f"{searched} LIKE lower(%s)" for _ in terms], [f"%{_literal(term)}%" for term in terms]


def _literal(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
