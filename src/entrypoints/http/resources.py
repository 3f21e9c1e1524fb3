"""Declared resources: one declaration makes a shared object's routes, texts and page type.

Employers, tags, links and meta differ only in what a ``SharedObject`` declaration states: the
permission prefix, the form, the wire Struct and its presenter, and a few words. Everything
else (five routes, their permission codes and OpenAPI text, the page type, the one
dependency each handler takes) is made here, once.

This module keeps annotations as objects (no postponed evaluation): the handlers are made per
resource, and Litestar reads their parameter and return types from them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import msgspec
from litestar import Request, Router, delete, get, patch, post, put
from litestar.di import Provide
from litestar.params import FromPath

from application import ManageSharedObjects, MediaStorage, page_number, page_size, search_terms
from domain import Action, NotFound, Resource, permission_code
from entrypoints.http.auth import permission
from entrypoints.http.forms import JSON_BODY_LIMIT, Form, values_for_existing
from entrypoints.http.ids import path_id
from entrypoints.http.injection import Injected
from entrypoints.http.openapi import SEARCH_TOO_LONG, FieldErrors, responses, with_body
from entrypoints.http.origin import request_origin
from entrypoints.http.pages import (
    PageParameter,
    PageSizeParameter,
    SearchParameter,
    checked_search,
    page_links,
)
from entrypoints.http.presenters import UrlFor, public_urls
from entrypoints.http.schemas import Page, named_page

EntityT = TypeVar("EntityT")
DataT = TypeVar("DataT", bound=msgspec.Struct)

AnyRequest = Request[Any, Any, Any]


def permission_note(resource: Resource, action: Action) -> str:
    """The sentence every operation's description ends with, computed from the code."""
    return f"Permission {permission_code(resource, action)}."


@dataclass(frozen=True, slots=True)
class SharedObject(Generic[EntityT, DataT]):
    """What makes one shared-object resource: everything else is derived from it."""

    resource: Resource
    path: str
    """The routes' segment under ``/api/``, also the OpenAPI tag."""
    singular: str
    plural: str
    form: Form
    data: type[DataT]
    present: Callable[[EntityT, UrlFor], DataT]
    missing: type[NotFound]
    searched: str
    """What ``?search=`` looks in, for the list's description."""
    held_by: str
    """Why a delete is refused, e.g. "a portfolio names the employer"."""
    invalid_example: FieldErrors
    """A 400 a write can answer, for the OpenAPI examples."""

    @property
    def page(self) -> Any:
        """The wire type of a page of this resource."""
        return named_page(self.data, f"{self.form.name}Page")

    @property
    def a(self) -> str:
        """The singular with its indefinite article."""
        return f"{'an' if self.singular[0] in 'aeiou' else 'a'} {self.singular}"


class SharedObjectEndpoints(Generic[EntityT, DataT]):
    """A resource's use cases with its form and presenter: the one dependency its handlers take
    (Litestar resolves several in a task group, which costs more per request)."""

    def __init__(
        self,
        declared: SharedObject[EntityT, DataT],
        manage: ManageSharedObjects[Any, EntityT],
        media_storage: MediaStorage,
    ) -> None:
        self._declared = declared
        self._manage = manage
        self._media_storage = media_storage

    async def list(
        self, request: AnyRequest, search: str | None, number: str | None, size: str | None
    ) -> Page[DataT]:
        """One page of the objects, by id, optionally searched."""
        terms = search_terms(checked_search(search))
        found = await self._manage.list(terms, page_number(number), page_size(size))
        url_for = self._url_for(request)
        following, preceding = page_links(request, found)
        present = self._declared.present
        return Page(
            count=found.total,
            next=following,
            previous=preceding,
            results=[present(item, url_for) for item in found.items],
        )

    async def retrieve(self, request: AnyRequest, raw_id: str) -> DataT:
        """One object by id."""
        found = await self._manage.get(self._id(raw_id))
        return self._declared.present(found, self._url_for(request))

    async def create(self, request: AnyRequest) -> DataT:
        """A new object from the whole body."""
        values = self._declared.form.values(await request.body(), partial=False)
        return self._declared.present(await self._manage.create(values), self._url_for(request))

    async def replace(self, request: AnyRequest, raw_id: str) -> DataT:
        """The object made exactly the body (PUT)."""
        object_id = self._id(raw_id)
        values = await self._values(request, object_id, partial=False)
        replaced = await self._manage.replace(object_id, values)
        return self._declared.present(replaced, self._url_for(request))

    async def update(self, request: AnyRequest, raw_id: str) -> DataT:
        """The object with the body's fields changed (PATCH)."""
        object_id = self._id(raw_id)
        changes = await self._values(request, object_id, partial=True)
        updated = await self._manage.update(object_id, changes)
        return self._declared.present(updated, self._url_for(request))

    async def delete(self, raw_id: str) -> None:
        """Remove the object; 409 while a portfolio refers to it."""
        await self._manage.delete(self._id(raw_id))

    def _id(self, raw_id: str) -> int:
        return path_id(raw_id, self._declared.missing)

    async def _values(self, request: AnyRequest, object_id: int, *, partial: bool) -> Any:
        return await values_for_existing(
            self._declared.form,
            await request.body(),
            partial=partial,
            require_object=lambda: self._manage.get(object_id),
        )

    def _url_for(self, request: AnyRequest) -> UrlFor:
        return public_urls(self._media_storage, request_origin(request))


def shared_object_routes(
    declared: SharedObject[EntityT, DataT],
    endpoints: Callable[[], SharedObjectEndpoints[EntityT, DataT]],
) -> Router:
    """``/api/<plural>`` and ``/api/<plural>/{id}``: list, create, retrieve, replace, change and
    delete, each guarded by its own permission code."""
    resource, form = declared.resource, declared.form
    data, page = declared.data, declared.page
    id_path = "/{id:str}"
    # Operation ids name the functions of generated clients: list_tags, create_meta_entry.
    plural, one = declared.plural.replace(" ", "_"), declared.singular.replace(" ", "_")

    def note(action: Action) -> str:
        return permission_note(resource, action)

    @get(
        "/",
        opt=permission(resource, Action.LIST),
        operation_id=f"list_{plural}",
        summary=f"List {declared.plural}",
        description=f"By id, 20 a page; `?search=` looks in the {declared.searched}. "
        + note(Action.LIST),
        responses=responses(404, fields=SEARCH_TOO_LONG),
    )
    async def list_objects(
        request: AnyRequest,
        endpoints: Injected[SharedObjectEndpoints[EntityT, DataT]],
        search: SearchParameter = None,
        page: PageParameter = None,
        page_size: PageSizeParameter = None,
    ) -> page:  # type: ignore[valid-type]
        return await endpoints.list(request, search, page, page_size)

    @post(
        "/",
        opt=permission(resource, Action.CREATE),
        operation_id=f"create_{one}",
        summary=f"Create {declared.a}",
        description=note(Action.CREATE),
        operation_class=with_body(form, partial=False),
        responses=responses(413, fields=declared.invalid_example),
    )
    async def create_object(
        request: AnyRequest, endpoints: Injected[SharedObjectEndpoints[EntityT, DataT]]
    ) -> data:  # type: ignore[valid-type]
        return await endpoints.create(request)

    @get(
        id_path,
        opt=permission(resource, Action.RETRIEVE),
        operation_id=f"retrieve_{one}",
        summary=f"Retrieve {declared.a}",
        description=note(Action.RETRIEVE),
        responses=responses(404),
    )
    async def retrieve_object(
        request: AnyRequest,
        id: FromPath[str],
        endpoints: Injected[SharedObjectEndpoints[EntityT, DataT]],
    ) -> data:  # type: ignore[valid-type]
        return await endpoints.retrieve(request, id)

    @put(
        id_path,
        opt=permission(resource, Action.UPDATE),
        operation_id=f"replace_{one}",
        summary=f"Replace {declared.a}",
        description=f"The whole {declared.singular}; fields left out take their defaults. "
        + note(Action.UPDATE),
        operation_class=with_body(form, partial=False),
        responses=responses(404, 413, fields=declared.invalid_example),
    )
    async def replace_object(
        request: AnyRequest,
        id: FromPath[str],
        endpoints: Injected[SharedObjectEndpoints[EntityT, DataT]],
    ) -> data:  # type: ignore[valid-type]
        return await endpoints.replace(request, id)

    @patch(
        id_path,
        opt=permission(resource, Action.UPDATE),
        operation_id=f"update_{one}",
        summary=f"Change {declared.a}",
        description="Only the fields sent change. " + note(Action.UPDATE),
        operation_class=with_body(form, partial=True),
        responses=responses(404, 413, fields=declared.invalid_example),
    )
    async def update_object(
        request: AnyRequest,
        id: FromPath[str],
        endpoints: Injected[SharedObjectEndpoints[EntityT, DataT]],
    ) -> data:  # type: ignore[valid-type]
        return await endpoints.update(request, id)

    @delete(
        id_path,
        opt=permission(resource, Action.DELETE),
        operation_id=f"delete_{one}",
        summary=f"Delete {declared.a}",
        description=f"Refused (409) while {declared.held_by}. " + note(Action.DELETE),
        responses=responses(404, 409),
    )
    async def delete_object(
        id: FromPath[str], endpoints: Injected[SharedObjectEndpoints[EntityT, DataT]]
    ) -> None:
        await endpoints.delete(id)

    return Router(
        path=f"/api/{declared.path}",
        route_handlers=[
            list_objects,
            create_object,
            retrieve_object,
            replace_object,
            update_object,
            delete_object,
        ],
        dependencies={"endpoints": Provide(endpoints, use_cache=True, sync_to_thread=False)},
        tags=[declared.path],
        request_max_body_size=JSON_BODY_LIMIT,
    )
