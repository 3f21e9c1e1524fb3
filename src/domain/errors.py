"""What can go wrong in the domain's own terms; the HTTP layer maps these once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain.media import MediaReference
from domain.sizes import human_readable_size


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


class PageNotFound(NotFound):
    """A page number that is malformed or past the last page of a list."""


class AuthenticationFailed(DomainError):
    """Credentials were given but cannot be accepted; the message says why."""


class PermissionDenied(DomainError):
    """The caller is known but may not do this."""


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
    """Something that refers to an object, named for people: ``portfolio 3 "web design"``."""

    kind: str
    id: int
    name: str

    def __str__(self) -> str:
        return f'{self.kind} {self.id} "{self.name}"'


class InUse(DomainError):
    """An object cannot be deleted while something still refers to it; the message names what."""


class HeldByPortfolios(InUse):
    """An employer, tag, link or meta entry that portfolios still hold.

    ``referrers`` names the first few of them and ``total`` says how many there are.
    """

    SHOWN = 5
    """How many referrers the message names before summing up the rest."""

    def __init__(self, entity: str, referrers: Sequence[Referrer], total: int) -> None:
        named = ", ".join(map(str, referrers[: self.SHOWN]))
        rest = total - min(len(referrers), self.SHOWN)
        more = f" and {rest} more" if rest > 0 else ""
        super().__init__(f"Cannot delete this {entity}: it is used by {named}{more}.")
        self.entity = entity
        self.referrers = tuple(referrers)
        self.total = total


class MediaNotFound(NotFound):
    """No media object has that id."""


class MediaInUse(InUse):
    """A media object cannot be deleted while something still refers to it."""

    SHOWN = 5
    """How many referrers the message names before summing up the rest."""

    def __init__(
        self, media_id: int, references: tuple[MediaReference, ...], total: int | None = None
    ) -> None:
        total = len(references) if total is None else total
        used_by = ", ".join(str(reference) for reference in references[: self.SHOWN])
        rest = total - min(len(references), self.SHOWN)
        more = f" and {rest} more" if rest > 0 else ""
        super().__init__(f"Media {media_id} cannot be deleted: it is used by {used_by}{more}.")
        self.media_id = media_id
        self.references = references
        self.total = total


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
