"""The stages adapters report to an Observer, and the observer that does nothing with them."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext

DB_ACQUIRE = "db.acquire"
"""Waiting for a pooled database connection."""

DB_STATEMENT = "db.statement"
"""One SQL statement; attribute ``db.query.text`` holds its text, never its values."""

IMAGE_DECODE = "image.decode"
"""Decoding an uploaded image; attribute ``image.format``."""

IMAGE_THUMBNAIL = "image.thumbnail"
"""Making one thumbnail from the decoded image: resizing and encoding; ``image.format``."""


class Unobserved:
    """An Observer that ignores every stage: the default of every adapter."""

    def stage(self, name: str, **attributes: str | int) -> AbstractContextManager[None]:
        """A context that does nothing."""
        return nullcontext()


UNOBSERVED = Unobserved()
