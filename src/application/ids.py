"""Object ids as clients spell them: positive 64-bit decimal integers, nothing else."""

from __future__ import annotations

from domain import NotFound

# Ids are Postgres bigint; anything outside can never name an object.
MAX_ID = 2**63 - 1


def parse_id(raw: str) -> int | None:
    """The positive 64-bit id spelled by ``raw`` in ASCII digits, or None."""
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 30:
        return None
    value = int(raw)
    return value if 0 < value <= MAX_ID else None


def require_id(raw: str | int, missing: type[NotFound]) -> int:
    """The id ``raw`` names; ``missing`` (a NotFound) when it could never name an object."""
    object_id = parse_id(raw) if isinstance(raw, str) else raw
    if object_id is None or not 0 < object_id <= MAX_ID:
        raise missing
    return object_id
