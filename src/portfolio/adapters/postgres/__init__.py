"""Postgres adapters (psycopg 3, async, pooled) and the schema migrations."""

from portfolio.adapters.postgres.media import PostgresMediaRepository
from portfolio.adapters.postgres.migrations import available_migrations, migrate, pending_migrations
from portfolio.adapters.postgres.pool import (
    Connection,
    PoolSettings,
    connect_failure,
    connection,
    database_answers,
    make_pool,
    open_pool,
)
from portfolio.adapters.postgres.portfolios import PostgresPortfolios
from portfolio.adapters.postgres.readiness import PostgresReadiness
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
    "Connection",
    "PoolSettings",
    "PostgresFailureCounter",
    "PostgresMediaRepository",
    "PostgresPortfolios",
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
