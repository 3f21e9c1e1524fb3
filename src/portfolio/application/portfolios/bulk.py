"""One action on many portfolios at once, all or nothing: each portfolio it changes gets its
own journal entry (and, where its content changes, its own revision), exactly as the single
routes would; any id that names no portfolio the action applies to refuses the whole batch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from portfolio.application.changes import (
    DELETE,
    PORTFOLIO,
    RESTORE,
    UPDATE,
    Author,
    Change,
    Journal,
)
from portfolio.application.fields import TagFields
from portfolio.application.portfolios.records import editor_of
from portfolio.application.portfolios.revisions import History
from portfolio.application.ports import Portfolios, SharedObjects, Transactions
from portfolio.domain import (
    DuplicateValue,
    MissingReference,
    MissingReferences,
    Portfolio,
    Tag,
    TakenMeanwhile,
)

ACTIVATE, DEACTIVATE, TAG, UNTAG = "activate", "deactivate", "tag", "untag"
TRASH, RESTORE_FROM_TRASH = "delete", "restore"
ACTIONS = (ACTIVATE, DEACTIVATE, TRASH, RESTORE_FROM_TRASH, TAG, UNTAG)
TAGGING = (TAG, UNTAG)
MAX_IDS = 500
"""The most portfolios one bulk action takes."""


@dataclass(frozen=True, slots=True)
class BulkResult:
    """Which of the named portfolios the action changed, and which it left as they were."""

    changed: tuple[int, ...]
    unchanged: tuple[int, ...]


class BulkPortfolios:
    """Activate, deactivate, trash, restore, tag or untag many portfolios in one unit of work."""

    def __init__(
        self,
        portfolios: Portfolios,
        tags: SharedObjects[TagFields, Tag],
        transactions: Transactions,
        journal: Journal,
        history: History,
    ) -> None:
        self._portfolios = portfolios
        self._tags = tags
        self._transactions = transactions
        self._journal = journal
        self._history = history

    async def __call__(
        self, action: str, ids: Sequence[int], tag_id: int | None, by: Author
    ) -> BulkResult:
        """Apply ``action`` to every portfolio of ``ids`` (distinct ids; ``tag_id`` for the
        tagging actions). MissingReferences naming every id that names no portfolio out of
        the trash (in it, for ``restore``), MissingReference for an unknown tag,
        TakenMeanwhile for a restore whose title or slug is taken: then nothing changes."""
        changed: list[int] = []
        unknown: list[int] = []
        async with self._transactions.transaction():
            if action in TAGGING and (tag_id is None or await self._tags.get(tag_id) is None):
                raise MissingReference("tag", tag_id or 0)
            for portfolio_id in ids:
                outcome = await self._apply(action, portfolio_id, tag_id, by)
                if outcome is None:
                    unknown.append(portfolio_id)
                elif outcome:
                    changed.append(portfolio_id)
            if unknown:
                raise MissingReferences("ids", tuple(unknown))
        unchanged = tuple(portfolio_id for portfolio_id in ids if portfolio_id not in changed)
        return BulkResult(tuple(changed), unchanged)

    async def _apply(
        self, action: str, portfolio_id: int, tag_id: int | None, by: Author
    ) -> bool | None:
        """Whether the portfolio changed; None when the action finds no such portfolio."""
        if action == TRASH:
            if not await self._portfolios.trash(portfolio_id, editor_of(by.user)):
                return None
            await self._journal.record(Change(DELETE, PORTFOLIO, portfolio_id), by)
            return True
        if action == RESTORE_FROM_TRASH:
            try:
                restored = await self._portfolios.restore(portfolio_id)
            except DuplicateValue as error:
                raise TakenMeanwhile(error.field) from error
            if restored is None:
                return None
            await self._journal.record(Change(RESTORE, PORTFOLIO, portfolio_id), by)
            return True
        current = await self._portfolios.get(portfolio_id)
        if current is None:
            return None
        changes = _changes(action, current, tag_id)
        if not changes:
            return False
        saved = await self._portfolios.update(portfolio_id, changes)
        if saved is None:
            return None
        await self._history.record(saved, by, tuple(changes))
        await self._journal.record(Change(UPDATE, PORTFOLIO, portfolio_id, tuple(changes)), by)
        return True


def _changes(action: str, current: Portfolio, tag_id: int | None) -> dict[str, Any]:
    """What ``action`` writes to ``current``; nothing when it is so already."""
    if action in (ACTIVATE, DEACTIVATE):
        active = action == ACTIVATE
        return {} if current.is_active == active else {"is_active": active}
    tag_ids = tuple(tag.id for tag in current.tags)
    if action == TAG:
        return {} if tag_id in tag_ids else {"tag_ids": (*tag_ids, tag_id)}
    if action == UNTAG:
        return {"tag_ids": tuple(t for t in tag_ids if t != tag_id)} if tag_id in tag_ids else {}
    raise ValueError(f"unknown bulk action {action!r}")
