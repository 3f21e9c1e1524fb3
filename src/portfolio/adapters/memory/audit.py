"""The audit log in memory, read and pruned with the Postgres adapter's rules."""

from __future__ import annotations

from datetime import datetime

from portfolio.adapters.memory.journal import InMemoryJournal
from portfolio.application.audit import AuditFilter
from portfolio.application.changes import AuditEntry
from portfolio.application.listing import Slice, Window


def _matches(entry: AuditEntry, criteria: AuditFilter) -> bool:
    wanted = (
        (criteria.actor_id, entry.actor_id),
        (criteria.resource, entry.resource),
        (criteria.object_id, entry.object_id),
        (criteria.action, entry.action),
    )
    if any(value is not None and value != held for value, held in wanted):
        return False
    if criteria.since is not None and entry.at < criteria.since:
        return False
    return criteria.until is None or entry.at < criteria.until


class InMemoryAuditLog:
    """AuditLog over the entries an InMemoryJournal keeps."""

    def __init__(self, journal: InMemoryJournal) -> None:
        self._journal = journal

    async def find(self, criteria: AuditFilter, window: Window) -> Slice[AuditEntry]:
        """The matching entries, newest first (by moment, then id), inside the window."""
        newest_first = sorted(
            self._journal.entries.values(), key=lambda entry: (entry.at, entry.id), reverse=True
        )
        found = [entry for entry in newest_first if _matches(entry, criteria)]
        return Slice(tuple(found[window.offset : window.offset + window.limit]), len(found))

    async def prune(self, before: datetime, limit: int) -> int:
        """Delete up to ``limit`` of the oldest entries written before ``before``."""
        entries = self._journal.entries
        oldest = sorted((entry.at, entry.id) for entry in entries.values() if entry.at < before)
        chosen = [entry_id for _, entry_id in oldest[:limit]]
        for entry_id in chosen:
            del entries[entry_id]
        if chosen:
            self._journal.moved()
        return len(chosen)
