"""The edge cache in memory: it records each purge, and fails while told to."""

from __future__ import annotations

from collections.abc import Collection

from portfolio.application.edge import EdgeCacheFailed


class InMemoryEdgeCache:
    """EdgeCache that remembers what it purged (``purges``, in order); while ``down`` is
    true every purge fails, as an edge that does not answer."""

    def __init__(self) -> None:
        self.purges: list[frozenset[str]] = []
        self.down = False

    async def purge(self, keys: Collection[str]) -> None:
        """Record the keys as purged; EdgeCacheFailed while ``down``."""
        if self.down:
            raise EdgeCacheFailed("the edge is down")
        if keys:
            self.purges.append(frozenset(keys))

    @property
    def purged(self) -> frozenset[str]:
        """Every key purged so far."""
        return frozenset().union(*self.purges)
