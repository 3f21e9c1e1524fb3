"""What a password must be, and checking one in the same time whether or not the user exists."""

from __future__ import annotations

from portfolio.domain import DomainError

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
"""Long enough for any passphrase; the bound keeps a request from buying much hashing."""


class InvalidPassword(DomainError):
    """A new password that breaks the rules; the message says which."""


def require_password_rules(password: str) -> None:
    """InvalidPassword unless ``password`` is 8 to 1024 characters, not all white space."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidPassword(
            f"This password is too short. It must contain at least {MIN_PASSWORD_LENGTH} "
            "characters."
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidPassword(
            f"This password is too long. It must contain at most {MAX_PASSWORD_LENGTH} characters."
        )
    if not password.strip():
        raise InvalidPassword("This password is entirely white space.")
    if "\x00" in password:
        raise InvalidPassword("Null characters are not allowed.")
