"""Users and API tokens in memory, with the same rules as the Postgres stores."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from itertools import count

from portfolio.application import StoredToken, UserAlreadyExists
from portfolio.domain import Principal


class InMemoryUserStore:
    """UserStore in memory."""

    def __init__(self) -> None:
        self._ids = count(1)
        self.users: dict[int, Principal] = {}

    async def create(
        self,
        username: str,
        *,
        is_staff: bool,
        is_admin: bool,
        is_active: bool,
        permissions: frozenset[int],
    ) -> Principal:
        """Add a user; usernames are unique."""
        if any(user.username == username for user in self.users.values()):
            raise UserAlreadyExists(username)
        user = Principal(
            id=next(self._ids),
            username=username,
            is_active=is_active,
            is_staff=is_staff,
            is_admin=is_admin,
            permissions=frozenset(permissions),
        )
        self.users[user.id] = user
        return user

    async def get_by_username(self, username: str) -> Principal | None:
        """The user with this username, or None."""
        return next((user for user in self.users.values() if user.username == username), None)

    async def grant(self, user_id: int, codes: frozenset[int]) -> Principal:
        """Add codes to a user."""
        user = self.users[user_id]
        self.users[user_id] = replace(user, permissions=user.permissions | codes)
        return self.users[user_id]


class InMemoryTokenStore:
    """TokenStore in memory; owners are read from the user store at lookup, as a join would."""

    def __init__(self, users: InMemoryUserStore) -> None:
        self._users = users
        self._ids = count(1)
        self._tokens: dict[bytes, StoredToken] = {}

    async def find(self, digest: bytes) -> StoredToken | None:
        """The token with this digest and its current owner, or None."""
        token = self._tokens.get(digest)
        if token is None:
            return None
        return replace(token, owner=self._users.users[token.owner.id])

    async def add(self, user_id: int, digest: bytes, expires_at: datetime | None) -> StoredToken:
        """Keep a new token."""
        token = StoredToken(
            id=next(self._ids),
            digest=digest,
            owner=self._users.users[user_id],
            created_at=datetime.now(UTC),
            expires_at=expires_at,
            revoked_at=None,
        )
        self._tokens[digest] = token
        return token

    async def revoke(self, digest: bytes, moment: datetime) -> bool:
        """Revoke one live token."""
        token = self._tokens.get(digest)
        if token is None or token.revoked_at is not None:
            return False
        self._tokens[digest] = replace(token, revoked_at=moment)
        return True

    async def revoke_all(self, user_id: int, moment: datetime) -> int:
        """Revoke every live token of a user."""
        live = [
            token
            for token in self._tokens.values()
            if token.owner.id == user_id and token.revoked_at is None
        ]
        for token in live:
            self._tokens[token.digest] = replace(token, revoked_at=moment)
        return len(live)

    async def list_for(self, user_id: int) -> list[StoredToken]:
        """Every token of a user, oldest first."""
        mine = [token for token in self._tokens.values() if token.owner.id == user_id]
        return sorted(mine, key=lambda token: token.id)
