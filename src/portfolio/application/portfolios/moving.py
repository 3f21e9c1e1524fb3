"""Moving a portfolio in the display order (``order``, then id) to just before or just after
another one.

Orders are spaced (``SPACING`` apart once renumbered), so a move usually writes one row: the
moved portfolio takes a value between its new neighbours. Only when no integer is left between
them are the orders of every portfolio out of the trash renumbered, spaced again. Moves hold
the order's lock from their first read to their commit, so concurrent moves are applied one
after the other and none is lost. ``order`` stays an integer (Postgres ``integer``).
"""

from __future__ import annotations

from portfolio.application.changes import MOVE, PORTFOLIO, Author, Change
from portfolio.application.ids import is_id, require_id
from portfolio.application.portfolios.records import Position
from portfolio.application.portfolios.writes import PortfolioWrites
from portfolio.domain import MissingReference, MovedBesideItself, Portfolio, PortfolioNotFound

SPACING = 1024
"""The gap renumbering leaves between neighbours: room for ten moves into one gap."""
SMALLEST_ORDER, LARGEST_ORDER = -(2**31), 2**31 - 1
"""What the ``order`` column (a Postgres ``integer``) holds."""


def order_between(lower: Position | None, upper: Position | None, moving: int) -> int | None:
    """An order that puts portfolio ``moving`` after ``lower`` and before ``upper`` (either
    None at an end) in the display order: midway between them, or SPACING past the one at an
    end; None when no integer is left between them.
    Ties of ``order`` go by id, so an equal order is enough on the right side of an id."""
    lowest = SMALLEST_ORDER
    if lower is not None:
        lowest = lower.order if moving > lower.id else lower.order + 1
    highest = LARGEST_ORDER
    if upper is not None:
        highest = upper.order if moving < upper.id else upper.order - 1
    if lowest > highest:
        return None
    if lower is not None and upper is not None:
        wanted = (lower.order + upper.order) // 2
    elif upper is not None:
        wanted = upper.order - SPACING
    elif lower is not None:
        wanted = lower.order + SPACING
    else:
        wanted = 0
    return min(max(wanted, lowest), highest)


class MovePortfolio(PortfolioWrites):
    """Move a portfolio to just before or just after another one."""

    async def __call__(self, portfolio_id: int, field: str, other_id: int, by: Author) -> Portfolio:
        """Move it ``field`` (``before`` or ``after``) ``other_id``. PortfolioNotFound when it
        names no portfolio out of the trash; MissingReference (the field) when ``other_id``
        does not; MovedBesideItself when they are the same."""
        require_id(portfolio_id, PortfolioNotFound)
        after = field == "after"
        async with self._transactions.transaction():
            await self._portfolios.lock_order()
            if await self._portfolios.position(portfolio_id) is None:
                raise PortfolioNotFound
            if other_id == portfolio_id:
                raise MovedBesideItself(field)
            order = await self._order_beside(portfolio_id, field, other_id, after=after)
            if order is None:
                renumbered = await self._portfolios.renumber(SPACING)
                # No one edited them, so no audit entry; but each shows another order now,
                # which the change feed's consumers (the edge cache, webhooks) must hear of.
                await self._journal.publish(
                    *(
                        Change(MOVE, PORTFOLIO, other, ("order",))
                        for other in renumbered
                        if other != portfolio_id
                    )
                )
                order = await self._order_beside(portfolio_id, field, other_id, after=after)
            if order is None:
                raise LookupError("no order is free even after renumbering")
            moved = await self._portfolios.update(portfolio_id, {"order": order})
            if moved is None:
                raise PortfolioNotFound
            return await self._recorded(MOVE, moved, ("order",), by)

    async def _order_beside(
        self, moving: int, field: str, other_id: int, *, after: bool
    ) -> int | None:
        # Checked here too: an id past bigint would be a database error, not a missing one.
        target = await self._portfolios.position(other_id) if is_id(other_id) else None
        if target is None:
            raise MissingReference(field, other_id)
        neighbour = await self._portfolios.beside(target, after=after, excluding=moving)
        if after:
            return order_between(target, neighbour, moving)
        return order_between(neighbour, target, moving)
