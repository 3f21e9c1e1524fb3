"""Use cases around users: create, change, set passwords, deactivate, list.

Who may do what beyond the permission codes: staff act only on accounts no richer than their
own, before and after the change (``may_manage``: only admins make or change admins, and
nobody comes to hold a code their changer lacks, whether by a grant, a flag, a reactivation or
a password), and no change may leave the service without an active admin (the store checks
that atomically with the change).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from portfolio.application.accounts.errors import InvalidPermissionCode, UnknownUser
from portfolio.application.accounts.passwords import require_password_rules
from portfolio.application.fields import UserChanges
from portfolio.application.listing import Page, fetch_page
from portfolio.application.ports import Clock, PasswordHasher, TokenStore, UserStore
from portfolio.domain import (
    PermissionDenied,
    Principal,
    UserNotFound,
    is_permission_code,
    may_manage,
)

if TYPE_CHECKING:
    from collections.abc import Sequence


class ManageUsers:
    """The operator's plain user records: create users and grant them codes."""

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
        """Add a user with the given flags and codes, and no password."""
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


class AdministerUsers:
    """Users as admins manage them: with passwords, changes, deactivation and the rules of who
    may change whom.

    ``actor`` is the signed-in user making the change over the API; None is the operator at the
    command line, who may do anything.
    """

    def __init__(
        self, users: UserStore, tokens: TokenStore, passwords: PasswordHasher, clock: Clock
    ) -> None:
        self._users = users
        self._tokens = tokens
        self._passwords = passwords
        self._clock = clock

    async def create(
        self,
        username: str,
        *,
        is_staff: bool = False,
        is_admin: bool = False,
        is_active: bool = True,
        permissions: frozenset[int] = frozenset(),
        password: str | None = None,
        actor: Principal | None = None,
    ) -> Principal:
        """Add a user with the given flags, codes and (when given) password."""
        _require_codes(permissions)
        made = Principal(0, username, is_active, is_staff, is_admin, permissions)
        require_may_manage(actor, made)
        password_hash = None
        if password is not None:
            require_password_rules(password)
            password_hash = self._passwords.hash(password)
        return await self._users.create(
            username,
            is_staff=is_staff,
            is_admin=is_admin,
            is_active=is_active,
            permissions=permissions,
            password_hash=password_hash,
        )

    async def get(self, user_id: int) -> Principal:
        """The user; UserNotFound when there is none."""
        user = await self._users.get(user_id)
        if user is None:
            raise UserNotFound
        return user

    async def list(self, terms: Sequence[str], number: int, size: int) -> Page[Principal]:
        """Page ``number`` of the users whose username holds every term, by id."""
        return await fetch_page(lambda window: self._users.find(terms, window), number, size)

    async def update(
        self,
        user_id: int,
        changes: UserChanges,
        actor: Principal | None = None,
        password: str | None = None,
    ) -> Principal:
        """The user with ``changes`` (and ``password`` when given); a user made inactive loses
        every live token."""
        user = await self.get(user_id)
        if changes.permissions is not None:
            _require_codes(changes.permissions)
        require_may_manage(actor, user, _changed(user, changes))
        if password is not None:
            require_password_rules(password)
        updated = await self._users.update(user_id, changes)
        if password is not None:
            await self._users.set_password_hash(user_id, self._passwords.hash(password))
        if user.is_active and not updated.is_active:
            await self._tokens.revoke_all(user_id, self._clock())
        return updated

    async def deactivate(self, user_id: int, actor: Principal | None = None) -> None:
        """Make the user inactive and revoke their tokens; the user and their history stay."""
        await self.update(user_id, UserChanges(is_active=False), actor)

    async def set_password(
        self, user_id: int, password: str, actor: Principal | None = None
    ) -> None:
        """Give the user a new password; their tokens stay valid."""
        require_may_manage(actor, await self.get(user_id))
        require_password_rules(password)
        if not await self._users.set_password_hash(user_id, self._passwords.hash(password)):
            raise UserNotFound

    async def set_password_of(self, username: str, password: str) -> Principal:
        """The operator's way: a new password for the user called ``username``."""
        user = await self._by_name(username)
        await self.set_password(user.id, password)
        return user

    async def _by_name(self, username: str) -> Principal:
        user = await self._users.get_by_username(username)
        if user is None:
            raise UnknownUser(username)
        return user


def _require_codes(codes: frozenset[int]) -> None:
    invalid = sorted(code for code in codes if not is_permission_code(code))
    if invalid:
        raise InvalidPermissionCode(", ".join(map(str, invalid)))


def require_may_manage(actor: Principal | None, *accounts: Principal) -> None:
    """PermissionDenied unless ``actor`` may act on every one of ``accounts`` (the operator
    at the command line, None, may act on any)."""
    if actor is not None and not all(may_manage(actor, account) for account in accounts):
        raise PermissionDenied


def _changed(user: Principal, changes: UserChanges) -> Principal:
    """``user`` as ``changes`` would leave it."""
    given = {
        name: value
        for name in ("username", "is_staff", "is_admin", "is_active", "permissions")
        if (value := getattr(changes, name)) is not None
    }
    return replace(user, **given)
