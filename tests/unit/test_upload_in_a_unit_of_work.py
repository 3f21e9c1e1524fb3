"""An upload recorded inside a unit of work that then fails leaves no file and no record."""

from __future__ import annotations

import io

import pytest

from portfolio.adapters.memory.database import InMemoryDatabase
from portfolio.adapters.memory.storage import InMemoryMediaStorage
from portfolio.adapters.memory.transactions import InMemoryTransactions
from portfolio.adapters.pillow.images import PillowImageProcessor
from portfolio.application.media.upload import UploadMedia
from tests import media_samples
from tests.media_fakes import fixed_clock


class AnswerNotKept(Exception):
    """What fails after the upload was recorded (keeping a retry's answer, say)."""


async def test_files_go_when_the_unit_of_work_they_were_recorded_in_fails() -> None:
    database, storage, transactions = (
        InMemoryDatabase(),
        InMemoryMediaStorage(),
        InMemoryTransactions(),
    )
    upload = UploadMedia(
        storage, database.media, PillowImageProcessor(), fixed_clock, transactions=transactions
    )
    with pytest.raises(AnswerNotKept):
        async with transactions.transaction():
            media = await upload(io.BytesIO(media_samples.png()), "logo.png")
            assert len(list(storage.list_objects())) == 5  # the file and four thumbnails
            raise AnswerNotKept
    assert list(storage.list_objects()) == []
    assert await database.media.get(media.id) is None


async def test_files_stay_when_the_unit_of_work_commits() -> None:
    database, storage, transactions = (
        InMemoryDatabase(),
        InMemoryMediaStorage(),
        InMemoryTransactions(),
    )
    upload = UploadMedia(
        storage, database.media, PillowImageProcessor(), fixed_clock, transactions=transactions
    )
    async with transactions.transaction():
        media = await upload(io.BytesIO(media_samples.png()), "logo.png")
    assert len(list(storage.list_objects())) == 5
    assert await database.media.get(media.id) == media
