"""Users and API tokens in memory, with the same rules as the Postgres stores."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from itertools import count

from portfolio.adapters.memory.changes import InMemoryChangeNumbers
from portfolio.adapters.memory.transactions import Table
from portfolio.application.accounts.errors import UserAlreadyExists
from portfolio.application.fields import NewUser, UserChanges
from portfolio.application.listing import Slice, Window
from portfolio.application.ports import StoredToken
from portfolio.application.revalidation import ACCOUNTS
from portfolio.domain import LastActiveAdmin, Principal, UserNotFound


class InMemoryUserStore:
    """UserStore in memory."""

    def __init__(self, changes: InMemoryChangeNumbers | None = None) -> None:
        self._ids = count(1)
        self.users: Table[int, Principal] = Table()
        self._password_hashes: Table[int, str] = Table()
        self.changes = changes or InMemoryChangeNumbers()

    def changed(self) -> None:
        """Move the accounts' change number: a user, their codes or a token was written."""
        self.changes.moved(ACCOUNTS)

    async def create(self, new: NewUser) -> Principal:
        """Add a user; usernames are unique."""
        if any(user.username == new.username for user in self.users.values()):
            raise UserAlreadyExists(new.username)
        user = Principal(
            id=next(self._ids),
            username=new.username,
            is_active=new.is_active,
            is_staff=new.is_staff,
            is_admin=new.is_admin,
            permissions=frozenset(new.permissions),
        )
        self.users[user.id] = user
        if new.password_hash is not None:
            self._password_hashes[user.id] = new.password_hash
        self.changed()
        return user

    async def get(self, user_id: int) -> Principal | None:
        """The user with this id, or None."""
        return self.users.get(user_id)

    async def find(self, search: Sequence[str], window: Window) -> Slice[Principal]:
        """Users whose username holds every term, ignoring case, by id."""
        found = [
            user
            for _, user in sorted(self.users.items())
            if all(term.lower() in user.username.lower() for term in search)
        ]
        return Slice(tuple(found[window.offset : window.offset + window.limit]), len(found))

    async def update(self, user_id: int, changes: UserChanges) -> Principal:
        """Apply the changes unless they leave no active admin."""
        user = self.users.get(user_id)
        if user is None:
            raise UserNotFound
        values = {
            name: value
            for name in ("username", "is_staff", "is_admin", "is_active", "permissions")
            if (value := getattr(changes, name)) is not None
        }
        updated = replace(user, **values)
        others = (other for other in self.users.values() if other.id != user_id)
        if any(other.username == updated.username for other in others):
            raise UserAlreadyExists(updated.username)
        after = {**self.users, user_id: updated}
        was_admin = user.is_admin and user.is_active
        if was_admin and not any(other.is_admin and other.is_active for other in after.values()):
            raise LastActiveAdmin
        self.users[user_id] = updated
        self.changed()
        return updated

    async def password_hash(self, username: str) -> tuple[Principal, str | None] | None:
        """The user and their password hash, or None."""
        user = await self.get_by_username(username)
        if user is None:
            return None
        return user, self._password_hashes.get(user.id)

    async def set_password_hash(self, user_id: int, password_hash: str) -> bool:
        """Replace the user's hash."""
        if user_id not in self.users:
            return False
        self._password_hashes[user_id] = password_hash
        self.changed()
        return True

    async def get_by_username(self, username: str) -> Principal | None:
        """The user with this username, or None."""
        return next((user for user in self.users.values() if user.username == username), None)

    async def grant(self, user_id: int, codes: frozenset[int]) -> Principal:
        """Add codes to a user."""
        user = self.users[user_id]
        self.users[user_id] = replace(user, permissions=user.permissions | codes)
        self.changed()
        return self.users[user_id]


class InMemoryTokenStore:
    """TokenStore in memory; owners are read from the user store at lookup, as a join would."""

    def __init__(self, users: InMemoryUserStore) -> None:
        self._users = users
        self._ids = count(1)
        self._tokens: Table[bytes, StoredToken] = Table()

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
        self._users.changed()
        return token

    async def revoke(self, digest: bytes, moment: datetime) -> bool:
        """Revoke one live token."""
        token = self._tokens.get(digest)
        if token is None or token.revoked_at is not None:
            return False
        self._tokens[digest] = replace(token, revoked_at=moment)
        self._users.changed()
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
        if live:
            self._users.changed()
        return len(live)

    async def list_for(self, user_id: int) -> list[StoredToken]:
        """Every token of a user, oldest first."""
        mine = [
            replace(token, owner=self._users.users[user_id])
            for token in self._tokens.values()
            if token.owner.id == user_id
        ]
        return sorted(mine, key=lambda token: token.id)

    async def revoke_one(self, user_id: int, token_id: int, moment: datetime) -> bool:
        """Revoke the token unless it is; False when the user has no such token."""
        for digest, token in self._tokens.items():
            if token.id == token_id and token.owner.id == user_id:
                if token.revoked_at is None:
                    self._tokens[digest] = replace(token, revoked_at=moment)
                    self._users.changed()
                return True
        return False

    async def touch(self, token_id: int, moment: datetime) -> None:
        """Record the last use; a later use already recorded is kept."""
        for digest, token in self._tokens.items():
            if token.id == token_id and (token.last_used_at is None or token.last_used_at < moment):
                self._tokens[digest] = replace(token, last_used_at=moment)
                self._users.changed()
