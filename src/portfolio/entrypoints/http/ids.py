"""Ids as clients spell them in paths and fields: decimal numerals in ASCII digits.

Whether a number could name an object is the application's rule (``application.ids``): a path's
id is checked once, by the use case it reaches; a query parameter or a body field asks the rule
here, because its refusal is a 400 naming the field.
"""

from __future__ import annotations

from portfolio.application.ids import is_id
from portfolio.domain import NotFound

_LONGEST = 30
"""The longest numeral read, leading zeros included: longer ones are refused unread (reading
costs time with the length, and no id needs more)."""


def parse_number(raw: str) -> int | None:
    """The number ``raw`` spells in ASCII digits, or None: syntax only, no range."""
    if not (raw.isascii() and raw.isdigit()) or len(raw) > _LONGEST:
        return None
    return int(raw)


def parse_id(raw: str) -> int | None:
    """The id a query parameter spells, or None when it is no numeral or could never name an
    object."""
    number = parse_number(raw)
    return number if number is not None and is_id(number) else None


def path_id(raw: str, missing: type[NotFound]) -> int:
    """The number a path segment spells; ``missing`` (404) when it spells none. Its range is
    the use case's check (``require_id``), made once before any store sees it."""
    number = parse_number(raw)
    if number is None:
        raise missing
    return number
