"""Byte sizes as people read them."""

from __future__ import annotations

__all__ = ["human_readable_size"]

from functools import lru_cache

_UNITS = ("B", "KB", "MB", "GB", "TB")


# The same sizes come back on every read of the same media: formatting once is enough.
@lru_cache(maxsize=4096)
def human_readable_size(size: int) -> str:
    """Base 1024, two decimals, B to TB: 73062 -> "71.35 KB", 512 -> "512.00 B"."""
    value = float(size)
    for unit in _UNITS[:-1]:
        if abs(value) < 1024:
            return f"{value:.2f} {unit}"
        value /= 1024
    return f"{value:.2f} {_UNITS[-1]}"
