"""Running statements: one transaction per write, single values, JSON documents, and
constraint violations turned into domain errors."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

import msgspec
import psycopg
from psycopg import errors as pg_errors

from portfolio.adapters.postgres.pool import BoundedPool, Connection, ambient, connection
from portfolio.application.fields import SHARED_KINDS
from portfolio.domain import DuplicateValue, MissingReference, WithdrawnBeforePublished

# Unique constraints and indexes (named by Postgres' defaults, ``<table>_<column>_key``, but
# for the portfolios' partial indexes) -> (entity, field).
_UNIQUE_FIELDS = {
    "portfolios_title_kept": ("portfolio", "title"),
    "portfolios_slug_kept": ("portfolio", "slug"),
    "media_key_key": ("media", "key"),
    "thumbnails_key_key": ("thumbnail", "key"),
    **{
        f"{kind.plural}_{kind.unique}_key": (kind.name, kind.unique)
        for kind in SHARED_KINDS
        if kind.unique is not None
    },
}

# Foreign keys -> the field a client wrote the id in.
_REFERENCE_FIELDS = {
    "employers_image_id_fkey": "image",
    "tags_image_id_fkey": "image",
    "links_image_id_fkey": "image",
    "meta_value_file_id_fkey": "value_file",
    "portfolios_image_id_fkey": "image",
    "portfolios_employer_id_fkey": "employer",
    "portfolio_tags_tag_id_fkey": "tags",
    "portfolio_links_link_id_fkey": "links",
    "portfolio_images_media_id_fkey": "images",
    "portfolio_meta_meta_id_fkey": "meta",
}


def _referenced_id(error: psycopg.Error) -> int:
    # Postgres spells the missing key as: Key (tag_id)=(999) is not present in table "tags".
    detail = error.diag.message_detail or ""
    digits = detail.split("=(", 1)[-1].split(")", 1)[0]
    return int(digits) if digits.isdigit() else 0


# Check constraints -> the domain error that says the same.
_CHECKS = {"portfolios_unpublished_after_published": WithdrawnBeforePublished}


@asynccontextmanager
async def translated_errors() -> AsyncIterator[None]:
    """Turn unique, foreign-key and check violations into DuplicateValue, MissingReference
    and the domain error each check stands for."""
    try:
        yield
    except pg_errors.CheckViolation as error:
        refused = _CHECKS.get(error.diag.constraint_name or "")
        if refused is None:
            raise
        raise refused from error
    except pg_errors.UniqueViolation as error:
        entity, field = _UNIQUE_FIELDS.get(error.diag.constraint_name or "", ("object", "value"))
        raise DuplicateValue(entity, field) from error
    except pg_errors.ForeignKeyViolation as error:
        field = _REFERENCE_FIELDS.get(error.diag.constraint_name or "", "non_field_errors")
        raise MissingReference(field, _referenced_id(error)) from error


@asynccontextmanager
async def transaction(pool: BoundedPool) -> AsyncIterator[Connection]:
    """A pooled connection inside one transaction, with constraint errors translated."""
    async with connection(pool) as conn, translated_errors(), conn.transaction():
        yield conn


Undo = Callable[[], Awaitable[None]]
# What to run should the outermost unit of work of this task roll back.
_undoes: ContextVar[list[Undo] | None] = ContextVar("portfolio_undo_on_rollback", default=None)


class PostgresTransactions:
    """Transactions over Postgres: one connection and transaction per outermost unit of work,
    which every store of the same pool uses while inside it; savepoints for nested ones."""

    def __init__(self, pool: BoundedPool) -> None:
        self._pool = pool

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """A unit of work; inside another of this pool, a savepoint of it."""
        held = ambient.get()
        if held is not None and held[0] is self._pool:
            async with translated_errors(), held[1].transaction():
                yield
            return
        undoes: list[Undo] = []
        async with connection(self._pool) as conn, translated_errors():
            held_token, undo_token = ambient.set((self._pool, conn)), _undoes.set(undoes)
            try:
                async with conn.transaction():
                    try:
                        yield
                    except BaseException:
                        ambient.reset(held_token)
                        _undoes.reset(undo_token)
                        raise
                    # Committed (or found not to be) on leaving: past this point a failure
                    # leaves the outcome unknown, so nothing is undone.
                    ambient.reset(held_token)
                    _undoes.reset(undo_token)
                    undoes.clear()
            except BaseException:
                for undo in reversed(undoes):
                    await undo()
                raise

    def on_rollback(self, undo: Undo) -> None:
        """Run ``undo`` if the outermost unit of work open now rolls back for an error."""
        undoes = _undoes.get()
        if undoes is not None:
            undoes.append(undo)


async def one(conn: Connection, query: str, params: Sequence[Any]) -> Any:
    """The first column of the single row ``query`` returns."""
    cursor = await conn.execute(query.encode(), params)
    row = await cursor.fetchone()
    if row is None:
        raise LookupError("the statement returned no row")
    return row[0]


async def document(conn: Connection, view: str, object_id: int, kind: type[Any]) -> Any:
    """Row ``object_id`` of a ``*_documents`` view, decoded into ``kind``."""
    raw = await one(conn, f"SELECT doc::text FROM {view} WHERE id = %s", (object_id,))
    return msgspec.json.decode(raw, type=kind)


async def optional_document(
    conn: Connection, view: str, object_id: int, kind: type[Any]
) -> Any | None:
    """Like ``document``, but None when the view has no such row."""
    cursor = await conn.execute(
        f"SELECT doc::text FROM {view} WHERE id = %s".encode(), (object_id,)
    )
    row = await cursor.fetchone()
    return None if row is None else msgspec.json.decode(row[0], type=kind)


def assignments(changes: Sequence[str], columns: dict[str, str]) -> str:
    """``col = %s, ...`` for the changed attributes; ValueError for one that is no column.

    Only fixed column names ever reach the SQL text; the values go as parameters.
    """
    unknown = [name for name in changes if name not in columns]
    if unknown:
        raise ValueError(f"not a stored field: {', '.join(unknown)}")
    return "".join(f"{columns[name]} = %s, " for name in changes)


# Postgres' now() is the transaction's start, which two quick writes can share; the
# microsecond step makes updated_at move on every change all the same.
TOUCH = "updated_at = greatest(now(), updated_at + interval '1 microsecond')"
