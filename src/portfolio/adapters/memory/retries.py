"""Retry keys in memory, with the same rules as the Postgres store."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from portfolio.adapters.memory.transactions import Table
from portfolio.application.ports import KeptRequest, RecordedAnswer, RetryClaim


@dataclass(frozen=True, slots=True)
class _Entry:
    fingerprint: bytes
    expires_at: datetime
    lease_until: datetime
    answer: RecordedAnswer | None = None


class InMemoryRetryKeys:
    """RetryKeys in memory: one process's keys; each method runs without awaiting, so it is
    atomic on the event loop."""

    def __init__(self) -> None:
        self._entries: Table[tuple[int, str], _Entry] = Table()

    async def claim(self, claim: RetryClaim) -> KeptRequest | None:
        """Take the key unless a live entry holds it; what it holds otherwise."""
        entry = self._entries.get((claim.owner, claim.key))
        if entry is not None and not _free(entry, claim.now):
            return KeptRequest(entry.fingerprint, entry.answer)
        self._entries[claim.owner, claim.key] = _Entry(
            claim.fingerprint, claim.expires_at, claim.lease_until
        )
        return None

    async def record(
        self, owner: int, key: str, fingerprint: bytes, answer: RecordedAnswer
    ) -> None:
        """Keep the answer on the entry this request claimed."""
        entry = self._entries.get((owner, key))
        if entry is not None and entry.fingerprint == fingerprint and entry.answer is None:
            self._entries[owner, key] = replace(entry, answer=answer)

    async def release(self, owner: int, key: str, fingerprint: bytes) -> None:
        """Drop the unanswered entry this request claimed."""
        entry = self._entries.get((owner, key))
        if entry is not None and entry.fingerprint == fingerprint and entry.answer is None:
            del self._entries[owner, key]

    async def purge(self, now: datetime) -> int:
        """Drop the entries whose time is up."""
        expired = [name for name, entry in self._entries.items() if entry.expires_at <= now]
        for name in expired:
            del self._entries[name]
        return len(expired)


def _free(entry: _Entry, now: datetime) -> bool:
    return entry.expires_at <= now or (entry.answer is None and entry.lease_until <= now)
