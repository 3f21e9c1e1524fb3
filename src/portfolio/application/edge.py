"""The edge cache in front of the public routes, and the background work that purges it.

Every public answer names what it shows in surrogate keys (``portfolio-12 media-88 tag-5``;
lists, menus and refusals also ``portfolios``). Each change the feed carries is turned into
the exact keys of the answers it may alter (``keys_of_event``), and ``PurgeEdge`` hands them
to the configured ``EdgeCache`` once the change is committed, retrying with a growing pause
until the edge confirms: a write never waits on the edge, and no purge is lost.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from portfolio.application.changes import (
    EMPLOYER,
    LINK,
    MEDIA,
    META,
    PORTFOLIO,
    TAG,
    Outbox,
    QueuedEvent,
)
from portfolio.application.portfolios.website import LISTS, kind_key, surrogate_key

EDGE = "edge"
"""The change feed's consumer that purges the edge cache."""

_SHARED = frozenset({MEDIA, EMPLOYER, TAG, LINK, META})


class EdgeCacheFailed(Exception):
    """The edge did not confirm a purge (it refused it, failed, or did not answer in time)."""


class EdgeCache(Protocol):
    """A shared cache in front of the public routes (Varnish, Fastly, Cloudflare ...) that
    drops its copies by surrogate key."""

    async def purge(self, keys: Collection[str]) -> None:
        """Make every cached answer naming any of ``keys`` stale, so the next read fetches it
        again; EdgeCacheFailed unless the edge confirmed it for every key."""
        ...


def keys_of_event(event: QueuedEvent) -> frozenset[str]:
    """The surrogate keys of every public answer ``event`` may alter.

    A portfolio's change (created, updated, deleted, published or withdrawn) alters its own
    page and any list or menu (they count and order live portfolios, and a 404 for its slug
    is keyed ``portfolios``). A shared object's change (media, employer, tag, link, meta)
    alters exactly the pages that show it, menus included, which name it; and the answers that
    show too many of its kind to name each one (``tag-all``).
    """
    if event.resource == PORTFOLIO:
        if event.object_id is None:
            return frozenset({LISTS})
        return frozenset({surrogate_key(PORTFOLIO, event.object_id), LISTS})
    if event.resource in _SHARED:
        kind = kind_key(event.resource)
        if event.object_id is None:
            return frozenset({kind, LISTS})
        return frozenset({surrogate_key(event.resource, event.object_id), kind})
    return frozenset()


@dataclass(frozen=True, slots=True)
class Backoff:
    """How long a failed purge waits before its next try: ``first`` seconds, doubled at each
    failure, never more than ``longest``."""

    first: float = 0.25
    longest: float = 30.0

    def after(self, attempts: int) -> float:
        """The pause after the ``attempts``-th failed try."""
        return min(self.longest, self.first * 2.0 ** max(0, attempts - 1))


class PurgeEdge:
    """Background work: purge the edge of what the change feed says changed, then forget those
    events; when the edge fails, try them again later (``Backoff``), keeping them queued."""

    name = "purge the edge"

    def __init__(
        self,
        outbox: Outbox,
        edge: EdgeCache,
        backoff: Backoff = Backoff(),
        batch: int = 500,
        lease_seconds: float = 60.0,
    ) -> None:
        self._outbox = outbox
        self._edge = edge
        self._backoff = backoff
        self._batch = batch
        self._lease = lease_seconds

    async def run(self) -> float | None:
        """Purge what is due; 0 when more is due at once, else None (the feed announces new
        events, and a retry falls due within the leader's longest sleep)."""
        events = await self._outbox.claim(EDGE, self._batch, self._lease)
        if not events:
            return None
        try:
            await self._edge.purge(sorted(_keys(events)))
        except EdgeCacheFailed as error:
            await self._retry_later(events, str(error) or type(error).__name__)
            return None
        await self._outbox.done(EDGE, [event.id for event in events])
        return 0.0 if len(events) == self._batch else None

    async def _retry_later(self, events: Sequence[QueuedEvent], error: str) -> None:
        by_pause: dict[float, list[int]] = {}
        for event in events:
            by_pause.setdefault(self._backoff.after(event.attempts), []).append(event.id)
        for pause, ids in by_pause.items():
            await self._outbox.later(EDGE, ids, pause, error)


def _keys(events: Iterable[QueuedEvent]) -> set[str]:
    keys: set[str] = set()
    for event in events:
        keys |= keys_of_event(event)
    return keys
