"""The ports the use cases need, as Protocols; adapters implement them without inheriting."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO, Protocol, TypeVar

from portfolio.application.fields import (
    NewMedia,
    NewThumbnail,
    NewUser,
    PortfolioFields,
    UserChanges,
)
from portfolio.application.listing import PortfolioFilter, Slice, Window
from portfolio.application.media.file_types import ImageFormat
from portfolio.application.media.keys import WebFormat
from portfolio.application.portfolios.records import Editor, Position, Revision, Trashed
from portfolio.domain import Media, Portfolio, Principal, Thumbnail

FieldsT_contra = TypeVar("FieldsT_contra", contravariant=True)
EntityT_co = TypeVar("EntityT_co", covariant=True)


class Portfolios(Protocol):
    """Portfolios: whole read models in one go, and all-or-nothing writes.

    Writes raise DuplicateValue for a taken title or slug and MissingReference for an id
    that names nothing.
    """

    async def get(self, portfolio_id: int) -> Portfolio | None:
        """The whole portfolio with everything it holds, or None when no such id exists."""
        ...

    async def find(self, criteria: PortfolioFilter, window: Window) -> Slice[Portfolio]:
        """The whole portfolios matching ``criteria``, in its order, inside ``window``.

        Costs the same number of database round trips whatever the window's size.
        """
        ...

    async def slugs_in_use(self, base: str, excluding: int | None) -> set[str]:
        """Slugs equal to ``base`` or starting with ``base-``, except portfolio ``excluding``'s."""
        ...

    async def add(self, fields: PortfolioFields) -> Portfolio:
        """Add a portfolio with its ordered attachments."""
        ...

    async def update(self, portfolio_id: int, changes: Mapping[str, Any]) -> Portfolio | None:
        """Apply ``changes`` (PortfolioFields attribute -> value) and move ``updated_at``;
        an id list in ``changes`` replaces that attachment list. None when no such id exists.
        """
        ...

    async def lock_order(self) -> None:
        """Hold the display order's lock until the current unit of work ends, so that moves
        read and write the order one at a time."""
        ...

    async def position(self, portfolio_id: int) -> Position | None:
        """Where a portfolio out of the trash stands in the display order; None for any other
        id."""
        ...

    async def beside(self, position: Position, *, after: bool, excluding: int) -> Position | None:
        """The portfolio out of the trash just before ``position`` in the display order (just
        after it, when ``after``), leaving out portfolio ``excluding``; None at an end."""
        ...

    async def renumber(self, spacing: int) -> Sequence[int]:
        """Give the portfolios out of the trash the orders ``spacing``, ``2 * spacing``, ... in
        their display order, so that every gap holds ``spacing - 1`` free values again; the
        ids of those whose order changed."""
        ...

    async def trash(self, portfolio_id: int, by: Editor | None) -> bool:
        """Move a portfolio to the trash, noting now and ``by``; from then on every read but
        the trash's leaves it out, and its title and slug are free, yet the shared objects
        and media it refers to stay protected. False when no such portfolio is out of it."""
        ...

    async def restore(self, portfolio_id: int) -> Portfolio | None:
        """Take a portfolio out of the trash and move its ``updated_at``; None when none with
        this id is in it. DuplicateValue when its title or slug was taken meanwhile."""
        ...

    async def trashed(self, window: Window) -> Slice[Trashed]:
        """The portfolios in the trash, most recently trashed first (ties by id)."""
        ...

    async def purge(self, portfolio_id: int) -> bool:
        """Remove a trashed portfolio and its own attachment rows for good, never the shared
        objects they name; False when no portfolio with this id is in the trash."""
        ...

    async def purge_trashed_before(self, moment: datetime, limit: int) -> Sequence[int]:
        """Purge up to ``limit`` portfolios trashed before ``moment``, oldest first; their
        ids."""
        ...


class Revisions(Protocol):
    """Each portfolio's revisions, written in the unit of work of the save they record and
    removed with the portfolio when it is purged."""

    async def latest(self, portfolio_id: int) -> Revision | None:
        """The portfolio's newest revision, or None."""
        ...

    async def add(
        self, portfolio: Portfolio, by: Editor | None, changes: Sequence[str], keep: int
    ) -> Revision:
        """Record ``portfolio`` as saved now by ``by``; of its revisions only the newest
        ``keep`` stay."""
        ...

    async def of(self, portfolio_id: int, window: Window) -> Slice[Revision]:
        """The portfolio's revisions, newest first."""
        ...

    async def get(self, portfolio_id: int, revision_id: int) -> Revision | None:
        """One revision of the portfolio; None when it has no revision with this id."""
        ...


class SharedObjects(Protocol[FieldsT_contra, EntityT_co]):
    """Employers, tags, links or meta entries: objects that portfolios refer to and share.

    Each write is all or nothing. Writes raise DuplicateValue for a taken unique value and
    MissingReference for an id that names nothing; delete raises InUse while a
    portfolio refers to the object.
    """

    async def add(self, fields: FieldsT_contra) -> EntityT_co:
        """Store a new object."""
        ...

    async def get(self, object_id: int) -> EntityT_co | None:
        """The object, or None when no such id exists."""
        ...

    async def update(self, object_id: int, changes: Mapping[str, Any]) -> EntityT_co | None:
        """Apply ``changes`` (attribute name -> value); None when no such id exists."""
        ...

    async def delete(self, object_id: int) -> bool:
        """Remove an object no portfolio refers to; False when no such id exists."""
        ...

    async def find(self, search: Sequence[str], window: Window) -> Slice[EntityT_co]:
        """Objects whose name (or key) contains every search term, by id, inside ``window``."""
        ...


@dataclass(frozen=True, slots=True)
class StoredObject:
    """A file the media store holds: its key, its size in bytes and when it was last written."""

    key: str
    size: int
    modified_at: datetime


class MediaStorage(Protocol):
    """Where file bytes live, addressed by keys such as ``core_media/2026/03/02/a.bmp``."""

    def save(self, key: str, source: BinaryIO) -> str:
        """Store ``source`` atomically under ``key`` or a free variant of it; return the key used.

        Never overwrites: a taken key gets a numbered variant.
        """
        ...

    def open(self, key: str) -> BinaryIO:
        """Open a stored file for reading; FileNotFoundError when absent."""
        ...

    def delete(self, key: str) -> None:
        """Remove a stored file; absent files are not an error."""
        ...

    def exists(self, key: str) -> bool:
        """Whether a file is stored under ``key``."""
        ...

    def url(self, key: str) -> str | None:
        """The absolute URL clients fetch ``key`` from when the store has one (a CDN or a
        bucket's base); None when the service itself serves the file at ``/media/<key>``."""
        ...

    def list_objects(self) -> Iterator[StoredObject]:
        """Every stored file, in no set order."""
        ...


@dataclass(frozen=True, slots=True)
class RenderedThumbnail:
    """An encoded thumbnail, in the original's format, fitted into a ``size`` box, with the
    same pixels encoded in each web format asked for."""

    size: int
    width: int
    height: int
    data: bytes
    variants: tuple[tuple[WebFormat, bytes], ...] = ()


@dataclass(frozen=True, slots=True)
class RenderedImage:
    """A decoded image as people see it (EXIF orientation applied); thumbnails smallest first,
    and a BlurHash placeholder of the picture."""

    width: int
    height: int
    mode: str
    thumbnails: tuple[RenderedThumbnail, ...]
    placeholder: str | None = None


@dataclass(frozen=True, slots=True)
class Renditions:
    """The copies to make of an image: one fitted into each box of ``sizes``, each also
    encoded in every web format of ``variants``."""

    sizes: Sequence[int]
    variants: Sequence[WebFormat] = ()


class ImageProcessor(Protocol):
    """Decodes images and makes thumbnails. Blocking and CPU-bound: call it in a worker thread."""

    def render(
        self, source: BinaryIO, image_format: ImageFormat, renditions: Renditions, max_pixels: int
    ) -> RenderedImage:
        """Decode ``source`` once and make each of ``renditions``.

        ``source`` is positioned anywhere; it is read from its start. Raises TooManyPixels
        when the header announces more than ``max_pixels`` (before decoding anything) and
        CorruptImage when the bytes are not a readable image of ``image_format``.
        """
        ...

    def measure(self, source: BinaryIO, image_format: ImageFormat) -> tuple[int, int]:
        """Width and height as stored, from the header only; CorruptImage when unreadable."""
        ...


class MediaRepository(Protocol):
    """The media library: the records of stored files and their thumbnails."""

    async def add(self, media: NewMedia) -> Media:
        """Record a stored file and its thumbnails; DuplicateValue when a key is taken."""
        ...

    async def get(self, media_id: int) -> Media | None:
        """The media object with its thumbnails, or None when no such id exists."""
        ...

    async def find(self, window: Window) -> Slice[Media]:
        """The objects inside ``window``, newest first, with the library's total count."""
        ...

    async def image_ids(self, after_id: int, limit: int) -> tuple[int, ...]:
        """Up to ``limit`` ids of images (media with dimensions) above ``after_id``, ascending."""
        ...

    async def delete(self, media_id: int) -> Media:
        """Remove the record and its thumbnail records; return what was removed.

        MediaNotFound when there is no such id; InUse, naming every referrer, while a
        portfolio, employer, tag, link or meta entry still refers to it.
        """
        ...

    async def replace_thumbnails(self, media_id: int, thumbnails: Sequence[NewThumbnail]) -> Media:
        """Make ``thumbnails`` the object's only thumbnail records, in one step.

        MediaNotFound when there is no such id; DuplicateValue when a key is taken elsewhere.
        """
        ...

    async def referenced_keys(self, keys: Sequence[str]) -> frozenset[str]:
        """Those of ``keys`` that a media or thumbnail record names, in one round trip."""
        ...

    async def owner_of_thumbnail(self, key: str) -> tuple[Media, Thumbnail] | None:
        """The media object whose thumbnail is stored under ``key``, and that thumbnail."""
        ...

    async def update(self, media_id: int, changes: Mapping[str, Any]) -> Media | None:
        """Set the given fields (``alt``, ``placeholder``); None when there is no such id."""
        ...


@dataclass(frozen=True, slots=True)
class StoredToken:
    """A token as kept: only its digest, its owner and its validity window."""

    id: int
    digest: bytes
    owner: Principal
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None = None

    def is_valid_at(self, moment: datetime) -> bool:
        """Neither revoked nor expired at ``moment``."""
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or moment < self.expires_at


class TokenStore(Protocol):
    """API tokens, stored by digest only."""

    async def find(self, digest: bytes) -> StoredToken | None:
        """The token whose key hashes to ``digest``, with its owner, or None."""
        ...

    async def add(self, user_id: int, digest: bytes, expires_at: datetime | None) -> StoredToken:
        """Keep a new token for ``user_id``."""
        ...

    async def revoke(self, digest: bytes, moment: datetime) -> bool:
        """Revoke one token; False when it does not exist or was already revoked."""
        ...

    async def revoke_all(self, user_id: int, moment: datetime) -> int:
        """Revoke every live token of ``user_id``; return how many."""
        ...

    async def list_for(self, user_id: int) -> list[StoredToken]:
        """Every token of ``user_id``, oldest first."""
        ...

    async def revoke_one(self, user_id: int, token_id: int, moment: datetime) -> bool:
        """Revoke token ``token_id`` of ``user_id`` unless it already is; False when the user
        has no such token."""
        ...

    async def touch(self, token_id: int, moment: datetime) -> None:
        """Record that the token was used at ``moment``."""
        ...


class UserStore(Protocol):
    """The users who may call the API."""

    async def create(self, user: NewUser) -> Principal:
        """Add a user; UserAlreadyExists when the username is taken."""
        ...

    async def get(self, user_id: int) -> Principal | None:
        """The user with id ``user_id``, or None."""
        ...

    async def get_by_username(self, username: str) -> Principal | None:
        """The user called ``username``, or None."""
        ...

    async def find(self, search: Sequence[str], window: Window) -> Slice[Principal]:
        """Users whose username holds every term (ignoring case), by id."""
        ...

    async def grant(self, user_id: int, codes: frozenset[int]) -> Principal:
        """Add permission codes to a user (granting twice is harmless)."""
        ...

    async def update(self, user_id: int, changes: UserChanges) -> Principal:
        """Apply ``changes`` at once; UserNotFound, UserAlreadyExists, or LastActiveAdmin when
        the change would take the last active admin away (checked atomically with it)."""
        ...

    async def password_hash(self, username: str) -> tuple[Principal, str | None] | None:
        """The user called ``username`` and their password hash (None: no password), or None."""
        ...

    async def set_password_hash(self, user_id: int, password_hash: str) -> bool:
        """Store a new password hash; False when there is no such user."""
        ...


class PasswordHasher(Protocol):
    """A memory-hard password hash; hashes carry their own salt and parameters."""

    def hash(self, password: str) -> str:
        """A new salted hash of ``password``."""
        ...

    def verify(self, password_hash: str, password: str) -> bool:
        """Whether ``password`` matches ``password_hash``, in time independent of where they
        differ."""
        ...

    def needs_rehash(self, password_hash: str) -> bool:
        """Whether the hash was made with weaker parameters than today's."""
        ...


class FailureCounter(Protocol):
    """Failed attempts per key in a time window, shared by every process of the service."""

    async def add(self, keys: Sequence[str], window_seconds: int) -> None:
        """Count one failure for each key; a key's window starts at its first failure."""
        ...

    async def blocked_for(self, keys: Sequence[str], limit: int) -> int:
        """Whole seconds until every key may try again, for keys that reached ``limit``
        failures in their window; 0 when none did."""
        ...

    async def clear(self, prefix: str) -> None:
        """Forget the failures of every key that starts with ``prefix``."""
        ...


class Clock(Protocol):
    """The current time, replaceable in tests."""

    def __call__(self) -> datetime:
        """Now, timezone-aware in UTC."""
        ...


class ReadinessProbe(Protocol):
    """Whether the backing services answer right now."""

    async def ready(self) -> bool:
        """True when a request could be served."""
        ...


class Observer(Protocol):
    """Where adapters report the stages of their work (a statement, a decode), so that the
    service can time and trace them while the adapters know nothing of how."""

    def stage(self, name: str, **attributes: str | int) -> AbstractContextManager[None]:
        """A context that spans one stage; ``name`` is one of the names in ``observing``."""


@dataclass(frozen=True, slots=True)
class RecordedAnswer:
    """An answer as it was sent: its status, the headers worth repeating and the body's bytes."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


@dataclass(frozen=True, slots=True)
class KeptRequest:
    """What a retry key already holds: the request's fingerprint and, once it has been
    answered, the answer (None while the first request is still being served)."""

    fingerprint: bytes
    answer: RecordedAnswer | None


@dataclass(frozen=True, slots=True)
class RetryClaim:
    """A request asking for its user's key ``key`` at ``now``: kept until ``expires_at``, and
    held unanswered until ``lease_until`` at the most."""

    owner: int
    key: str
    fingerprint: bytes
    now: datetime
    expires_at: datetime
    lease_until: datetime


class RetryKeys(Protocol):
    """Requests kept under the key their client chose, per user, so that a retry is answered
    as the first request was instead of being done twice.

    Every method is one atomic step, safe from any number of processes at once.
    """

    async def claim(self, claim: RetryClaim) -> KeptRequest | None:
        """Take the claimed key for a new request; None when taken, else what the key already
        holds.

        A key whose time is up (``expires_at`` passed), or whose request was left unanswered
        past its lease (a crashed process), is taken afresh.
        """
        ...

    async def record(
        self, owner: int, key: str, fingerprint: bytes, answer: RecordedAnswer
    ) -> None:
        """Keep the answer of the request that claimed ``key``."""
        ...

    async def release(self, owner: int, key: str, fingerprint: bytes) -> None:
        """Give back a key whose request was not answered with a success, so it can be retried."""
        ...

    async def purge(self, now: datetime) -> int:
        """Remove every key whose time was up at ``now``; return how many."""
        ...


@dataclass(frozen=True, slots=True)
class ChangeState:
    """The change number of every topic now, and the next moment at which an answer may
    change with no write at all (None: no such moment is known)."""

    versions: Mapping[str, int]
    next_moment: datetime | None = None


class ChangeNumbers(Protocol):
    """A change number per topic (the catalogue, the accounts): it moves whenever a record of
    that topic is written, atomically with the write, and never comes back to a number it
    had."""

    async def current(self) -> ChangeState | None:
        """Every topic's number now; None when it cannot be told, so nothing may be taken as
        unchanged."""
        ...


class Transactions(Protocol):
    """Units of work: every store's writes made inside one commit together or not at all."""

    def transaction(self) -> AbstractAsyncContextManager[None]:
        """A unit of work; one opened inside another joins it (a failure inside the inner one
        undoes the inner one's writes only, when it is caught)."""
        ...

    def on_rollback(self, undo: Callable[[], Awaitable[None]]) -> None:
        """Run ``undo`` if the current unit of work is rolled back for an error raised inside
        it (never when its commit itself fails, which may have committed); with no unit of
        work open, do nothing: the caller's own failure handling applies."""
        ...
