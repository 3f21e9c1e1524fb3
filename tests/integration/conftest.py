"""Fixtures that hand each contract test the in-memory or the Postgres adapters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from portfolio.adapters.memory.changes import InMemoryChangeNumbers
from portfolio.adapters.memory.database import InMemoryDatabase
from portfolio.adapters.memory.journal import InMemoryJournal
from portfolio.adapters.memory.retries import InMemoryRetryKeys
from portfolio.adapters.memory.transactions import InMemoryTransactions
from portfolio.adapters.memory.users import InMemoryTokenStore, InMemoryUserStore
from portfolio.adapters.postgres.changes import PostgresChangeNumbers
from portfolio.adapters.postgres.journal import PostgresJournal, PostgresOutbox
from portfolio.adapters.postgres.media import PostgresMediaRepository
from portfolio.adapters.postgres.portfolios import PostgresPortfolios
from portfolio.adapters.postgres.retries import PostgresRetryKeys
from portfolio.adapters.postgres.revisions import PostgresRevisions
from portfolio.adapters.postgres.schedule import PostgresSchedule
from portfolio.adapters.postgres.shared_objects import PostgresSharedObjects
from portfolio.adapters.postgres.statements import PostgresTransactions
from portfolio.adapters.postgres.users import PostgresTokenStore, PostgresUserStore
from portfolio.application.accounts.users import Accounts, AdministerUsers
from portfolio.application.changes import Journal, Outbox
from portfolio.application.fields import (
    EMPLOYERS,
    LINKS,
    META,
    TAGS,
    EmployerFields,
    LinkFields,
    MetaFields,
    TagFields,
)
from portfolio.application.portfolios.publishing import Schedule
from portfolio.application.ports import (
    ChangeNumbers,
    MediaRepository,
    Portfolios,
    RetryKeys,
    Revisions,
    SharedObjects,
    TokenStore,
    Transactions,
    UserStore,
)
from portfolio.domain import Employer, Link, Meta, Tag
from tests.integration.adapters import ADAPTERS
from tests.memory_container import cheap_passwords

FEED_CONSUMERS = ("edge", "webhooks")
"""The change feed's consumers the contract tests queue events for."""


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
    transactions: Transactions
    journal: Journal
    outbox: Outbox
    schedule: Schedule
    revisions: Revisions


def never_repeating_clock() -> Callable[[], datetime]:
    """The wall clock, but a microsecond later than its last answer if it has not moved,
    as consecutive Postgres transactions never share a now()."""
    last = datetime.min.replace(tzinfo=UTC)

    def now() -> datetime:
        nonlocal last
        last = max(datetime.now(UTC), last + timedelta(microseconds=1))
        return last

    return now


def administer_users(stores: Stores) -> AdministerUsers:
    """The users' use cases over ``stores``, hashing passwords cheaply."""
    return AdministerUsers(
        Accounts(
            stores.users,
            stores.tokens,
            cheap_passwords(),
            never_repeating_clock(),
            stores.transactions,
            stores.journal,
        )
    )


@pytest.fixture
def stores(kind: str, request: pytest.FixtureRequest) -> Stores:
    """Fresh, empty stores of the requested family."""
    if kind == "memory":
        changes = InMemoryChangeNumbers()
        journal = InMemoryJournal(FEED_CONSUMERS)
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
            InMemoryTransactions(),
            journal,
            journal,
            database.schedule,
            database.revisions,
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
        PostgresTransactions(pool),
        PostgresJournal(pool, FEED_CONSUMERS),
        PostgresOutbox(pool),
        PostgresSchedule(pool),
        PostgresRevisions(pool),
    )
