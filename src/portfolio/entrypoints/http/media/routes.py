"""``/api/media``: the media library, uploads included (permission codes 41xx)."""

from __future__ import annotations

from typing import Any

from litestar import Response, post

from portfolio.application.listing import Page
from portfolio.application.media.library import DeleteMedia, GetMedia, ListMedia
from portfolio.application.media.upload import MediaLimits, UploadMedia
from portfolio.application.ports import MediaStorage
from portfolio.application.retries import SafeRetries
from portfolio.domain import Media, MediaNotFound
from portfolio.domain import Resource as Code
from portfolio.entrypoints.http.injection import Injected
from portfolio.entrypoints.http.media.uploads import (
    MULTIPART,
    NO_FILE,
    received_upload,
    upload_schema,
)
from portfolio.entrypoints.http.openapi import documented, links_into, upload_responses
from portfolio.entrypoints.http.pages import requested_page
from portfolio.entrypoints.http.portfolios import PORTFOLIOS
from portfolio.entrypoints.http.resource import (
    CREATE,
    DELETE,
    LIST,
    RETRIEVE,
    AnyRequest,
    Resource,
    ResourceEndpoints,
    author_of,
)
from portfolio.entrypoints.http.retries import create_once
from portfolio.entrypoints.http.shared_objects import EMPLOYERS, LINKS, META, TAGS
from portfolio.entrypoints.http.wire import ImageData
from portfolio.entrypoints.telemetry.metrics import upload_stored

_NOTES = {
    LIST: "Newest first, 20 a page.",
    CREATE: "A multipart body with the file in `file` and, optionally, the name to show in "
    "`name`. Answers the media object as portfolios show it, with its thumbnails for an image. "
    "A refused upload leaves no file and no record.",
    DELETE: "Removes the record, the file and its thumbnails. Refused (409, naming them) while "
    "a portfolio, employer, tag, link or meta entry refers to it.",
}
# The creates whose body takes a media id, and the field that does.
_TAKE_MEDIA = {
    declared.operation_id(CREATE): field
    for declared, field in (
        (PORTFOLIOS, "image"),
        (EMPLOYERS, "image"),
        (TAGS, "image"),
        (LINKS, "image"),
        (META, "value_file"),
    )
}
_NAMES: dict[str, Any] = {
    "code": Code.MEDIA,
    "path": "media",
    "name": "MediaList",
    "singular": "media object",
    "plural": "media",
    "data": ImageData,
    "missing": MediaNotFound,
}
# Declared without its upload first, for the upload's own texts.
_BARE: Resource[ImageData] = Resource(**_NAMES, notes=_NOTES)


# The upload's body limit is the application's (PORTFOLIO_MAX_UPLOAD_BYTES and the room
# multipart framing needs), set where the settings are known.
@post(
    "/",
    **{**_BARE.operation(CREATE), "summary": "Upload a file"},
    operation_class=documented(
        body=upload_schema(),
        media_type=MULTIPART,
        body_example={"file": "Minutes of the kick-off meeting.", "name": "Kick-off minutes"},
        fields={"file": [NO_FILE]},
        links={**_BARE.links_from_create(RETRIEVE, DELETE), **links_into(_TAKE_MEDIA)},
        retried=True,
    ),
    responses=upload_responses(),
)
async def upload_media(request: AnyRequest, endpoints: Injected[MediaEndpoints]) -> ImageData:
    """A new media object, stored once per ``Idempotency-Key``."""
    created = await endpoints.upload(request)
    if not isinstance(created, Response):  # a retry's repeated answer stored nothing new
        upload_stored(created.size)
    # The annotation documents the body; an answer repeated for a retry comes as a Response,
    # which Litestar sends as it is.
    return created  # type: ignore[return-value]


MEDIA: Resource[ImageData] = Resource(
    **_NAMES,
    operations=(LIST, RETRIEVE, DELETE),
    query=(),
    actions=(upload_media,),
    notes=_NOTES,
)


class MediaEndpoints(ResourceEndpoints[Media, ImageData]):
    """The media use cases with the upload reader, for the operations."""

    def __init__(
        self,
        upload: UploadMedia,
        get_media: GetMedia,
        list_media: ListMedia,
        delete_media: DeleteMedia,
        limits: MediaLimits,
        storage: MediaStorage,
        retries: SafeRetries,
    ) -> None:
        super().__init__(MEDIA, storage, retries)
        self._upload = upload
        self._get = get_media
        self._list = list_media
        self._delete = delete_media
        self._limits = limits

    async def upload(self, request: AnyRequest) -> ImageData | Response[bytes]:
        """Store the body's file; the media object as a portfolio's ``image_data`` shows it."""
        async with received_upload(request, self._limits.max_bytes) as upload:

            async def parts() -> bytes:
                return upload.fingerprint

            async def store() -> ImageData:
                media = await self._upload(
                    upload.file, upload.file_name, upload.shown_name, by=author_of(request)
                )
                return self.present(request, media)

            return await create_once(request, self.retries, parts, store)

    async def find(self, request: AnyRequest) -> Page[Media]:
        """One page of the library, newest first."""
        wanted = requested_page(request.query_params)
        return await self._list(wanted.number, wanted.size)

    async def get(self, object_id: int) -> Media:
        """One media object with its thumbnails."""
        return await self._get(object_id)

    async def remove(self, request: AnyRequest, object_id: int) -> None:
        """Remove the object and its files; 409 while anything refers to it."""
        await self._delete(object_id, by=author_of(request))
