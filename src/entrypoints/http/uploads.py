"""Multipart uploads: the body streams into temporary files, never whole into memory.

Litestar's form parser writes each file part to a temporary file (in memory up to 1 MiB, on
disk beyond) while the body arrives, and cuts the body off at the route's size limit whether
or not a Content-Length was sent. This module turns what it parsed into the file and names
the upload use case takes, with Django REST Framework's messages.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, BinaryIO, cast

from litestar import Request
from litestar.datastructures import FormMultiDict, UploadFile
from litestar.exceptions import ClientException
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.openapi.spec import OpenAPIFormat, OpenAPIType, Schema

from domain import InvalidFields, human_readable_size
from entrypoints.http.forms import NOT_A_STRING, READ_ONLY, UNKNOWN, Invalid, Text

MULTIPART = "multipart/form-data"
FILE_FIELD = "file"
NAME_FIELD = "name"
NAME_MAX_LENGTH = 255
NO_FILE = "No file was submitted."
NOT_A_FILE = "The submitted data was not a file. Check the encoding type on the form."
# The multipart framing (boundaries, part headers) and the name field around the largest file.
FRAMING_ALLOWANCE = 64 * 1024

_NAME = Text(max_length=NAME_MAX_LENGTH, blank=True)
# The media object's own fields: a client may read them but never set them.
_READ_ONLY = frozenset(
    {"id", "type", "size", "human_readable_size", "f", "width", "height", "mode", "thumbnails"}
)


def upload_body_limit(max_file_bytes: int) -> int:
    """The largest request body accepted: a file of the largest size with its framing."""
    return max_file_bytes + FRAMING_ALLOWANCE


@dataclass(frozen=True, slots=True)
class Upload:
    """What a client uploaded: the file, its file name and the name to show (None: the file's)."""

    file: BinaryIO
    file_name: str
    shown_name: str | None


@asynccontextmanager
async def received_upload(
    request: Request[Any, Any, Any], max_file_bytes: int
) -> AsyncIterator[Upload]:
    """The upload in ``request``'s multipart body, its temporary files closed (and so gone) after.

    400 ``{"detail": ...}`` for a body that is not multipart or cannot be parsed, 400 field
    errors for missing, repeated, unknown or malformed fields, 413 for a body over the limit.
    """
    media_type, _ = request.content_type
    if media_type != MULTIPART:
        sent = f'it was sent as "{media_type}"' if media_type else "it was sent without a type"
        raise ClientException(
            f'The body must be {MULTIPART} with the file in the field "{FILE_FIELD}"; {sent}.'
        )
    try:
        form = await request.form()
    except RequestEntityTooLarge:
        limit = human_readable_size(max_file_bytes)
        raise RequestEntityTooLarge(f"The upload is larger than the {limit} accepted.") from None
    except ClientException as error:
        raise ClientException(f"Multipart form parse error - {error.detail}") from None
    except (UnicodeDecodeError, LookupError):
        # A text field in a charset that does not decode: the parser does not catch it itself.
        raise ClientException(
            "Multipart form parse error - a text field is not valid in its character set."
        ) from None
    try:
        yield _upload(form)
    finally:
        await form.close()


def _upload(form: FormMultiDict) -> Upload:
    errors: dict[str, list[str]] = {}
    file: UploadFile | None = None
    shown_name: str | None = None
    try:
        file = _file(form.getall(FILE_FIELD, []))
    except Invalid as error:
        errors[FILE_FIELD] = [str(error)]
    try:
        shown_name = _name(form.getall(NAME_FIELD, []))
    except Invalid as error:
        errors[NAME_FIELD] = [str(error)]
    for field in sorted(set(form) - {FILE_FIELD, NAME_FIELD}):
        errors[field] = [READ_ONLY if field in _READ_ONLY else UNKNOWN]
    if errors or file is None:
        raise InvalidFields(errors)
    # The parser's SpooledTemporaryFile reads, seeks and tells like any binary file.
    return Upload(cast(BinaryIO, file.file), file.filename, shown_name)


def _single(values: list[Any]) -> Any:
    if len(values) > 1:
        raise Invalid(f"Expected a single value but got {len(values)}.")
    return values[0] if values else None


def _file(values: list[Any]) -> UploadFile:
    value = _single(values)
    # Browsers send an empty text part when no file was chosen.
    if value is None or value == "":
        raise Invalid(NO_FILE)
    if not isinstance(value, UploadFile):
        raise Invalid(NOT_A_FILE)
    return value


def _name(values: list[Any]) -> str | None:
    value = _single(values)
    if value is None:
        return None
    if isinstance(value, UploadFile):
        raise Invalid(NOT_A_STRING)
    return _NAME.parse(value) or None


def upload_schema() -> Schema:
    """The multipart body's OpenAPI schema."""
    return Schema(
        type=OpenAPIType.OBJECT,
        title="MediaUpload",
        required=[FILE_FIELD],
        properties={
            FILE_FIELD: Schema(
                type=OpenAPIType.STRING,
                format=OpenAPIFormat.BINARY,
                description=(
                    "The file, at most `PORTFOLIO_MAX_UPLOAD_BYTES` (20 MB unless configured). "
                    "JPEG, PNG, GIF, WebP and BMP images (judged "
                    "from the bytes, never the name) get four thumbnails; other files are "
                    "stored as they are. The name's extension must fit the content."
                ),
            ),
            NAME_FIELD: Schema(
                type=OpenAPIType.STRING,
                max_length=NAME_MAX_LENGTH,
                description="The name to show; the file's own name when left out or blank.",
            ),
        },
        additional_properties=False,
    )
