"""Unlocking a user's sign-in: an admin's answer to a username locked by failed guesses."""

from __future__ import annotations

from portfolio.application.accounts.errors import UnknownUser
from portfolio.application.accounts.throttle import SignInThrottle
from portfolio.application.changes import OPERATOR, UPDATE, USER, Author, Change, Journal
from portfolio.application.ids import require_id
from portfolio.application.ports import Transactions, UserStore
from portfolio.domain import Principal, UserNotFound

SIGN_IN_FAILURES = "sign_in_failures"
"""The field an unlock changes, as the audit log names it."""


class UnlockSignIn:
    """Forget the failed sign-ins counted against a user's username, from every client
    address, so that they may sign in again at once. Who may do it is the caller's rule (admins
    over HTTP, the operator at the command line). Audited as an ``update`` of the user, field
    ``sign_in_failures``: the entry is written first, and undone if the counters cannot be
    cleared (they may live in Redis, outside the unit of work)."""

    def __init__(
        self,
        users: UserStore,
        throttle: SignInThrottle,
        transactions: Transactions,
        journal: Journal,
    ) -> None:
        self._users = users
        self._throttle = throttle
        self._transactions = transactions
        self._journal = journal

    async def of_user(self, user_id: int, by: Author = OPERATOR) -> Principal:
        """Unlock user ``user_id``; UserNotFound when there is none."""
        user = await self._users.get(require_id(user_id, UserNotFound))
        if user is None:
            raise UserNotFound
        return await self._unlocked(user, by)

    async def of_name(self, username: str, by: Author = OPERATOR) -> Principal:
        """Unlock the user called ``username``; UnknownUser when there is none."""
        user = await self._users.get_by_username(username)
        if user is None:
            raise UnknownUser(username)
        return await self._unlocked(user, by)

    async def _unlocked(self, user: Principal, by: Author) -> Principal:
        async with self._transactions.transaction():
            await self._journal.record(Change(UPDATE, USER, user.id, (SIGN_IN_FAILURES,)), by)
            await self._throttle.forget(user.username)
        return user
