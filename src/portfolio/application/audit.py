"""Reading the audit log, and pruning its oldest entries (the one way any entry leaves it).

The log is written by the ``Journal`` (``changes``), with each write it records; nothing here
writes an entry but the prune's own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from portfolio.application.changes import (
    AUDIT,
    CREATE,
    DELETE,
    MEDIA,
    MOVE,
    OPERATOR,
    PORTFOLIO,
    PURGE,
    RESTORE,
    REVOKE,
    SIGN_IN,
    SIGN_IN_FAILED,
    SIGN_OUT,
    TOKEN,
    UPDATE,
    USER,
    WEBHOOK,
    AuditEntry,
    Author,
    Change,
    Journal,
)
from portfolio.application.fields import SHARED_KINDS
from portfolio.application.listing import Page, Slice, Window, fetch_page
from portfolio.application.ports import Clock, Transactions

AUDITED_ACTIONS = (
    CREATE,
    UPDATE,
    DELETE,
    RESTORE,
    PURGE,
    MOVE,
    REVOKE,
    SIGN_IN,
    SIGN_IN_FAILED,
    SIGN_OUT,
)
"""What an entry's ``action`` may be. A webhook's secret rotated, a ping sent or a delivery
retried by hand is an ``update`` of the webhook whose ``changes`` name what moved."""
AUDITED_RESOURCES = (
    PORTFOLIO,
    MEDIA,
    *(kind.name for kind in SHARED_KINDS),
    USER,
    TOKEN,
    WEBHOOK,
    AUDIT,
)
"""What an entry's ``resource`` may be."""

PRUNE_BATCH = 5_000
"""Entries deleted per unit of work while pruning: each batch holds its locks briefly."""


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Which entries a reader wants; None matches anything. ``since`` is inclusive,
    ``until`` exclusive."""

    actor_id: int | None = None
    resource: str | None = None
    object_id: int | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None


class AuditLog(Protocol):
    """The audit log as it is read and pruned."""

    async def find(self, criteria: AuditFilter, window: Window) -> Slice[AuditEntry]:
        """The entries matching ``criteria``, newest first (by moment, then by id: the entries
        of one unit of work share its moment), inside ``window``."""
        ...

    async def prune(self, before: datetime, limit: int) -> int:
        """Delete up to ``limit`` of the oldest entries written before ``before``, in the
        current unit of work; return how many."""
        ...


class ReadAuditLog:
    """Pages of the audit log, newest first."""

    def __init__(self, log: AuditLog) -> None:
        self._log = log

    async def __call__(self, criteria: AuditFilter, number: int, size: int) -> Page[AuditEntry]:
        """Page ``number`` of the entries matching ``criteria``."""
        return await fetch_page(lambda window: self._log.find(criteria, window), number, size)


class PruneAuditLog:
    """Delete the entries older than a given age, in batches; audited itself as a ``purge`` of
    the ``audit`` log, recorded with the first batch (so no entry is ever deleted before the
    prune is on record)."""

    def __init__(
        self,
        log: AuditLog,
        transactions: Transactions,
        journal: Journal,
        clock: Clock,
        batch: int = PRUNE_BATCH,
    ) -> None:
        self._log = log
        self._transactions = transactions
        self._journal = journal
        self._clock = clock
        self._batch = batch

    async def __call__(
        self,
        older_than: timedelta,
        by: Author = OPERATOR,
        on_batch: Callable[[int], None] = lambda _: None,
    ) -> int:
        """Delete every entry written more than ``older_than`` ago (at least a day, so the
        prune's own entry stays); return how many. ``on_batch`` hears each batch's count."""
        if older_than < timedelta(days=1):
            raise ValueError("the audit log keeps at least a day")
        before = self._clock() - older_than
        async with self._transactions.transaction():
            await self._journal.record(Change(PURGE, AUDIT, None), by)
            removed = await self._log.prune(before, self._batch)
        total = removed
        on_batch(removed)
        while removed == self._batch:
            async with self._transactions.transaction():
                removed = await self._log.prune(before, self._batch)
            total += removed
            on_batch(removed)
        return total
