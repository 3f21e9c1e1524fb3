"""What changed, who changed it, and what must hear of it: the audit log and the change feed.

Every write a use case makes is recorded, in the same unit of work as the write, as one
``Change`` by an ``Author``: an entry in the audit log, and, for what the public website
shows, an event queued for each consumer of the change feed (the edge cache's purges, the
webhooks). A moment that passes with no write (a scheduled publication) is published to the
feed without an audit entry, as nobody wrote anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from portfolio.domain import Principal

API, CLI, SCHEDULER = "api", "cli", "scheduler"
"""How a change came in: over the HTTP API, at the command line, or from the scheduler."""

PORTFOLIO, MEDIA, EMPLOYER, TAG, LINK, META = (
    "portfolio",
    "media",
    "employer",
    "tag",
    "link",
    "meta",
)
USER, TOKEN, WEBHOOK, AUDIT = "user", "token", "webhook", "audit"
CATALOGUE_RESOURCES = frozenset({PORTFOLIO, MEDIA, EMPLOYER, TAG, LINK, META})
"""What the website shows: their changes go to the change feed's consumers."""

CREATE, UPDATE, DELETE, RESTORE, PURGE, MOVE = (
    "create",
    "update",
    "delete",
    "restore",
    "purge",
    "move",
)
REVOKE, SIGN_IN, SIGN_IN_FAILED, SIGN_OUT = "revoke", "sign_in", "sign_in_failed", "sign_out"
PUBLISH, UNPUBLISH = "publish", "unpublish"
"""What a change did; ``publish`` and ``unpublish`` are moments a scheduled portfolio passes."""

_EVENTS = {
    CREATE: "created",
    UPDATE: "updated",
    DELETE: "deleted",
    RESTORE: "updated",
    PURGE: "deleted",
    MOVE: "updated",
    PUBLISH: "published",
    UNPUBLISH: "unpublished",
}


@dataclass(frozen=True, slots=True)
class Author:
    """Who made a change and how: the signed-in user (None: the operator at the command
    line, or the service itself), the way in, and the request's id and client address when
    the change came over HTTP."""

    user: Principal | None
    via: str
    request_id: str | None = None
    client: str | None = None


OPERATOR = Author(None, CLI)
"""The operator at the command line."""
SCHEDULED = Author(None, SCHEDULER)
"""The service itself, when a scheduled moment passes."""


@dataclass(frozen=True, slots=True)
class Change:
    """One change to one object: what it did (``create``, ``update`` ...), to which kind of
    object (``portfolio``, ``tag`` ...), its id, and the names of the fields it changed."""

    action: str
    resource: str
    object_id: int | None
    fields: tuple[str, ...] = field(default=())

    @property
    def event(self) -> str | None:
        """The change feed's name for it (``portfolio.updated``); None for what the feed
        does not carry (users, tokens, sign-ins)."""
        if self.resource not in CATALOGUE_RESOURCES or self.action not in _EVENTS:
            return None
        return f"{self.resource}.{_EVENTS[self.action]}"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One entry of the audit log: a change, when, by whom and how."""

    id: int
    at: datetime
    actor_id: int | None
    actor_username: str | None
    via: str
    action: str
    resource: str
    object_id: int | None
    changes: tuple[str, ...]
    request_id: str | None
    client: str | None


@dataclass(frozen=True, slots=True)
class QueuedEvent:
    """An event waiting in the change feed for one consumer."""

    id: int
    event: str
    resource: str
    object_id: int | None
    created_at: datetime
    attempts: int


class Journal(Protocol):
    """The audit log and the change feed's outbox, written in the current unit of work."""

    async def record(self, change: Change, author: Author) -> None:
        """Append ``change`` to the audit log and, when the feed carries it, queue its event
        for every consumer; committed with the write it records, or not at all."""
        ...

    async def publish(self, *changes: Change) -> None:
        """Queue each change's event for every consumer, with no audit entry (a moment that
        passed, orders renumbered: nobody wrote anything); one statement however many."""
        ...


class Outbox(Protocol):
    """The change feed's queue, as its consumers read it: each event is claimed by one
    process at a time and stays until it is done."""

    async def claim(self, consumer: str, limit: int, lease_seconds: float) -> Sequence[QueuedEvent]:
        """Up to ``limit`` events due for ``consumer``, the longest due first, none that another
        process holds; each is held for ``lease_seconds`` (then due again, should this one
        die before it is done)."""
        ...

    async def done(self, consumer: str, ids: Sequence[int]) -> None:
        """Forget events that were delivered."""
        ...

    async def later(self, consumer: str, ids: Sequence[int], seconds: float, error: str) -> None:
        """Try events again in ``seconds``, noting why they failed."""
        ...

    async def backlog(self, consumer: str) -> tuple[int, float]:
        """How many events wait for ``consumer``, and the age in seconds of the oldest."""
        ...
