"""Postgres adapters (psycopg 3, async, pooled) and the schema migrations."""

from adapters.postgres.catalogue import PostgresCatalogue
from adapters.postgres.media import PostgresMediaRepository
from adapters.postgres.migrations import available_migrations, migrate, pending_migrations
from adapters.postgres.pool import (
    Connection,
    PoolSettings,
    connect_failure,
    connection,
    database_answers,
    make_pool,
    open_pool,
)
from adapters.postgres.portfolios import PostgresPortfolioQueries
from adapters.postgres.readiness import PostgresReadiness
from adapters.postgres.shared_objects import (
    EMPLOYERS,
    LINKS,
    META,
    TAGS,
    PostgresSharedObjects,
    SharedTable,
)
from adapters.postgres.users import PostgresTokenStore, PostgresUserStore

__all__ = [
    "EMPLOYERS",
    "LINKS",
    "META",
    "TAGS",
    "Connection",
    "PoolSettings",
    "PostgresCatalogue",
    "PostgresMediaRepository",
    "PostgresPortfolioQueries",
    "PostgresReadiness",
    "PostgresSharedObjects",
    "PostgresTokenStore",
    "PostgresUserStore",
    "SharedTable",
    "available_migrations",
    "connect_failure",
    "connection",
    "database_answers",
    "make_pool",
    "migrate",
    "open_pool",
    "pending_migrations",
]
