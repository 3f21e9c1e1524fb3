"""Revalidation: whether an answer built earlier may still stand, without building it again."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

from portfolio.application.ports import CatalogueChanges

VALIDATORS_KEPT = 10_000
"""How many answers' validators a process remembers (least recently used go first)."""


@dataclass(frozen=True, slots=True)
class KnownValidator:
    """The validator of an answer, the catalogue's change number read before it was built, and
    the permission code needed to see it (None: none beyond the credentials)."""

    version: int
    validator: str
    permission: int | None


class Revalidation:
    """Remembers each answer's validator with the change number it was built at: while the
    number has not moved, nothing the answer shows has changed, so the validator still holds.

    The memory is the process's own; another process simply builds the answer once.
    """

    def __init__(self, changes: CatalogueChanges, kept: int = VALIDATORS_KEPT) -> None:
        self._changes = changes
        self._kept = kept
        self._known: OrderedDict[Hashable, KnownValidator] = OrderedDict()

    async def version(self) -> int | None:
        """The catalogue's change number now: read it before building an answer."""
        return await self._changes.version()

    def still_valid(self, answer: Hashable, version: int | None) -> KnownValidator | None:
        """What is known of ``answer`` if it was built at ``version``; None otherwise."""
        known = self._known.get(answer)
        if known is None or version is None or known.version != version:
            return None
        self._known.move_to_end(answer)
        return known

    def remember(
        self, answer: Hashable, version: int | None, validator: str, permission: int | None
    ) -> None:
        """Keep the validator of ``answer``, built after the number read was ``version``."""
        known = self._known.get(answer)
        # A slower request built at an older number must not replace a newer validator.
        if version is None or (known is not None and known.version > version):
            return
        self._known[answer] = KnownValidator(version, validator, permission)
        self._known.move_to_end(answer)
        while len(self._known) > self._kept:
            self._known.popitem(last=False)
