"""Permission codes: ``<resource><action>``, two digits each (4202 = retrieve a portfolio)."""

from __future__ import annotations

__all__ = [
    "RETRIEVE_PORTFOLIO",
    "Action",
    "Resource",
    "is_permission_code",
    "permission_code",
]

from enum import IntEnum


class Resource(IntEnum):
    """What a permission is about; the first two digits of a code."""

    MEDIA = 41
    PORTFOLIOS = 42
    EMPLOYERS = 43
    TAGS = 44
    LINKS = 45
    META = 46
    USERS = 47
    TOKENS = 48


class Action(IntEnum):
    """What a permission allows; the last two digits of a code."""

    LIST = 1
    RETRIEVE = 2
    CREATE = 3
    UPDATE = 4
    DELETE = 5


def permission_code(resource: Resource, action: Action) -> int:
    """The code that grants ``action`` on ``resource``."""
    return resource * 100 + action


def is_permission_code(code: int) -> bool:
    """Whether ``code`` names a real resource and action."""
    resource, action = divmod(code, 100)
    return resource in Resource._value2member_map_ and action in Action._value2member_map_


RETRIEVE_PORTFOLIO = permission_code(Resource.PORTFOLIOS, Action.RETRIEVE)
