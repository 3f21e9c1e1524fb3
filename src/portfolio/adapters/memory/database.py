"""An in-memory database: normalised records assembled on read, as Postgres does, and the
stores over them."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from portfolio.adapters.memory.changes import InMemoryChangeNumbers
from portfolio.adapters.memory.media import InMemoryMediaRepository
from portfolio.adapters.memory.revisions import InMemoryRevisions
from portfolio.adapters.memory.transactions import Table
from portfolio.application.fields import (
    SHARED_KINDS,
    EmployerFields,
    LinkFields,
    MetaFields,
    PortfolioFields,
    SharedKind,
    TagFields,
)
from portfolio.application.listing import PortfolioFilter, Slice, SortField, Window
from portfolio.application.portfolios.publishing import DueMoment
from portfolio.application.portfolios.records import Editor, Position, Revision, Trashed
from portfolio.application.portfolios.website import Counted
from portfolio.application.revalidation import CATALOGUE
from portfolio.domain import (
    DuplicateValue,
    Employer,
    InUse,
    Link,
    Media,
    Meta,
    MissingReference,
    Portfolio,
    Publication,
    Referrer,
    Tag,
    WithdrawnBeforePublished,
    publication,
)

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

FieldsT = TypeVar("FieldsT", bound="DataclassInstance")
EntityT = TypeVar("EntityT")


class _Named(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def name(self) -> str: ...


NamedT = TypeVar("NamedT", bound=_Named)

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


class InMemoryDatabase:
    """The records of every in-memory store, with the database's uniqueness and reference
    rules, and the stores over them: ``portfolios``, ``revisions``, ``employers``, ``tags``,
    ``links``, ``meta`` and ``media`` (each the in-memory adapter of its port)."""

    def __init__(
        self,
        clock: Callable[[], datetime] = _utc_now,
        changes: InMemoryChangeNumbers | None = None,
    ) -> None:
        self._clock = clock
        self._ids = count(1)
        self.changes = changes or InMemoryChangeNumbers()
        self.media_rows: Table[int, Media] = Table()
        # Moments still to come: (portfolio id, kind) -> moment, as the Postgres trigger keeps.
        self.moments: Table[tuple[int, str], datetime] = Table()
        self.portfolio_rows: Table[int, tuple[PortfolioFields, datetime, datetime]] = Table()
        # Trashed portfolios: id -> (when, by whom). Their rows stay in portfolio_rows, so
        # what they refer to stays protected, as the Postgres row with deleted_at set does.
        self.trash: Table[int, tuple[datetime, Editor | None]] = Table()
        # Revisions: id -> (portfolio id, revision); removed with their portfolio.
        self.revision_rows: Table[int, tuple[int, Revision]] = Table()
        self.shared: dict[str, InMemorySharedObjects[Any, Any]] = {
            kind.plural: InMemorySharedObjects(self, kind) for kind in SHARED_KINDS
        }
        """Every kind's store, by its plural (``SharedKind``)."""
        # The kinds a portfolio refers to, by name.
        self.employers: InMemorySharedObjects[EmployerFields, Employer] = self.shared["employers"]
        self.tags: InMemorySharedObjects[TagFields, Tag] = self.shared["tags"]
        self.links: InMemorySharedObjects[LinkFields, Link] = self.shared["links"]
        self.meta: InMemorySharedObjects[MetaFields, Meta] = self.shared["meta"]
        self.portfolios = InMemoryPortfolios(self)
        self.revisions = InMemoryRevisions(self)
        self.schedule = InMemorySchedule(self)
        self.menus = InMemoryWebsiteMenus(self)
        self.changes.next_moment = self.schedule.soonest
        self.media = InMemoryMediaRepository(self)

    def schedule_moments(self, portfolio_id: int, fields: PortfolioFields) -> None:
        """Keep the portfolio's moments still to come, as the Postgres trigger does."""
        now = self.now()
        for kind, moment in (("publish", fields.publish_at), ("unpublish", fields.unpublish_at)):
            self.moments.pop((portfolio_id, kind), None)
            if moment is not None and moment > now:
                self.moments[portfolio_id, kind] = moment

    def kept(self) -> list[tuple[int, PortfolioFields]]:
        """The portfolios out of the trash, by id."""
        return [
            (portfolio_id, fields)
            for portfolio_id, (fields, _, _) in sorted(self.portfolio_rows.items())
            if portfolio_id not in self.trash
        ]

    def next_id(self) -> int:
        """A new id; one sequence serves every kind of record."""
        return next(self._ids)

    def changed(self) -> None:
        """Move the catalogue's change number: something a portfolio can show was written."""
        self.changes.moved(CATALOGUE)

    # Shared by the stores

    def now(self) -> datetime:
        """The database clock's time."""
        return self._clock()

    def later_than(self, moment: datetime) -> datetime:
        """Now, or just after ``moment`` if the clock has not moved past it."""
        return max(self._clock(), moment + _TICK)

    def require_media(self, field: str, media_id: int | None) -> None:
        """MissingReference unless ``media_id`` is None or names a stored file."""
        self._require_ids(field, self.media_rows, (media_id,))

    def referrers(self, holds: Callable[[PortfolioFields], bool]) -> list[Referrer]:
        """The portfolios that ``holds`` says refer to something, by id."""
        return [
            Referrer("portfolio", portfolio_id, name=fields.title)
            for portfolio_id, (fields, _, _) in sorted(self.portfolio_rows.items())
            if holds(fields)
        ]

    # Assembly

    def portfolio(self, portfolio_id: int) -> Portfolio:
        fields, created_at, updated_at = self.portfolio_rows[portfolio_id]
        # Every plain field under its own name; the references assembled from their ids.
        plain = {
            field.name: getattr(fields, field.name)
            for field in dataclasses.fields(PortfolioFields)
            if not field.name.endswith(("_id", "_ids"))
        }
        return Portfolio(
            id=portfolio_id,
            created_at=created_at,
            updated_at=updated_at,
            **plain,
            image=self.media_or_none(fields.image_id),
            employer=None
            if fields.employer_id is None
            else self.employers.assemble(fields.employer_id),
            tags=tuple(self.tags.assemble(tag_id) for tag_id in fields.tag_ids),
            links=tuple(self.links.assemble(link_id) for link_id in fields.link_ids),
            images=tuple(self.media_rows[media_id] for media_id in fields.image_ids),
            meta=tuple(self.meta.assemble(meta_id) for meta_id in fields.meta_ids),
        )

    def media_or_none(self, media_id: int | None) -> Media | None:
        return None if media_id is None else self.media_rows[media_id]

    # Rules the database enforces with constraints, checked in the order it checks them

    def check_portfolio(self, fields: PortfolioFields, excluding: int | None) -> None:
        published, withdrawn = fields.publish_at, fields.unpublish_at
        if published is not None and withdrawn is not None and withdrawn <= published:
            raise WithdrawnBeforePublished
        for field in ("title", "slug"):
            value = getattr(fields, field)
            if any(
                getattr(other, field) == value
                for other_id, other in self.kept()
                if other_id != excluding
            ):
                raise DuplicateValue("portfolio", field)
        self.require_media("image", fields.image_id)
        self._require_ids("employer", self.employers.rows, (fields.employer_id,))
        self._require_ids("tags", self.tags.rows, fields.tag_ids)
        self._require_ids("links", self.links.rows, fields.link_ids)
        self._require_ids("images", self.media_rows, fields.image_ids)
        self._require_ids("meta", self.meta.rows, fields.meta_ids)

    @staticmethod
    def _require_ids(field: str, table: Mapping[int, object], ids: tuple[int | None, ...]) -> None:
        for object_id in ids:
            if object_id is not None and object_id not in table:
                raise MissingReference(field, object_id)


class InMemorySchedule:
    """Schedule in memory, over the database's moments."""

    def __init__(self, database: InMemoryDatabase) -> None:
        self._db = database

    async def take_due(self, limit: int) -> list[DueMoment]:
        """Passed moments, soonest first, taken off (undone with the unit of work)."""
        now = self._db.now()
        due = sorted(
            (moment, portfolio_id, kind)
            for (portfolio_id, kind), moment in self._db.moments.items()
            if moment <= now
        )[:limit]
        for _, portfolio_id, kind in due:
            del self._db.moments[portfolio_id, kind]
        return [DueMoment(portfolio_id, kind, moment) for moment, portfolio_id, kind in due]

    async def next_moment(self) -> datetime | None:
        """The soonest moment on the schedule."""
        return self.soonest()

    def soonest(self) -> datetime | None:
        """The soonest moment on the schedule, at once."""
        return min(self._db.moments.values(), default=None)


class InMemoryWebsiteMenus:
    """WebsiteMenus in memory, counted from the database's current records on every read."""

    def __init__(self, database: InMemoryDatabase) -> None:
        self._db = database

    async def tags(self, window: Window) -> Slice[Counted[Tag]]:
        """Tags of live portfolios, by name."""
        return self._counted(lambda fields: fields.tag_ids, self._db.tags, window)

    async def employers(self, window: Window) -> Slice[Counted[Employer]]:
        """Employers of live portfolios, by name."""
        return self._counted(
            lambda fields: () if fields.employer_id is None else (fields.employer_id,),
            self._db.employers,
            window,
        )

    def _counted(
        self,
        ids_of: Callable[[PortfolioFields], Iterable[int]],
        store: InMemorySharedObjects[Any, NamedT],
        window: Window,
    ) -> Slice[Counted[NamedT]]:
        now = self._db.now()
        uses: dict[int, int] = {}
        for _, fields in self._db.kept():
            if publication(fields.is_active, fields.publish_at, fields.unpublish_at, now) is (
                Publication.LIVE
            ):
                for object_id in ids_of(fields):
                    uses[object_id] = uses.get(object_id, 0) + 1
        found = [Counted(store.assemble(object_id), n) for object_id, n in uses.items()]
        # By name ignoring case, then id, as Postgres orders lower(name) COLLATE "C".
        found.sort(key=lambda counted: (counted.item.name.lower(), counted.item.id))
        return _window(found, window)


class InMemoryPortfolios:
    """Portfolios in memory, assembled from the database's current records on every read."""

    def __init__(self, database: InMemoryDatabase) -> None:
        self._db = database

    async def get(self, portfolio_id: int) -> Portfolio | None:
        """The whole portfolio, assembled from the current records."""
        if portfolio_id not in self._db.portfolio_rows or portfolio_id in self._db.trash:
            return None
        return self._db.portfolio(portfolio_id)

    async def find(self, criteria: PortfolioFilter, window: Window) -> Slice[Portfolio]:
        """Matching portfolios in the filter's order (ties by id), inside ``window``."""
        now = self._db.now()
        found = [
            self._db.portfolio(portfolio_id)
            for portfolio_id, fields in self._db.kept()
            if _portfolio_matches(fields, criteria, now)
        ]
        # Stable sorts from the last key to the first give a multi-key order.
        for key in reversed(criteria.ordering):
            found.sort(key=_SORT_VALUES[key.field], reverse=key.descending)
        return _window(found, window)

    async def slugs_in_use(self, base: str, excluding: int | None) -> set[str]:
        """Slugs equal to ``base`` or starting with ``base-``, except portfolio ``excluding``'s."""
        return {
            fields.slug
            for portfolio_id, fields in self._db.kept()
            if portfolio_id != excluding
            and (fields.slug == base or fields.slug.startswith(f"{base}-"))
        }

    async def add(self, fields: PortfolioFields) -> Portfolio:
        """Add a portfolio with its ordered attachments."""
        self._db.check_portfolio(fields, excluding=None)
        new_id = self._db.next_id()
        now = self._db.now()
        self._db.portfolio_rows[new_id] = (fields, now, now)
        self._db.schedule_moments(new_id, fields)
        self._db.changed()
        return self._db.portfolio(new_id)

    async def update(self, portfolio_id: int, changes: Mapping[str, Any]) -> Portfolio | None:
        """Apply ``changes`` and move ``updated_at``; None when no such portfolio exists."""
        if portfolio_id not in self._db.portfolio_rows or portfolio_id in self._db.trash:
            return None
        fields, created_at, updated_at = self._db.portfolio_rows[portfolio_id]
        changed = replace(fields, **changes)
        self._db.check_portfolio(changed, excluding=portfolio_id)
        self._db.portfolio_rows[portfolio_id] = (
            changed,
            created_at,
            self._db.later_than(updated_at),
        )
        if (changed.publish_at, changed.unpublish_at) != (fields.publish_at, fields.unpublish_at):
            self._db.schedule_moments(portfolio_id, changed)
        self._db.changed()
        return self._db.portfolio(portfolio_id)

    async def lock_order(self) -> None:
        """Nothing to hold: no other write runs between a move's reads and its write here."""

    async def position(self, portfolio_id: int) -> Position | None:
        """The portfolio's order and id."""
        if portfolio_id not in self._db.portfolio_rows or portfolio_id in self._db.trash:
            return None
        return Position(self._db.portfolio_rows[portfolio_id][0].order, portfolio_id)

    async def beside(self, position: Position, *, after: bool, excluding: int) -> Position | None:
        """The nearest other portfolio on the asked side of ``position``."""
        others = [
            Position(fields.order, portfolio_id)
            for portfolio_id, fields in self._db.kept()
            if portfolio_id != excluding
        ]
        if after:
            return min((other for other in others if other > position), default=None)
        return max((other for other in others if other < position), default=None)

    async def renumber(self, spacing: int) -> Sequence[int]:
        """Spaced orders in display order; ``updated_at`` stays, as in Postgres."""
        kept = sorted(self._db.kept(), key=lambda row: (row[1].order, row[0]))
        step = min(spacing, 2147483647 // (len(kept) + 1))
        changed = []
        for n, (portfolio_id, fields) in enumerate(kept, start=1):
            if fields.order == n * step:
                continue
            _, created_at, updated_at = self._db.portfolio_rows[portfolio_id]
            renumbered = replace(fields, order=n * step)
            self._db.portfolio_rows[portfolio_id] = (renumbered, created_at, updated_at)
            changed.append(portfolio_id)
        self._db.changed()
        return changed

    async def trash(self, portfolio_id: int, by: Editor | None) -> bool:
        """Note the portfolio trashed; its row stays."""
        if portfolio_id not in self._db.portfolio_rows or portfolio_id in self._db.trash:
            return False
        self._db.trash[portfolio_id] = (self._db.now(), by)
        self._db.changed()
        return True

    async def restore(self, portfolio_id: int) -> Portfolio | None:
        """Take the portfolio out of the trash, if its title and slug are still free."""
        if portfolio_id not in self._db.trash:
            return None
        fields, created_at, updated_at = self._db.portfolio_rows[portfolio_id]
        self._db.check_portfolio(fields, excluding=portfolio_id)
        del self._db.trash[portfolio_id]
        self._db.portfolio_rows[portfolio_id] = (
            fields,
            created_at,
            self._db.later_than(updated_at),
        )
        self._db.changed()
        return self._db.portfolio(portfolio_id)

    async def trashed(self, window: Window) -> Slice[Trashed]:
        """The trash, most recently trashed first (ties by id)."""
        found = [
            Trashed(portfolio_id, fields.title, fields.slug, when, by)
            for portfolio_id, (when, by) in self._db.trash.items()
            for fields in (self._db.portfolio_rows[portfolio_id][0],)
        ]
        found.sort(key=lambda trashed: trashed.id)
        found.sort(key=lambda trashed: trashed.deleted_at, reverse=True)
        return _window(found, window)

    async def purge(self, portfolio_id: int) -> bool:
        """Forget a trashed portfolio; the shared objects it names stay."""
        if portfolio_id not in self._db.trash:
            return False
        del self._db.trash[portfolio_id]
        del self._db.portfolio_rows[portfolio_id]
        for revision_id, (owner, _) in list(self._db.revision_rows.items()):
            if owner == portfolio_id:
                del self._db.revision_rows[revision_id]
        for kind in ("publish", "unpublish"):
            self._db.moments.pop((portfolio_id, kind), None)
        self._db.changed()
        return True

    async def purge_trashed_before(self, moment: datetime, limit: int) -> Sequence[int]:
        """Forget the oldest portfolios trashed before ``moment``."""
        due = sorted(
            (when, portfolio_id)
            for portfolio_id, (when, _) in self._db.trash.items()
            if when < moment
        )[:limit]
        for _, portfolio_id in due:
            await self.purge(portfolio_id)
        return [portfolio_id for _, portfolio_id in due]


def _portfolio_matches(fields: PortfolioFields, criteria: PortfolioFilter, now: datetime) -> bool:
    standing = publication(fields.is_active, fields.publish_at, fields.unpublish_at, now)
    return (
        (criteria.publication is None or standing is criteria.publication)
        and (criteria.is_active is None or fields.is_active == criteria.is_active)
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


def _holds(attribute: str) -> Callable[[PortfolioFields, int], bool]:
    """Whether a portfolio's ``attribute`` (an id, or a list of ids) names an object."""
    if attribute.endswith("_ids"):
        return lambda fields, object_id: object_id in getattr(fields, attribute)
    return lambda fields, object_id: bool(getattr(fields, attribute) == object_id)


class InMemorySharedObjects(Generic[FieldsT, EntityT]):
    """SharedObjects over a table of an InMemoryDatabase; ``rows`` maps ids to fields."""

    def __init__(self, database: InMemoryDatabase, kind: SharedKind[FieldsT, EntityT]) -> None:
        self._db = database
        self._kind = kind
        # Every attribute ending in ``_id`` is a media id, shown as the field it names.
        self._media = {
            column.name: column.name.removesuffix("_id")
            for column in dataclasses.fields(kind.fields)
            if column.name.endswith("_id")
        }
        self._held_by = None if kind.held_by is None else _holds(kind.held_by)
        self.rows: Table[int, FieldsT] = Table()

    def assemble(self, object_id: int) -> EntityT:
        """The entity as the database's view shows it: each media id replaced by the media."""
        row = self.rows[object_id]
        values = {column.name: getattr(row, column.name) for column in dataclasses.fields(row)}
        for attribute, shown in self._media.items():
            values[shown] = self._db.media_or_none(values.pop(attribute))
        make: Callable[..., EntityT] = self._kind.entity
        return make(id=object_id, **values)

    async def add(self, fields: FieldsT) -> EntityT:
        """Store a new object."""
        self._check(fields, excluding=None)
        new_id = self._db.next_id()
        self.rows[new_id] = fields
        self._db.changed()
        return self.assemble(new_id)

    async def get(self, object_id: int) -> EntityT | None:
        """The object, or None."""
        return self.assemble(object_id) if object_id in self.rows else None

    async def update(self, object_id: int, changes: Mapping[str, Any]) -> EntityT | None:
        """Apply ``changes``; None when no such object exists."""
        if object_id not in self.rows:
            return None
        changed = replace(self.rows[object_id], **changes)
        self._check(changed, excluding=object_id)
        self.rows[object_id] = changed
        self._db.changed()
        return self.assemble(object_id)

    async def delete(self, object_id: int) -> bool:
        """Forget an object no portfolio refers to."""
        if object_id not in self.rows:
            return False
        held_by = self._held_by
        if held_by is not None:
            referrers = self._db.referrers(lambda fields: held_by(fields, object_id))
            if referrers:
                raise InUse(self._kind.name, object_id, referrers, len(referrers))
        del self.rows[object_id]
        self._db.changed()
        return True

    async def find(self, search: Sequence[str], window: Window) -> Slice[EntityT]:
        """Objects whose searched field holds every term, by id."""
        found = [
            self.assemble(object_id)
            for object_id, row in sorted(self.rows.items())
            if _matches((getattr(row, self._kind.search),), search)
        ]
        return _window(found, window)

    def _check(self, row: FieldsT, excluding: int | None) -> None:
        unique = self._kind.unique
        if unique is not None:
            value = getattr(row, unique)
            if any(
                getattr(other, unique) == value
                for other_id, other in self.rows.items()
                if other_id != excluding
            ):
                raise DuplicateValue(self._kind.name, unique)
        for attribute, shown in self._media.items():
            self._db.require_media(shown, getattr(row, attribute))
