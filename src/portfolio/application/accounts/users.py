"""Use cases around users: create, change, set passwords, deactivate, list.

Who may do what beyond the permission codes: staff act only on accounts no richer than their
own, before and after the change (``may_manage``: only admins make or change admins, and
nobody comes to hold a code their changer lacks, whether by a grant, a flag, a reactivation or
a password), and no change may leave the service without an active admin (the store checks
that atomically with the change).

Every change is one unit of work with its audit entry: ``create``, ``update``, ``delete`` (a
user made inactive) or ``restore`` (made active again) on the ``user``, naming the fields
changed; a new password is the field ``password``, never a value or a hash.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from portfolio.application.accounts.errors import InvalidPermissionCode, UnknownUser
from portfolio.application.accounts.passwords import require_password_rules
from portfolio.application.changes import (
    CREATE,
    DELETE,
    OPERATOR,
    RESTORE,
    UPDATE,
    USER,
    Author,
    Change,
    Journal,
)
from portfolio.application.fields import NewUser, UserChanges
from portfolio.application.ids import require_id
from portfolio.application.listing import Page, fetch_page
from portfolio.application.ports import (
    Clock,
    PasswordHasher,
    TokenStore,
    Transactions,
    UserStore,
)
from portfolio.domain import (
    PermissionDenied,
    Principal,
    UserNotFound,
    is_permission_code,
    may_manage,
)

if TYPE_CHECKING:
    from collections.abc import Sequence


PASSWORD = "password"  # noqa: S105 - a field name, not a secret
"""The field name a new password is recorded under in the audit log (never its value)."""
_USER_FIELDS = ("username", "is_staff", "is_admin", "is_active", "permissions")
# A user is never deleted: deactivating is the account's delete, reactivating its restore.
_ACTIVATIONS = {(True, False): DELETE, (False, True): RESTORE}


@dataclass(frozen=True, slots=True)
class Accounts:
    """What the use cases that change accounts work with: the users and their tokens, the
    password hasher, the clock, and the unit of work and journal each change is written in."""

    users: UserStore
    tokens: TokenStore
    passwords: PasswordHasher
    clock: Clock
    transactions: Transactions
    journal: Journal


class AdministerUsers:
    """Users as admins and the operator manage them: with passwords, changes, deactivation,
    grants of codes and the rules of who may change whom.

    ``by`` is who makes the change: its user is held to the rules of who may change whom; with
    none (the operator at the command line, the default), anything goes.
    """

    def __init__(self, accounts: Accounts) -> None:
        self._accounts = accounts

    async def create(
        self,
        username: str,
        *,
        is_staff: bool = False,
        is_admin: bool = False,
        is_active: bool = True,
        permissions: frozenset[int] = frozenset(),
        password: str | None = None,
        by: Author = OPERATOR,
    ) -> Principal:
        """Add a user with the given flags, codes and (when given) password."""
        _require_codes(permissions)
        made = Principal(0, username, is_active, is_staff, is_admin, permissions)
        require_may_manage(by.user, made)
        password_hash = None
        if password is not None:
            require_password_rules(password)
            password_hash = self._accounts.passwords.hash(password)
        fields = (*_USER_FIELDS, PASSWORD) if password is not None else _USER_FIELDS
        async with self._accounts.transactions.transaction():
            created = await self._accounts.users.create(
                NewUser(username, is_staff, is_admin, is_active, permissions, password_hash)
            )
            await self._accounts.journal.record(Change(CREATE, USER, created.id, fields), by)
        return created

    async def get(self, user_id: int) -> Principal:
        """The user; UserNotFound when there is none."""
        user = await self._accounts.users.get(require_id(user_id, UserNotFound))
        if user is None:
            raise UserNotFound
        return user

    async def list(self, terms: Sequence[str], number: int, size: int) -> Page[Principal]:
        """Page ``number`` of the users whose username holds every term, by id."""
        return await fetch_page(
            lambda window: self._accounts.users.find(terms, window), number, size
        )

    async def update(
        self,
        user_id: int,
        changes: UserChanges,
        by: Author = OPERATOR,
        password: str | None = None,
    ) -> Principal:
        """The user with ``changes`` (and ``password`` when given); a user made inactive loses
        every live token. Recorded as ``delete`` when it deactivates the user, ``restore``
        when it reactivates them, else ``update``."""
        user = await self.get(user_id)
        if changes.permissions is not None:
            _require_codes(changes.permissions)
        require_may_manage(by.user, user, _changed(user, changes))
        if password is not None:
            require_password_rules(password)
        fields = tuple(name for name in _USER_FIELDS if getattr(changes, name) is not None)
        async with self._accounts.transactions.transaction():
            updated = await self._accounts.users.update(user_id, changes)
            if password is not None:
                await self._accounts.users.set_password_hash(
                    user_id, self._accounts.passwords.hash(password)
                )
                fields = (*fields, PASSWORD)
            if user.is_active and not updated.is_active:
                await self._accounts.tokens.revoke_all(user_id, self._accounts.clock())
            action = _ACTIVATIONS.get((user.is_active, updated.is_active), UPDATE)
            await self._accounts.journal.record(Change(action, USER, user_id, fields), by)
        return updated

    async def deactivate(self, user_id: int, by: Author = OPERATOR) -> None:
        """Make the user inactive and revoke their tokens; the user and their history stay."""
        await self.update(user_id, UserChanges(is_active=False), by)

    async def set_password(self, user_id: int, password: str, by: Author = OPERATOR) -> None:
        """Give the user a new password; their tokens stay valid."""
        require_may_manage(by.user, await self.get(user_id))
        require_password_rules(password)
        password_hash = self._accounts.passwords.hash(password)
        async with self._accounts.transactions.transaction():
            if not await self._accounts.users.set_password_hash(user_id, password_hash):
                raise UserNotFound
            await self._accounts.journal.record(Change(UPDATE, USER, user_id, (PASSWORD,)), by)

    async def set_password_of(self, username: str, password: str) -> Principal:
        """The operator's way: a new password for the user called ``username``."""
        user = await self._by_name(username)
        await self.set_password(user.id, password)
        return user

    async def grant(self, username: str, codes: frozenset[int]) -> Principal:
        """The operator's way: add permission codes to the user called ``username``."""
        _require_codes(codes)
        user = await self._by_name(username)
        async with self._accounts.transactions.transaction():
            granted = await self._accounts.users.grant(user.id, codes)
            await self._accounts.journal.record(
                Change(UPDATE, USER, user.id, ("permissions",)), OPERATOR
            )
        return granted

    async def _by_name(self, username: str) -> Principal:
        user = await self._accounts.users.get_by_username(username)
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
