"""``/api/links``: links related to portfolios (permission codes 45xx)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, patch, post, put
from litestar.params import FromPath

from application import ManageLinks, MediaStorage
from domain import Action, Link, Resource
from entrypoints.http.auth import permission
from entrypoints.http.forms import JSON_BODY_LIMIT, Field, Form, Reference, Text, Url
from entrypoints.http.injection import Injected
from entrypoints.http.openapi import SEARCH_TOO_LONG, FieldErrors, responses, with_body
from entrypoints.http.pages import PageParameter, PageSizeParameter, SearchParameter
from entrypoints.http.presenters import link_data
from entrypoints.http.schemas import LinkData, LinkPage
from entrypoints.http.shared_objects import SharedObjectEndpoints

LINK_FORM = Form(
    name="Link",
    fields=(
        Field("name", "name", Text(max_length=200), required=True, description="Not unique."),
        Field("url", "url", Url(max_length=2000), nullable=True, description="http or https."),
        Field(
            "description",
            "description",
            Text(max_length=5000, blank=True),
            nullable=True,
        ),
        Field("image", "image_id", Reference(), nullable=True, description="A media id."),
    ),
    read_only=frozenset({"id", "image_data"}),
)


class LinkEndpoints(SharedObjectEndpoints[Link, LinkData, LinkPage]):
    """Links for the handlers."""

    def __init__(self, manage_links: ManageLinks, media_storage: MediaStorage) -> None:
        super().__init__(manage_links, media_storage, LINK_FORM, link_data, LinkPage)


_INVALID: FieldErrors = {"image": ['Invalid pk "999" - object does not exist.']}


class LinkController(Controller):
    """List, create, read, replace, change and delete links."""

    path = "/api/links"
    tags = ["links"]
    request_max_body_size = JSON_BODY_LIMIT

    @get(
        "/",
        opt=permission(Resource.LINKS, Action.LIST),
        summary="List links",
        description="By id, 20 a page; `?search=` looks in the name. Permission 4501.",
        responses=responses(404, fields=SEARCH_TOO_LONG),
    )
    async def list_links(
        self,
        request: Request[Any, Any, Any],
        link_endpoints: Injected[LinkEndpoints],
        search: SearchParameter = None,
        page: PageParameter = None,
        page_size: PageSizeParameter = None,
    ) -> LinkPage:
        """A page of links."""
        return await link_endpoints.list(request, search, page, page_size)

    @post(
        "/",
        opt=permission(Resource.LINKS, Action.CREATE),
        summary="Create a link",
        description="Permission 4503.",
        operation_class=with_body(LINK_FORM, partial=False),
        responses=responses(413, fields=_INVALID),
    )
    async def create_link(
        self, request: Request[Any, Any, Any], link_endpoints: Injected[LinkEndpoints]
    ) -> LinkData:
        """A new link."""
        return await link_endpoints.create(request)

    @get(
        "/{link_id:str}",
        opt=permission(Resource.LINKS, Action.RETRIEVE),
        summary="Retrieve a link",
        description="Permission 4502.",
        responses=responses(404),
    )
    async def retrieve_link(
        self,
        request: Request[Any, Any, Any],
        link_id: FromPath[str],
        link_endpoints: Injected[LinkEndpoints],
    ) -> LinkData:
        """One link."""
        return await link_endpoints.retrieve(request, link_id)

    @put(
        "/{link_id:str}",
        opt=permission(Resource.LINKS, Action.UPDATE),
        summary="Replace a link",
        description="The whole link; fields left out take their defaults. Permission 4504.",
        operation_class=with_body(LINK_FORM, partial=False),
        responses=responses(404, 413, fields=_INVALID),
    )
    async def replace_link(
        self,
        request: Request[Any, Any, Any],
        link_id: FromPath[str],
        link_endpoints: Injected[LinkEndpoints],
    ) -> LinkData:
        """The link, replaced."""
        return await link_endpoints.replace(request, link_id)

    @patch(
        "/{link_id:str}",
        opt=permission(Resource.LINKS, Action.UPDATE),
        summary="Change a link",
        description="Only the fields sent change. Permission 4504.",
        operation_class=with_body(LINK_FORM, partial=True),
        responses=responses(404, 413, fields=_INVALID),
    )
    async def update_link(
        self,
        request: Request[Any, Any, Any],
        link_id: FromPath[str],
        link_endpoints: Injected[LinkEndpoints],
    ) -> LinkData:
        """The link, changed."""
        return await link_endpoints.update(request, link_id)

    @delete(
        "/{link_id:str}",
        opt=permission(Resource.LINKS, Action.DELETE),
        summary="Delete a link",
        description="Refused (409) while a portfolio holds the link. Permission 4505.",
        responses=responses(404, 409),
    )
    async def delete_link(
        self, link_id: FromPath[str], link_endpoints: Injected[LinkEndpoints]
    ) -> None:
        """Remove the link."""
        await link_endpoints.delete(link_id)
