"""The wire objects of signing in and of users and their tokens."""

from __future__ import annotations

from datetime import datetime

import msgspec


class UserData(msgspec.Struct):
    """A user as admins manage them; never a password hash or a token key."""

    id: int
    username: str
    is_active: bool
    is_staff: bool
    is_admin: bool
    permissions: list[int]


class TokenData(msgspec.Struct):
    """One API token of a user: its dates only, never its key or digest."""

    id: int
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class SignedIn(msgspec.Struct):
    """What a sign-in answers: the new key, shown once, and when it expires."""

    token: str
    expires_at: datetime


class CurrentUser(msgspec.Struct):
    """The signed-in user, for a client to decide what to show (``/api/auth/me/``)."""

    id: int
    username: str
    is_staff: bool
    is_admin: bool
    permissions: list[int]
    token_expires_at: datetime | None
