"""Use cases on the objects portfolios share: employers, tags, links and meta entries."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from portfolio.application.fields import (
    EmployerFields,
    LinkFields,
    MetaFields,
    TagFields,
    as_changes,
)
from portfolio.application.ids import require_id
from portfolio.application.listing import Page, fetch_page
from portfolio.application.ports import SharedObjects
from portfolio.domain import (
    Employer,
    EmployerNotFound,
    Link,
    LinkNotFound,
    Meta,
    MetaNotFound,
    NotFound,
    Tag,
    TagNotFound,
)

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
        make: Callable[..., FieldsT],
        missing: type[NotFound],
    ) -> None:
        self._store = store
        self._make = make
        self._missing = missing

    async def create(self, values: Mapping[str, Any]) -> EntityT:
        """Add an object; left-out fields take their defaults."""
        return await self._store.add(self._make(**values))

    async def get(self, object_id: int) -> EntityT:
        """The object with this id; NotFound for any id that names none."""
        return self._found(await self._store.get(require_id(object_id, self._missing)))

    async def replace(self, object_id: int, values: Mapping[str, Any]) -> EntityT:
        """Make the object exactly ``values``; left-out fields take their defaults."""
        require_id(object_id, self._missing)
        return self._found(await self._store.update(object_id, as_changes(self._make(**values))))

    async def update(self, object_id: int, changes: Mapping[str, Any]) -> EntityT:
        """Change the given fields only."""
        require_id(object_id, self._missing)
        return self._found(await self._store.update(object_id, changes))

    async def delete(self, object_id: int) -> None:
        """Remove the object; InUse while a portfolio refers to it."""
        if not await self._store.delete(require_id(object_id, self._missing)):
            raise self._missing

    async def list(self, search: Sequence[str], number: int, size: int) -> Page[EntityT]:
        """Page ``number`` of the objects whose name (or key) holds every search term."""
        return await fetch_page(lambda window: self._store.find(search, window), number, size)

    def _found(self, found: EntityT | None) -> EntityT:
        if found is None:
            raise self._missing
        return found


class ManageEmployers(ManageSharedObjects[EmployerFields, Employer]):
    """The clients projects were delivered for."""

    def __init__(self, store: SharedObjects[EmployerFields, Employer]) -> None:
        super().__init__(store, EmployerFields, EmployerNotFound)


class ManageTags(ManageSharedObjects[TagFields, Tag]):
    """Labels that group projects."""

    def __init__(self, store: SharedObjects[TagFields, Tag]) -> None:
        super().__init__(store, TagFields, TagNotFound)


class ManageLinks(ManageSharedObjects[LinkFields, Link]):
    """Links related to projects."""

    def __init__(self, store: SharedObjects[LinkFields, Link]) -> None:
        super().__init__(store, LinkFields, LinkNotFound)


class ManageMeta(ManageSharedObjects[MetaFields, Meta]):
    """Free key/value entries attached to projects."""

    def __init__(self, store: SharedObjects[MetaFields, Meta]) -> None:
        super().__init__(store, MetaFields, MetaNotFound)
