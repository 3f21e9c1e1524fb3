"""What can go wrong in the domain's own terms; the HTTP layer maps these once."""

from __future__ import annotations

__all__ = [
    "AuthenticationFailed",
    "CorruptImage",
    "DeliveryNotFound",
    "DomainError",
    "DuplicateValue",
    "EmployerNotFound",
    "EmptyFile",
    "ExtensionMismatch",
    "FileTooLarge",
    "InUse",
    "InvalidCredentials",
    "InvalidFile",
    "LastActiveAdmin",
    "LinkNotFound",
    "MediaNotFound",
    "MetaNotFound",
    "MissingReference",
    "MissingReferences",
    "MovedBesideItself",
    "NotFound",
    "PageNotFound",
    "PermissionDenied",
    "PortfolioNotFound",
    "Referrer",
    "RevisionNotFound",
    "ServiceUnavailable",
    "TagNotFound",
    "TakenMeanwhile",
    "Throttled",
    "TokenNotFound",
    "TooManyPixels",
    "UserNotFound",
    "WebhookNotFound",
    "WithdrawnBeforePublished",
]

from collections.abc import Sequence
from dataclasses import dataclass

from portfolio.domain.sizes import human_readable_size


class DomainError(Exception):
    """Base of every error the service raises on purpose."""


class NotFound(DomainError):
    """The thing asked for does not exist (or the id could never name one)."""


class PortfolioNotFound(NotFound):
    """No portfolio has that id."""


class EmployerNotFound(NotFound):
    """No employer has that id."""


class TagNotFound(NotFound):
    """No tag has that id."""


class LinkNotFound(NotFound):
    """No link has that id."""


class MetaNotFound(NotFound):
    """No meta entry has that id."""


class UserNotFound(NotFound):
    """No user has that id."""


class TokenNotFound(NotFound):
    """The user has no token with that id."""


class WebhookNotFound(NotFound):
    """No webhook endpoint has that id."""


class DeliveryNotFound(NotFound):
    """The webhook endpoint has no delivery with that id."""


class PageNotFound(NotFound):
    """A page number that is malformed or past the last page of a list."""


class AuthenticationFailed(DomainError):
    """Credentials were given but cannot be accepted; the message says why."""


class PermissionDenied(DomainError):
    """The caller is known but may not do this."""


class InvalidCredentials(DomainError):
    """A username and password that do not sign anyone in (unknown, wrong or inactive alike)."""


class Throttled(DomainError):
    """Too many failures from this client or for this username; ``wait`` seconds to go."""

    def __init__(self, wait: int) -> None:
        super().__init__(f"throttled for {wait} s")
        self.wait = wait


class LastActiveAdmin(DomainError):
    """The change would leave no active admin, and so nobody able to manage users."""


class ServiceUnavailable(DomainError):
    """A backing service (the database) does not answer; worth retrying later."""


class DuplicateValue(DomainError):
    """A value that must be unique is taken (``field`` names it: title, slug, name)."""

    def __init__(self, entity: str, field: str) -> None:
        super().__init__(f"another {entity} has this {field}")
        self.entity = entity
        self.field = field


class MissingReference(DomainError):
    """A referenced id names nothing (``field`` is the referring field, ``value`` the id)."""

    def __init__(self, field: str, value: int) -> None:
        super().__init__(f"{field}: {value} names nothing")
        self.field = field
        self.value = value


@dataclass(frozen=True, slots=True)
class Referrer:
    """Something that refers to an object: a portfolio by its title (``name``), or any object
    through one of its fields (``field``)."""

    kind: str
    id: int
    name: str | None = None
    field: str | None = None


class InUse(DomainError):
    """An object that cannot be deleted while something still refers to it.

    ``referrers`` names the first few (at most SHOWN) and ``total`` says how many there are.
    """

    SHOWN = 5
    """How many referrers an error names; the rest are only counted."""

    def __init__(
        self, kind: str, object_id: int, referrers: Sequence[Referrer], total: int
    ) -> None:
        super().__init__(f"{kind} {object_id} is used by {total} object(s)")
        self.kind = kind
        self.object_id = object_id
        self.referrers = tuple(referrers[: self.SHOWN])
        self.total = total


class MediaNotFound(NotFound):
    """No media object has that id."""


class FileTooLarge(DomainError):
    """An upload is bigger than the configured byte limit."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(
            f"The file is {human_readable_size(size)}; "
            f"the largest accepted is {human_readable_size(limit)}."
        )
        self.size = size
        self.limit = limit


class InvalidFile(DomainError):
    """An upload that can never be accepted as it is; the message names the problem."""


class EmptyFile(InvalidFile):
    """The upload has no bytes at all."""

    def __init__(self) -> None:
        super().__init__("The submitted file is empty.")


class ExtensionMismatch(InvalidFile):
    """The file name claims one type and the content is another."""

    def __init__(self, extension: str, content: str) -> None:
        super().__init__(f'The file name ends in "{extension}" but the content is {content}.')
        self.extension = extension
        self.content = content


class CorruptImage(InvalidFile):
    """The bytes start like an image of a known format but cannot be decoded."""

    def __init__(self, image_format: str, problem: str) -> None:
        super().__init__(f"The {image_format} image cannot be read: {problem}.")
        self.image_format = image_format
        self.problem = problem


class TooManyPixels(InvalidFile):
    """The image header announces more pixels than may be decoded (a decompression bomb)."""

    def __init__(self, limit: int, width: int | None = None, height: int | None = None) -> None:
        if width is None or height is None:
            message = f"The image has more than the {limit:,} pixels accepted."
        else:
            message = (
                f"The image is {width}x{height} ({width * height:,} pixels); "
                f"at most {limit:,} pixels are accepted."
            )
        super().__init__(message)
        self.width = width
        self.height = height


class WithdrawnBeforePublished(DomainError):
    """A portfolio's withdrawal moment (``unpublish_at``) is not after its publication
    moment (``publish_at``)."""


class TakenMeanwhile(DomainError):
    """A portfolio cannot come back from the trash: another one took its ``field`` (title or
    slug) while it was there."""

    def __init__(self, field: str) -> None:
        super().__init__(f"another portfolio took this one's {field} meanwhile")
        self.field = field


class RevisionNotFound(NotFound):
    """No revision of this portfolio has this id."""


class MovedBesideItself(DomainError):
    """A portfolio cannot be moved before or after itself (``field`` says which was asked)."""

    def __init__(self, field: str) -> None:
        super().__init__(f"{field}: a portfolio cannot be moved beside itself")
        self.field = field


class MissingReferences(DomainError):
    """Ids in one field (``field``) that name nothing: every one of them (``values``)."""

    def __init__(self, field: str, values: tuple[int, ...]) -> None:
        super().__init__(f"{field}: {', '.join(map(str, values))} name nothing")
        self.field = field
        self.values = values
