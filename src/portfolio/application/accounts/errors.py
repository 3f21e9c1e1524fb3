"""Errors the use cases raise besides the domain's own."""

from __future__ import annotations

from portfolio.domain import DomainError


class UserAlreadyExists(DomainError):
    """The username is taken."""


class UnknownUser(DomainError):
    """No user has that username."""


class InvalidPermissionCode(DomainError):
    """A code that names no resource and action."""
