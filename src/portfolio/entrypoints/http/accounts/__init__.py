"""Accounts over HTTP: signing in and out (``/api/auth/``), users and their tokens
(``/api/users/``)."""

from portfolio.entrypoints.http.accounts.sign_in import AuthEndpoints, auth_routes
from portfolio.entrypoints.http.accounts.users import (
    USER_HANDLERS,
    USER_OPERATIONS,
    USERS,
    UserEndpoints,
)

__all__ = [
    "USERS",
    "USER_HANDLERS",
    "USER_OPERATIONS",
    "AuthEndpoints",
    "UserEndpoints",
    "auth_routes",
]
