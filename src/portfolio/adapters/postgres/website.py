"""The website's filter menus in Postgres: the tags and employers live portfolios use, with
how many, one page in one round trip."""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

from portfolio.adapters.postgres.pool import BoundedPool, connection
from portfolio.adapters.postgres.portfolios import KEPT, PUBLICATION_CONDITIONS
from portfolio.application.listing import Slice, Window
from portfolio.application.portfolios.website import Counted
from portfolio.domain import Employer, Publication, Tag

T = TypeVar("T")

_LIVE = f"{PUBLICATION_CONDITIONS[Publication.LIVE]} AND {KEPT}"

# ``used``: (object id, live portfolios using it) from the rows of the live portfolios ``t``;
# only the page's documents are built, in the page's order (names compared case-insensitively
# and by code point, as the lists' title ordering is).
_PAGE = """
WITH used AS MATERIALIZED ({used}),
chosen AS MATERIALIZED (
    SELECT u.id, u.n, row_number() OVER (ORDER BY lower(o.name) COLLATE "C", o.id) AS k
    FROM used u JOIN {table} o ON o.id = u.id
    ORDER BY lower(o.name) COLLATE "C", o.id LIMIT %s OFFSET %s
)
SELECT (SELECT count(*) FROM used),
       (SELECT coalesce(json_agg(json_build_object('item', {document}(c.id), 'portfolios', c.n)
                                 ORDER BY c.k), '[]'::json)::text
        FROM chosen c)
"""
_TAGS = _PAGE.format(
    used="SELECT j.tag_id AS id, count(*) AS n FROM portfolio_tags j"
    f" JOIN portfolios t ON t.id = j.portfolio_id WHERE {_LIVE} GROUP BY j.tag_id",
    table="tags",
    document="tag_document",
)
_EMPLOYERS = _PAGE.format(
    used="SELECT t.employer_id AS id, count(*) AS n FROM portfolios t"
    f" WHERE t.employer_id IS NOT NULL AND {_LIVE} GROUP BY t.employer_id",
    table="employers",
    document="employer_document",
)
_decode_tags = msgspec.json.Decoder(list[Counted[Tag]])
_decode_employers = msgspec.json.Decoder(list[Counted[Employer]])


class PostgresWebsiteMenus:
    """WebsiteMenus over Postgres."""

    def __init__(self, pool: BoundedPool) -> None:
        self._pool = pool

    async def tags(self, window: Window) -> Slice[Counted[Tag]]:
        """Tags of live portfolios, by name."""
        return await self._page(_TAGS, window, _decode_tags)

    async def employers(self, window: Window) -> Slice[Counted[Employer]]:
        """Employers of live portfolios, by name."""
        return await self._page(_EMPLOYERS, window, _decode_employers)

    async def _page(
        self, query: str, window: Window, decoder: msgspec.json.Decoder[list[T]]
    ) -> Slice[T]:
        async with connection(self._pool) as conn:
            cursor = await conn.execute(query.encode(), (window.limit, window.offset))
            row: Any = await cursor.fetchone()
        total, documents = row
        return Slice(tuple(decoder.decode(documents)), int(total))
