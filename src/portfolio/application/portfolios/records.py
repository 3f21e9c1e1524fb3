"""What the trash, a portfolio's history and the display order show: read models, not
entities."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portfolio.domain import Portfolio, Principal


@dataclass(frozen=True, slots=True)
class Editor:
    """The user who did something, as they were named then."""

    id: int
    username: str


def editor_of(user: Principal | None) -> Editor | None:
    """The editor a signed-in user is; None for the operator or the service itself."""
    return None if user is None else Editor(user.id, user.username)


@dataclass(frozen=True, slots=True, order=True)
class Position:
    """Where a portfolio stands in the display order: by ``order``, then by ``id``."""

    order: int
    id: int


@dataclass(frozen=True, slots=True)
class Trashed:
    """A portfolio in the trash, as the trash lists it."""

    id: int
    title: str
    slug: str
    deleted_at: datetime
    deleted_by: Editor | None


@dataclass(frozen=True, slots=True)
class Revision:
    """A portfolio as one save left it: who saved it, which fields changed, and the whole
    portfolio as it was then (its shared objects as they were named then too)."""

    id: int
    created_at: datetime
    user: Editor | None
    changes: tuple[str, ...]
    document: Portfolio
