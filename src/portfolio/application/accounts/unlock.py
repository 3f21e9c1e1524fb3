"""Unlocking a user's sign-in: an admin's answer to a username locked by failed guesses."""

from __future__ import annotations

from portfolio.application.accounts.errors import UnknownUser
from portfolio.application.accounts.throttle import SignInThrottle
from portfolio.application.ports import UserStore
from portfolio.domain import Principal, UserNotFound


class UnlockSignIn:
    """Forget the failed sign-ins counted against a user's username, from every client
    address, so that they may sign in again at once. Who may do it is the caller's rule (admins
    over HTTP, the operator at the command line)."""

    def __init__(self, users: UserStore, throttle: SignInThrottle) -> None:
        self._users = users
        self._throttle = throttle

    async def of_user(self, user_id: int) -> Principal:
        """Unlock user ``user_id``; UserNotFound when there is none."""
        user = await self._users.get(user_id)
        if user is None:
            raise UserNotFound
        await self._throttle.forget(user.username)
        return user

    async def of_name(self, username: str) -> Principal:
        """Unlock the user called ``username``; UnknownUser when there is none."""
        user = await self._users.get_by_username(username)
        if user is None:
            raise UnknownUser(username)
        await self._throttle.forget(user.username)
        return user
