"""Who calls the service and what they may do."""

from __future__ import annotations

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
