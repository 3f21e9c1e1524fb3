"""Use cases around API tokens: checking a presented key, signing in with a password,
issuing, listing and revoking keys.

Sign-ins, failed sign-ins, sign-outs and every token made or revoked are audited; a key, a
digest or a password tried never is. Checking a presented key is not (a read, not a write).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from portfolio.application.accounts.errors import InactiveUser, UnknownUser
from portfolio.application.accounts.throttle import SignInThrottle, Throttle
from portfolio.application.accounts.users import Accounts, require_may_manage
from portfolio.application.changes import (
    API,
    CREATE,
    OPERATOR,
    REVOKE,
    SIGN_IN,
    SIGN_IN_FAILED,
    SIGN_OUT,
    TOKEN,
    USER,
    Author,
    Change,
    Journal,
)
from portfolio.application.ids import require_id
from portfolio.application.ports import (
    Clock,
    StoredToken,
    TokenStore,
    Transactions,
    UserStore,
)
from portfolio.domain import (
    AuthenticationFailed,
    InvalidCredentials,
    Principal,
    TokenNotFound,
    UserNotFound,
)

INVALID_TOKEN = "Invalid token."  # noqa: S105 - a message, not a secret
USER_INACTIVE = "User inactive or deleted."
LAST_USED_RESOLUTION = timedelta(minutes=1)
"""How stale a token's "last used" may be: recording every use would write on every read."""


def token_digest(key: str) -> bytes:
    """The SHA-256 of a key; keys are 160 random bits, so no salt or stretching is needed."""
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).digest()


def token_failures_key(client: str) -> str:
    """The throttling key of failed token authentications from ``client``."""
    return f"token-client:{client}"


class Authenticate:
    """Turn a presented token key into the principal it belongs to."""

    def __init__(self, tokens: TokenStore, clock: Clock, throttle: Throttle | None = None) -> None:
        self._tokens = tokens
        self._clock = clock
        self._throttle = throttle

    async def __call__(self, key: str, client: str | None = None) -> Principal:
        """The owner of ``key``; AuthenticationFailed when the key or its owner is not usable."""
        return (await self.token(key, client)).owner

    async def token(self, key: str, client: str | None = None) -> StoredToken:
        """The live token of ``key`` with its owner; AuthenticationFailed otherwise.

        With a throttle and a ``client``, each failure is counted against the client, and a
        client over its limit is Throttled instead. A valid key is always accepted: the limit
        costs the requests that succeed nothing, and nobody is slowed by failures of others
        behind the same address.
        """
        try:
            return await self._valid_token(key)
        except AuthenticationFailed:
            if self._throttle is None or client is None:
                raise
            failures = token_failures_key(client)
            await self._throttle.check(failures)
            await self._throttle.failed(failures)
            raise

    async def _valid_token(self, key: str) -> StoredToken:
        digest = token_digest(key)
        stored = await self._tokens.find(digest)
        # The store found it by digest; comparing again in constant time keeps any
        # lookup shortcut in an adapter from turning into a timing oracle.
        if stored is None or not hmac.compare_digest(stored.digest, digest):
            raise AuthenticationFailed(INVALID_TOKEN)
        now = self._clock()
        if not stored.is_valid_at(now):
            raise AuthenticationFailed(INVALID_TOKEN)
        if not stored.owner.is_active:
            raise AuthenticationFailed(USER_INACTIVE)
        if stored.last_used_at is None or now - stored.last_used_at >= LAST_USED_RESOLUTION:
            await self._tokens.touch(stored.id, now)
        return stored


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A freshly made token: the key is shown once and never stored."""

    key: str
    token: StoredToken


class SignIn:
    """Exchange a username and password for a new token that expires.

    Unknown users, wrong passwords, users without a password and inactive users all fail alike
    and in about the same time: a password is always checked against a hash, a dummy one when
    there is none. Failures are throttled per username from one client address, per client
    address and per username (SignInThrottle).

    A sign-in is audited as ``sign_in`` of the new token by its user. A failure is
    ``sign_in_failed`` by nobody, of the user whose name was tried when there is one (a name
    that names nobody is not kept: it may be a password typed in the wrong box); a sign-in
    refused by the throttle checked nothing and is not audited, so guessing cannot flood the
    log past the throttle's limits.
    """

    def __init__(self, accounts: Accounts, throttle: SignInThrottle, lifetime: timedelta) -> None:
        self._accounts = accounts
        self._throttle = throttle
        self._lifetime = lifetime
        self._dummy_hash: str | None = None

    async def __call__(
        self, username: str, password: str, client: str, request_id: str | None = None
    ) -> IssuedToken:
        """A new token for the user; InvalidCredentials or Throttled otherwise."""
        await self._throttle.check(username, client)
        found = await self._accounts.users.password_hash(username)
        user, stored_hash = found if found is not None else (None, None)
        matches = self._accounts.passwords.verify(stored_hash or self._dummy(), password)
        if user is None or stored_hash is None or not matches or not user.is_active:
            await self._throttle.failed(username, client)
            tried = None if user is None else user.id
            await self._accounts.journal.record(
                Change(SIGN_IN_FAILED, USER, tried), Author(None, API, request_id, client)
            )
            raise InvalidCredentials
        key = secrets.token_hex(20)
        async with self._accounts.transactions.transaction():
            if self._accounts.passwords.needs_rehash(stored_hash):
                await self._accounts.users.set_password_hash(
                    user.id, self._accounts.passwords.hash(password)
                )
            expires_at = self._accounts.clock() + self._lifetime
            token = await self._accounts.tokens.add(user.id, token_digest(key), expires_at)
            await self._accounts.journal.record(
                Change(SIGN_IN, TOKEN, token.id), Author(user, API, request_id, client)
            )
        return IssuedToken(key=key, token=token)

    def _dummy(self) -> str:
        # Made with today's parameters, so checking against it costs what a real check costs.
        if self._dummy_hash is None:
            self._dummy_hash = self._accounts.passwords.hash(secrets.token_hex(16))
        return self._dummy_hash


class ManageTokens:
    """Issue, list and revoke the API tokens of users; each token made is audited as
    ``create`` and each revoked as ``revoke`` of the ``token`` (every token of a user at once:
    ``revoke`` of the ``user``, field ``tokens``)."""

    def __init__(
        self,
        tokens: TokenStore,
        users: UserStore,
        clock: Clock,
        transactions: Transactions,
        journal: Journal,
    ) -> None:
        self._tokens = tokens
        self._users = users
        self._clock = clock
        self._transactions = transactions
        self._journal = journal

    async def issue(
        self, username: str, expires_in: timedelta | None = None, by: Author = OPERATOR
    ) -> IssuedToken:
        """Make a new key for ``username``, valid for ``expires_in`` when given; InactiveUser
        for a deactivated user (a key made now would start working on reactivation, which
        brings no old key back either)."""
        user = await self._require_user(username)
        if not user.is_active:
            raise InactiveUser(username)
        key = secrets.token_hex(20)
        expires_at = self._clock() + expires_in if expires_in is not None else None
        async with self._transactions.transaction():
            token = await self._tokens.add(user.id, token_digest(key), expires_at)
            await self._journal.record(Change(CREATE, TOKEN, token.id), by)
        return IssuedToken(key=key, token=token)

    async def revoke(self, key: str, by: Author = OPERATOR) -> bool:
        """Revoke the token with this key; False when there is no live one."""
        digest = token_digest(key)
        async with self._transactions.transaction():
            stored = await self._tokens.find(digest)
            if stored is None or not await self._tokens.revoke(digest, self._clock()):
                return False
            await self._journal.record(Change(REVOKE, TOKEN, stored.id), by)
        return True

    async def revoke_all(self, username: str, by: Author = OPERATOR) -> int:
        """Revoke every live token of ``username``."""
        user = await self._require_user(username)
        async with self._transactions.transaction():
            revoked = await self._tokens.revoke_all(user.id, self._clock())
            if revoked:
                await self._journal.record(Change(REVOKE, USER, user.id, ("tokens",)), by)
        return revoked

    async def list_for(self, username: str) -> list[StoredToken]:
        """Every token of ``username`` (digests only, never keys)."""
        user = await self._require_user(username)
        return await self._tokens.list_for(user.id)

    async def of_user(self, user_id: int, actor: Principal | None = None) -> list[StoredToken]:
        """Every token of user ``user_id``, oldest first; UserNotFound when there is none,
        PermissionDenied when ``actor`` may not act on that account."""
        user = await self._users.get(require_id(user_id, UserNotFound))
        if user is None:
            raise UserNotFound
        require_may_manage(actor, user)
        return await self._tokens.list_for(user_id)

    async def revoke_of_user(self, user_id: int, token_id: int, by: Author) -> None:
        """Revoke one token of user ``user_id`` (revoking twice is harmless).

        Only those who may act on the account revoke its tokens (``may_manage``).
        """
        require_id(user_id, UserNotFound)
        require_id(token_id, TokenNotFound)
        user = await self._users.get(user_id)
        if user is None:
            raise UserNotFound
        require_may_manage(by.user, user)
        await self._revoked(user_id, token_id, Change(REVOKE, TOKEN, token_id), by)

    async def sign_out(self, token: StoredToken, by: Author) -> None:
        """Revoke the token its owner signed in with, audited as their ``sign_out``."""
        await self._revoked(token.owner.id, token.id, Change(SIGN_OUT, TOKEN, token.id), by)

    async def _revoked(self, user_id: int, token_id: int, change: Change, by: Author) -> None:
        async with self._transactions.transaction():
            if not await self._tokens.revoke_one(user_id, token_id, self._clock()):
                raise TokenNotFound
            await self._journal.record(change, by)

    async def _require_user(self, username: str) -> Principal:
        user = await self._users.get_by_username(username)
        if user is None:
            raise UnknownUser(username)
        return user
