"""Users, permission codes and API tokens in Postgres."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import psycopg

from portfolio.adapters.postgres.pool import BoundedPool, Connection, connection
from portfolio.application import StoredToken, UserAlreadyExists
from portfolio.domain import Principal

_USER_COLUMNS = """
    u.id, u.username, u.is_active, u.is_staff, u.is_admin,
    ARRAY(SELECT p.code FROM user_permissions p WHERE p.user_id = u.id)
"""

FIND_TOKEN_SQL = f"""
SELECT t.id, t.digest, t.created_at, t.expires_at, t.revoked_at, {_USER_COLUMNS}
FROM api_tokens t JOIN users u ON u.id = t.user_id
WHERE t.digest = %s
"""

_TOKENS_OF_USER = f"""
SELECT t.id, t.digest, t.created_at, t.expires_at, t.revoked_at, {_USER_COLUMNS}
FROM api_tokens t JOIN users u ON u.id = t.user_id
WHERE t.user_id = %s ORDER BY t.id
"""


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
    token_id, digest, created_at, expires_at, revoked_at = row[:5]
    return StoredToken(
        id=token_id,
        digest=bytes(digest),
        owner=_principal(row[5:]),
        created_at=created_at,
        expires_at=expires_at,
        revoked_at=revoked_at,
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


class PostgresUserStore:
    """UserStore over Postgres."""

    def __init__(self, pool: BoundedPool) -> None:
        self._pool = pool

    async def create(
        self,
        username: str,
        *,
        is_staff: bool,
        is_admin: bool,
        is_active: bool,
        permissions: frozenset[int],
    ) -> Principal:
        """Insert a user and their codes in one transaction."""
        async with connection(self._pool) as conn:
            try:
                async with conn.transaction():
                    cursor = await conn.execute(
                        "INSERT INTO users (username, is_staff, is_admin, is_active)"
                        " VALUES (%s, %s, %s, %s) RETURNING id",
                        (username, is_staff, is_admin, is_active),
                    )
                    (user_id,) = await _one(cursor)
                    await _insert_codes(conn, user_id, permissions)
            except psycopg.errors.UniqueViolation as error:
                raise UserAlreadyExists(username) from error
            return await _load_user(conn, "u.id = %s", user_id)

    async def get_by_username(self, username: str) -> Principal | None:
        """The user with this username, or None."""
        async with connection(self._pool) as conn:
            try:
                return await _load_user(conn, "u.username = %s", username)
            except LookupError:
                return None

    async def grant(self, user_id: int, codes: frozenset[int]) -> Principal:
        """Add codes; codes already held are left as they are."""
        async with connection(self._pool) as conn:
            await _insert_codes(conn, user_id, codes)
            return await _load_user(conn, "u.id = %s", user_id)


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
