"""The media library in memory, over the records an InMemoryCatalogue keeps."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from portfolio.adapters.memory.catalogue import InMemoryCatalogue
from portfolio.application import NewThumbnail, Slice, Window
from portfolio.domain import DuplicateValue, InUse, Media, MediaNotFound, Referrer, Thumbnail


class InMemoryMediaRepository:
    """MediaRepository in memory, with the database's reference and uniqueness rules."""

    def __init__(self, catalogue: InMemoryCatalogue) -> None:
        self._catalogue = catalogue

    async def get(self, media_id: int) -> Media | None:
        """The media object, or None."""
        return self._catalogue.media.get(media_id)

    async def find(self, window: Window) -> Slice[Media]:
        """A page, newest (highest id) first, and the total count."""
        newest_first = sorted(self._catalogue.media, reverse=True)
        chosen = newest_first[window.offset : window.offset + window.limit]
        return Slice(
            items=tuple(self._catalogue.media[media_id] for media_id in chosen),
            total=len(newest_first),
        )

    async def image_ids(self, after_id: int, limit: int) -> tuple[int, ...]:
        """Ids of images above ``after_id``, ascending."""
        images = sorted(
            media_id
            for media_id, media in self._catalogue.media.items()
            if media.width is not None and media_id > after_id
        )
        return tuple(images[:limit])

    async def delete(self, media_id: int) -> Media:
        """Remove an object nothing refers to."""
        media = self._catalogue.media.get(media_id)
        if media is None:
            raise MediaNotFound
        referrers = self._referrers(media_id)
        if referrers:
            raise InUse("media", media_id, referrers, len(referrers))
        del self._catalogue.media[media_id]
        self._catalogue.changed()
        return media

    async def replace_thumbnails(self, media_id: int, thumbnails: Sequence[NewThumbnail]) -> Media:
        """Give the object exactly these thumbnails, with new ids."""
        media = self._catalogue.media.get(media_id)
        if media is None:
            raise MediaNotFound
        taken = {
            key
            for other_id, other in self._catalogue.media.items()
            if other_id != media_id
            for key in (other.key, *(thumbnail.key for thumbnail in other.thumbnails))
        }
        keys = [thumbnail.key for thumbnail in thumbnails]
        if len(set(keys)) != len(keys) or taken.intersection(keys):
            raise DuplicateValue("thumbnail", "key")
        renewed = replace(
            media,
            thumbnails=tuple(
                Thumbnail(id=self._catalogue.next_id(), key=thumbnail.key, size=thumbnail.size)
                for thumbnail in sorted(thumbnails, key=lambda thumbnail: thumbnail.size)
            ),
        )
        self._catalogue.media[media_id] = renewed
        self._catalogue.changed()
        return renewed

    def _referrers(self, media_id: int) -> tuple[Referrer, ...]:
        catalogue = self._catalogue
        found = [
            *(
                Referrer("portfolio", portfolio_id, field="image")
                for portfolio_id, (fields, _, _) in catalogue.portfolios.items()
                if fields.image_id == media_id
            ),
            *(
                Referrer("portfolio", portfolio_id, field="images")
                for portfolio_id, (fields, _, _) in catalogue.portfolios.items()
                if media_id in fields.image_ids
            ),
            *(
                Referrer("employer", employer_id, field="image")
                for employer_id, employer in catalogue.employers.items()
                if employer.image_id == media_id
            ),
            *(
                Referrer("tag", tag_id, field="image")
                for tag_id, tag in catalogue.tags.items()
                if tag.image_id == media_id
            ),
            *(
                Referrer("link", link_id, field="image")
                for link_id, link in catalogue.links.items()
                if link.image_id == media_id
            ),
            *(
                Referrer("meta", meta_id, field="value_file")
                for meta_id, meta in catalogue.meta.items()
                if meta.value_file_id == media_id
            ),
        ]
        # The same order as the Postgres adapter's, so both name referrers alike.
        return tuple(sorted(found, key=lambda ref: (ref.kind, ref.id, ref.field or "")))
