"""Multipart uploads: the body streams into temporary files, never whole into memory.

The body is parsed as it arrives (multipart's push parser, the one Litestar itself uses): a
file part goes into a temporary file (in memory up to 1 MiB, on disk beyond) and is cut off
as soon as it passes the file limit; text parts are small or refused. The body as a whole is
also cut off at the route's limit, whether or not a Content-Length was sent.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing, asynccontextmanager
from dataclasses import dataclass
from typing import Any, BinaryIO, cast

from litestar import Request
from litestar.datastructures import UploadFile
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.openapi.spec import OpenAPIFormat, OpenAPIType, Schema
from multipart import MultipartError, MultipartSegment, ParserLimitReached, PushMultipartParser

from portfolio.domain import human_readable_size
from portfolio.entrypoints.http.forms import NO_NUL, NOT_A_STRING, READ_ONLY, UNKNOWN, Invalid, Text
from portfolio.entrypoints.http.request_errors import InvalidFields, bad_request, too_large

MULTIPART = "multipart/form-data"
FILE_FIELD = "file"
NAME_FIELD = "name"
NAME_MAX_LENGTH = 255
NO_FILE = "No file was submitted."
NOT_A_FILE = "The submitted data was not a file. Check the encoding type on the form."
PARSE_ERROR = "Multipart form parse error -"
MALFORMED_MULTIPART = f"{PARSE_ERROR} the body is not well-formed multipart data."
# The multipart framing (boundaries, part headers) and the name field around the largest file.
FRAMING_ALLOWANCE = 64 * 1024
# A file, a name and a few parts more to name in a refusal; beyond that a body is malformed.
MAX_PARTS = 16
# Ample for a name of 255 characters in any encoding; a text part is held in memory.
TEXT_PART_LIMIT = 16 * 1024

_NAME = Text(max_length=NAME_MAX_LENGTH, blank=True)
# The media object's own fields: a client may read them but never set them.
_READ_ONLY = frozenset(
    {"id", "type", "size", "human_readable_size", "f", "width", "height", "mode", "thumbnails"}
)

Part = tuple[str, "str | UploadFile"]
"""A parsed part: its field name and its text or file."""


@dataclass(frozen=True, slots=True)
class Upload:
    """What a client uploaded: the file, its file name and the name to show (None: the file's),
    and the fingerprint of its parts."""

    file: BinaryIO
    file_name: str
    shown_name: str | None
    fingerprint: bytes


@asynccontextmanager
async def received_upload(
    request: Request[Any, Any, Any], max_file_bytes: int
) -> AsyncIterator[Upload]:
    """The upload in ``request``'s multipart body, its temporary files closed (and so gone) after.

    400 ``{"detail": ...}`` for a body that is not multipart or cannot be parsed, 400 field
    errors for missing, repeated, unknown or malformed fields, 413 for a file or a body over
    its limit.
    """
    media_type, options = request.content_type
    if media_type != MULTIPART:
        sent = f'it was sent as "{media_type}"' if media_type else "it was sent without a type"
        raise bad_request(
            f'The body must be {MULTIPART} with the file in the field "{FILE_FIELD}"; {sent}.'
        )
    boundary = options.get("boundary")
    if not boundary:
        raise bad_request(f"{PARSE_ERROR} the Content-Type names no boundary.")
    collector = _PartCollector(max_file_bytes)
    try:
        # Closed at once: a body may go on after its last part, and is then left unread.
        async with aclosing(_body(request, max_file_bytes)) as body:
            await _parse(body, boundary, collector)
        yield _upload(collector.parts, collector.fingerprint())
    finally:
        for _, value in collector.parts:
            if isinstance(value, UploadFile):
                await value.close()


async def _body(
    request: Request[Any, Any, Any], max_file_bytes: int
) -> AsyncGenerator[bytes, None]:
    # Litestar stops the stream once the body passes the route's limit, with or without a
    # Content-Length; the answer then names the limit people know, the file's.
    try:
        async for chunk in request.stream():
            yield chunk
    except RequestEntityTooLarge:
        limit = human_readable_size(max_file_bytes)
        raise too_large(f"The upload is larger than the {limit} accepted.") from None


async def _parse(body: AsyncIterator[bytes], boundary: str, collector: _PartCollector) -> None:
    try:
        with PushMultipartParser(boundary, max_segment_count=MAX_PARTS) as parser:
            # The stream ends with an empty chunk, which tells the parser the body is complete.
            async for chunk in body:
                for event in parser.parse(chunk):
                    await collector.take(event)
                if parser.closed:
                    break
    except ParserLimitReached:
        raise bad_request(f"{PARSE_ERROR} more than {MAX_PARTS} parts.") from None
    except MultipartError:
        # The parser's own words change between releases; clients get the project's.
        raise bad_request(MALFORMED_MULTIPART) from None
    except (UnicodeDecodeError, LookupError):
        raise bad_request(f"{PARSE_ERROR} a text part is not valid in its charset.") from None


class _PartCollector:
    """Parser events into parts (files into temporary files), digested as they pass: a retry
    of the same upload is recognised without holding the body, whatever its boundary."""

    def __init__(self, max_file_bytes: int) -> None:
        self.parts: list[Part] = []
        self._digest = hashlib.sha256()
        self._max_file_bytes = max_file_bytes
        self._segment: MultipartSegment | None = None
        self._file: UploadFile | None = None
        self._text = bytearray()
        self._received = 0

    async def take(self, event: MultipartSegment | bytes | None) -> None:
        """Start a part (its headers), add to it (a chunk of its body) or end it (None)."""
        if isinstance(event, MultipartSegment):
            self._start(event)
            return
        # The parser announces every part before its body; this only keeps the types honest.
        if self._segment is None:
            raise MultipartError("a part without headers")
        if event is None:
            self._digest.update(self._received.to_bytes(8, "big"))
            if self._file is None:
                text = self._text.decode(self._segment.charset or "utf-8")
                self.parts.append((self._segment.name, text))
            return
        self._received += len(event)
        self._digest.update(event)
        if self._file is not None:
            if self._received > self._max_file_bytes:
                limit = human_readable_size(self._max_file_bytes)
                raise too_large(f"The file is larger than the {limit} accepted.")
            await self._file.write(event)
        elif self._received > TEXT_PART_LIMIT:
            limit = human_readable_size(TEXT_PART_LIMIT)
            name = self._segment.name
            raise too_large(f'The part "{name}" is larger than the {limit} accepted.')
        else:
            self._text.extend(event)

    def fingerprint(self) -> bytes:
        """The digest of every part taken so far."""
        return self._digest.digest()

    def _start(self, segment: MultipartSegment) -> None:
        self._segment, self._file, self._text, self._received = segment, None, bytearray(), 0
        for value in (segment.name, segment.filename or "", segment.content_type or ""):
            # Length-prefixed, so that no two different sets of headers digest alike.
            encoded = value.encode("utf-8", "surrogateescape")
            self._digest.update(len(encoded).to_bytes(4, "big") + encoded)
        if segment.filename:
            # The client's Content-Type is kept by the parser but never believed.
            self._file = UploadFile(segment.content_type or "", segment.filename)
            self.parts.append((segment.name, self._file))


def _upload(parts: list[Part], fingerprint: bytes) -> Upload:
    errors: dict[str, list[str]] = {}
    file: UploadFile | None = None
    shown_name: str | None = None
    try:
        file = _file([value for field, value in parts if field == FILE_FIELD])
    except Invalid as error:
        errors[FILE_FIELD] = [str(error)]
    try:
        shown_name = _name([value for field, value in parts if field == NAME_FIELD])
    except Invalid as error:
        errors[NAME_FIELD] = [str(error)]
    for field in sorted({field for field, _ in parts} - {FILE_FIELD, NAME_FIELD}):
        errors[field] = [READ_ONLY if field in _READ_ONLY else UNKNOWN]
    if errors or file is None:
        raise InvalidFields(errors)
    # The temporary file reads, seeks and tells like any binary file.
    return Upload(cast(BinaryIO, file.file), file.filename, shown_name, fingerprint)


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
                min_length=1,
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
                pattern=NO_NUL,
                description="The name to show; the file's own name when left out or blank.",
            ),
        },
        additional_properties=False,
    )
