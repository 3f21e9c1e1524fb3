"""Units of work in memory: every write to a store's table inside one is journalled, and a
failure undoes that unit's own writes, in reverse, leaving other tasks' writes alone."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

K = TypeVar("K")
V = TypeVar("V")

Undo = Callable[[], Awaitable[None]]
_MISSING = object()


class _Unit:
    """The journal of the outermost unit of work a task is inside, and its rollback hooks."""

    def __init__(self) -> None:
        self.journal: list[tuple[dict[Any, Any], Any, Any]] = []
        self.undoes: list[Undo] = []

    def roll_back_to(self, mark: int) -> None:
        while len(self.journal) > mark:
            table, key, old = self.journal.pop()
            if old is _MISSING:
                dict.pop(table, key, None)
            else:
                dict.__setitem__(table, key, old)


_unit: ContextVar[_Unit | None] = ContextVar("portfolio_memory_unit_of_work", default=None)


class Table(dict[K, V]):
    """A store's records: a dict whose every write inside a unit of work is journalled."""

    def _journal(self, key: K) -> None:
        unit = _unit.get()
        if unit is not None:
            unit.journal.append((self, key, dict.get(self, key, _MISSING)))

    def __setitem__(self, key: K, value: V) -> None:
        self._journal(key)
        super().__setitem__(key, value)

    def __delitem__(self, key: K) -> None:
        self._journal(key)
        super().__delitem__(key)

    def pop(self, key: K, *default: Any) -> Any:
        """Remove ``key`` (journalled) and return its value."""
        if key in self:
            self._journal(key)
        return super().pop(key, *default)


class InMemoryTransactions:
    """Transactions in memory: the writes of the in-memory stores (kept in ``Table``s) made
    inside a unit of work are undone, in reverse, when it fails; a nested unit undoes only
    its own part, as a savepoint does."""

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """A unit of work."""
        unit = _unit.get()
        outermost = unit is None
        if unit is None:
            unit = _Unit()
        token = _unit.set(unit) if outermost else None
        mark = len(unit.journal)
        try:
            yield
        except BaseException:
            unit.roll_back_to(mark)
            if outermost:
                for undo in reversed(unit.undoes):
                    await undo()
            raise
        finally:
            if token is not None:
                _unit.reset(token)

    def on_rollback(self, undo: Undo) -> None:
        """Run ``undo`` if the outermost unit of work open now fails."""
        unit = _unit.get()
        if unit is not None:
            unit.undoes.append(undo)
