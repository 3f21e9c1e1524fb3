"""Copying every file between two stores: verified, resumable, never overwriting."""

from __future__ import annotations

import io
from collections.abc import Iterator

from portfolio.adapters.memory.storage import InMemoryMediaStorage
from portfolio.application.media.copy_storage import CopyOutcome, CopyStorage
from portfolio.application.ports import StoredObject

KEYS = {
    "core_media/2026/03/02/a.png": b"a" * 3000,
    "core_media/2026/03/02/thumbnails/a_thumbnail_64x64.png": b"t" * 10,
    "core_media/2026/03/03/notes.txt": b"hello",
}


def filled() -> InMemoryMediaStorage:
    storage = InMemoryMediaStorage()
    for key, data in KEYS.items():
        storage.save(key, io.BytesIO(data))
    return storage


def test_every_file_is_copied_under_its_own_key() -> None:
    source, target = filled(), InMemoryMediaStorage()
    copier = CopyStorage(source, target)

    reports = list(copier.run(copier.plan()))

    assert [(report.key, report.outcome) for report in reports] == [
        (key, CopyOutcome.COPIED) for key in sorted(KEYS)
    ]
    assert target.files == KEYS


def test_a_second_run_finds_everything_there_and_copies_nothing() -> None:
    source, target = filled(), InMemoryMediaStorage()
    copier = CopyStorage(source, target)
    list(copier.run(copier.plan()[:1]))  # a run stopped after the first file

    reports = list(copier.run(copier.plan()))

    assert [report.outcome for report in reports] == [
        CopyOutcome.ALREADY_THERE,
        CopyOutcome.COPIED,
        CopyOutcome.COPIED,
    ]
    assert target.files == KEYS


def test_other_bytes_under_a_key_are_a_conflict_and_kept() -> None:
    source, target = filled(), InMemoryMediaStorage()
    target.save("core_media/2026/03/03/notes.txt", io.BytesIO(b"HELLO"))
    copier = CopyStorage(source, target)

    reports = {report.key: report for report in copier.run(copier.plan())}

    assert reports["core_media/2026/03/03/notes.txt"].outcome is CopyOutcome.CONFLICT
    assert target.files["core_media/2026/03/03/notes.txt"] == b"HELLO"
    assert "core_media/2026/03/03/notes_1.txt" not in target.files


class CorruptingStorage(InMemoryMediaStorage):
    """Stores every file with its last byte changed, as a broken network path might."""

    def save(self, key: str, source: io.BufferedIOBase) -> str:  # type: ignore[override]
        data = source.read()
        return super().save(key, io.BytesIO(data[:-1] + bytes([data[-1] ^ 1])))


def test_a_copy_that_reads_back_differently_fails_and_is_removed() -> None:
    source, target = filled(), CorruptingStorage()
    copier = CopyStorage(source, target)

    reports = list(copier.run(copier.plan()))

    assert {report.outcome for report in reports} == {CopyOutcome.FAILED}
    assert {report.detail for report in reports} == {"the copy read back differently"}
    assert target.files == {}


class VanishingSource(InMemoryMediaStorage):
    """Lists a file it no longer holds, as when a delete runs during the copy."""

    def list_objects(self) -> Iterator[StoredObject]:
        yield from super().list_objects()
        yield StoredObject("core_media/gone.png", 1, next(super().list_objects()).modified_at)


def test_a_file_gone_from_the_source_is_reported_and_the_rest_goes_on() -> None:
    source = VanishingSource()
    source.save("core_media/kept.png", io.BytesIO(b"k"))
    target = InMemoryMediaStorage()
    copier = CopyStorage(source, target)

    reports = {report.key: report.outcome for report in copier.run(copier.plan())}

    assert reports == {
        "core_media/gone.png": CopyOutcome.FAILED,
        "core_media/kept.png": CopyOutcome.COPIED,
    }
