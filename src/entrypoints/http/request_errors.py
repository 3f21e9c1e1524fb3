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
