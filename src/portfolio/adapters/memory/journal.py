"""The audit log and the change feed's outbox in memory, with the Postgres adapter's rules."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import count

from portfolio.adapters.memory.changes import InMemoryChangeNumbers
from portfolio.adapters.memory.transactions import Table
from portfolio.application.changes import AuditEntry, Author, Change, QueuedEvent
from portfolio.application.revalidation import AUDIT


def _utc_now() -> datetime:
    return datetime.now(UTC)


class InMemoryJournal:
    """Journal and Outbox in memory: ``entries`` is the audit log, ``queued`` the outbox
    (event id -> consumer, event, the moment it is due)."""

    def __init__(
        self,
        consumers: Sequence[str] = (),
        clock: Callable[[], datetime] = _utc_now,
        changes: InMemoryChangeNumbers | None = None,
    ) -> None:
        self._consumers = tuple(consumers)
        self._clock = clock
        self._changes = changes
        self._ids = count(1)
        self.entries: Table[int, AuditEntry] = Table()
        self.queued: Table[int, tuple[str, QueuedEvent, datetime]] = Table()

    async def record(self, change: Change, author: Author) -> None:
        """Append the audit entry and queue the event (undone with the unit of work)."""
        user = author.user
        entry_id = next(self._ids)
        self.entries[entry_id] = AuditEntry(
            id=entry_id,
            at=self._clock(),
            actor_id=None if user is None else user.id,
            actor_username=None if user is None else user.username,
            via=author.via,
            action=change.action,
            resource=change.resource,
            object_id=change.object_id,
            changes=change.fields,
            request_id=author.request_id,
            client=author.client,
        )
        self.moved()
        await self.publish(change)

    def moved(self) -> None:
        """Move the audit log's change number: an entry was written or pruned."""
        if self._changes is not None:
            self._changes.moved(AUDIT)

    async def publish(self, *changes: Change) -> None:
        """Queue each change's event for every consumer."""
        now = self._clock()
        for change in changes:
            if change.event is None:
                continue
            for consumer in self._consumers:
                event_id = next(self._ids)
                event = QueuedEvent(
                    event_id, change.event, change.resource, change.object_id, now, 0
                )
                self.queued[event_id] = (consumer, event, now)

    async def claim(self, consumer: str, limit: int, lease_seconds: float) -> Sequence[QueuedEvent]:
        """Due events, oldest first, held for the lease."""
        now = self._clock()
        due = [
            event_id
            for at, event_id in sorted(
                (at, event_id)
                for event_id, (owner, _, at) in self.queued.items()
                if owner == consumer and at <= now
            )
        ][:limit]
        claimed = []
        for event_id in due:
            owner, event, _ = self.queued[event_id]
            event = replace(event, attempts=event.attempts + 1)
            self.queued[event_id] = (owner, event, now + timedelta(seconds=lease_seconds))
            claimed.append(event)
        return claimed

    async def done(self, consumer: str, ids: Sequence[int]) -> None:
        """Forget delivered events."""
        for event_id in ids:
            if event_id in self.queued and self.queued[event_id][0] == consumer:
                del self.queued[event_id]

    async def later(self, consumer: str, ids: Sequence[int], seconds: float, error: str) -> None:
        """Make events due again in ``seconds``."""
        at = self._clock() + timedelta(seconds=seconds)
        for event_id in ids:
            if event_id in self.queued and self.queued[event_id][0] == consumer:
                _, event, _ = self.queued[event_id]
                self.queued[event_id] = (consumer, event, at)

    async def backlog(self, consumer: str) -> tuple[int, float]:
        """The count of waiting events and the oldest one's age in seconds."""
        waiting = [event for owner, event, _ in self.queued.values() if owner == consumer]
        if not waiting:
            return 0, 0.0
        oldest = min(event.created_at for event in waiting)
        return len(waiting), (self._clock() - oldest).total_seconds()
