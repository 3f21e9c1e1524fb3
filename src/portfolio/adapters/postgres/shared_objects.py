"""The objects portfolios share, in Postgres: one generic store, its table read from the
kind's declaration (``SharedKind``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import GenericAlias
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import msgspec

from portfolio.adapters.postgres.pages import fetch_slice, search_conditions
from portfolio.adapters.postgres.pool import BoundedPool, Connection, connection
from portfolio.adapters.postgres.portfolios import ATTACHMENTS
from portfolio.adapters.postgres.statements import (
    TOUCH,
    assignments,
    document,
    one,
    optional_document,
    transaction,
)
from portfolio.application.fields import SharedKind
from portfolio.application.listing import Slice, Window
from portfolio.domain import InUse, Referrer

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

FieldsT = TypeVar("FieldsT", bound="DataclassInstance")
EntityT = TypeVar("EntityT")


@dataclass(frozen=True, slots=True)
class _Table(Generic[EntityT]):
    """Where one kind of shared object lives and who refers to it, from its declaration: the
    table is named as the kind's plural, the views and functions reading it back (migrations
    0001 and 0002) as its singular, the columns as its ``*Fields`` record's attributes."""

    entity: str
    table: str
    view: str
    document: str
    columns: tuple[str, ...]
    search: str
    referring: str | None
    """``SELECT p.id, p.title FROM ... WHERE <reference> = %s``: portfolios using one."""
    kind: type[EntityT]
    decoder: msgspec.json.Decoder[list[EntityT]]


def _referring(held_by: str | None) -> str | None:
    """The portfolios whose ``held_by`` attribute names an object: a column of theirs, or the
    join table of an id list."""
    if held_by is None:
        return None
    if held_by in ATTACHMENTS:
        join, column = ATTACHMENTS[held_by]
        return (
            f"SELECT p.id, p.title FROM {join} j JOIN portfolios p ON p.id = j.portfolio_id"
            f" WHERE j.{column} = %s"
        )
    return f"SELECT p.id, p.title FROM portfolios p WHERE p.{held_by} = %s"


def _table(kind: SharedKind[Any, EntityT]) -> _Table[EntityT]:
    return _Table(
        kind.name,
        kind.plural,
        f"{kind.name}_documents",
        f"{kind.name}_document",
        tuple(column.name for column in dataclasses.fields(kind.fields)),
        kind.search,
        _referring(kind.held_by),
        kind.entity,
        msgspec.json.Decoder(GenericAlias(list, (kind.entity,))),
    )


class PostgresSharedObjects(Generic[FieldsT, EntityT]):
    """SharedObjects over one table; each write is one transaction."""

    def __init__(self, pool: BoundedPool, kind: SharedKind[FieldsT, EntityT]) -> None:
        self._pool = pool
        self._table = table = _table(kind)
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
            if table.referring is not None:
                await _refuse_if_referred(conn, table, object_id)
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


async def _refuse_if_referred(conn: Connection, table: _Table[Any], object_id: int) -> None:
    """InUse naming the portfolios (the first few, and how many) that refer to the object."""
    cursor = await conn.execute(
        f"SELECT r.id, r.title, count(*) OVER () FROM ({table.referring}) r"
        f" ORDER BY r.id LIMIT {InUse.SHOWN}".encode(),
        (object_id,),
    )
    rows = await cursor.fetchall()
    if rows:
        referrers = [Referrer("portfolio", row[0], name=row[1]) for row in rows]
        raise InUse(table.entity, object_id, referrers, rows[0][2])
