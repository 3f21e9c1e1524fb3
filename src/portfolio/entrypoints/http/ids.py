"""Ids as clients spell them in paths and fields: positive 64-bit decimal integers, nothing else."""

from __future__ import annotations

from portfolio.application.ids import MAX_ID
from portfolio.domain import NotFound


def parse_id(raw: str) -> int | None:
    """The positive 64-bit id spelled by ``raw`` in ASCII digits, or None."""
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 30:
        return None
    value = int(raw)
    return value if 0 < value <= MAX_ID else None


def path_id(raw: str, missing: type[NotFound]) -> int:
    """The id a path names; ``missing`` (404) when it could never name an object."""
    object_id = parse_id(raw)
    if object_id is None:
        raise missing
    return object_id
