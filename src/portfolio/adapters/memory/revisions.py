"""Portfolio revisions in memory, kept by the InMemoryDatabase beside the portfolios (and
removed with them when they are purged)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from portfolio.application.listing import Slice, Window
from portfolio.application.portfolios.records import Editor, Revision
from portfolio.domain import Portfolio

if TYPE_CHECKING:
    from portfolio.adapters.memory.database import InMemoryDatabase


class InMemoryRevisions:
    """Revisions over an InMemoryDatabase's ``revision_rows`` (id -> portfolio id, revision)."""

    def __init__(self, database: InMemoryDatabase) -> None:
        self._db = database

    def _newest_first(self, portfolio_id: int) -> list[Revision]:
        return sorted(
            (
                revision
                for owner, revision in self._db.revision_rows.values()
                if owner == portfolio_id
            ),
            key=lambda revision: revision.id,
            reverse=True,
        )

    async def latest(self, portfolio_id: int) -> Revision | None:
        """The newest revision."""
        newest = self._newest_first(portfolio_id)
        return newest[0] if newest else None

    async def add(
        self, portfolio: Portfolio, by: Editor | None, changes: Sequence[str], keep: int
    ) -> Revision:
        """Store the revision and forget the oldest beyond ``keep``."""
        revision = Revision(self._db.next_id(), self._db.now(), by, tuple(changes), portfolio)
        self._db.revision_rows[revision.id] = (portfolio.id, revision)
        for old in self._newest_first(portfolio.id)[keep:]:
            del self._db.revision_rows[old.id]
        return revision

    async def of(self, portfolio_id: int, window: Window) -> Slice[Revision]:
        """The portfolio's revisions, newest first."""
        newest = self._newest_first(portfolio_id)
        return Slice(tuple(newest[window.offset : window.offset + window.limit]), len(newest))

    async def get(self, portfolio_id: int, revision_id: int) -> Revision | None:
        """One revision, if it is the portfolio's."""
        owner, revision = self._db.revision_rows.get(revision_id, (None, None))
        return revision if owner == portfolio_id else None
