"""Round trips to Postgres: one for a whole portfolio or a whole page, two for an authenticated
request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from dependency_injector import providers
from psycopg import AsyncConnection, AsyncCursor

from portfolio.adapters.postgres.changes import CHANGE_NUMBERS_SQL
from portfolio.adapters.postgres.pool import BoundedPool, PoolSettings, make_pool, open_pool
from portfolio.adapters.postgres.portfolios import GET_PORTFOLIO_SQL, PostgresPortfolios
from portfolio.adapters.postgres.shared_objects import PostgresSharedObjects
from portfolio.adapters.postgres.users import FIND_TOKEN_SQL
from portfolio.application.fields import TAGS, PortfolioFields, TagFields
from portfolio.application.listing import PortfolioFilter, SortField, SortKey, Window
from portfolio.entrypoints.container import Container
from portfolio.entrypoints.http.app import create_app
from portfolio.entrypoints.settings import Settings
from tests.app_client import SameLoopClient
from tests.builders import add_full_portfolio, postgres_stores

pytestmark = pytest.mark.postgres

statements: list[str] = []
SMALL = PoolSettings(min_size=1, max_size=2)


class CountingCursor(AsyncCursor[Any]):
    """Records every statement it sends: whether the store calls the connection's
    ``execute`` or a cursor of its own, each statement passes here once."""

    async def execute(self, query: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        statements.append(query.decode() if isinstance(query, bytes) else str(query))
        return await super().execute(query, *args, **kwargs)


class CountingConnection(AsyncConnection[Any]):
    """A connection whose cursors count what they send."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cursor_factory = CountingCursor


@pytest.fixture
async def counting_pool(clean_database: str) -> AsyncIterator[BoundedPool]:
    """The service's own pool, with connections that count what they send."""
    pool = make_pool(clean_database, SMALL, connection_class=CountingConnection)
    await open_pool(pool)
    yield pool
    await pool.close()


async def test_a_whole_portfolio_costs_one_statement(
    counting_pool: BoundedPool,
) -> None:
    full = await add_full_portfolio(postgres_stores(counting_pool))
    statements.clear()
    found = await PostgresPortfolios(counting_pool).get(full.portfolio.id)
    assert found == full.portfolio
    assert len(found.tags) == 2 and len(found.images) == 2 and len(found.meta) == 2
    assert len(statements) == 1


@pytest.mark.parametrize(
    ("memory", "second", "third"),
    [
        # Every answer built: the token with its owner, then the portfolio.
        (0, [FIND_TOKEN_SQL, GET_PORTFOLIO_SQL], [FIND_TOKEN_SQL, GET_PORTFOLIO_SQL]),
        # Answers kept: the URL's second GET reads the change numbers first and keeps its
        # answer; the third reads the numbers and the token, and builds nothing.
        (
            1024 * 1024,
            [CHANGE_NUMBERS_SQL, FIND_TOKEN_SQL, GET_PORTFOLIO_SQL],
            [CHANGE_NUMBERS_SQL, FIND_TOKEN_SQL],
        ),
    ],
    ids=["built", "from memory"],
)
async def test_what_an_authenticated_retrieve_costs(
    clean_database: str, tmp_path: Any, memory: int, second: list[str], third: list[str]
) -> None:
    # The request's statements alone: no background work shares the counting pool.
    settings = Settings(media_root=tmp_path, background=False, answer_memory_bytes=memory)
    container = Container(settings=settings, database_url=clean_database)
    container.pool.override(
        providers.Singleton(make_pool, clean_database, SMALL, connection_class=CountingConnection)
    )
    async with SameLoopClient(create_app(container)) as client:
        await container.administer_users().create("admin", is_admin=True)
        key = (await container.manage_tokens().issue("admin")).key
        added = await container.portfolios().add(PortfolioFields(title="T", slug="t"))
        path, headers = f"/api/portfolios/{added.id}", {"Authorization": f"Token {key}"}
        await client.get(path, headers=headers)  # every pooled connection now in recent use
        for expected in (second, third):
            statements.clear()
            response = await client.get(path, headers=headers)
            assert response.status_code == 200
            # No liveness check on connections in use.
            assert statements == expected


async def test_a_connection_idle_for_a_while_is_checked_before_use(
    counting_pool: BoundedPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    portfolios = PostgresPortfolios(counting_pool)
    await portfolios.get(1)
    await portfolios.get(1)
    statements.clear()
    await portfolios.get(1)
    assert statements == [GET_PORTFOLIO_SQL]
    monkeypatch.setattr("portfolio.adapters.postgres.pool.CHECK_AFTER_IDLE_SECONDS", -1.0)
    statements.clear()
    await portfolios.get(1)
    assert statements == ["", GET_PORTFOLIO_SQL]  # the empty query is the liveness check


@pytest.mark.parametrize("page_size", [1, 25])
async def test_a_page_of_whole_portfolios_costs_one_statement_whatever_its_size(
    counting_pool: BoundedPool, page_size: int
) -> None:
    stores = postgres_stores(counting_pool)
    for n in range(25):
        await add_full_portfolio(stores, f"Project {n}")
    statements.clear()
    found = await PostgresPortfolios(counting_pool).find(
        PortfolioFilter(search=("project",), ordering=(SortKey(SortField.TITLE),)),
        Window(offset=0, limit=page_size),
    )
    assert len(found.items) == page_size and found.total == 25
    assert all(len(portfolio.tags) == 2 for portfolio in found.items)
    assert len(statements) == 1


async def test_a_page_of_tags_costs_one_statement(
    counting_pool: BoundedPool,
) -> None:
    tags = PostgresSharedObjects(counting_pool, TAGS)
    for n in range(30):
        await tags.add(TagFields(name=f"tag {n}"))
    statements.clear()
    found = await tags.find((), Window(offset=0, limit=30))
    assert len(found.items) == 30
    assert len(statements) == 1
