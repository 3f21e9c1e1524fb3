"""Revalidation: whether an answer built earlier may still stand, without building it again.

Every table an answer can read belongs to a topic (``catalogue``, ``accounts``) whose change
number moves, atomically with any write to it. An answer is remembered with the numbers of
the topics its route reads; while they have not moved, nothing it shows has changed. A route
that declares no topic is never answered from memory. An answer that can also change with
time alone (a presigned URL that expires, a publishing moment) is trusted only until then.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta

from portfolio.application.ports import ChangeNumbers, ChangeState, Clock

CATALOGUE = "catalogue"
"""Portfolios, media and thumbnails, employers, tags, links, meta, and what joins them."""
ACCOUNTS = "accounts"
"""Users, their permission codes and their tokens."""
AUDIT = "audit"
"""The audit log."""

VALIDATORS_KEPT = 10_000
"""How many answers' validators a process remembers (least recently used go first)."""


@dataclass(frozen=True, slots=True)
class KnownValidator:
    """The validator of an answer, the numbers of the topics it reads when it was built, the
    permission code needed to see it (None: none beyond the credentials), and the moment past
    which it may no longer be trusted (None: no such moment)."""

    topics: tuple[str, ...]
    versions: tuple[int, ...]
    validator: str
    permission: int | None
    valid_until: datetime | None


class Revalidation:
    """Remembers each answer's validator with the change numbers it was built at: while they
    have not moved (and its time is not up), the validator still holds.

    The memory is the process's own; another process simply builds the answer once.
    ``url_lifetime`` is how long the URLs an answer holds stay valid (presigned ones), if
    they expire at all: a validator is trusted for half of it at most.
    """

    def __init__(
        self,
        changes: ChangeNumbers,
        clock: Clock,
        url_lifetime: timedelta | None = None,
        kept: int = VALIDATORS_KEPT,
    ) -> None:
        self._changes = changes
        self._clock = clock
        self._trusted_for = None if url_lifetime is None else url_lifetime / 2
        self._kept = kept
        self._known: OrderedDict[Hashable, KnownValidator] = OrderedDict()

    async def state(self) -> ChangeState | None:
        """The change numbers now: read them before building an answer."""
        return await self._changes.current()

    def still_valid(self, answer: Hashable, state: ChangeState | None) -> KnownValidator | None:
        """What is known of ``answer`` if nothing it reads has changed since; None otherwise."""
        known = self._known.get(answer)
        if known is None or state is None:
            return None
        if known.valid_until is not None and self._clock() >= known.valid_until:
            del self._known[answer]
            return None
        if _versions(state, known.topics) != known.versions:
            return None
        self._known.move_to_end(answer)
        return known

    def remember(
        self,
        answer: Hashable,
        state: ChangeState | None,
        topics: tuple[str, ...],
        validator: str,
        permission: int | None,
    ) -> None:
        """Keep the validator of ``answer``, which reads ``topics``, built after ``state`` was
        read. Nothing is kept for an answer that reads no declared topic."""
        versions = None if state is None else _versions(state, topics)
        if state is None or not topics or versions is None:
            return
        known = self._known.get(answer)
        # A slower request built at older numbers must not replace a newer validator.
        if known is not None and known.topics == topics and _newer(known.versions, versions):
            return
        self._known[answer] = KnownValidator(
            topics, versions, validator, permission, self._valid_until(state)
        )
        self._known.move_to_end(answer)
        while len(self._known) > self._kept:
            self._known.popitem(last=False)

    def _valid_until(self, state: ChangeState) -> datetime | None:
        ends = [state.next_moment] if state.next_moment is not None else []
        if self._trusted_for is not None:
            ends.append(self._clock() + self._trusted_for)
        return min(ends, default=None)


def _newer(kept: tuple[int, ...], built: tuple[int, ...]) -> bool:
    return any(old > new for old, new in zip(kept, built, strict=True))


def _versions(state: ChangeState, topics: tuple[str, ...]) -> tuple[int, ...] | None:
    """The numbers of ``topics`` in ``state``; None when one of them is unknown."""
    try:
        return tuple(state.versions[topic] for topic in topics)
    except KeyError:
        return None
