"""Use cases on the objects portfolios share: one for every kind (``SHARED_KINDS``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from portfolio.application.changes import CREATE, DELETE, UPDATE, Author, Change, Journal
from portfolio.application.fields import SharedKind, as_changes
from portfolio.application.ids import require_id
from portfolio.application.listing import Page, fetch_page
from portfolio.application.ports import SharedObjects, Transactions

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

FieldsT = TypeVar("FieldsT", bound="DataclassInstance")
EntityT = TypeVar("EntityT")


class ManageSharedObjects(Generic[FieldsT, EntityT]):
    """Create, read, replace, change, delete and list one kind of shared object.

    ``values`` and ``changes`` map the kind's ``*Fields`` attribute names to valid values.
    """

    def __init__(
        self,
        store: SharedObjects[FieldsT, EntityT],
        kind: SharedKind[FieldsT, EntityT],
        transactions: Transactions,
        journal: Journal,
    ) -> None:
        self._store = store
        self._make = kind.fields
        self._missing = kind.missing
        self._kind = kind.name
        self._transactions = transactions
        self._journal = journal

    async def create(self, values: Mapping[str, Any], by: Author) -> EntityT:
        """Add an object; left-out fields take their defaults."""
        async with self._transactions.transaction():
            made = await self._store.add(self._make(**values))
            await self._record(CREATE, _id_of(made), tuple(values), by)
        return made

    async def get(self, object_id: int) -> EntityT:
        """The object with this id; NotFound for any id that names none."""
        return self._found(await self._store.get(require_id(object_id, self._missing)))

    async def replace(self, object_id: int, values: Mapping[str, Any], by: Author) -> EntityT:
        """Make the object exactly ``values``; left-out fields take their defaults."""
        require_id(object_id, self._missing)
        whole = as_changes(self._make(**values))
        async with self._transactions.transaction():
            replaced = self._found(await self._store.update(object_id, whole))
            await self._record(UPDATE, object_id, tuple(whole), by)
        return replaced

    async def update(self, object_id: int, changes: Mapping[str, Any], by: Author) -> EntityT:
        """Change the given fields only."""
        require_id(object_id, self._missing)
        async with self._transactions.transaction():
            changed = self._found(await self._store.update(object_id, changes))
            await self._record(UPDATE, object_id, tuple(changes), by)
        return changed

    async def delete(self, object_id: int, by: Author) -> None:
        """Remove the object; InUse while a portfolio refers to it."""
        async with self._transactions.transaction():
            if not await self._store.delete(require_id(object_id, self._missing)):
                raise self._missing
            await self._record(DELETE, object_id, (), by)

    async def _record(
        self, action: str, object_id: int, fields: tuple[str, ...], by: Author
    ) -> None:
        await self._journal.record(Change(action, self._kind, object_id, fields), by)

    async def list(self, search: Sequence[str], number: int, size: int) -> Page[EntityT]:
        """Page ``number`` of the objects whose name (or key) holds every search term."""
        return await fetch_page(lambda window: self._store.find(search, window), number, size)

    def _found(self, found: EntityT | None) -> EntityT:
        if found is None:
            raise self._missing
        return found


def _id_of(entity: object) -> int:
    object_id: int = getattr(entity, "id")  # noqa: B009 - every shared object has an id
    return object_id
