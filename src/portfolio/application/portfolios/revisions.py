"""A portfolio's revisions: every save (create, PUT, PATCH, a revision restored) records the
portfolio as it was left, and any revision can be made the portfolio again.

A change to a shared object (a tag renamed) is not a portfolio revision: a revision keeps the
shared objects as they were named when it was saved, and restoring it sets the references
(ids) back, never the shared objects themselves.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from portfolio.application.changes import PORTFOLIO, RESTORE, Author, Change, Journal
from portfolio.application.fields import PortfolioFields, as_changes
from portfolio.application.ids import require_id
from portfolio.application.listing import Page, fetch_page
from portfolio.application.portfolios.records import Revision, editor_of
from portfolio.application.ports import Portfolios, Revisions, Transactions
from portfolio.domain import Portfolio, PortfolioNotFound, RevisionNotFound


def _id(item: Any) -> int | None:
    return None if item is None else int(item.id)


def _ids(items: Sequence[Any]) -> tuple[int, ...]:
    return tuple(item.id for item in items)


# PortfolioFields attributes that refer to other objects -> the name a client writes them
# under, which is also the Portfolio attribute holding the objects themselves.
_WRITTEN_AS = {
    "image_id": "image",
    "employer_id": "employer",
    "tag_ids": "tags",
    "link_ids": "links",
    "image_ids": "images",
    "meta_ids": "meta",
}


def _reader(attribute: str) -> Callable[[Portfolio], Any]:
    """How a saved portfolio gives back one PortfolioFields attribute: references by id, so
    that a shared object's own change is not the portfolio's."""
    name = _WRITTEN_AS.get(attribute, attribute)
    if attribute.endswith("_ids"):
        return lambda portfolio: _ids(getattr(portfolio, name))
    if attribute.endswith("_id"):
        return lambda portfolio: _id(getattr(portfolio, name))
    return lambda portfolio: getattr(portfolio, name)


# What a save can change, by PortfolioFields attribute, in that record's order: a new field
# of PortfolioFields (held by Portfolio under the same name) needs nothing here.
_READERS = {field.name: _reader(field.name) for field in dataclasses.fields(PortfolioFields)}


def changed_fields(before: Portfolio | None, after: Portfolio) -> tuple[str, ...]:
    """The fields whose values differ between two saves (every one for a first save), by the
    names a client writes them under."""
    return tuple(
        _WRITTEN_AS.get(attribute, attribute)
        for attribute, read in _READERS.items()
        if before is None or read(before) != read(after)
    )


def fields_of(document: Portfolio) -> PortfolioFields:
    """What writing ``document`` back takes: its values and the ids it refers to."""
    return PortfolioFields(**{attribute: read(document) for attribute, read in _READERS.items()})


class History:
    """Records each save of a portfolio as a revision, keeping the newest ``keep``."""

    def __init__(self, revisions: Revisions, keep: int) -> None:
        self._revisions = revisions
        self._keep = keep

    async def record(self, saved: Portfolio, by: Author, sent: Sequence[str]) -> tuple[str, ...]:
        """Record ``saved`` (written in this unit of work, so its row is locked and the
        newest revision is the save before it); the fields that changed. A portfolio saved
        before revisions were kept has none to compare with: the fields ``sent`` stand in."""
        previous = await self._revisions.latest(saved.id)
        if previous is not None:
            changes = changed_fields(previous.document, saved)
        elif sent:
            changes = tuple(dict.fromkeys(_WRITTEN_AS.get(name, name) for name in sent))
        else:
            changes = changed_fields(None, saved)
        await self._revisions.add(saved, editor_of(by.user), changes, self._keep)
        return changes


class ManageRevisions:
    """List a portfolio's revisions, and make one of them the portfolio again."""

    def __init__(
        self,
        portfolios: Portfolios,
        revisions: Revisions,
        history: History,
        transactions: Transactions,
        journal: Journal,
    ) -> None:
        self._portfolios = portfolios
        self._revisions = revisions
        self._history = history
        self._transactions = transactions
        self._journal = journal

    async def list(self, portfolio_id: int, number: int, size: int) -> Page[Revision]:
        """Page ``number`` of the portfolio's revisions, newest first; PortfolioNotFound
        when there is no such portfolio (or it is in the trash)."""
        if await self._portfolios.get(require_id(portfolio_id, PortfolioNotFound)) is None:
            raise PortfolioNotFound
        return await fetch_page(
            lambda window: self._revisions.of(portfolio_id, window), number, size
        )

    async def restore(self, portfolio_id: int, revision_id: int, by: Author) -> Portfolio:
        """The portfolio made what the revision holds again, recorded as a new revision.

        RevisionNotFound when the portfolio has no such revision (it is another's, or the
        portfolio was purged), PortfolioNotFound when the portfolio is in the trash, and
        MissingReference when something the revision refers to is gone: nothing changes.
        """
        require_id(portfolio_id, PortfolioNotFound)
        require_id(revision_id, RevisionNotFound)
        async with self._transactions.transaction():
            revision = await self._revisions.get(portfolio_id, revision_id)
            if revision is None:
                raise RevisionNotFound
            restored = await self._portfolios.update(
                portfolio_id, as_changes(fields_of(revision.document))
            )
            if restored is None:
                raise PortfolioNotFound
            changes = await self._history.record(restored, by, ())
            await self._journal.record(Change(RESTORE, PORTFOLIO, portfolio_id, changes), by)
        return restored
