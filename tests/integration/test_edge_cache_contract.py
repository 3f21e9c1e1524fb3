"""The edge cache behaves alike in memory and on a real Varnish running the shipped VCL: a
purge makes stale exactly the answers that name one of its keys, however many keys it names,
and an edge that is down, refuses or does not answer fails the purge instead of passing."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from typing import Protocol

import pytest

from portfolio.adapters.memory.edge import InMemoryEdgeCache
from portfolio.adapters.varnish.edge import HEADER_BYTES, VarnishEdgeCache, batches
from portfolio.application.edge import EdgeCache, EdgeCacheFailed
from tests.e2e.stand_in_origin import Answer, StandInOrigin, serving_origin
from tests.servers import free_port
from tests.varnish import Site, Varnish

MANY_KEYS = [f"media-{number}" for number in range(3000)]
"""About 30 KB of keys: several times what one request header may hold."""


class CachedSite(Protocol):
    """Answers cached at the edge, each under its keys, and whether each is still fresh."""

    def cache(self, name: str, keys: str) -> None:
        """Have the edge keep the answer ``name``, naming ``keys`` (space-separated)."""
        ...

    def fresh(self, name: str) -> bool:
        """Whether the edge would answer ``name`` from its copy, without the origin."""
        ...


class EdgeCacheContract:
    """What every EdgeCache does; a subclass provides ``edge``, ``site`` and ``down_edge``."""

    async def test_a_purge_makes_stale_exactly_the_answers_naming_one_of_its_keys(
        self, edge: EdgeCache, site: CachedSite
    ) -> None:
        site.cache("one", "portfolio-1 media-3 portfolios")
        site.cache("two", "portfolio-2 media-3")
        site.cache("menu", "tag-4 portfolios")

        await edge.purge(["portfolio-1"])

        assert (site.fresh("one"), site.fresh("two"), site.fresh("menu")) == (False, True, True)
        await edge.purge(["media-3", "portfolios"])
        assert (site.fresh("two"), site.fresh("menu")) == (False, False)

    async def test_a_purge_of_no_keys_succeeds_and_leaves_everything_fresh(
        self, edge: EdgeCache, site: CachedSite
    ) -> None:
        site.cache("one", "portfolio-1")

        await edge.purge([])

        assert site.fresh("one")

    async def test_thousands_of_keys_in_one_purge_reach_every_answer(
        self, edge: EdgeCache, site: CachedSite
    ) -> None:
        site.cache("first", MANY_KEYS[0])
        site.cache("last", MANY_KEYS[-1])
        site.cache("other", "tag-1")

        await edge.purge(MANY_KEYS)

        assert (site.fresh("first"), site.fresh("last"), site.fresh("other")) == (
            False,
            False,
            True,
        )

    async def test_an_edge_that_is_down_fails_the_purge(self, down_edge: EdgeCache) -> None:
        with pytest.raises(EdgeCacheFailed):
            await down_edge.purge(["portfolio-1"])


class MemorySite:
    """The in-memory edge's copies: an answer is fresh until a key it names is purged."""

    def __init__(self, edge: InMemoryEdgeCache) -> None:
        self._edge = edge
        self._cached: dict[str, tuple[frozenset[str], int]] = {}

    def cache(self, name: str, keys: str) -> None:
        self._cached[name] = (frozenset(keys.split()), len(self._edge.purges))

    def fresh(self, name: str) -> bool:
        keys, since = self._cached[name]
        return not any(keys & purge for purge in self._edge.purges[since:])


class TestInMemoryEdgeCache(EdgeCacheContract):
    """The fake the unit tests and embedding services use."""

    @pytest.fixture
    def edge(self) -> InMemoryEdgeCache:
        return InMemoryEdgeCache()

    @pytest.fixture
    def site(self, edge: InMemoryEdgeCache) -> CachedSite:
        return MemorySite(edge)

    @pytest.fixture
    def down_edge(self) -> EdgeCache:
        edge = InMemoryEdgeCache()
        edge.down = True
        return edge


class VarnishSite:
    """Public answers of a stand-in origin cached by a real Varnish."""

    def __init__(self, varnish: Varnish, origin: StandInOrigin) -> None:
        self._varnish = varnish
        self._origin = origin

    @staticmethod
    def _path(name: str) -> str:
        return f"/api/public/portfolios/{name}"

    def cache(self, name: str, keys: str) -> None:
        self._origin.answer(self._path(name), Answer(surrogate_keys=keys))
        first = self._varnish.request("GET", self._path(name))
        assert first.status == 200
        assert self.fresh(name)

    def fresh(self, name: str) -> bool:
        return self._varnish.request("GET", self._path(name)).headers["X-Cache"] == "HIT"


@pytest.fixture
def origin() -> Iterator[StandInOrigin]:
    """The stand-in origin, stopped after the test."""
    with serving_origin() as origin:
        yield origin


def _url(varnish: Varnish) -> str:
    return f"http://{varnish.host}:{varnish.port}"


class TestVarnishEdgeCache(EdgeCacheContract):
    """The Varnish adapter against varnishd running deploy/varnish/portfolio.vcl."""

    @pytest.fixture
    def running(self, origin: StandInOrigin, varnish: Callable[..., Varnish]) -> Varnish:
        return varnish(origin.port)

    @pytest.fixture
    def edge(self, running: Varnish) -> EdgeCache:
        return VarnishEdgeCache([_url(running)], timeout=2.0)

    @pytest.fixture
    def site(self, running: Varnish, origin: StandInOrigin) -> CachedSite:
        return VarnishSite(running, origin)

    @pytest.fixture
    def down_edge(self) -> EdgeCache:
        # Nobody listens there: the connection is refused.
        return VarnishEdgeCache([f"http://127.0.0.1:{free_port()}"], timeout=2.0)

    async def test_a_purge_reaches_every_varnish_listed(
        self, origin: StandInOrigin, varnish: Callable[..., Varnish]
    ) -> None:
        first, second = varnish(origin.port), varnish(origin.port)
        sites = VarnishSite(first, origin), VarnishSite(second, origin)
        for site in sites:
            site.cache("one", "portfolio-1")

        await VarnishEdgeCache([_url(first), _url(second)]).purge(["portfolio-1"])

        assert [site.fresh("one") for site in sites] == [False, False]

    async def test_a_varnish_that_refuses_the_purge_fails_it(
        self, origin: StandInOrigin, varnish: Callable[..., Varnish]
    ) -> None:
        # The service's address is missing from the purge ACL: 403.
        refusing = varnish(origin.port, Site(purgers=("127.0.0.9",)))
        site = VarnishSite(refusing, origin)
        site.cache("one", "portfolio-1")

        with pytest.raises(EdgeCacheFailed, match="403"):
            await VarnishEdgeCache([_url(refusing)]).purge(["portfolio-1"])
        assert site.fresh("one")

    async def test_one_varnish_down_fails_the_purge_though_the_other_took_it(
        self, running: Varnish, site: CachedSite
    ) -> None:
        site.cache("one", "portfolio-1")
        edge = VarnishEdgeCache([_url(running), f"http://127.0.0.1:{free_port()}"])

        with pytest.raises(EdgeCacheFailed):
            await edge.purge(["portfolio-1"])
        assert not site.fresh("one")

    async def test_an_edge_that_never_answers_fails_within_the_timeout(self) -> None:
        with socket.socket() as silent:
            # It accepts connections (the kernel's backlog) and never says a word.
            silent.bind(("127.0.0.1", 0))
            silent.listen(8)
            port = silent.getsockname()[1]
            started = time.monotonic()
            with pytest.raises(EdgeCacheFailed, match=r"did not answer|timed out"):
                await VarnishEdgeCache([f"http://127.0.0.1:{port}"], timeout=0.5).purge(["tag-1"])
            assert time.monotonic() - started < 1.5


def test_keys_are_batched_under_the_header_limit_each_key_once() -> None:
    sent = list(batches(MANY_KEYS))

    assert len(sent) > 1
    assert all(len(value.encode()) <= HEADER_BYTES for value in sent)
    assert [key for value in sent for key in value.split(" ")] == MANY_KEYS
