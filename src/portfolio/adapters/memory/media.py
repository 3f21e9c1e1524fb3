"""The media library in memory, over the records an InMemoryDatabase keeps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from portfolio.application.fields import NewMedia, NewThumbnail
from portfolio.application.listing import Slice, Window
from portfolio.domain import DuplicateValue, InUse, Media, MediaNotFound, Referrer, Thumbnail

if TYPE_CHECKING:
    from portfolio.adapters.memory.database import InMemoryDatabase


class InMemoryMediaRepository:
    """MediaRepository in memory, with the database's reference and uniqueness rules."""

    def __init__(self, database: InMemoryDatabase) -> None:
        self._db = database

    async def add(self, media: NewMedia) -> Media:
        """Record a stored file and its thumbnails."""
        image = media.image
        thumbnails = () if image is None else image.thumbnails
        if self._taken_keys(excluding=None).intersection(_keys(media.key, thumbnails)):
            raise DuplicateValue("media", "key")
        new_id = self._db.next_id()
        stored = Media(
            new_id, media.key, media.type, media.name, media.size, created_at=self._db.now()
        )
        if image is not None:
            stored = replace(
                stored,
                width=image.width,
                height=image.height,
                mode=image.mode,
                thumbnails=self._records(thumbnails),
                placeholder=image.placeholder,
            )
        self._db.media_rows[new_id] = stored
        self._db.changed()
        return stored

    async def get(self, media_id: int) -> Media | None:
        """The media object, or None."""
        return self._db.media_rows.get(media_id)

    async def find(self, window: Window) -> Slice[Media]:
        """A page, newest (highest id) first, and the total count."""
        newest_first = sorted(self._db.media_rows, reverse=True)
        chosen = newest_first[window.offset : window.offset + window.limit]
        return Slice(
            items=tuple(self._db.media_rows[media_id] for media_id in chosen),
            total=len(newest_first),
        )

    async def image_ids(self, after_id: int, limit: int) -> tuple[int, ...]:
        """Ids of images above ``after_id``, ascending."""
        images = sorted(
            media_id
            for media_id, media in self._db.media_rows.items()
            if media.width is not None and media_id > after_id
        )
        return tuple(images[:limit])

    async def delete(self, media_id: int) -> Media:
        """Remove an object nothing refers to."""
        media = self._db.media_rows.get(media_id)
        if media is None:
            raise MediaNotFound
        referrers = self._referrers(media_id)
        if referrers:
            raise InUse("media", media_id, referrers, len(referrers))
        del self._db.media_rows[media_id]
        self._db.changed()
        return media

    async def replace_thumbnails(self, media_id: int, thumbnails: Sequence[NewThumbnail]) -> Media:
        """Give the object exactly these thumbnails, with new ids."""
        media = self._db.media_rows.get(media_id)
        if media is None:
            raise MediaNotFound
        keys = [thumbnail.key for thumbnail in thumbnails]
        if len(set(keys)) != len(keys) or self._taken_keys(excluding=media_id).intersection(keys):
            raise DuplicateValue("thumbnail", "key")
        renewed = replace(media, thumbnails=self._records(thumbnails))
        self._db.media_rows[media_id] = renewed
        self._db.changed()
        return renewed

    def _records(self, thumbnails: Sequence[NewThumbnail]) -> tuple[Thumbnail, ...]:
        """Thumbnail records with new ids, smallest first, as the database's view lists them."""
        return tuple(
            Thumbnail(id=self._db.next_id(), key=thumbnail.key, size=thumbnail.size)
            for thumbnail in sorted(thumbnails, key=lambda thumbnail: thumbnail.size)
        )

    def _taken_keys(self, excluding: int | None) -> set[str]:
        return {
            key
            for other_id, other in self._db.media_rows.items()
            if other_id != excluding
            for key in _keys(other.key, other.thumbnails)
        }

    async def referenced_keys(self, keys: Sequence[str]) -> frozenset[str]:
        """Those of ``keys`` an original or a thumbnail record names."""
        return frozenset(self._taken_keys(excluding=None).intersection(keys))

    async def owner_of_thumbnail(self, key: str) -> tuple[Media, Thumbnail] | None:
        """The object with a thumbnail stored under ``key``, and that thumbnail."""
        for media in self._db.media_rows.values():
            for thumbnail in media.thumbnails:
                if thumbnail.key == key:
                    return media, thumbnail
        return None

    async def update(self, media_id: int, changes: Mapping[str, Any]) -> Media | None:
        """Set ``alt`` or ``placeholder``."""
        media = self._db.media_rows.get(media_id)
        if media is None:
            return None
        changed = replace(
            media, **{name: changes[name] for name in ("alt", "placeholder") if name in changes}
        )
        self._db.media_rows[media_id] = changed
        self._db.changed()
        return changed

    def _referrers(self, media_id: int) -> tuple[Referrer, ...]:
        db = self._db
        portfolios = db.portfolio_rows.items()
        found = [
            *(
                Referrer("portfolio", portfolio_id, field="image")
                for portfolio_id, (fields, _, _) in portfolios
                if fields.image_id == media_id
            ),
            *(
                Referrer("portfolio", portfolio_id, field="images")
                for portfolio_id, (fields, _, _) in portfolios
                if media_id in fields.image_ids
            ),
            *(
                Referrer(kind, object_id, field=field)
                for kind, rows, attribute, field in (
                    ("employer", db.employers.rows, "image_id", "image"),
                    ("tag", db.tags.rows, "image_id", "image"),
                    ("link", db.links.rows, "image_id", "image"),
                    ("meta", db.meta.rows, "value_file_id", "value_file"),
                )
                for object_id, row in rows.items()
                if getattr(row, attribute) == media_id
            ),
        ]
        # The same order as the Postgres adapter's, so both name referrers alike.
        return tuple(sorted(found, key=lambda ref: (ref.kind, ref.id, ref.field or "")))


def _keys(key: str, thumbnails: Sequence[NewThumbnail | Thumbnail]) -> set[str]:
    return {key, *(thumbnail.key for thumbnail in thumbnails)}
