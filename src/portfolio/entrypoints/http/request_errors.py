"""Errors about the shape of a request itself, raised and mapped in the HTTP layer only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class NotAuthenticated(Exception):
    """The request carries no credentials (no ``Authorization: Token``)."""


class InvalidFields(Exception):
    """Values a client sent that break the rules: each field (or ``non_field_errors``) maps
    to its messages."""

    def __init__(self, errors: Mapping[str, Sequence[str]]) -> None:
        self.errors = {field: list(messages) for field, messages in errors.items()}
        super().__init__("; ".join(f"{field}: {' '.join(self.errors[field])}" for field in errors))


class RequestRefused(Exception):
    """A request refused before any use case runs, with a status and the project's own words
    (never a library's, whose wording changes between releases)."""

    def __init__(self, status_code: int, detail: str) -> None:
        self.status_code = status_code
        self.detail = detail
        super().__init__(detail)


def bad_request(detail: str) -> RequestRefused:
    """400 ``{"detail": detail}``."""
    return RequestRefused(400, detail)


def too_large(detail: str) -> RequestRefused:
    """413 ``{"detail": detail}``."""
    return RequestRefused(413, detail)
