"""Fixtures that hand each contract test the in-memory or the Postgres adapters."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from adapters.memory import InMemoryCatalogue, InMemoryTokenStore, InMemoryUserStore
from adapters.postgres import (
    PostgresCatalogue,
    PostgresPortfolioQueries,
    PostgresTokenStore,
    PostgresUserStore,
)
from application import Catalogue, PortfolioQueries, TokenStore, UserStore
from tests.integration.adapters import ADAPTERS


@pytest.fixture(params=ADAPTERS)
def kind(request: pytest.FixtureRequest) -> str:
    """Which adapter family this run of the test uses."""
    return str(request.param)


@dataclass(frozen=True)
class Stores:
    """The ports of one adapter family, over the same data."""

    catalogue: Catalogue
    queries: PortfolioQueries
    users: UserStore
    tokens: TokenStore


@pytest.fixture
def stores(kind: str, request: pytest.FixtureRequest) -> Stores:
    """Fresh, empty stores of the requested family."""
    if kind == "memory":
        catalogue = InMemoryCatalogue()
        users = InMemoryUserStore()
        return Stores(catalogue, catalogue, users, InMemoryTokenStore(users))
    pool = request.getfixturevalue("pool")
    return Stores(
        PostgresCatalogue(pool),
        PostgresPortfolioQueries(pool),
        PostgresUserStore(pool),
        PostgresTokenStore(pool),
    )
