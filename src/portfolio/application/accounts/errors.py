"""Errors the use cases raise besides the domain's own."""

from __future__ import annotations

from portfolio.domain import DomainError


class UserAlreadyExists(DomainError):
    """The username is taken."""


class UnknownUser(DomainError):
    """No user has that username."""


class InvalidPermissionCode(DomainError):
    """A code that names no resource and action."""


class InactiveUser(DomainError):
    """The user is deactivated: reactivate them first."""

    def __init__(self, username: str) -> None:
        super().__init__(f"user {username} is inactive: reactivate them first")
