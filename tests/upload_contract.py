"""Upload use case tests, run against every MediaStorage (in memory, on disk).

A test class inherits UploadMediaContract and provides two fixtures: ``storage`` and
``stored_keys`` (a function listing every file the storage holds).
"""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Callable

import pytest

from portfolio.adapters.memory.database import InMemoryDatabase
from portfolio.adapters.pillow.images import PillowImageProcessor
from portfolio.application.media.upload import MediaLimits, UploadMedia
from portfolio.application.ports import MediaStorage
from portfolio.domain import (
    CorruptImage,
    EmptyFile,
    ExtensionMismatch,
    FileTooLarge,
    ServiceUnavailable,
    TooManyPixels,
    fit_within,
)
from tests import media_samples
from tests.media_fakes import DiskFillsUp, HeldMediaRepository, OffLoopOnly, fixed_clock
from tests.media_samples import thumbnail_image

DAY = "core_media/2026/03/02"
StoredKeys = Callable[[], list[str]]


class UploadMediaContract:
    """What uploading guarantees, whatever the storage."""

    @pytest.fixture
    def database(self) -> InMemoryDatabase:
        """An empty in-memory database."""
        return InMemoryDatabase()

    @pytest.fixture
    def upload(self, storage: MediaStorage, database: InMemoryDatabase) -> UploadMedia:
        """The use case under test, over this class's storage."""
        return UploadMedia(storage, database.media, PillowImageProcessor(), fixed_clock)

    async def test_an_image_is_stored_with_four_thumbnails_beside_it(
        self, upload: UploadMedia, storage: MediaStorage, database: InMemoryDatabase
    ) -> None:
        data = media_samples.jpeg((2000, 1500))

        media = await upload(io.BytesIO(data), "Holiday.jpg")

        assert media.key == f"{DAY}/Holiday.jpg"
        assert (media.type, media.name, media.size) == ("image/jpeg", "Holiday.jpg", len(data))
        assert (media.width, media.height, media.mode) == (2000, 1500, "RGB")
        assert [(thumb.size, thumb.key) for thumb in media.thumbnails] == [
            (size, f"{DAY}/thumbnails/Holiday_thumbnail_{size}x{size}.jpg")
            for size in (64, 128, 512, 1080)
        ]
        with storage.open(media.key) as stored:
            assert stored.read() == data
        for thumb in media.thumbnails:
            with storage.open(thumb.key) as stored:
                assert thumbnail_image(stored.read()).size == fit_within(2000, 1500, thumb.size)
        assert database.media_rows[media.id] == media

    @pytest.mark.parametrize(
        ("data", "name", "mime", "extension"),
        [
            (media_samples.jpeg(), "a.jpeg", "image/jpeg", ".jpeg"),
            (media_samples.png(), "a.png", "image/png", ".png"),
            (media_samples.gif(), "a.gif", "image/gif", ".gif"),
            (media_samples.webp(), "a.webp", "image/webp", ".webp"),
            (media_samples.bmp(), "a.bmp", "image/bmp", ".bmp"),
            (media_samples.png(), "no-extension", "image/png", ".png"),
        ],
    )
    async def test_every_accepted_format_is_typed_from_its_content(
        self, upload: UploadMedia, data: bytes, name: str, mime: str, extension: str
    ) -> None:
        media = await upload(io.BytesIO(data), name)

        assert media.type == mime
        assert media.key.endswith(extension)
        assert all(thumb.key.endswith(extension) for thumb in media.thumbnails)
        assert len(media.thumbnails) == 4

    async def test_an_exif_rotated_photo_reports_its_upright_size(
        self, upload: UploadMedia, storage: MediaStorage
    ) -> None:
        media = await upload(io.BytesIO(media_samples.jpeg((800, 600), orientation=6)), "r.jpg")

        assert (media.width, media.height) == (600, 800)
        with storage.open(media.thumbnails[-1].key) as stored:
            assert thumbnail_image(stored.read()).size == (600, 800)

    async def test_a_client_type_is_never_believed_a_png_named_jpg_is_refused(
        self, upload: UploadMedia, stored_keys: StoredKeys, database: InMemoryDatabase
    ) -> None:
        with pytest.raises(ExtensionMismatch, match='"\\.jpg" but the content is a PNG image'):
            await upload(io.BytesIO(media_samples.png()), "photo.jpg")
        assert stored_keys() == []
        assert database.media_rows == {}

    async def test_other_files_are_stored_plain_typed_from_their_content(
        self, upload: UploadMedia, storage: MediaStorage
    ) -> None:
        media = await upload(io.BytesIO(media_samples.pdf()), "Brief.pdf")

        assert (media.type, media.key, media.name) == (
            "application/pdf",
            f"{DAY}/Brief.pdf",
            "Brief.pdf",
        )
        assert (media.width, media.height, media.mode, media.thumbnails) == (None, None, None, ())
        assert storage.exists(media.key)

    async def test_html_is_stored_as_text_so_it_is_never_served_as_a_page(
        self, upload: UploadMedia
    ) -> None:
        media = await upload(io.BytesIO(b"<html><script>alert(1)</script>"), "x.html")

        assert (media.type, media.key, media.name) == ("text/plain", f"{DAY}/x_html.txt", "x.html")

    async def test_unknown_binary_is_octet_stream(self, upload: UploadMedia) -> None:
        media = await upload(io.BytesIO(b"\x00\x01\x02binary"), "blob.dat")

        assert (media.type, media.key) == ("application/octet-stream", f"{DAY}/blob_dat.bin")

    @pytest.mark.parametrize(
        ("name", "shown", "stored"),
        [
            ("../../etc/passwd", "passwd", "passwd.png"),
            ("..\\..\\boot.ini.png", "boot.ini.png", "boot_ini.png"),
            ("a\x00b\r\nc\x1b.png", "abc.png", "abc.png"),
            ("Ünïcodé 写真.png", "Ünïcodé 写真.png", "Unicode.png"),
            ("x" * 400 + ".png", "x" * 251 + ".png", "x" * 100 + ".png"),
        ],
    )
    async def test_hostile_names_are_shown_cleaned_and_never_used_as_paths(
        self, upload: UploadMedia, name: str, shown: str, stored: str
    ) -> None:
        media = await upload(io.BytesIO(media_samples.png((20, 20))), name)

        assert media.name == shown
        assert media.key == f"{DAY}/{stored}"

    async def test_a_gif_with_an_archive_appended_is_taken_as_the_gif_it_starts_as(
        self, upload: UploadMedia, stored_keys: StoredKeys
    ) -> None:
        polyglot = media_samples.gif((60, 40)) + media_samples.zip_archive()

        media = await upload(io.BytesIO(polyglot), "both.gif")
        assert (media.type, media.width, len(media.thumbnails)) == ("image/gif", 60, 4)

        with pytest.raises(ExtensionMismatch, match="content is a GIF image"):
            await upload(io.BytesIO(polyglot), "both.zip")
        assert len(stored_keys()) == 5

    async def test_an_animated_gif_is_stored_animated(
        self, upload: UploadMedia, storage: MediaStorage
    ) -> None:
        data = media_samples.animated_gif(frames=3)

        media = await upload(io.BytesIO(data), "anim.gif")

        with storage.open(media.key) as stored:
            assert stored.read() == data
        with storage.open(media.thumbnails[0].key) as stored:
            assert getattr(thumbnail_image(stored.read()), "n_frames", 1) == 1

    @pytest.mark.parametrize(
        ("data", "name", "error"),
        [
            (b"", "empty.png", EmptyFile),
            (media_samples.png_bomb(), "bomb.png", TooManyPixels),
            (media_samples.jpeg()[:2000], "cut.jpg", CorruptImage),
            (b"\xff\xd8\xff" + b"\x00" * 500, "junk.jpg", CorruptImage),
        ],
    )
    async def test_bad_files_are_refused_and_leave_nothing_behind(
        self,
        upload: UploadMedia,
        stored_keys: StoredKeys,
        database: InMemoryDatabase,
        data: bytes,
        name: str,
        error: type[Exception],
    ) -> None:
        with pytest.raises(error):
            await upload(io.BytesIO(data), name)
        assert stored_keys() == []
        assert database.media_rows == {}

    async def test_an_upload_over_the_byte_limit_is_refused(
        self, storage: MediaStorage, database: InMemoryDatabase, stored_keys: StoredKeys
    ) -> None:
        upload = UploadMedia(
            storage,
            database.media,
            PillowImageProcessor(),
            fixed_clock,
            MediaLimits(max_bytes=1000),
        )

        with pytest.raises(FileTooLarge) as refused:
            await upload(io.BytesIO(b"x" * 1001), "big.txt")
        assert (refused.value.size, refused.value.limit) == (1001, 1000)
        assert stored_keys() == []

    async def test_no_storage_call_blocks_the_event_loop_even_when_cleaning_up(
        self, storage: MediaStorage, stored_keys: StoredKeys
    ) -> None:
        guarded = OffLoopOnly(storage)
        good = UploadMedia(guarded, InMemoryDatabase().media, PillowImageProcessor(), fixed_clock)
        failing = UploadMedia(
            guarded,
            HeldMediaRepository(InMemoryDatabase().media, ServiceUnavailable("database down")),
            PillowImageProcessor(),
            fixed_clock,
        )

        await good(io.BytesIO(media_samples.png()), "kept.png")
        with pytest.raises(ServiceUnavailable):
            await failing(io.BytesIO(media_samples.png()), "dropped.png")

        assert guarded.on_loop == []
        assert len(stored_keys()) == 5

    async def test_a_database_failure_after_the_files_are_written_leaves_no_file(
        self, storage: MediaStorage, stored_keys: StoredKeys
    ) -> None:
        held = HeldMediaRepository(InMemoryDatabase().media, ServiceUnavailable("database down"))
        upload = UploadMedia(storage, held, PillowImageProcessor(), fixed_clock)

        with pytest.raises(ServiceUnavailable):
            await upload(io.BytesIO(media_samples.png()), "a.png")
        assert held.entered.is_set(), "the files were written before the record failed"
        assert stored_keys() == []

    @pytest.mark.parametrize("fail_at", [1, 2, 5])
    async def test_a_full_disk_midway_leaves_no_file_and_no_record(
        self,
        storage: MediaStorage,
        database: InMemoryDatabase,
        stored_keys: StoredKeys,
        fail_at: int,
    ) -> None:
        upload = UploadMedia(
            DiskFillsUp(storage, fail_at), database.media, PillowImageProcessor(), fixed_clock
        )

        with pytest.raises(OSError, match="No space left"):
            await upload(io.BytesIO(media_samples.png()), "a.png")
        assert stored_keys() == []
        assert database.media_rows == {}

    async def test_a_name_clash_gets_a_suffix_and_never_overwrites(
        self, upload: UploadMedia, storage: MediaStorage
    ) -> None:
        first_data, second_data = media_samples.png((30, 20)), media_samples.png((40, 20))

        first = await upload(io.BytesIO(first_data), "same.png")
        second = await upload(io.BytesIO(second_data), "same.png")

        assert second.key == f"{DAY}/same_1.png"
        assert second.thumbnails[0].key == f"{DAY}/thumbnails/same_1_thumbnail_64x64.png"
        with storage.open(first.key) as stored:
            assert stored.read() == first_data

    async def test_concurrent_uploads_of_one_name_get_distinct_keys(
        self, upload: UploadMedia, storage: MediaStorage, stored_keys: StoredKeys
    ) -> None:
        uploads = [media_samples.png((20 + index, 20)) for index in range(6)]

        stored = await asyncio.gather(*(upload(io.BytesIO(data), "same.png") for data in uploads))

        assert len({media.key for media in stored}) == 6
        for media, data in zip(stored, uploads, strict=True):
            with storage.open(media.key) as kept:
                assert kept.read() == data
            assert media.width == thumbnail_image(data).width
        assert len(stored_keys()) == 6 * 5

    async def test_a_cancelled_upload_whose_record_was_committed_keeps_its_files(
        self, storage: MediaStorage, stored_keys: StoredKeys
    ) -> None:
        database = InMemoryDatabase()
        held = HeldMediaRepository(database.media)
        held.release.clear()
        upload = UploadMedia(storage, held, PillowImageProcessor(), fixed_clock)

        task = asyncio.create_task(upload(io.BytesIO(media_samples.png()), "a.png"))
        await held.entered.wait()
        task.cancel()
        await asyncio.sleep(0)
        held.release.set()

        with pytest.raises(asyncio.CancelledError):
            await task
        (media,) = database.media_rows.values()
        assert sorted(stored_keys()) == sorted(
            [media.key, *(thumb.key for thumb in media.thumbnails)]
        )

    async def test_a_cancelled_upload_whose_record_failed_leaves_no_file(
        self, storage: MediaStorage, stored_keys: StoredKeys
    ) -> None:
        held = HeldMediaRepository(InMemoryDatabase().media, ServiceUnavailable("database down"))
        held.release.clear()
        upload = UploadMedia(storage, held, PillowImageProcessor(), fixed_clock)

        task = asyncio.create_task(upload(io.BytesIO(media_samples.png()), "a.png"))
        await held.entered.wait()
        task.cancel()
        await asyncio.sleep(0)
        held.release.set()

        with pytest.raises(asyncio.CancelledError):
            await task
        assert stored_keys() == []

    async def test_decoding_runs_off_the_event_loop(self, upload: UploadMedia) -> None:
        data = media_samples.png((3000, 2000))
        gaps: list[float] = []
        done = asyncio.Event()

        async def tick() -> None:
            """Record how long each short sleep really took."""
            last = time.perf_counter()
            while not done.is_set():
                await asyncio.sleep(0.001)
                now = time.perf_counter()
                gaps.append(now - last)
                last = now

        ticker = asyncio.create_task(tick())
        started = time.perf_counter()
        await upload(io.BytesIO(data), "big.png")
        took = time.perf_counter() - started
        done.set()
        await ticker

        assert max(gaps) < took / 2, "the loop stalled for most of the upload"
        assert len(gaps) > 10
