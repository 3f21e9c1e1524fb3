"""The get-portfolio use case on the in-memory adapters."""

from __future__ import annotations

import pytest

from portfolio.adapters.memory.database import InMemoryDatabase
from portfolio.application.fields import PortfolioFields
from portfolio.application.portfolios.manage import GetPortfolio
from portfolio.domain import PortfolioNotFound
from portfolio.entrypoints.http.ids import parse_id


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", 1),
        ("0123", 123),
        ("9223372036854775807", 2**63 - 1),
        ("9223372036854775808", None),
        ("0", None),
        ("-1", None),
        ("+1", None),
        ("1_000", None),
        (" 1", None),
        ("1.0", None),
        ("abc", None),
        ("١٢", None),  # Arabic-Indic digits: str.isdigit() says yes, ids say no
        ("", None),
        ("9" * 5000, None),
    ],
)
def test_parse_id_accepts_only_positive_64_bit_ascii_integers(
    raw: str, expected: int | None
) -> None:
    assert parse_id(raw) == expected


async def test_returns_the_whole_portfolio() -> None:
    portfolios = InMemoryDatabase().portfolios
    added = await portfolios.add(PortfolioFields(title="Web design", slug="web"))
    found = await GetPortfolio(portfolios)(added.id)
    assert found == added
    assert found.title == "Web design"


@pytest.mark.parametrize("raw", [999, 0, -5, 2**63])
async def test_any_id_that_names_nothing_is_not_found(raw: int) -> None:
    portfolios = InMemoryDatabase().portfolios
    await portfolios.add(PortfolioFields(title="Web design", slug="web"))
    with pytest.raises(PortfolioNotFound):
        await GetPortfolio(portfolios)(raw)
