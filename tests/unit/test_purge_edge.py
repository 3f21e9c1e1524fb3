"""Purging the edge from the change feed: each change purges exactly the keys of the answers
it may alter, delivered events are forgotten, and an edge that fails keeps its purges queued,
tried again after a pause that doubles up to a cap, until it confirms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from portfolio.adapters.memory.edge import InMemoryEdgeCache
from portfolio.adapters.memory.journal import InMemoryJournal
from portfolio.application.changes import (
    CREATE,
    DELETE,
    EMPLOYER,
    LINK,
    MEDIA,
    META,
    OPERATOR,
    PORTFOLIO,
    PUBLISH,
    TAG,
    UNPUBLISH,
    UPDATE,
    USER,
    Change,
    QueuedEvent,
)
from portfolio.application.edge import EDGE, Backoff, PurgeEdge, keys_of_event
from portfolio.entrypoints.container import feed_consumers
from portfolio.entrypoints.settings import Settings, SettingsError
from tests.memory_container import in_memory_container


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def event(name: str, resource: str, object_id: int | None) -> QueuedEvent:
    return QueuedEvent(1, name, resource, object_id, datetime(2026, 1, 1, tzinfo=UTC), 1)


@pytest.mark.parametrize(
    ("resource", "name", "keys"),
    [
        (PORTFOLIO, "portfolio.created", {"portfolio-7", "portfolios"}),
        (PORTFOLIO, "portfolio.updated", {"portfolio-7", "portfolios"}),
        (PORTFOLIO, "portfolio.deleted", {"portfolio-7", "portfolios"}),
        (PORTFOLIO, "portfolio.published", {"portfolio-7", "portfolios"}),
        (PORTFOLIO, "portfolio.unpublished", {"portfolio-7", "portfolios"}),
        (MEDIA, "media.updated", {"media-7", "media-all"}),
        (MEDIA, "media.deleted", {"media-7", "media-all"}),
        (EMPLOYER, "employer.updated", {"employer-7", "employer-all"}),
        (TAG, "tag.deleted", {"tag-7", "tag-all"}),
        (LINK, "link.updated", {"link-7", "link-all"}),
        (META, "meta.updated", {"meta-7", "meta-all"}),
    ],
)
def test_each_change_purges_exactly_the_keys_of_what_it_may_alter(
    resource: str, name: str, keys: set[str]
) -> None:
    assert keys_of_event(event(name, resource, 7)) == keys


def test_a_change_the_website_does_not_show_purges_nothing() -> None:
    assert keys_of_event(event("user.updated", USER, 7)) == frozenset()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def journal(clock: Clock) -> InMemoryJournal:
    return InMemoryJournal(consumers=(EDGE, "webhooks"), clock=clock)


async def test_delivered_events_are_purged_together_and_forgotten(
    journal: InMemoryJournal,
) -> None:
    edge = InMemoryEdgeCache()
    await journal.record(Change(UPDATE, PORTFOLIO, 3), OPERATOR)
    await journal.record(Change(DELETE, TAG, 9), OPERATOR)
    await journal.publish(Change(PUBLISH, PORTFOLIO, 4))

    assert await PurgeEdge(journal, edge).run() is None

    assert edge.purges == [
        frozenset({"portfolio-3", "portfolio-4", "portfolios", "tag-9", "tag-all"})
    ]
    assert await journal.backlog(EDGE) == (0, 0.0)
    # The other consumers' events are theirs: untouched.
    assert (await journal.backlog("webhooks"))[0] == 3


async def test_a_full_batch_asks_to_run_again_at_once(journal: InMemoryJournal) -> None:
    for number in range(3):
        await journal.record(Change(CREATE, PORTFOLIO, number), OPERATOR)
    edge = InMemoryEdgeCache()
    purge = PurgeEdge(journal, edge, batch=2)

    assert await purge.run() == 0.0
    assert await purge.run() is None
    assert len(edge.purges) == 2
    assert await journal.backlog(EDGE) == (0, 0.0)


async def test_an_edge_that_fails_keeps_its_purges_queued_with_a_growing_pause(
    journal: InMemoryJournal, clock: Clock
) -> None:
    edge = InMemoryEdgeCache()
    edge.down = True
    purge = PurgeEdge(journal, edge, backoff=Backoff(first=1.0, longest=4.0))
    await journal.record(Change(UNPUBLISH, PORTFOLIO, 5), OPERATOR)

    pauses = []
    for _ in range(5):
        await purge.run()
        assert await purge.run() is None  # nothing due before the pause ends
        ((_, _, due),) = [queued for queued in journal.queued.values() if queued[0] == EDGE]
        pauses.append((due - clock.now).total_seconds())
        clock.advance(pauses[-1])
    assert pauses == [1.0, 2.0, 4.0, 4.0, 4.0]
    count, age = await journal.backlog(EDGE)
    assert (count, age) == (1, 15.0)

    edge.down = False
    await purge.run()
    assert edge.purged == {"portfolio-5", "portfolios"}
    assert await journal.backlog(EDGE) == (0, 0.0)


def test_the_feed_has_the_edge_as_consumer_only_when_the_edge_is_on(tmp_path: Path) -> None:
    assert EDGE not in feed_consumers(Settings())
    on = Settings(edge="varnish", edge_urls=("http://127.0.0.1:6081",))
    assert EDGE in feed_consumers(on)
    works = [work.name for work in in_memory_container(on).background_works()]
    assert "purge the edge" in works
    off = [work.name for work in in_memory_container(Settings()).background_works()]
    assert "purge the edge" not in off
    assert set(works) - set(off) == {"purge the edge"}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PORTFOLIO_EDGE": "varnish"}, "PORTFOLIO_EDGE_URLS must list"),
        ({"PORTFOLIO_EDGE": "fastly"}, "PORTFOLIO_EDGE must be off or varnish"),
        (
            {"PORTFOLIO_EDGE": "varnish", "PORTFOLIO_EDGE_URLS": "varnish:6081"},
            "PORTFOLIO_EDGE_URLS must be an http",
        ),
        ({"PORTFOLIO_EDGE_TIMEOUT": "0"}, "PORTFOLIO_EDGE_TIMEOUT must be more than 0"),
    ],
)
def test_edge_settings_that_cannot_work_are_refused(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env)


def test_edge_settings_are_read_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "PORTFOLIO_EDGE": "Varnish",
            "PORTFOLIO_EDGE_URLS": "http://10.0.0.5:80/, http://10.0.0.6",
            "PORTFOLIO_EDGE_TIMEOUT": "0.5",
        }
    )
    assert (settings.edge, settings.edge_urls, settings.edge_timeout) == (
        "varnish",
        ("http://10.0.0.5:80", "http://10.0.0.6"),
        0.5,
    )


async def test_a_write_in_the_in_memory_wiring_purges_its_edge() -> None:
    container = in_memory_container(Settings(edge="varnish", edge_urls=("http://edge:80",)))
    edge = container.edge_cache()
    assert isinstance(edge, InMemoryEdgeCache)
    tag = await container.manage_tags().create({"name": "web"}, OPERATOR)

    for work in container.background_works():
        await work.run()

    assert edge.purges == [frozenset({f"tag-{tag.id}", "tag-all"})]
