"""Media bytes in memory, keyed exactly like the filesystem storage."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import BinaryIO

from portfolio.application.media.keys import free_variant
from portfolio.application.ports import StoredObject


def _utc_now() -> datetime:
    return datetime.now(UTC)


class InMemoryMediaStorage:
    """MediaStorage in memory; URLs are built the same way as for the filesystem."""

    def __init__(
        self, base_url: str | None = None, clock: Callable[[], datetime] = _utc_now
    ) -> None:
        self._base_url = base_url
        self._clock = clock
        self.files: dict[str, bytes] = {}
        self.modified_at: dict[str, datetime] = {}
        # Use cases save from worker threads; choosing a free key and taking it is one step.
        self._lock = threading.Lock()

    def save(self, key: str, source: BinaryIO) -> str:
        """Keep the bytes under ``key`` or a free variant of it; never overwrites."""
        data = source.read()
        with self._lock:
            used = free_variant(key, self.files.__contains__)
            self.files[used] = data
            self.modified_at[used] = self._clock()
        return used

    def open(self, key: str) -> BinaryIO:
        """A readable copy of the stored bytes."""
        if key not in self.files:
            raise FileNotFoundError(key)
        return io.BytesIO(self.files[key])

    def delete(self, key: str) -> None:
        """Forget the bytes under ``key``."""
        with self._lock:
            self.files.pop(key, None)
            self.modified_at.pop(key, None)

    def exists(self, key: str) -> bool:
        """Whether bytes are kept under ``key``."""
        return key in self.files

    def url(self, key: str) -> str | None:
        """The configured base URL followed by the key; None when no base is configured."""
        return None if self._base_url is None else self._base_url + key

    def list_objects(self) -> Iterator[StoredObject]:
        """Every kept file, from a snapshot taken at the call."""
        with self._lock:
            now = self._clock()
            # Tests may put bytes in ``files`` directly; those count as written now.
            snapshot = [
                StoredObject(key, len(data), self.modified_at.get(key, now))
                for key, data in self.files.items()
            ]
        yield from snapshot
