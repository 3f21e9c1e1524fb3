"""Counts that stop at a limit: exact below it, the planner's estimate beyond, and ``next`` and
``previous`` true on every page either way."""

from __future__ import annotations

from typing import Any

import msgspec
import psycopg
import pytest
from psycopg_pool import AsyncConnectionPool

from portfolio.adapters.postgres.pages import fetch_slice, search_conditions
from portfolio.adapters.postgres.pool import connection
from portfolio.adapters.postgres.shared_objects import PostgresSharedObjects
from portfolio.application.fields import TAGS, TagFields
from portfolio.application.listing import Slice, Window, fetch_page
from portfolio.domain import PageNotFound, Tag

pytestmark = pytest.mark.postgres

TAG_COUNT = 30
_TAG_DECODER = msgspec.json.Decoder(list[Tag])
SIZE = 8


async def add_tags(pool: AsyncConnectionPool[Any]) -> list[int]:
    """Thirty tags whose names hold a quote, a percent sign and a backslash."""
    store = PostgresSharedObjects[TagFields, Tag](pool, TAGS)
    return [(await store.add(TagFields(name=f"it's 5% \\ {n}"))).id for n in range(TAG_COUNT)]


def lister(pool: AsyncConnectionPool[Any], count_limit: int, search: tuple[str, ...] = ()) -> Any:
    """Pages of tags as the adapter fetches them, counting up to ``count_limit``."""

    async def fetch(window: Window) -> Slice[Tag]:
        where, params = search_conditions(search, "lower(t.name)")
        async with connection(pool) as conn:
            return await fetch_slice(
                conn,
                table="tags",
                where=where,
                params=params,
                order_by="t.id",
                document="tag_document",
                window=window,
                decoder=_TAG_DECODER,
                searched=bool(search),
                count_limit=count_limit,
            )

    return fetch


@pytest.mark.parametrize("count_limit", [1, 5, 29, 30, 10_000])
@pytest.mark.parametrize("search", [(), ("IT'S", "5%", "\\")])
async def test_next_and_previous_stay_true_below_and_beyond_the_count_limit(
    pool: AsyncConnectionPool[Any], count_limit: int, search: tuple[str, ...]
) -> None:
    ids = await add_tags(pool)
    fetch = lister(pool, count_limit, search)
    seen: list[int] = []
    last = -(-TAG_COUNT // SIZE)
    for number in range(1, last + 1):
        page = await fetch_page(fetch, number, SIZE)
        assert (page.has_previous, page.has_next) == (number > 1, number < last)
        if count_limit >= TAG_COUNT or number == last:
            assert page.total == TAG_COUNT
        else:
            assert page.total > number * SIZE
        seen.extend(tag.id for tag in page.items)
    assert seen == ids
    with pytest.raises(PageNotFound):
        await fetch_page(fetch, last + 1, SIZE)
    with pytest.raises(PageNotFound):
        await fetch_page(fetch, 1000, SIZE)


async def test_beyond_the_limit_the_count_is_the_planners_estimate(
    pool: AsyncConnectionPool[Any], clean_database: str
) -> None:
    await add_tags(pool)
    with psycopg.connect(clean_database, autocommit=True) as conn:
        conn.execute("ANALYZE tags")
        conn.execute("INSERT INTO tags (name) SELECT 'unseen ' || n FROM generate_series(1, 5) n")
    # The planner still believes in the 30 rows it last analysed; counting would find 35.
    first = await fetch_page(lister(pool, count_limit=10), 1, SIZE)
    assert first.total == TAG_COUNT
    assert (await fetch_page(lister(pool, count_limit=100), 1, SIZE)).total == TAG_COUNT + 5
