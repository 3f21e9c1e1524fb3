"""Who calls the service and what they may do."""

from __future__ import annotations

__all__ = ["Principal", "may_manage"]

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated user as the permission rules see it."""

    id: int
    username: str
    is_active: bool
    is_staff: bool
    is_admin: bool
    permissions: frozenset[int] = field(default_factory=frozenset)

    def may(self, code: int) -> bool:
        """Active admins may do anything; active staff only what they were granted."""
        if not self.is_active:
            return False
        return self.is_admin or (self.is_staff and code in self.permissions)


def may_manage(actor: Principal, user: Principal) -> bool:
    """Whether ``actor`` may act on ``user``'s account (change, promote, reactivate, set a
    password, see or revoke tokens): admins on anyone; staff only on users who are not
    admins and hold no code the staff user lacks.

    Codes count whether or not they are in force: switching ``is_staff`` on or reactivating
    a user puts them in force, so a staff user who could do that to a richer account could
    sign in as it and hold codes of its own choosing. Apply it to a user before and after a
    change: nobody may come to hold a code their changer lacks.
    """
    if actor.is_admin:
        return True
    return not user.is_admin and user.permissions <= actor.permissions
