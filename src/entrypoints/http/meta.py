"""``/api/meta``: free key/value entries attached to portfolios (permission codes 46xx)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, patch, post, put
from litestar.params import FromPath

from application import ManageMeta, MediaStorage
from domain import Action, Meta, Resource
from entrypoints.http.auth import permission
from entrypoints.http.forms import JSON_BODY_LIMIT, Field, Form, Reference, Text
from entrypoints.http.injection import Injected
from entrypoints.http.openapi import SEARCH_TOO_LONG, FieldErrors, responses, with_body
from entrypoints.http.pages import PageParameter, PageSizeParameter, SearchParameter
from entrypoints.http.presenters import meta_data
from entrypoints.http.schemas import MetaData, MetaPage
from entrypoints.http.shared_objects import SharedObjectEndpoints

META_FORM = Form(
    name="Meta",
    fields=(
        Field("key", "key", Text(max_length=200), required=True, description="Not unique."),
        Field(
            "value_text",
            "value_text",
            Text(max_length=50_000, blank=True),
            nullable=True,
        ),
        Field(
            "value_file",
            "value_file_id",
            Reference(),
            nullable=True,
            description="A media id; read back as a file object.",
        ),
    ),
    read_only=frozenset({"id"}),
)


class MetaEndpoints(SharedObjectEndpoints[Meta, MetaData, MetaPage]):
    """Meta entries for the handlers."""

    def __init__(self, manage_meta: ManageMeta, media_storage: MediaStorage) -> None:
        super().__init__(manage_meta, media_storage, META_FORM, meta_data, MetaPage)


_INVALID: FieldErrors = {"value_file": ['Invalid pk "999" - object does not exist.']}


class MetaController(Controller):
    """List, create, read, replace, change and delete meta entries."""

    path = "/api/meta"
    tags = ["meta"]
    request_max_body_size = JSON_BODY_LIMIT

    @get(
        "/",
        opt=permission(Resource.META, Action.LIST),
        summary="List meta entries",
        description="By id, 20 a page; `?search=` looks in the key. Permission 4601.",
        responses=responses(404, fields=SEARCH_TOO_LONG),
    )
    async def list_meta_entries(
        self,
        request: Request[Any, Any, Any],
        meta_endpoints: Injected[MetaEndpoints],
        search: SearchParameter = None,
        page: PageParameter = None,
        page_size: PageSizeParameter = None,
    ) -> MetaPage:
        """A page of meta entries."""
        return await meta_endpoints.list(request, search, page, page_size)

    @post(
        "/",
        opt=permission(Resource.META, Action.CREATE),
        summary="Create a meta entry",
        description="Permission 4603.",
        operation_class=with_body(META_FORM, partial=False),
        responses=responses(413, fields=_INVALID),
    )
    async def create_meta_entry(
        self, request: Request[Any, Any, Any], meta_endpoints: Injected[MetaEndpoints]
    ) -> MetaData:
        """A new meta entry."""
        return await meta_endpoints.create(request)

    @get(
        "/{meta_id:str}",
        opt=permission(Resource.META, Action.RETRIEVE),
        summary="Retrieve a meta entry",
        description="Permission 4602.",
        responses=responses(404),
    )
    async def retrieve_meta_entry(
        self,
        request: Request[Any, Any, Any],
        meta_id: FromPath[str],
        meta_endpoints: Injected[MetaEndpoints],
    ) -> MetaData:
        """One meta entry."""
        return await meta_endpoints.retrieve(request, meta_id)

    @put(
        "/{meta_id:str}",
        opt=permission(Resource.META, Action.UPDATE),
        summary="Replace a meta entry",
        description="The whole meta entry; fields left out take their defaults. Permission 4604.",
        operation_class=with_body(META_FORM, partial=False),
        responses=responses(404, 413, fields=_INVALID),
    )
    async def replace_meta_entry(
        self,
        request: Request[Any, Any, Any],
        meta_id: FromPath[str],
        meta_endpoints: Injected[MetaEndpoints],
    ) -> MetaData:
        """The meta entry, replaced."""
        return await meta_endpoints.replace(request, meta_id)

    @patch(
        "/{meta_id:str}",
        opt=permission(Resource.META, Action.UPDATE),
        summary="Change a meta entry",
        description="Only the fields sent change. Permission 4604.",
        operation_class=with_body(META_FORM, partial=True),
        responses=responses(404, 413, fields=_INVALID),
    )
    async def update_meta_entry(
        self,
        request: Request[Any, Any, Any],
        meta_id: FromPath[str],
        meta_endpoints: Injected[MetaEndpoints],
    ) -> MetaData:
        """The meta entry, changed."""
        return await meta_endpoints.update(request, meta_id)

    @delete(
        "/{meta_id:str}",
        opt=permission(Resource.META, Action.DELETE),
        summary="Delete a meta entry",
        description="Refused (409) while a portfolio holds the entry. Permission 4605.",
        responses=responses(404, 409),
    )
    async def delete_meta_entry(
        self, meta_id: FromPath[str], meta_endpoints: Injected[MetaEndpoints]
    ) -> None:
        """Remove the meta entry."""
        await meta_endpoints.delete(meta_id)
