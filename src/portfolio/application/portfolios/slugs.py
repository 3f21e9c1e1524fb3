"""Portfolio slugs: what a valid one looks like, and how a unique one is made from a title."""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Collection
from itertools import count

SLUG_MAX_LENGTH = 200
SLUG_PATTERN = re.compile(r"^[a-z0-9-]+$")
"""Lower-case ASCII letters, digits and hyphens: safe in any URL without escaping."""

# A title with no Latin letters or digits (Persian, say) still needs a slug.
FALLBACK_SLUG = "portfolio"
# Room left for a "-<n>" suffix, so a made slug never exceeds the maximum.
_SUFFIX_ROOM = 10
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(title: str) -> str:
    """``"Web Design: Café!"`` -> ``"web-design-cafe"``; accents dropped, other characters
    become single hyphens."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_SLUG.sub("-", ascii_title.lower()).strip("-")
    return slug[: SLUG_MAX_LENGTH - _SUFFIX_ROOM].rstrip("-") or FALLBACK_SLUG


def free_slug(base: str, taken: Collection[str]) -> str:
    """``base`` itself, or ``base-2``, ``base-3``, ... whichever is first not in ``taken``."""
    if base not in taken:
        return base
    for number in count(2):
        candidate = f"{base}-{number}"
        if candidate not in taken:
            return candidate
    raise AssertionError("unreachable: count() never ends")


def random_variant(base: str) -> str:
    """``base-<6 random hex digits>``: for when many writers race for the same slug."""
    return f"{base}-{secrets.token_hex(3)}"
