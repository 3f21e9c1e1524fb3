"""Password hashes with Argon2id (argon2-cffi)."""

from portfolio.adapters.argon2.passwords import Argon2PasswordHasher

__all__ = ["Argon2PasswordHasher"]
