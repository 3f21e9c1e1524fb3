"""``HEAD /media/{key}`` answers from the file's first bytes, never reading the rest."""

from __future__ import annotations

import io
from typing import BinaryIO

from dependency_injector import providers

from portfolio.adapters.memory.storage import InMemoryMediaStorage
from portfolio.entrypoints.http.app import create_app
from tests import media_samples
from tests.app_client import SameLoopClient
from tests.memory_container import in_memory_container

KEY = "core_media/2026/03/02/big.png"


class CountingReads(InMemoryMediaStorage):
    """In-memory storage that counts the bytes read from the files it opens."""

    def __init__(self) -> None:
        super().__init__()
        self.bytes_read = 0

    def open(self, key: str) -> BinaryIO:
        storage = self

        class Counted(io.BytesIO):
            def read(self, size: int | None = -1) -> bytes:
                data = super().read(size)
                storage.bytes_read += len(data)
                return data

        return Counted(super().open(key).read())


async def test_head_sends_the_length_but_reads_only_the_sniffed_bytes() -> None:
    storage = CountingReads()
    data = media_samples.png() + bytes(2_000_000)
    storage.save(KEY, io.BytesIO(data))
    container = in_memory_container()
    container.media_storage.override(providers.Object(storage))

    async with SameLoopClient(create_app(container)) as client:
        head = await client.head(f"/media/{KEY}")
        read_by_head = storage.bytes_read
        get = await client.get(f"/media/{KEY}")

    assert (head.status_code, head.content) == (200, b"")
    assert head.headers["content-length"] == str(len(data))
    assert read_by_head < 64 * 1024
    assert get.content == data
    assert storage.bytes_read - read_by_head >= len(data)
