"""``/api/media``: the media library, uploads included (permission codes 41xx)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, post
from litestar.params import FromPath

from application import (
    DeleteMedia,
    GetMedia,
    ListMedia,
    MediaLimits,
    MediaStorage,
    UploadMedia,
    page_number,
    page_size,
)
from domain import Action, MediaNotFound, Resource
from entrypoints.http.auth import permission
from entrypoints.http.ids import path_id
from entrypoints.http.injection import Injected
from entrypoints.http.openapi import (
    FieldErrors,
    responses,
    upload_responses,
    with_upload_body,
)
from entrypoints.http.origin import request_origin
from entrypoints.http.pages import PageParameter, PageSizeParameter, page_links
from entrypoints.http.presenters import UrlFor, image_data, public_urls
from entrypoints.http.schemas import ImageData, MediaListPage, Page
from entrypoints.http.uploads import NO_FILE, received_upload, upload_schema

AnyRequest = Request[Any, Any, Any]


class MediaEndpoints:
    """The media use cases with the upload reader and the presenter, handed to handlers as
    one dependency (as the other resources' endpoints are)."""

    def __init__(
        self,
        upload_media: UploadMedia,
        get_media: GetMedia,
        list_media: ListMedia,
        delete_media: DeleteMedia,
        media_storage: MediaStorage,
        limits: MediaLimits,
    ) -> None:
        self._upload = upload_media
        self._get = get_media
        self._list = list_media
        self._delete = delete_media
        self._media_storage = media_storage
        self._limits = limits

    async def upload(self, request: AnyRequest) -> ImageData:
        """Store the body's file; the media object as a portfolio's ``image_data`` shows it."""
        async with received_upload(request, self._limits.max_bytes) as upload:
            media = await self._upload(upload.file, upload.file_name, upload.shown_name)
        return image_data(media, self._url_for(request))

    async def list(
        self, request: AnyRequest, number: str | None, size: str | None
    ) -> MediaListPage:
        """One page of the library, newest first."""
        found = await self._list(page_number(number), page_size(size))
        url_for = self._url_for(request)
        following, preceding = page_links(request, found)
        return Page(
            count=found.total,
            next=following,
            previous=preceding,
            results=[image_data(media, url_for) for media in found.items],
        )

    async def retrieve(self, request: AnyRequest, raw_id: str) -> ImageData:
        """One media object by id."""
        return image_data(await self._get(path_id(raw_id, MediaNotFound)), self._url_for(request))

    async def delete(self, raw_id: str) -> None:
        """Remove the object and its files; 409 while anything refers to it."""
        await self._delete(path_id(raw_id, MediaNotFound))

    def _url_for(self, request: AnyRequest) -> UrlFor:
        return public_urls(self._media_storage, request_origin(request))


_INVALID_UPLOAD: FieldErrors = {"file": [NO_FILE]}


class MediaController(Controller):
    """Upload, list, read and delete stored files and images.

    The upload's body limit is the application's (PORTFOLIO_MAX_UPLOAD_BYTES and the room
    multipart framing needs), set where the settings are known.
    """

    path = "/api/media"
    tags = ["media"]

    @get(
        "/",
        opt=permission(Resource.MEDIA, Action.LIST),
        summary="List media",
        description="Newest first, 20 a page. Permission 4101.",
        responses=responses(404),
    )
    async def list_media(
        self,
        request: AnyRequest,
        media_endpoints: Injected[MediaEndpoints],
        page: PageParameter = None,
        page_size: PageSizeParameter = None,
    ) -> MediaListPage:
        """A page of media objects."""
        return await media_endpoints.list(request, page, page_size)

    @post(
        "/",
        opt=permission(Resource.MEDIA, Action.CREATE),
        summary="Upload a file",
        description=(
            "A multipart body with the file in `file` and, optionally, the name to show in "
            "`name`. Answers the media object as portfolios show it, with its thumbnails for "
            "an image. A refused upload leaves no file and no record. Permission 4103."
        ),
        operation_class=with_upload_body(upload_schema()),
        responses=upload_responses(_INVALID_UPLOAD),
    )
    async def upload_media(
        self, request: AnyRequest, media_endpoints: Injected[MediaEndpoints]
    ) -> ImageData:
        """A new media object."""
        return await media_endpoints.upload(request)

    @get(
        "/{media_id:str}",
        opt=permission(Resource.MEDIA, Action.RETRIEVE),
        summary="Retrieve a media object",
        description="Permission 4102.",
        responses=responses(404),
    )
    async def retrieve_media(
        self,
        request: AnyRequest,
        media_id: FromPath[str],
        media_endpoints: Injected[MediaEndpoints],
    ) -> ImageData:
        """One media object."""
        return await media_endpoints.retrieve(request, media_id)

    @delete(
        "/{media_id:str}",
        opt=permission(Resource.MEDIA, Action.DELETE),
        summary="Delete a media object",
        description=(
            "Removes the record, the file and its thumbnails. Refused (409, naming them) while "
            "a portfolio, employer, tag, link or meta entry refers to it. Permission 4105."
        ),
        responses=responses(404, 409),
    )
    async def delete_media(
        self, media_id: FromPath[str], media_endpoints: Injected[MediaEndpoints]
    ) -> None:
        """Remove the media object and its files."""
        await media_endpoints.delete(media_id)
