"""The catalogue in memory: normalised records assembled on read, like the database does."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from portfolio.application import (
    EmployerFields,
    LinkFields,
    MetaFields,
    NewMedia,
    PortfolioFields,
    PortfolioFilter,
    Slice,
    SortField,
    TagFields,
    Window,
)
from portfolio.domain import (
    DuplicateValue,
    Employer,
    InUse,
    Link,
    Media,
    Meta,
    MissingReference,
    Portfolio,
    Referrer,
    Tag,
    Thumbnail,
)

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

FieldsT = TypeVar("FieldsT", bound="DataclassInstance")
EntityT = TypeVar("EntityT")

# The smallest step Postgres timestamps can take: updated_at always moves by at least this.
_TICK = timedelta(microseconds=1)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _matches(values: Iterable[str | None], terms: Sequence[str]) -> bool:
    """Every term is inside one of the values, ignoring case (as ``strpos(lower(...))``)."""
    lowered = [value.lower() for value in values if value is not None]
    return all(any(term.lower() in value for value in lowered) for term in terms)


def _window(items: Sequence[EntityT], window: Window) -> Slice[EntityT]:
    return Slice(tuple(items[window.offset : window.offset + window.limit]), len(items))


class InMemoryCatalogue:
    """Catalogue and PortfolioQueries in memory, with the same uniqueness and reference rules.

    ``employer_store``, ``tag_store``, ``link_store`` and ``meta_store`` are its SharedObjects.
    """

    def __init__(self, clock: Callable[[], datetime] = _utc_now) -> None:
        self._clock = clock
        self._ids = count(1)
        self._version = 1
        self.media: dict[int, Media] = {}
        self.employers: dict[int, EmployerFields] = {}
        self.tags: dict[int, TagFields] = {}
        self.links: dict[int, LinkFields] = {}
        self.meta: dict[int, MetaFields] = {}
        self.portfolios: dict[int, tuple[PortfolioFields, datetime, datetime]] = {}
        self.employer_store = InMemorySharedObjects(
            self,
            self.employers,
            self._employer,
            _SharedKind(
                "employer",
                unique="name",
                search="name",
                media={"image_id": "image"},
                held_by=lambda fields, employer_id: fields.employer_id == employer_id,
            ),
        )
        self.tag_store = InMemorySharedObjects(
            self,
            self.tags,
            self._tag,
            _SharedKind(
                "tag",
                unique="name",
                search="name",
                media={"image_id": "image"},
                held_by=lambda fields, tag_id: tag_id in fields.tag_ids,
            ),
        )
        self.link_store = InMemorySharedObjects(
            self,
            self.links,
            self._link,
            _SharedKind(
                "link",
                unique=None,
                search="name",
                media={"image_id": "image"},
                held_by=lambda fields, link_id: link_id in fields.link_ids,
            ),
        )
        self.meta_store = InMemorySharedObjects(
            self,
            self.meta,
            self._meta,
            _SharedKind(
                "meta",
                unique=None,
                search="key",
                media={"value_file_id": "value_file"},
                held_by=lambda fields, meta_id: meta_id in fields.meta_ids,
            ),
        )

    def next_id(self) -> int:
        """A new id; one sequence serves every kind of record."""
        return next(self._ids)

    def changed(self) -> None:
        """Move the change number: something the API shows was written."""
        self._version += 1

    async def version(self) -> int | None:
        """The change number (CatalogueChanges)."""
        return self._version

    # Reads

    async def get(self, portfolio_id: int) -> Portfolio | None:
        """The whole portfolio, assembled from the current records."""
        if portfolio_id not in self.portfolios:
            return None
        return self._portfolio(portfolio_id)

    async def find(self, criteria: PortfolioFilter, window: Window) -> Slice[Portfolio]:
        """Matching portfolios in the filter's order (ties by id), inside ``window``."""
        found = [
            self._portfolio(portfolio_id)
            for portfolio_id, (fields, _, _) in sorted(self.portfolios.items())
            if _portfolio_matches(fields, criteria)
        ]
        # Stable sorts from the last key to the first give a multi-key order.
        for key in reversed(criteria.ordering):
            found.sort(key=_SORT_VALUES[key.field], reverse=key.descending)
        return _window(found, window)

    async def slugs_in_use(self, base: str, excluding: int | None) -> set[str]:
        """Slugs equal to ``base`` or starting with ``base-``, except portfolio ``excluding``'s."""
        return {
            fields.slug
            for portfolio_id, (fields, _, _) in self.portfolios.items()
            if portfolio_id != excluding
            and (fields.slug == base or fields.slug.startswith(f"{base}-"))
        }

    # Writes

    async def add_media(self, media: NewMedia) -> Media:
        """Record a stored file and its thumbnails."""
        keys = {item.key for item in self.media.values()}
        keys |= {thumb.key for item in self.media.values() for thumb in item.thumbnails}
        if media.key in keys or any(thumb.key in keys for thumb in media.thumbnails):
            raise DuplicateValue("media", "key")
        new_id = self.next_id()
        thumbnails = tuple(
            Thumbnail(id=self.next_id(), key=thumb.key, size=thumb.size)
            for thumb in sorted(media.thumbnails, key=lambda thumb: thumb.size)
        )
        stored = Media(
            id=new_id,
            key=media.key,
            type=media.type,
            name=media.name,
            size=media.size,
            width=media.width,
            height=media.height,
            mode=media.mode,
            thumbnails=thumbnails,
            created_at=self._clock(),
        )
        self.media[new_id] = stored
        self.changed()
        return stored

    async def add_employer(self, fields: EmployerFields) -> Employer:
        """Add an employer."""
        return await self.employer_store.add(fields)

    async def add_tag(self, fields: TagFields) -> Tag:
        """Add a tag."""
        return await self.tag_store.add(fields)

    async def add_link(self, fields: LinkFields) -> Link:
        """Add a link."""
        return await self.link_store.add(fields)

    async def add_meta(self, fields: MetaFields) -> Meta:
        """Add a meta entry."""
        return await self.meta_store.add(fields)

    async def add_portfolio(self, fields: PortfolioFields) -> Portfolio:
        """Add a portfolio with its ordered attachments."""
        self._check_portfolio(fields, excluding=None)
        new_id = self.next_id()
        now = self._clock()
        self.portfolios[new_id] = (fields, now, now)
        self.changed()
        return self._portfolio(new_id)

    async def update_portfolio(
        self, portfolio_id: int, changes: Mapping[str, Any]
    ) -> Portfolio | None:
        """Apply ``changes`` and move ``updated_at``; None when no such portfolio exists."""
        if portfolio_id not in self.portfolios:
            return None
        fields, created_at, updated_at = self.portfolios[portfolio_id]
        changed = replace(fields, **changes)
        self._check_portfolio(changed, excluding=portfolio_id)
        self.portfolios[portfolio_id] = (changed, created_at, self.later_than(updated_at))
        self.changed()
        return self._portfolio(portfolio_id)

    async def delete_portfolio(self, portfolio_id: int) -> bool:
        """Forget a portfolio; the shared objects it names stay."""
        if self.portfolios.pop(portfolio_id, None) is None:
            return False
        self.changed()
        return True

    # Shared by the stores

    def later_than(self, moment: datetime) -> datetime:
        """Now, or just after ``moment`` if the clock has not moved past it."""
        return max(self._clock(), moment + _TICK)

    def require_media(self, field: str, media_id: int | None) -> None:
        """MissingReference unless ``media_id`` is None or names a stored file."""
        self._require_ids(field, self.media, (media_id,))

    def referrers(self, holds: Callable[[PortfolioFields], bool]) -> list[Referrer]:
        """The portfolios that ``holds`` says refer to something, by id."""
        return [
            Referrer("portfolio", portfolio_id, name=fields.title)
            for portfolio_id, (fields, _, _) in sorted(self.portfolios.items())
            if holds(fields)
        ]

    # Assembly

    def _employer(self, employer_id: int) -> Employer:
        fields = self.employers[employer_id]
        return Employer(
            id=employer_id,
            name=fields.name,
            description=fields.description,
            image=self._media_or_none(fields.image_id),
        )

    def _tag(self, tag_id: int) -> Tag:
        fields = self.tags[tag_id]
        return Tag(id=tag_id, name=fields.name, image=self._media_or_none(fields.image_id))

    def _link(self, link_id: int) -> Link:
        fields = self.links[link_id]
        return Link(
            id=link_id,
            name=fields.name,
            url=fields.url,
            description=fields.description,
            image=self._media_or_none(fields.image_id),
        )

    def _meta(self, meta_id: int) -> Meta:
        fields = self.meta[meta_id]
        return Meta(
            id=meta_id,
            key=fields.key,
            value_text=fields.value_text,
            value_file=self._media_or_none(fields.value_file_id),
        )

    def _portfolio(self, portfolio_id: int) -> Portfolio:
        fields, created_at, updated_at = self.portfolios[portfolio_id]
        return Portfolio(
            id=portfolio_id,
            title=fields.title,
            slug=fields.slug,
            excerpt=fields.excerpt,
            order=fields.order,
            is_active=fields.is_active,
            created_at=created_at,
            updated_at=updated_at,
            image=self._media_or_none(fields.image_id),
            employer=None if fields.employer_id is None else self._employer(fields.employer_id),
            tags=tuple(self._tag(tag_id) for tag_id in fields.tag_ids),
            links=tuple(self._link(link_id) for link_id in fields.link_ids),
            completed_at=fields.completed_at,
            description=fields.description,
            images=tuple(self.media[media_id] for media_id in fields.image_ids),
            meta=tuple(self._meta(meta_id) for meta_id in fields.meta_ids),
        )

    def _media_or_none(self, media_id: int | None) -> Media | None:
        return None if media_id is None else self.media[media_id]

    # Rules the database enforces with constraints, checked in the order it checks them

    def _check_portfolio(self, fields: PortfolioFields, excluding: int | None) -> None:
        for field in ("title", "slug"):
            value = getattr(fields, field)
            if any(
                getattr(other, field) == value
                for other_id, (other, _, _) in self.portfolios.items()
                if other_id != excluding
            ):
                raise DuplicateValue("portfolio", field)
        self.require_media("image", fields.image_id)
        self._require_ids("employer", self.employers, (fields.employer_id,))
        self._require_ids("tags", self.tags, fields.tag_ids)
        self._require_ids("links", self.links, fields.link_ids)
        self._require_ids("images", self.media, fields.image_ids)
        self._require_ids("meta", self.meta, fields.meta_ids)

    @staticmethod
    def _require_ids(field: str, table: Mapping[int, object], ids: tuple[int | None, ...]) -> None:
        for object_id in ids:
            if object_id is not None and object_id not in table:
                raise MissingReference(field, object_id)


def _portfolio_matches(fields: PortfolioFields, criteria: PortfolioFilter) -> bool:
    return (
        (criteria.is_active is None or fields.is_active == criteria.is_active)
        and (criteria.tag_id is None or criteria.tag_id in fields.tag_ids)
        and (criteria.employer_id is None or fields.employer_id == criteria.employer_id)
        and (criteria.slug is None or fields.slug == criteria.slug)
        and _matches((fields.title, fields.excerpt, fields.description), criteria.search)
    )


def _nulls_last(value: Any) -> tuple[bool, Any]:
    # Postgres puts NULLs after everything ascending and before everything descending.
    return (value is None, value)


_SORT_VALUES: dict[SortField, Callable[[Portfolio], Any]] = {
    SortField.ORDER: lambda portfolio: portfolio.order,
    SortField.CREATED_AT: lambda portfolio: portfolio.created_at,
    SortField.UPDATED_AT: lambda portfolio: portfolio.updated_at,
    SortField.COMPLETED_AT: lambda portfolio: _nulls_last(portfolio.completed_at),
    # Lower-cased and compared by code point, like lower(title) COLLATE "C".
    SortField.TITLE: lambda portfolio: portfolio.title.lower(),
}


@dataclass(frozen=True, slots=True)
class _SharedKind:
    """What differs between employers, tags, links and meta in memory."""

    entity: str
    unique: str | None
    search: str
    media: Mapping[str, str]
    """Attribute holding a media id -> the field a client wrote it in."""
    held_by: Callable[[PortfolioFields, int], bool]


class InMemorySharedObjects(Generic[FieldsT, EntityT]):
    """SharedObjects over one of an InMemoryCatalogue's record tables."""

    def __init__(
        self,
        catalogue: InMemoryCatalogue,
        records: dict[int, FieldsT],
        assemble: Callable[[int], EntityT],
        kind: _SharedKind,
    ) -> None:
        self._catalogue = catalogue
        self._records = records
        self._assemble = assemble
        self._kind = kind

    async def add(self, fields: FieldsT) -> EntityT:
        """Store a new object."""
        self._check(fields, excluding=None)
        new_id = self._catalogue.next_id()
        self._records[new_id] = fields
        self._catalogue.changed()
        return self._assemble(new_id)

    async def get(self, object_id: int) -> EntityT | None:
        """The object, or None."""
        return self._assemble(object_id) if object_id in self._records else None

    async def update(self, object_id: int, changes: Mapping[str, Any]) -> EntityT | None:
        """Apply ``changes``; None when no such object exists."""
        if object_id not in self._records:
            return None
        changed = replace(self._records[object_id], **changes)
        self._check(changed, excluding=object_id)
        self._records[object_id] = changed
        self._catalogue.changed()
        return self._assemble(object_id)

    async def delete(self, object_id: int) -> bool:
        """Forget an object no portfolio refers to."""
        if object_id not in self._records:
            return False
        referrers = self._catalogue.referrers(lambda fields: self._kind.held_by(fields, object_id))
        if referrers:
            raise InUse(self._kind.entity, object_id, referrers, len(referrers))
        del self._records[object_id]
        self._catalogue.changed()
        return True

    async def find(self, search: Sequence[str], window: Window) -> Slice[EntityT]:
        """Objects whose searched field holds every term, by id."""
        found = [
            self._assemble(object_id)
            for object_id, fields in sorted(self._records.items())
            if _matches((getattr(fields, self._kind.search),), search)
        ]
        return _window(found, window)

    def _check(self, fields: FieldsT, excluding: int | None) -> None:
        unique = self._kind.unique
        if unique is not None:
            value = getattr(fields, unique)
            if any(
                getattr(other, unique) == value
                for other_id, other in self._records.items()
                if other_id != excluding
            ):
                raise DuplicateValue(self._kind.entity, unique)
        for attribute, field in self._kind.media.items():
            self._catalogue.require_media(field, getattr(fields, attribute))
