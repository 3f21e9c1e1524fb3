"""``/api/media``: the media library, uploads included (permission codes 41xx)."""

from __future__ import annotations

from litestar import Response, get, post

from portfolio.application.listing import page_number, page_size
from portfolio.application.media.library import DeleteMedia, GetMedia, ListMedia
from portfolio.application.media.upload import MediaLimits, UploadMedia
from portfolio.application.ports import MediaStorage
from portfolio.application.retries import SafeRetries
from portfolio.domain import Media, MediaNotFound, Resource
from portfolio.entrypoints.http.injection import Injected
from portfolio.entrypoints.http.media.uploads import (
    MULTIPART,
    NO_FILE,
    received_upload,
    upload_schema,
)
from portfolio.entrypoints.http.openapi import (
    FieldErrors,
    documented,
    links_into,
    read_responses,
    upload_responses,
)
from portfolio.entrypoints.http.pages import PageParameter, PageSizeParameter
from portfolio.entrypoints.http.portfolios.routes import PORTFOLIOS
from portfolio.entrypoints.http.presenters import image_data
from portfolio.entrypoints.http.resources import (
    CREATE,
    DELETE,
    LIST,
    RETRIEVE,
    AnyRequest,
    Declared,
    Endpoints,
)
from portfolio.entrypoints.http.retries import create_once
from portfolio.entrypoints.http.schemas import ImageData, MediaListPage, Page
from portfolio.entrypoints.http.shared_objects import EMPLOYERS, LINKS, META, TAGS
from portfolio.entrypoints.telemetry.metrics import upload_stored

MEDIA: Declared[Media, ImageData] = Declared(
    resource=Resource.MEDIA,
    path="media",
    name="MediaList",
    singular="media object",
    plural="media",
    data=ImageData,
    present=image_data,
    missing=MediaNotFound,
    notes={
        LIST: "Newest first, 20 a page.",
        CREATE: "A multipart body with the file in `file` and, optionally, the name to show "
        "in `name`. Answers the media object as portfolios show it, with its thumbnails for "
        "an image. A refused upload leaves no file and no record.",
        DELETE: "Removes the record, the file and its thumbnails. Refused (409, naming them) "
        "while a portfolio, employer, tag, link or meta entry refers to it.",
    },
    summaries={CREATE: "Upload a file"},
)


class MediaEndpoints(Endpoints[Media, ImageData]):
    """The media use cases with the upload reader and the presenter, for the handlers."""

    def __init__(
        self,
        upload_media: UploadMedia,
        get_media: GetMedia,
        list_media: ListMedia,
        delete_media: DeleteMedia,
        media_storage: MediaStorage,
        limits: MediaLimits,
        retries: SafeRetries,
    ) -> None:
        super().__init__(MEDIA, media_storage)
        self._upload = upload_media
        self._get = get_media
        self._list = list_media
        self._delete = delete_media
        self._limits = limits
        self._retries = retries

    async def create(self, request: AnyRequest) -> ImageData | Response[bytes]:
        """Store the body's file; the media object as a portfolio's ``image_data`` shows it.
        Stored once per ``Idempotency-Key``."""
        async with received_upload(request, self._limits.max_bytes) as upload:

            async def parts() -> bytes:
                return upload.fingerprint

            async def store() -> ImageData:
                media = await self._upload(upload.file, upload.file_name, upload.shown_name)
                return self.present(request, media)

            return await create_once(request, self._retries, parts, store)

    async def list(
        self, request: AnyRequest, number: str | None, size: str | None
    ) -> Page[ImageData]:
        """One page of the library, newest first."""
        return self.page(request, await self._list(page_number(number), page_size(size)))

    async def fetch(self, object_id: int) -> Media:
        """One media object with its thumbnails."""
        return await self._get(object_id)

    async def remove(self, object_id: int) -> None:
        """Remove the object and its files; 409 while anything refers to it."""
        await self._delete(object_id)


_INVALID_UPLOAD: FieldErrors = {"file": [NO_FILE]}
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


@get(
    "/",
    **MEDIA.operation(LIST),
    responses=read_responses(404),
    operation_class=documented(conditional=True),
)
async def list_media(
    request: AnyRequest,
    endpoints: Injected[MediaEndpoints],
    page: PageParameter = None,
    page_size: PageSizeParameter = None,
) -> MediaListPage:
    """A page of media objects."""
    return await endpoints.list(request, page, page_size)


# The upload's body limit is the application's (PORTFOLIO_MAX_UPLOAD_BYTES and the room
# multipart framing needs), set where the settings are known.
@post(
    "/",
    **MEDIA.operation(CREATE),
    operation_class=documented(
        body=upload_schema(),
        media_type=MULTIPART,
        body_example={"file": "Minutes of the kick-off meeting.", "name": "Kick-off minutes"},
        fields=_INVALID_UPLOAD,
        links={**MEDIA.links_from_create(RETRIEVE, DELETE), **links_into(_TAKE_MEDIA)},
        retried=True,
    ),
    responses=upload_responses(),
)
async def upload_media(request: AnyRequest, endpoints: Injected[MediaEndpoints]) -> ImageData:
    """A new media object."""
    created = await endpoints.create(request)
    if not isinstance(created, Response):  # a retry's repeated answer stored nothing new
        upload_stored(created.size)
    # The annotation documents the body; an answer repeated for a retry comes as a
    # Response, which Litestar sends as it is.
    return created  # type: ignore[return-value]


MEDIA_OPERATIONS = (RETRIEVE, DELETE)
"""The operations made from the declaration; the list and the upload are written above."""
