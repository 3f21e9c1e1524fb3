"""The catalogue in memory: normalised records assembled on read, like the database does."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from itertools import count

from application import (
    EmployerFields,
    LinkFields,
    MetaFields,
    NewMedia,
    PortfolioFields,
    TagFields,
)
from domain import (
    DuplicateValue,
    Employer,
    Link,
    Media,
    Meta,
    MissingReference,
    Portfolio,
    Tag,
    Thumbnail,
)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class InMemoryCatalogue:
    """Catalogue and PortfolioQueries in memory, with the same uniqueness and reference rules."""

    def __init__(self, clock: Callable[[], datetime] = _utc_now) -> None:
        self._clock = clock
        self._ids = count(1)
        self.media: dict[int, Media] = {}
        self.employers: dict[int, EmployerFields] = {}
        self.tags: dict[int, TagFields] = {}
        self.links: dict[int, LinkFields] = {}
        self.meta: dict[int, MetaFields] = {}
        self.portfolios: dict[int, tuple[PortfolioFields, datetime, datetime]] = {}

    def next_id(self) -> int:
        """A new id; one sequence serves every kind of record."""
        return next(self._ids)

    # Reads

    async def get(self, portfolio_id: int) -> Portfolio | None:
        """The whole portfolio, assembled from the current records."""
        if portfolio_id not in self.portfolios:
            return None
        return self._portfolio(portfolio_id)

    # Writes

    async def add_media(self, media: NewMedia) -> Media:
        """Record a stored file and its thumbnails."""
        keys = {item.key for item in self.media.values()}
        keys |= {thumb.key for item in self.media.values() for thumb in item.thumbnails}
        if media.key in keys or any(thumb.key in keys for thumb in media.thumbnails):
            raise DuplicateValue("media", "key")
        new_id = next(self._ids)
        thumbnails = tuple(
            Thumbnail(id=next(self._ids), key=thumb.key, size=thumb.size)
            for thumb in sorted(media.thumbnails, key=lambda thumb: thumb.size)
        )
        stored = Media(
            id=new_id, key=media.key, type=media.type, name=media.name, size=media.size,
            width=media.width, height=media.height, mode=media.mode,
            thumbnails=thumbnails, created_at=self._clock(),
        )
        self.media[new_id] = stored
        return stored

    async def add_employer(self, fields: EmployerFields) -> Employer:
        """Add an employer."""
        self._require_unique(self.employers, "employer", "name", fields.name)
        self._require_media("image", fields.image_id)
        new_id = next(self._ids)
        self.employers[new_id] = fields
        return self._employer(new_id)

    async def add_tag(self, fields: TagFields) -> Tag:
        """Add a tag."""
        self._require_unique(self.tags, "tag", "name", fields.name)
        self._require_media("image", fields.image_id)
        new_id = next(self._ids)
        self.tags[new_id] = fields
        return self._tag(new_id)

    async def add_link(self, fields: LinkFields) -> Link:
        """Add a link."""
        self._require_media("image", fields.image_id)
        new_id = next(self._ids)
        self.links[new_id] = fields
        return self._link(new_id)

    async def add_meta(self, fields: MetaFields) -> Meta:
        """Add a meta entry."""
        self._require_media("value_file", fields.value_file_id)
        new_id = next(self._ids)
        self.meta[new_id] = fields
        return self._meta(new_id)

    async def add_portfolio(self, fields: PortfolioFields) -> Portfolio:
        """Add a portfolio with its ordered attachments."""
        for field in ("title", "slug"):
            value = getattr(fields, field)
            if any(getattr(other, field) == value for other, _, _ in self.portfolios.values()):
                raise DuplicateValue("portfolio", field)
        self._require_media("image", fields.image_id)
        self._require_ids("employer", self.employers, (fields.employer_id,))
        self._require_ids("tags", self.tags, fields.tag_ids)
        self._require_ids("links", self.links, fields.link_ids)
        self._require_ids("images", self.media, fields.image_ids)
        self._require_ids("meta", self.meta, fields.meta_ids)
        new_id = next(self._ids)
        now = self._clock()
        self.portfolios[new_id] = (fields, now, now)
        return self._portfolio(new_id)

    # Assembly

    def _employer(self, employer_id: int) -> Employer:
        fields = self.employers[employer_id]
        return Employer(
            id=employer_id, name=fields.name, description=fields.description,
            image=self._media_or_none(fields.image_id),
        )

    def _tag(self, tag_id: int) -> Tag:
        fields = self.tags[tag_id]
        return Tag(id=tag_id, name=fields.name, image=self._media_or_none(fields.image_id))

    def _link(self, link_id: int) -> Link:
        fields = self.links[link_id]
        return Link(
            id=link_id, name=fields.name, url=fields.url, description=fields.description,
            image=self._media_or_none(fields.image_id),
        )

    def _meta(self, meta_id: int) -> Meta:
        fields = self.meta[meta_id]
        return Meta(
            id=meta_id, key=fields.key, value_text=fields.value_text,
            value_file=self._media_or_none(fields.value_file_id),
        )

    def _portfolio(self, portfolio_id: int) -> Portfolio:
        fields, created_at, updated_at = self.portfolios[portfolio_id]
        return Portfolio(
            id=portfolio_id, title=fields.title, slug=fields.slug, excerpt=fields.excerpt,
            order=fields.order, is_active=fields.is_active,
            created_at=created_at, updated_at=updated_at,
            image=self._media_or_none(fields.image_id),
            employer=None if fields.employer_id is None else self._employer(fields.employer_id),
            tags=tuple(self._tag(tag_id) for tag_id in fields.tag_ids),
            links=tuple(self._link(link_id) for link_id in fields.link_ids),
            completed_at=fields.completed_at, description=fields.description,
            images=tuple(self.media[media_id] for media_id in fields.image_ids),
            meta=tuple(self._meta(meta_id) for meta_id in fields.meta_ids),
        )

    def _media_or_none(self, media_id: int | None) -> Media | None:
        return None if media_id is None else self.media[media_id]

    # Rules the database enforces with constraints

    def _require_media(self, field: str, media_id: int | None) -> None:
        self._require_ids(field, self.media, (media_id,))

    @staticmethod
    def _require_ids(field: str, table: Mapping[int, object], ids: tuple[int | None, ...]) -> None:
        for object_id in ids:
            if object_id is not None and object_id not in table:
                raise MissingReference(field, object_id)

    @staticmethod
    def _require_unique(
        table: dict[int, EmployerFields] | dict[int, TagFields], entity: str, field: str, value: str
    ) -> None:
        if any(getattr(other, field) == value for other in table.values()):
            raise DuplicateValue(entity, field)
