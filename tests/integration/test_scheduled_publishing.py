"""Scheduled moments, in memory and in Postgres alike: kept by every write of a portfolio,
fired once each as they pass, announced only when what the website shows changed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from portfolio.application.fields import PortfolioFields
from portfolio.application.portfolios.publishing import FireScheduledMoments
from tests.integration.conftest import Stores

STEP = timedelta(milliseconds=400)


def firing(stores: Stores) -> FireScheduledMoments:
    return FireScheduledMoments(
        stores.schedule,
        stores.portfolios,
        stores.journal,
        stores.transactions,
        lambda: datetime.now(UTC),
    )


async def announced(stores: Stores) -> list[tuple[str, int | None]]:
    events = await stores.outbox.claim("webhooks", 100, lease_seconds=60)
    await stores.outbox.done("webhooks", [event.id for event in events])
    return [(event.event, event.object_id) for event in events]


async def test_a_publication_passing_is_announced_once(stores: Stores) -> None:
    soon = datetime.now(UTC) + STEP
    added = await stores.portfolios.add(PortfolioFields(title="Shop", slug="shop", publish_at=soon))
    assert await stores.schedule.next_moment() == soon
    fire = firing(stores)
    wait = await fire.run()
    assert wait is not None and 0 < wait <= STEP.total_seconds()
    assert await announced(stores) == []
    await asyncio.sleep(STEP.total_seconds() + 0.1)
    assert await fire.run() is None
    assert await announced(stores) == [("portfolio.published", added.id)]
    assert await fire.run() is None
    assert await announced(stores) == []


async def test_a_withdrawal_passing_is_announced(stores: Stores) -> None:
    soon = datetime.now(UTC) + STEP
    added = await stores.portfolios.add(
        PortfolioFields(title="Shop", slug="shop", unpublish_at=soon)
    )
    await asyncio.sleep(STEP.total_seconds() + 0.1)
    await firing(stores).run()
    assert await announced(stores) == [("portfolio.unpublished", added.id)]


async def test_a_moment_of_an_inactive_portfolio_passes_unannounced(stores: Stores) -> None:
    soon = datetime.now(UTC) + STEP
    await stores.portfolios.add(
        PortfolioFields(title="Off", slug="off", is_active=False, publish_at=soon)
    )
    await asyncio.sleep(STEP.total_seconds() + 0.1)
    await firing(stores).run()
    assert await announced(stores) == []
    assert await stores.schedule.next_moment() is None


async def test_moving_or_clearing_a_moment_reschedules_it(stores: Stores) -> None:
    now = datetime.now(UTC)
    added = await stores.portfolios.add(
        PortfolioFields(title="Shop", slug="shop", publish_at=now + timedelta(days=2))
    )
    await stores.portfolios.update(added.id, {"publish_at": now + timedelta(days=1)})
    assert await stores.schedule.next_moment() == now + timedelta(days=1)
    await stores.portfolios.update(added.id, {"publish_at": now - timedelta(days=1)})
    assert await stores.schedule.next_moment() is None
    await stores.portfolios.update(added.id, {"unpublish_at": now + timedelta(days=3)})
    assert await stores.schedule.next_moment() == now + timedelta(days=3)
    await stores.portfolios.trash(added.id, None)
    await stores.portfolios.purge(added.id)
    assert await stores.schedule.next_moment() is None
