"""Safe retries: a request sent again under the same key is answered as the first one was.

A client that lost the answer to a create (a dropped connection, a timeout) sends the same
request again with the same key. The first request to claim a key is served and, when it
succeeds, its answer is kept for ``KEEP_FOR``; a retry with the same fingerprint gets that
answer back instead of creating a second object. A key is its user's alone.

The answer is kept in the same unit of work as the write it answers: the object and its
answer are one fact. A create whose commit times out may have committed or not; either way a
retry finds the truth (the kept answer, or a key still held until its lease ends, then free)
and never creates twice.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from portfolio.application.ports import Clock, RecordedAnswer, RetryClaim, RetryKeys, Transactions
from portfolio.domain import DomainError, ServiceUnavailable

KEEP_FOR = timedelta(hours=24)
"""How long an answer is kept for retries."""

LEASE = timedelta(seconds=60)
"""How long a request may hold its key unanswered; past it, the process serving it is taken
to have died and the key may be claimed afresh."""

PURGE_EVERY = timedelta(minutes=10)
"""How often, at most, a process removes the keys whose time is up."""


class KeyReused(DomainError):
    """The key already names a different request (another body, route or user's request)."""


class RequestInProgress(DomainError):
    """The first request under this key is still being served."""


@dataclass(frozen=True, slots=True)
class Answered:
    """An answer, and whether it is a kept one repeated for a retry."""

    answer: RecordedAnswer
    replayed: bool


class SafeRetries:
    """Serve a request once per key, and repeat its successful answer for retries."""

    def __init__(
        self,
        keys: RetryKeys,
        transactions: Transactions,
        clock: Clock,
        keep_for: timedelta = KEEP_FOR,
        lease: timedelta = LEASE,
    ) -> None:
        self._keys = keys
        self._transactions = transactions
        self._clock = clock
        self._keep_for = keep_for
        self._lease = lease
        self._purged_at: datetime | None = None

    async def answer(
        self,
        owner: int,
        key: str,
        fingerprint: bytes,
        serve: Callable[[], Awaitable[RecordedAnswer]],
    ) -> Answered:
        """The kept answer for a retry of the same request; else ``serve``'s answer, kept
        with the write it answers, in one unit of work, when it is a success (2xx).

        KeyReused when the key holds a request with another fingerprint, RequestInProgress
        while the first request under it is still being served. Whatever ``serve`` raises
        gives the key back unless its answer was kept (the key is given back only while it
        holds no answer), so a request that failed can be retried under it.
        """
        now = self._clock()
        await self._purge_now_and_then(now)
        expires_at, lease_until = now + self._keep_for, now + self._lease
        kept = await self._keys.claim(
            RetryClaim(owner, key, fingerprint, now, expires_at=expires_at, lease_until=lease_until)
        )
        if kept is not None:
            if kept.fingerprint != fingerprint:
                raise KeyReused(key)
            if kept.answer is None:
                raise RequestInProgress(key)
            return Answered(kept.answer, replayed=True)
        try:
            async with self._transactions.transaction():
                answer = await serve()
                if 200 <= answer.status < 300:
                    await self._keys.record(owner, key, fingerprint, answer)
        except BaseException:
            await self._give_back(owner, key, fingerprint)
            raise
        if not 200 <= answer.status < 300:
            await self._give_back(owner, key, fingerprint)
        return Answered(answer, replayed=False)

    async def _give_back(self, owner: int, key: str, fingerprint: bytes) -> None:
        # With the database gone the lease frees the key instead; the request's own error
        # is the one worth answering.
        with contextlib.suppress(ServiceUnavailable):
            await self._keys.release(owner, key, fingerprint)

    async def _purge_now_and_then(self, now: datetime) -> None:
        if self._purged_at is not None and now - self._purged_at < PURGE_EVERY:
            return
        self._purged_at = now
        await self._keys.purge(now)
