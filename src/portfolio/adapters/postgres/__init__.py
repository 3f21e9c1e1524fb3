"""Postgres adapters (psycopg 3, async, pooled) and the schema migrations."""

from portfolio.adapters.postgres.changes import PostgresChangeNumbers
from portfolio.adapters.postgres.media import PostgresMediaRepository
from portfolio.adapters.postgres.migrations import available_migrations, migrate, pending_migrations
from portfolio.adapters.postgres.pool import (
    BoundedPool,
    Connection,
    PoolSettings,
    PoolUsage,
    connect_failure,
    connection,
    database_answers,
    make_pool,
    open_pool,
    pool_usage,
)
from portfolio.adapters.postgres.portfolios import PostgresPortfolios
from portfolio.adapters.postgres.readiness import PostgresReadiness
from portfolio.adapters.postgres.retries import PostgresRetryKeys
from portfolio.adapters.postgres.shared_objects import (
    EMPLOYERS,
    LINKS,
    META,
    TAGS,
    PostgresSharedObjects,
    SharedTable,
)
from portfolio.adapters.postgres.throttling import PostgresFailureCounter
from portfolio.adapters.postgres.users import PostgresTokenStore, PostgresUserStore

__all__ = [
    "EMPLOYERS",
    "LINKS",
    "META",
    "TAGS",
    "BoundedPool",
    "Connection",
    "PoolSettings",
    "PoolUsage",
    "PostgresChangeNumbers",
    "PostgresFailureCounter",
    "PostgresMediaRepository",
    "PostgresPortfolios",
    "PostgresReadiness",
    "PostgresRetryKeys",
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
    "pool_usage",
]
