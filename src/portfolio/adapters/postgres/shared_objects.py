"""Employers, tags, links and meta in Postgres: one generic store, one table spec each."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import msgspec

from portfolio.adapters.postgres.pages import fetch_slice, search_conditions
from portfolio.adapters.postgres.pool import BoundedPool, connection
from portfolio.adapters.postgres.statements import (
    TOUCH,
    assignments,
    document,
    one,
    optional_document,
    transaction,
)
from portfolio.application.fields import EmployerFields, LinkFields, MetaFields, TagFields
from portfolio.application.listing import Slice, Window
from portfolio.domain import Employer, InUse, Link, Meta, Referrer, Tag

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

FieldsT = TypeVar("FieldsT", bound="DataclassInstance")
EntityT = TypeVar("EntityT")


@dataclass(frozen=True, slots=True)
class SharedTable(Generic[EntityT]):
    """Where one kind of shared object lives and who refers to it."""

    entity: str
    table: str
    view: str
    document: str
    """The function building one object's document, for pages (migration 0002)."""
    fields: type[DataclassInstance]
    """The ``*Fields`` record written to the table; its attributes are named as the columns."""
    search: str
    referring: str
    """``SELECT p.id, p.title FROM ... WHERE <reference> = %s``: portfolios using one."""
    kind: type[EntityT]
    decoder: msgspec.json.Decoder[list[EntityT]]

    @property
    def columns(self) -> tuple[str, ...]:
        """The written columns, in the record's order."""
        return tuple(column.name for column in dataclasses.fields(self.fields))

    def __deepcopy__(self, memo: dict[int, Any]) -> SharedTable[EntityT]:
        # Immutable, and its decoder cannot be copied; dependency-injector deep-copies
        # provider arguments, so it gets the same object.
        return self


EMPLOYERS = SharedTable(
    "employer",
    "employers",
    "employer_documents",
    "employer_document",
    EmployerFields,
    "name",
    "SELECT p.id, p.title FROM portfolios p WHERE p.employer_id = %s",
    Employer,
    msgspec.json.Decoder(list[Employer]),
)
TAGS = SharedTable(
    "tag",
    "tags",
    "tag_documents",
    "tag_document",
    TagFields,
    "name",
    "SELECT p.id, p.title FROM portfolio_tags j JOIN portfolios p ON p.id = j.portfolio_id"
    " WHERE j.tag_id = %s",
    Tag,
    msgspec.json.Decoder(list[Tag]),
)
LINKS = SharedTable(
    "link",
    "links",
    "link_documents",
    "link_document",
    LinkFields,
    "name",
    "SELECT p.id, p.title FROM portfolio_links j JOIN portfolios p ON p.id = j.portfolio_id"
    " WHERE j.link_id = %s",
    Link,
    msgspec.json.Decoder(list[Link]),
)
META = SharedTable(
    "meta",
    "meta",
    "meta_documents",
    "meta_document",
    MetaFields,
    "key",
    "SELECT p.id, p.title FROM portfolio_meta j JOIN portfolios p ON p.id = j.portfolio_id"
    " WHERE j.meta_id = %s",
    Meta,
    msgspec.json.Decoder(list[Meta]),
)


class PostgresSharedObjects(Generic[FieldsT, EntityT]):
    """SharedObjects over one table; each write is one transaction."""

    def __init__(self, pool: BoundedPool, table: SharedTable[EntityT]) -> None:
        self._pool = pool
        self._table = table
        self._columns = {column: column for column in table.columns}

    async def add(self, fields: FieldsT) -> EntityT:
        """Insert an object."""
        table = self._table
        async with transaction(self._pool) as conn:
            new_id = await one(
                conn,
                f"INSERT INTO {table.table} ({', '.join(table.columns)})"
                f" VALUES ({', '.join('%s' for _ in table.columns)}) RETURNING id",
                [getattr(fields, column) for column in table.columns],
            )
            result: EntityT = await document(conn, table.view, new_id, table.kind)
            return result

    async def get(self, object_id: int) -> EntityT | None:
        """The object, or None."""
        async with connection(self._pool) as conn:
            found: EntityT | None = await optional_document(
                conn, self._table.view, object_id, self._table.kind
            )
            return found

    async def update(self, object_id: int, changes: Mapping[str, Any]) -> EntityT | None:
        """Set the changed columns and move ``updated_at``; None when no such row exists."""
        table = self._table
        async with transaction(self._pool) as conn:
            cursor = await conn.execute(
                f"UPDATE {table.table} SET {assignments(list(changes), self._columns)}{TOUCH}"
                " WHERE id = %s RETURNING id".encode(),
                [*changes.values(), object_id],
            )
            if await cursor.fetchone() is None:
                return None
            result: EntityT = await document(conn, table.view, object_id, table.kind)
            return result

    async def delete(self, object_id: int) -> bool:
        """Delete a row no portfolio refers to; InUse naming the portfolios otherwise."""
        table = self._table
        async with transaction(self._pool) as conn:
            # The row lock makes a concurrent write that would refer to this object wait,
            # and then fail as a missing reference, instead of slipping in after our check.
            cursor = await conn.execute(
                f"SELECT id FROM {table.table} WHERE id = %s FOR UPDATE".encode(), (object_id,)
            )
            if await cursor.fetchone() is None:
                return False
            cursor = await conn.execute(
                f"SELECT r.id, r.title, count(*) OVER () FROM ({table.referring}) r"
                f" ORDER BY r.id LIMIT {InUse.SHOWN}".encode(),
                (object_id,),
            )
            rows = await cursor.fetchall()
            if rows:
                referrers = [Referrer("portfolio", row[0], name=row[1]) for row in rows]
                raise InUse(table.entity, object_id, referrers, rows[0][2])
            await conn.execute(f"DELETE FROM {table.table} WHERE id = %s".encode(), (object_id,))
            return True

    async def find(self, search: Sequence[str], window: Window) -> Slice[EntityT]:
        """Objects whose searched column holds every term, by id, in one round trip."""
        # lower(name) or lower(key): the expression of the *_search indexes (migration 0004).
        where, params = search_conditions(search, f"lower(t.{self._table.search})")
        async with connection(self._pool) as conn:
            return await fetch_slice(
                conn,
                table=self._table.table,
                where=where,
                params=params,
                order_by="t.id",
                document=self._table.document,
                window=window,
                decoder=self._table.decoder,
                searched=bool(search),
            )
