"""What can go wrong in the domain's own terms; the HTTP layer maps these once."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the service raises on purpose."""


class NotFound(DomainError):
    """The thing asked for does not exist (or the id could never name one)."""


class PortfolioNotFound(NotFound):
    """No portfolio has that id."""


class NotAuthenticated(DomainError):
    """The request carries no credentials."""


class AuthenticationFailed(DomainError):
    """Credentials were given but cannot be accepted; the message says why."""


class PermissionDenied(DomainError):
    """The caller is known but may not do this."""


class ServiceUnavailable(DomainError):
    """A backing service (the database) does not answer; worth retrying later."""


class DuplicateValue(DomainError):
    """A value that must be unique is taken (``field`` names it: title, slug, name)."""

    def __init__(self, entity: str, field: str) -> None:
        super().__init__(f"{entity} with this {field} already exists.")
        self.entity = entity
        self.field = field


class MissingReference(DomainError):
    """A referenced id names nothing (``field`` is the referring field, ``value`` the id)."""

    def __init__(self, field: str, value: int) -> None:
        super().__init__(f'Invalid pk "{value}" - object does not exist.')
        self.field = field
        self.value = value
