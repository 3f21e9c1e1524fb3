"""Object ids: positive 64-bit integers (Postgres bigint)."""

from __future__ import annotations

from portfolio.domain import NotFound

MAX_ID = 2**63 - 1
"""The largest id; anything outside 1..MAX_ID can never name an object."""


def require_id(object_id: int, missing: type[NotFound]) -> int:
    """``object_id`` itself; ``missing`` (a NotFound) when it could never name an object."""
    if not 0 < object_id <= MAX_ID:
        raise missing
    return object_id
