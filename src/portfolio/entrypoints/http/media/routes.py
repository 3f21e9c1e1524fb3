"""``/api/media``: the media library, uploads included (permission codes 41xx)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Response
from litestar.openapi.spec import Operation

from portfolio.application.listing import Page
from portfolio.application.media.library import ChangeMedia, DeleteMedia, GetMedia, ListMedia
from portfolio.application.media.upload import MediaLimits, UploadMedia
from portfolio.domain import ALT_MAX_LENGTH, Media, MediaNotFound
from portfolio.domain import Resource as Code
from portfolio.entrypoints.http.forms import Field, Form, Text
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
    UPDATE,
    AnyRequest,
    Resource,
    ResourceEndpoints,
    author_of,
)
from portfolio.entrypoints.http.retries import create_once
from portfolio.entrypoints.http.shared_objects import EMPLOYERS, LINKS, META, TAGS
from portfolio.entrypoints.http.wire import WEB_IMAGE, ImageData, Presenter, presenter
from portfolio.entrypoints.telemetry.metrics import upload_stored

MEDIA_FORM = Form(
    "Media",
    (
        Field(
            "alt",
            Text(ALT_MAX_LENGTH, blank=True),
            description="Alternative text for people who cannot see the image.",
            default="",
        ),
    ),
    shows=ImageData,
    example={"alt": "The team on the roof of the new office"},
)
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


def _upload_documented(media: Resource[Any]) -> type[Operation]:
    # The upload's body limit is the application's (PORTFOLIO_MAX_UPLOAD_BYTES and the room
    # multipart framing needs), set where the settings are known.
    return documented(
        body=upload_schema(),
        media_type=MULTIPART,
        body_example={"file": "Minutes of the kick-off meeting.", "name": "Kick-off minutes"},
        fields={"file": [NO_FILE]},
        links={**media.links_from_create(RETRIEVE, DELETE), **links_into(_TAKE_MEDIA)},
        retried=True,
    )


MEDIA: Resource[ImageData] = Resource(
    code=Code.MEDIA,
    name="MediaList",
    singular="media object",
    plural="media",
    data=ImageData,
    missing=MediaNotFound,
    operations=(LIST, CREATE, RETRIEVE, UPDATE, DELETE),
    form=MEDIA_FORM,
    query=(),
    summaries={CREATE: "Upload a file"},
    create_documented=_upload_documented,
    answers={CREATE: {413: upload_responses()[413]}},
    notes={
        LIST: "Newest first, 20 a page.",
        CREATE: "A multipart body with the file in `file` and, optionally, the name to show in "
        "`name`. Answers the media object: as portfolios show it, with its thumbnails for an "
        "image, then `alt` and `placeholder`, each thumbnail listing its AVIF and WebP `variants`. "
        "A refused upload leaves no file and no record.",
        DELETE: "Removes the record, the file, its thumbnails and their AVIF and WebP variants. "
        "Refused (409, naming them) while a portfolio, employer, tag, link or meta entry refers "
        "to it.",
        UPDATE: "Only the alternative text (`alt`) can be changed; the file itself never is.",
    },
)


@dataclass(kw_only=True)
class MediaEndpoints(ResourceEndpoints[Media, ImageData]):
    """The media use cases with the upload reader, for the operations."""

    resource: Resource[ImageData] = MEDIA
    upload: UploadMedia
    get_media: GetMedia
    list_media: ListMedia
    change_media: ChangeMedia
    delete_media: DeleteMedia
    limits: MediaLimits

    def presenter_for(self, request: AnyRequest) -> Presenter[ImageData]:
        """Images with their alternative text, placeholder and thumbnail variants."""
        return presenter(ImageData, expand=WEB_IMAGE)

    async def receive(self, request: AnyRequest) -> ImageData | Response[bytes]:
        """Store the body's file, once per ``Idempotency-Key``; the media object as a
        portfolio's ``image_data`` shows it."""
        async with received_upload(request, self.limits.max_bytes) as upload:

            async def parts() -> bytes:
                return upload.fingerprint

            async def store() -> ImageData:
                media = await self.upload(
                    upload.file, upload.file_name, upload.shown_name, by=author_of(request)
                )
                upload_stored(media.size)
                return self.present(request, media)

            return await create_once(request, self.retries, parts, store)

    async def find(self, request: AnyRequest) -> Page[Media]:
        """One page of the library, newest first."""
        return await self.list_media(*requested_page(request.query_params))

    async def get(self, object_id: int) -> Media:
        """One media object with its thumbnails."""
        return await self.get_media(object_id)

    async def change(
        self, request: AnyRequest, object_id: int, values: dict[str, Any], *, partial: bool
    ) -> Media:
        """Change the alternative text (PATCH only)."""
        return await self.change_media(object_id, values, author_of(request))

    async def remove(self, request: AnyRequest, object_id: int) -> None:
        """Remove the object and its files; 409 while anything refers to it."""
        await self.delete_media(object_id, by=author_of(request))
