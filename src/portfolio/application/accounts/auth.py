"""Use cases around API tokens: checking a presented key, issuing and revoking keys."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from portfolio.application.accounts.errors import InvalidPermissionCode, UnknownUser
from portfolio.application.ports import Clock, StoredToken, TokenStore, UserStore
from portfolio.domain import AuthenticationFailed, Principal, is_permission_code

INVALID_TOKEN = "Invalid token."  # noqa: S105 - a message, not a secret
USER_INACTIVE = "User inactive or deleted."


def token_digest(key: str) -> bytes:
    """The SHA-256 of a key; keys are 160 random bits, so no salt or stretching is needed."""
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).digest()


class Authenticate:
    """Turn a presented token key into the principal it belongs to."""

    def __init__(self, tokens: TokenStore, clock: Clock) -> None:
        self._tokens = tokens
        self._clock = clock

    async def __call__(self, key: str) -> Principal:
        """The owner of ``key``; AuthenticationFailed when the key or its owner is not usable."""
        digest = token_digest(key)
        stored = await self._tokens.find(digest)
        # The store found it by digest; comparing again in constant time keeps any
        # lookup shortcut in an adapter from turning into a timing oracle.
        if stored is None or not hmac.compare_digest(stored.digest, digest):
            raise AuthenticationFailed(INVALID_TOKEN)
        if not stored.is_valid_at(self._clock()):
            raise AuthenticationFailed(INVALID_TOKEN)
        if not stored.owner.is_active:
            raise AuthenticationFailed(USER_INACTIVE)
        return stored.owner


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A freshly made token: the key is shown once and never stored."""

    key: str
    token: StoredToken


class ManageTokens:
    """Issue, list and revoke the API tokens of users."""

    def __init__(self, tokens: TokenStore, users: UserStore, clock: Clock) -> None:
        self._tokens = tokens
        self._users = users
        self._clock = clock

    async def issue(self, username: str, expires_in: timedelta | None = None) -> IssuedToken:
        """Make a new key for ``username``, valid for ``expires_in`` when given."""
        user = await self._require_user(username)
        key = secrets.token_hex(20)
        expires_at = self._clock() + expires_in if expires_in is not None else None
        token = await self._tokens.add(user.id, token_digest(key), expires_at)
        return IssuedToken(key=key, token=token)

    async def revoke(self, key: str) -> bool:
        """Revoke the token with this key; False when there is no live one."""
        return await self._tokens.revoke(token_digest(key), self._clock())

    async def revoke_all(self, username: str) -> int:
        """Revoke every live token of ``username``."""
        user = await self._require_user(username)
        return await self._tokens.revoke_all(user.id, self._clock())

    async def list_for(self, username: str) -> list[StoredToken]:
        """Every token of ``username`` (digests only, never keys)."""
        user = await self._require_user(username)
        return await self._tokens.list_for(user.id)

    async def _require_user(self, username: str) -> Principal:
        user = await self._users.get_by_username(username)
        if user is None:
            raise UnknownUser(username)
        return user


class ManageUsers:
    """Create users and grant them permission codes."""

    def __init__(self, users: UserStore) -> None:
        self._users = users

    async def create(
        self,
        username: str,
        *,
        is_staff: bool = False,
        is_admin: bool = False,
        is_active: bool = True,
        permissions: frozenset[int] = frozenset(),
    ) -> Principal:
        """Add a user with the given flags and codes."""
        _require_codes(permissions)
        return await self._users.create(
            username,
            is_staff=is_staff,
            is_admin=is_admin,
            is_active=is_active,
            permissions=permissions,
        )

    async def grant(self, username: str, codes: frozenset[int]) -> Principal:
        """Add permission codes to an existing user."""
        _require_codes(codes)
        user = await self._users.get_by_username(username)
        if user is None:
            raise UnknownUser(username)
        return await self._users.grant(user.id, codes)


def _require_codes(codes: frozenset[int]) -> None:
    invalid = sorted(code for code in codes if not is_permission_code(code))
    if invalid:
        raise InvalidPermissionCode(", ".join(map(str, invalid)))
