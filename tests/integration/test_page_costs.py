"""A page costs what its own rows cost: the statement builds the documents of the page's rows
and of no other, whatever the catalogue holds."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest
from bench.catalogue_sql import grow_catalogue
from psycopg import AsyncConnection, AsyncCursor, sql
from psycopg.conninfo import make_conninfo
from psycopg_pool import AsyncConnectionPool

from portfolio.adapters.postgres.audit import PostgresAuditLog
from portfolio.adapters.postgres.media import PostgresMediaRepository
from portfolio.adapters.postgres.migrations import migrate
from portfolio.adapters.postgres.pool import PoolSettings, make_pool, open_pool
from portfolio.adapters.postgres.portfolios import PostgresPortfolios
from portfolio.adapters.postgres.shared_objects import PostgresSharedObjects
from portfolio.application.audit import AuditFilter
from portfolio.application.fields import EMPLOYERS, LINKS, META, TAGS
from portfolio.application.listing import PortfolioFilter, SortField, SortKey, Window

pytestmark = pytest.mark.postgres

PORTFOLIOS = 3000
PAGE = Window(offset=40, limit=20)
# Rows a page of 20 may read from each table that holds nested objects: a portfolio shows
# 9 media with 36 thumbnails, 3 tags, 2 links and 3 meta; a few times that is still far below
# what building every document of a 3,000-portfolio catalogue reads.
MOST_ROWS_PER_ITEM = 50
NESTED = (
    "media",
    "thumbnails",
    "links",
    "meta",
    "portfolio_tags",
    "portfolio_links",
    "portfolio_images",
    "portfolio_meta",
)

sent: list[tuple[Any, Any]] = []


class RecordingCursor(AsyncCursor[Any]):
    """Keeps every statement it sends, with its parameters: whether the store calls the
    connection's ``execute`` or a cursor of its own, each statement passes here once."""

    async def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:  # type: ignore[override]
        sent.append((query, params))
        return await super().execute(query, params, **kwargs)


class RecordingConnection(AsyncConnection[Any]):
    """A connection whose cursors keep what they send."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cursor_factory = RecordingCursor


@pytest.fixture(scope="module")
def catalogue(database_url: str) -> Iterator[str]:
    """A database of its own holding a realistic catalogue of 3,000 portfolios."""
    name = f"portfolio_costs_{secrets.token_hex(4)}"
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = make_conninfo(database_url, dbname=name)
    try:
        migrate(url)
        grow_catalogue(url, PORTFOLIOS)
        yield url
    finally:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
async def recording_pool(catalogue: str) -> AsyncIterator[AsyncConnectionPool[Any]]:
    """The service's pool on the catalogue, keeping what it sends."""
    pool = make_pool(catalogue, PoolSettings(min_size=1, max_size=1), RecordingConnection)
    await open_pool(pool)
    yield pool
    await pool.close()


Fetch = Callable[[AsyncConnectionPool[Any]], Awaitable[Any]]


def portfolios(criteria: PortfolioFilter) -> Fetch:
    """A page of portfolios matching ``criteria``."""
    return lambda pool: PostgresPortfolios(pool).find(criteria, PAGE)


def audit(criteria: AuditFilter) -> Fetch:
    """A page of the audit log matching ``criteria``."""
    return lambda pool: PostgresAuditLog(pool).find(criteria, PAGE)


MOMENT = datetime(2026, 12, 1, tzinfo=UTC)


LISTS: dict[str, tuple[Fetch, str]] = {
    "portfolios": (portfolios(PortfolioFilter()), "portfolios"),
    "active portfolios by title": (
        portfolios(PortfolioFilter(is_active=True, ordering=(SortKey(SortField.TITLE),))),
        "portfolios",
    ),
    "portfolios searched for a common term": (
        portfolios(PortfolioFilter(search=("a",))),
        "portfolios",
    ),
    "portfolios searched for a rarer term": (
        portfolios(PortfolioFilter(search=("harbour",))),
        "portfolios",
    ),
    "media": (lambda pool: PostgresMediaRepository(pool).find(PAGE), "media"),
    "employers": (lambda pool: PostgresSharedObjects(pool, EMPLOYERS).find((), PAGE), "employers"),
    "tags": (lambda pool: PostgresSharedObjects(pool, TAGS).find((), PAGE), "tags"),
    "links": (lambda pool: PostgresSharedObjects(pool, LINKS).find((), PAGE), "links"),
    "meta": (lambda pool: PostgresSharedObjects(pool, META).find((), PAGE), "meta"),
}


@pytest.mark.parametrize("kind", list(LISTS))
async def test_a_page_builds_the_documents_of_its_own_rows_only(
    recording_pool: AsyncConnectionPool[Any], catalogue: str, kind: str
) -> None:
    fetch, listed = LISTS[kind]
    sent.clear()
    found = await fetch(recording_pool)
    assert len(found.items) == PAGE.limit
    ((query, params),) = [entry for entry in sent if entry[0]]  # one statement, past the check
    # The same statement again, in a transaction whose own statistics say what it read.
    async with await AsyncConnection.connect(catalogue) as conn:
        await conn.execute("SET LOCAL track_functions = 'all'")
        await conn.execute(query, params)
        cursor = await conn.execute(
            "SELECT relname, coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0)"
            " FROM pg_stat_xact_user_tables"
        )
        reads = dict(await cursor.fetchall())
        cursor = await conn.execute(
            "SELECT funcname, calls FROM pg_stat_xact_user_functions WHERE funcname LIKE %s",
            ("%\\_document",),
        )
        calls = dict(await cursor.fetchall())
    nested = {table: reads.get(table, 0) for table in NESTED if table != listed}
    assert max(nested.values()) <= MOST_ROWS_PER_ITEM * PAGE.limit, nested
    assert sum(calls.values()) == PAGE.limit, calls


def index_scans(plan: dict[str, Any]) -> dict[str, str]:
    """Index name -> the kind of scan that reads it, over a plan and its subplans."""
    found = {plan["Index Name"]: plan["Node Type"]} if "Index Name" in plan else {}
    for child in plan.get("Plans", []):
        found |= index_scans(child)
    return found


INDEXED: dict[str, tuple[Fetch, str]] = {
    "order": (portfolios(PortfolioFilter()), "portfolios_listing_kept"),
    "title": (
        portfolios(PortfolioFilter(ordering=(SortKey(SortField.TITLE),))),
        "portfolios_by_title_kept",
    ),
    **{
        field.value: (
            portfolios(PortfolioFilter(ordering=(SortKey(field, descending=True),))),
            f"portfolios_by_{field.value}_kept",
        )
        for field in (SortField.CREATED_AT, SortField.UPDATED_AT)
    },
    "-order": (
        portfolios(PortfolioFilter(ordering=(SortKey(SortField.ORDER, descending=True),))),
        "portfolios_listing_descending_kept",
    ),
    "completed_at": (
        portfolios(PortfolioFilter(ordering=(SortKey(SortField.COMPLETED_AT),))),
        "portfolios_by_completed_at_kept",
    ),
    "-completed_at": (
        portfolios(PortfolioFilter(ordering=(SortKey(SortField.COMPLETED_AT, descending=True),))),
        "portfolios_by_completed_at_descending_kept",
    ),
    "is_active": (portfolios(PortfolioFilter(is_active=False)), "portfolios_active_listing_kept"),
    "employer": (portfolios(PortfolioFilter(employer_id=7)), "portfolios_by_employer_kept"),
    "tag": (portfolios(PortfolioFilter(tag_id=7)), "portfolio_tags_by_tag"),
    "slug": (portfolios(PortfolioFilter(slug="portfolio-7")), "portfolios_slug_kept"),
    "search": (portfolios(PortfolioFilter(search=("harbour",))), "portfolios_search"),
    "tag search": (
        lambda pool: PostgresSharedObjects(pool, TAGS).find(("tag",), PAGE),
        "tags_search",
    ),
    "meta search": (
        lambda pool: PostgresSharedObjects(pool, META).find(("key2",), PAGE),
        "meta_search",
    ),
    "audit log": (audit(AuditFilter()), "audit_log_at_id"),
    "audit by actor": (audit(AuditFilter(actor_id=7)), "audit_log_actor_at"),
    "audit by resource": (audit(AuditFilter(resource="user")), "audit_log_resource_at"),
    "audit by object": (audit(AuditFilter(resource="tag", object_id=7)), "audit_log_object_at"),
    "audit by object id": (audit(AuditFilter(object_id=7)), "audit_log_object_at"),
    "audit by action": (audit(AuditFilter(action="sign_in_failed")), "audit_log_action_at"),
    "audit since": (audit(AuditFilter(since=MOMENT)), "audit_log_at_id"),
    "audit until": (audit(AuditFilter(until=MOMENT)), "audit_log_at_id"),
}


@pytest.mark.parametrize("kind", list(INDEXED))
async def test_every_ordering_filter_and_search_has_an_index_its_statement_can_use(
    recording_pool: AsyncConnectionPool[Any], catalogue: str, kind: str
) -> None:
    fetch, index = INDEXED[kind]
    async with await AsyncConnection.connect(catalogue) as conn:
        cursor = await conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        without_trigrams = await cursor.fetchone() is None
    sent.clear()
    await fetch(recording_pool)
    ((query, params),) = [entry for entry in sent if entry[0]]
    if index.endswith("_search") and without_trigrams:
        # A server without pg_trgm (the embedded one) still searches, by reading the rows;
        # migration 0004 waits, unapplied, for the extension, and no search index exists.
        async with await AsyncConnection.connect(catalogue) as conn:
            cursor = await conn.execute(
                "SELECT (SELECT count(*) FROM schema_migrations WHERE version = 4),"
                " (SELECT count(*) FROM pg_indexes WHERE indexname = %s)",
                (index,),
            )
            assert await cursor.fetchone() == (0, 0)
        return
    # Told that reading a whole table is prohibitive, the planner shows which index it can
    # use instead: an index whose expression drifted from the statement's would not appear.
    async with await AsyncConnection.connect(catalogue) as conn:
        await conn.execute("SET LOCAL enable_seqscan = off")
        text = query.decode() if isinstance(query, bytes) else query
        cursor = await conn.execute(f"EXPLAIN (FORMAT JSON) {text}".encode(), params)
        row = await cursor.fetchone()
    assert row is not None
    assert index in index_scans(row[0][0]["Plan"])


async def test_a_deep_page_by_title_is_read_from_the_index_alone(
    recording_pool: AsyncConnectionPool[Any], catalogue: str
) -> None:
    deep = Window(offset=PORTFOLIOS - 20, limit=20)
    sent.clear()
    await PostgresPortfolios(recording_pool).find(
        PortfolioFilter(ordering=(SortKey(SortField.TITLE),)), deep
    )
    ((query, params),) = [entry for entry in sent if entry[0]]
    async with await AsyncConnection.connect(catalogue) as conn:
        await conn.execute("SET LOCAL enable_seqscan = off")
        text = query.decode() if isinstance(query, bytes) else query
        cursor = await conn.execute(f"EXPLAIN (FORMAT JSON) {text}".encode(), params)
        row = await cursor.fetchone()
    assert row is not None
    scans = index_scans(row[0][0]["Plan"])
    assert scans.get("portfolios_by_title_kept") == "Index Only Scan", scans
