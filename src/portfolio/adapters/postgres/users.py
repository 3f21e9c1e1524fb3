"""Users, permission codes and API tokens in Postgres."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import psycopg
from psycopg import sql

from portfolio.adapters.postgres.pages import search_conditions
from portfolio.adapters.postgres.pool import BoundedPool, Connection, connection
from portfolio.application.accounts.errors import UserAlreadyExists
from portfolio.application.fields import NewUser, UserChanges
from portfolio.application.listing import Slice, Window
from portfolio.application.ports import StoredToken
from portfolio.domain import LastActiveAdmin, Principal, UserNotFound

_USER_COLUMNS = """
    u.id, u.username, u.is_active, u.is_staff, u.is_admin,
    ARRAY(SELECT p.code FROM user_permissions p WHERE p.user_id = u.id)
"""

FIND_TOKEN_SQL = f"""
SELECT t.id, t.digest, t.created_at, t.expires_at, t.revoked_at, t.last_used_at, {_USER_COLUMNS}
FROM api_tokens t JOIN users u ON u.id = t.user_id
WHERE t.digest = %s
"""

_TOKENS_OF_USER = f"""
SELECT t.id, t.digest, t.created_at, t.expires_at, t.revoked_at, t.last_used_at, {_USER_COLUMNS}
FROM api_tokens t JOIN users u ON u.id = t.user_id
WHERE t.user_id = %s ORDER BY t.id
"""


_PASSWORD_OF_USER = (
    f"SELECT u.password_hash, {_USER_COLUMNS} FROM users u WHERE u.username = %s".encode()
)


def _principal(row: tuple[Any, ...]) -> Principal:
    user_id, username, is_active, is_staff, is_admin, codes = row
    return Principal(
        id=user_id,
        username=username,
        is_active=is_active,
        is_staff=is_staff,
        is_admin=is_admin,
        permissions=frozenset(codes),
    )


def _stored_token(row: tuple[Any, ...]) -> StoredToken:
    token_id, digest, created_at, expires_at, revoked_at, last_used_at = row[:6]
    return StoredToken(
        id=token_id,
        digest=bytes(digest),
        owner=_principal(row[6:]),
        created_at=created_at,
        expires_at=expires_at,
        revoked_at=revoked_at,
        last_used_at=last_used_at,
    )


class PostgresTokenStore:
    """TokenStore over Postgres."""

    def __init__(self, pool: BoundedPool) -> None:
        self._pool = pool

    async def find(self, digest: bytes) -> StoredToken | None:
        """The token with this digest and its owner, in one round trip."""
        async with connection(self._pool) as conn:
            cursor = await conn.execute(FIND_TOKEN_SQL, (digest,), prepare=True)
            row = await cursor.fetchone()
        return None if row is None else _stored_token(row)

    async def add(self, user_id: int, digest: bytes, expires_at: datetime | None) -> StoredToken:
        """Insert a token and return it as stored."""
        async with connection(self._pool) as conn:
            await conn.execute(
                "INSERT INTO api_tokens (user_id, digest, expires_at) VALUES (%s, %s, %s)",
                (user_id, digest, expires_at),
            )
            cursor = await conn.execute(FIND_TOKEN_SQL, (digest,))
            return _stored_token(await _one(cursor))

    async def revoke(self, digest: bytes, moment: datetime) -> bool:
        """Mark one live token revoked."""
        async with connection(self._pool) as conn:
            cursor = await conn.execute(
                "UPDATE api_tokens SET revoked_at = %s WHERE digest = %s AND revoked_at IS NULL",
                (moment, digest),
            )
        return cursor.rowcount == 1

    async def revoke_all(self, user_id: int, moment: datetime) -> int:
        """Mark every live token of a user revoked."""
        async with connection(self._pool) as conn:
            cursor = await conn.execute(
                "UPDATE api_tokens SET revoked_at = %s WHERE user_id = %s AND revoked_at IS NULL",
                (moment, user_id),
            )
        return cursor.rowcount

    async def list_for(self, user_id: int) -> list[StoredToken]:
        """Every token of a user, oldest first."""
        async with connection(self._pool) as conn:
            cursor = await conn.execute(_TOKENS_OF_USER, (user_id,))
            rows = await cursor.fetchall()
        return [_stored_token(row) for row in rows]

    async def revoke_one(self, user_id: int, token_id: int, moment: datetime) -> bool:
        """Mark the token revoked unless it is; False when the user has no such token."""
        async with connection(self._pool) as conn:
            cursor = await conn.execute(
                "UPDATE api_tokens SET revoked_at = coalesce(revoked_at, %s)"
                " WHERE id = %s AND user_id = %s",
                (moment, token_id, user_id),
            )
        return cursor.rowcount == 1

    async def touch(self, token_id: int, moment: datetime) -> None:
        """Record the last use; a later use already recorded is kept."""
        async with connection(self._pool) as conn:
            await conn.execute(
                "UPDATE api_tokens SET last_used_at = %s"
                " WHERE id = %s AND (last_used_at IS NULL OR last_used_at < %s)",
                (moment, token_id, moment),
                prepare=True,
            )


class PostgresUserStore:
    """UserStore over Postgres."""

    def __init__(self, pool: BoundedPool) -> None:
        self._pool = pool

    async def create(self, user: NewUser) -> Principal:
        """Insert a user and their codes in one transaction."""
        async with connection(self._pool) as conn:
            try:
                async with conn.transaction():
                    cursor = await conn.execute(
                        "INSERT INTO users (username, is_staff, is_admin, is_active, password_hash)"
                        " VALUES (%s, %s, %s, %s, %s) RETURNING id",
                        (
                            user.username,
                            user.is_staff,
                            user.is_admin,
                            user.is_active,
                            user.password_hash,
                        ),
                    )
                    (user_id,) = await _one(cursor)
                    await _insert_codes(conn, user_id, user.permissions)
            except psycopg.errors.UniqueViolation as error:
                raise UserAlreadyExists(user.username) from error
            return await _load_user(conn, "u.id = %s", user_id)

    async def get_by_username(self, username: str) -> Principal | None:
        """The user with this username, or None."""
        async with connection(self._pool) as conn:
            try:
                return await _load_user(conn, "u.username = %s", username)
            except LookupError:
                return None

    async def get(self, user_id: int) -> Principal | None:
        """The user with this id, or None."""
        async with connection(self._pool) as conn:
            try:
                return await _load_user(conn, "u.id = %s", user_id)
            except LookupError:
                return None

    async def find(self, search: Sequence[str], window: Window) -> Slice[Principal]:
        """Users whose username holds every term, by id: the count and the page."""
        conditions, params = search_conditions(search, "lower(u.username)")
        where = " AND ".join(conditions) or "true"
        async with connection(self._pool) as conn:
            cursor = await conn.execute(
                f"SELECT count(*) FROM users u WHERE {where}".encode(), params
            )
            (total,) = await _one(cursor)
            cursor = await conn.execute(
                f"SELECT {_USER_COLUMNS} FROM users u WHERE {where}"
                f" ORDER BY u.id LIMIT %s OFFSET %s".encode(),
                [*params, window.limit, window.offset],
            )
            rows = await cursor.fetchall()
        return Slice(tuple(_principal(row) for row in rows), total)

    async def grant(self, user_id: int, codes: frozenset[int]) -> Principal:
        """Add codes; codes already held are left as they are."""
        async with connection(self._pool) as conn:
            await _insert_codes(conn, user_id, codes)
            return await _load_user(conn, "u.id = %s", user_id)

    async def update(self, user_id: int, changes: UserChanges) -> Principal:
        """Apply the changes in one transaction that holds every active admin's row, so that
        two changes at once can never both remove the last admin."""
        columns = {
            name: value
            for name in ("username", "is_staff", "is_admin", "is_active")
            if (value := getattr(changes, name)) is not None
        }
        async with connection(self._pool) as conn:
            try:
                async with conn.transaction():
                    locked = await conn.execute(
                        "SELECT id, is_admin AND is_active FROM users"
                        " WHERE (is_admin AND is_active) OR id = %s ORDER BY id FOR UPDATE",
                        (user_id,),
                    )
                    was_admin = any(
                        found == user_id and active_admin
                        for found, active_admin in await locked.fetchall()
                    )
                    if columns:
                        assignments = sql.SQL(", ").join(
                            sql.SQL("{} = %s").format(sql.Identifier(name)) for name in columns
                        )
                        cursor = await conn.execute(
                            sql.SQL("UPDATE users SET {} WHERE id = %s").format(assignments),
                            [*columns.values(), user_id],
                        )
                        if cursor.rowcount == 0:
                            raise UserNotFound
                    if changes.permissions is not None:
                        await conn.execute(
                            "DELETE FROM user_permissions WHERE user_id = %s", (user_id,)
                        )
                        await _insert_codes(conn, user_id, changes.permissions)
                    cursor = await conn.execute(
                        "SELECT count(*) FROM users WHERE is_admin AND is_active"
                    )
                    (admins,) = await _one(cursor)
                    # Only a change to an active admin can leave none (a service may have
                    # none yet: its operator makes the first at the command line).
                    if admins == 0 and was_admin:
                        raise LastActiveAdmin
                    return await _load_user(conn, "u.id = %s", user_id)
            except psycopg.errors.UniqueViolation as error:
                raise UserAlreadyExists(changes.username or "") from error
            except psycopg.errors.ForeignKeyViolation as error:
                raise UserNotFound from error
            except LookupError as error:
                raise UserNotFound from error

    async def password_hash(self, username: str) -> tuple[Principal, str | None] | None:
        """The user and their password hash, in one round trip."""
        async with connection(self._pool) as conn:
            cursor = await conn.execute(
                _PASSWORD_OF_USER,
                (username,),
                prepare=True,
            )
            row = await cursor.fetchone()
        if row is None:
            return None
        return _principal(row[1:]), row[0]

    async def set_password_hash(self, user_id: int, password_hash: str) -> bool:
        """Replace the user's hash."""
        async with connection(self._pool) as conn:
            cursor = await conn.execute(
                "UPDATE users SET password_hash = %s WHERE id = %s", (password_hash, user_id)
            )
        return cursor.rowcount == 1


async def _insert_codes(conn: Connection, user_id: int, codes: frozenset[int]) -> None:
    if codes:
        await conn.execute(
            "INSERT INTO user_permissions (user_id, code) SELECT %s, unnest(%s::integer[])"
            " ON CONFLICT DO NOTHING",
            (user_id, sorted(codes)),
        )


async def _one(cursor: psycopg.AsyncCursor[tuple[Any, ...]]) -> tuple[Any, ...]:
    row = await cursor.fetchone()
    if row is None:
        raise LookupError("the statement returned no row")
    return row


async def _load_user(conn: Connection, where: str, value: object) -> Principal:
    query = f"SELECT {_USER_COLUMNS} FROM users u WHERE {where}"
    cursor = await conn.execute(query.encode(), (value,))
    return _principal(await _one(cursor))
