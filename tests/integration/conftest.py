"""Fixtures that hand each contract test the in-memory or the Postgres adapters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from portfolio.adapters.memory import (
    InMemoryChangeNumbers,
    InMemoryDatabase,
    InMemoryRetryKeys,
    InMemoryTokenStore,
    InMemoryUserStore,
)
from portfolio.adapters.postgres import (
    EMPLOYERS,
    LINKS,
    META,
    TAGS,
    PostgresChangeNumbers,
    PostgresMediaRepository,
    PostgresPortfolios,
    PostgresRetryKeys,
    PostgresSharedObjects,
    PostgresTokenStore,
    PostgresUserStore,
)
from portfolio.application import (
    ChangeNumbers,
    EmployerFields,
    LinkFields,
    MediaRepository,
    MetaFields,
    Portfolios,
    RetryKeys,
    SharedObjects,
    TagFields,
    TokenStore,
    UserStore,
)
from portfolio.domain import Employer, Link, Meta, Tag
from tests.integration.adapters import ADAPTERS


@pytest.fixture(params=ADAPTERS)
def kind(request: pytest.FixtureRequest) -> str:
    """Which adapter family this run of the test uses."""
    return str(request.param)


@dataclass(frozen=True)
class Stores:
    """The ports of one adapter family, over the same data."""

    portfolios: Portfolios
    media: MediaRepository
    users: UserStore
    tokens: TokenStore
    employers: SharedObjects[EmployerFields, Employer]
    tags: SharedObjects[TagFields, Tag]
    links: SharedObjects[LinkFields, Link]
    meta: SharedObjects[MetaFields, Meta]
    retry_keys: RetryKeys
    changes: ChangeNumbers


def never_repeating_clock() -> Callable[[], datetime]:
    """The wall clock, but a microsecond later than its last answer if it has not moved,
    as consecutive Postgres transactions never share a now()."""
    last = datetime.min.replace(tzinfo=UTC)

    def now() -> datetime:
        nonlocal last
        last = max(datetime.now(UTC), last + timedelta(microseconds=1))
        return last

    return now


@pytest.fixture
def stores(kind: str, request: pytest.FixtureRequest) -> Stores:
    """Fresh, empty stores of the requested family."""
    if kind == "memory":
        changes = InMemoryChangeNumbers()
        database = InMemoryDatabase(clock=never_repeating_clock(), changes=changes)
        users = InMemoryUserStore(changes)
        return Stores(
            database.portfolios,
            database.media,
            users,
            InMemoryTokenStore(users),
            database.employers,
            database.tags,
            database.links,
            database.meta,
            InMemoryRetryKeys(),
            changes,
        )
    pool = request.getfixturevalue("pool")
    return Stores(
        PostgresPortfolios(pool),
        PostgresMediaRepository(pool),
        PostgresUserStore(pool),
        PostgresTokenStore(pool),
        PostgresSharedObjects(pool, EMPLOYERS),
        PostgresSharedObjects(pool, TAGS),
        PostgresSharedObjects(pool, LINKS),
        PostgresSharedObjects(pool, META),
        PostgresRetryKeys(pool),
        PostgresChangeNumbers(pool),
    )
