"""Object ids: positive 64-bit integers (Postgres bigint).

Every use case taking an id from outside calls ``require_id`` before any store sees it: the
rule protects every caller (HTTP, the command line, other services), and a number past bigint
never reaches SQL, where it would be a database error instead of a NotFound.
"""

from __future__ import annotations

from portfolio.domain import NotFound

MAX_ID = 2**63 - 1
"""The largest id; anything outside 1..MAX_ID can never name an object."""


def is_id(number: int) -> bool:
    """Whether ``number`` could name an object (1..MAX_ID)."""
    return 0 < number <= MAX_ID


def require_id(object_id: int, missing: type[NotFound]) -> int:
    """``object_id`` itself; ``missing`` (a NotFound) when it could never name an object."""
    if not is_id(object_id):
        raise missing
    return object_id
