"""``/api/tags``: labels that group portfolios (permission codes 44xx)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, patch, post, put
from litestar.params import FromPath

from application import ManageTags, MediaStorage
from domain import Action, Resource, Tag
from entrypoints.http.auth import permission
from entrypoints.http.forms import JSON_BODY_LIMIT, Field, Form, Reference, Text
from entrypoints.http.injection import Injected
from entrypoints.http.openapi import SEARCH_TOO_LONG, FieldErrors, responses, with_body
from entrypoints.http.pages import PageParameter, PageSizeParameter, SearchParameter
from entrypoints.http.presenters import tag_data
from entrypoints.http.schemas import TagData, TagPage
from entrypoints.http.shared_objects import SharedObjectEndpoints

TAG_FORM = Form(
    name="Tag",
    fields=(
        Field("name", "name", Text(max_length=200), required=True, description="Unique."),
        Field("image", "image_id", Reference(), nullable=True, description="A media id."),
    ),
    read_only=frozenset({"id", "image_data"}),
)


class TagEndpoints(SharedObjectEndpoints[Tag, TagData, TagPage]):
    """Tags for the handlers."""

    def __init__(self, manage_tags: ManageTags, media_storage: MediaStorage) -> None:
        super().__init__(manage_tags, media_storage, TAG_FORM, tag_data, TagPage)


_INVALID: FieldErrors = {"name": ["tag with this name already exists."]}


class TagController(Controller):
    """List, create, read, replace, change and delete tags."""

    path = "/api/tags"
    tags = ["tags"]
    request_max_body_size = JSON_BODY_LIMIT

    @get(
        "/",
        opt=permission(Resource.TAGS, Action.LIST),
        summary="List tags",
        description="By id, 20 a page; `?search=` looks in the name. Permission 4401.",
        responses=responses(404, fields=SEARCH_TOO_LONG),
    )
    async def list_tags(
        self,
        request: Request[Any, Any, Any],
        tag_endpoints: Injected[TagEndpoints],
        search: SearchParameter = None,
        page: PageParameter = None,
        page_size: PageSizeParameter = None,
    ) -> TagPage:
        """A page of tags."""
        return await tag_endpoints.list(request, search, page, page_size)

    @post(
        "/",
        opt=permission(Resource.TAGS, Action.CREATE),
        summary="Create a tag",
        description="Permission 4403.",
        operation_class=with_body(TAG_FORM, partial=False),
        responses=responses(413, fields=_INVALID),
    )
    async def create_tag(
        self, request: Request[Any, Any, Any], tag_endpoints: Injected[TagEndpoints]
    ) -> TagData:
        """A new tag."""
        return await tag_endpoints.create(request)

    @get(
        "/{tag_id:str}",
        opt=permission(Resource.TAGS, Action.RETRIEVE),
        summary="Retrieve a tag",
        description="Permission 4402.",
        responses=responses(404),
    )
    async def retrieve_tag(
        self,
        request: Request[Any, Any, Any],
        tag_id: FromPath[str],
        tag_endpoints: Injected[TagEndpoints],
    ) -> TagData:
        """One tag."""
        return await tag_endpoints.retrieve(request, tag_id)

    @put(
        "/{tag_id:str}",
        opt=permission(Resource.TAGS, Action.UPDATE),
        summary="Replace a tag",
        description="The whole tag; fields left out take their defaults. Permission 4404.",
        operation_class=with_body(TAG_FORM, partial=False),
        responses=responses(404, 413, fields=_INVALID),
    )
    async def replace_tag(
        self,
        request: Request[Any, Any, Any],
        tag_id: FromPath[str],
        tag_endpoints: Injected[TagEndpoints],
    ) -> TagData:
        """The tag, replaced."""
        return await tag_endpoints.replace(request, tag_id)

    @patch(
        "/{tag_id:str}",
        opt=permission(Resource.TAGS, Action.UPDATE),
        summary="Change a tag",
        description="Only the fields sent change. Permission 4404.",
        operation_class=with_body(TAG_FORM, partial=True),
        responses=responses(404, 413, fields=_INVALID),
    )
    async def update_tag(
        self,
        request: Request[Any, Any, Any],
        tag_id: FromPath[str],
        tag_endpoints: Injected[TagEndpoints],
    ) -> TagData:
        """The tag, changed."""
        return await tag_endpoints.update(request, tag_id)

    @delete(
        "/{tag_id:str}",
        opt=permission(Resource.TAGS, Action.DELETE),
        summary="Delete a tag",
        description="Refused (409) while a portfolio holds the tag. Permission 4405.",
        responses=responses(404, 409),
    )
    async def delete_tag(
        self, tag_id: FromPath[str], tag_endpoints: Injected[TagEndpoints]
    ) -> None:
        """Remove the tag."""
        await tag_endpoints.delete(tag_id)
