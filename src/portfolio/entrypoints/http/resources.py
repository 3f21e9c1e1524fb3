"""Declared resources: one declaration makes a resource's routes, texts and page type.

A ``Declared`` states what differs between resources: the permission prefix, the path, the
wire Struct and its presenter, the form of its writes and a few words. The routes (their
permission codes, OpenAPI text and operation ids), the page type and the one dependency each
handler takes are made here, once. Handlers a resource needs beyond these (a list with filters,
an upload) are written beside its declaration and passed in.

This module keeps annotations as objects (no postponed evaluation): the handlers are made per
resource, and Litestar reads their parameter and return types from them.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from litestar import Request, Router, delete, get, patch, post, put
from litestar.di import Provide
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.spec import Operation
from litestar.params import FromPath
from litestar.types import Empty, EmptyType

from portfolio.application import (
    ManageSharedObjects,
    MediaStorage,
    page_number,
    page_size,
    search_terms,
)
from portfolio.domain import Action, NotFound, Resource, permission_code
from portfolio.entrypoints.http.auth import permission
from portfolio.entrypoints.http.forms import Form, values_for_existing
from portfolio.entrypoints.http.ids import path_id
from portfolio.entrypoints.http.injection import Injected
from portfolio.entrypoints.http.openapi import SEARCH_TOO_LONG, FieldErrors, responses, with_body
from portfolio.entrypoints.http.origin import request_origin
from portfolio.entrypoints.http.pages import (
    PageParameter,
    PageSizeParameter,
    SearchParameter,
    checked_search,
    page_links,
)
from portfolio.entrypoints.http.presenters import UrlFor, public_urls
from portfolio.entrypoints.http.schemas import Page, named_page

EntityT = TypeVar("EntityT")
EntityT_co = TypeVar("EntityT_co", covariant=True)
DataT = TypeVar("DataT")

AnyRequest = Request[Any, Any, Any]

LIST, CREATE, RETRIEVE, REPLACE, UPDATE, DELETE = (
    "list",
    "create",
    "retrieve",
    "replace",
    "update",
    "delete",
)
_ACTIONS = {
    LIST: Action.LIST,
    CREATE: Action.CREATE,
    RETRIEVE: Action.RETRIEVE,
    REPLACE: Action.UPDATE,
    UPDATE: Action.UPDATE,
    DELETE: Action.DELETE,
}


@dataclass(frozen=True, slots=True)
class Declared(Generic[EntityT, DataT]):
    """What makes one resource; its routes and their texts are derived from it."""

    resource: Resource
    path: str
    """The routes' segment under ``/api/``, also the OpenAPI tag."""
    name: str
    """The wire Struct's stem: ``Tag`` for ``TagData`` and ``TagPage``."""
    singular: str
    plural: str
    data: type[DataT]
    present: Callable[[EntityT, UrlFor], DataT]
    missing: type[NotFound]
    form: Form | None = None
    """The JSON body of creates and replacements; None where writes are not JSON."""
    invalid_example: FieldErrors | None = None
    """A 400 a write can answer, for the OpenAPI examples."""
    notes: Mapping[str, str] = field(default_factory=dict)
    """Words for an operation's description, before its permission sentence."""
    summaries: Mapping[str, str] = field(default_factory=dict)
    """Summaries that say it better than "Create a tag"."""
    deletes_refused_in_use: bool = True
    """Whether a delete can be refused (409) while something refers to the object."""

    @property
    def page(self) -> Any:
        """The wire type of a page of this resource."""
        return named_page(self.data, f"{self.name}Page")

    @property
    def a(self) -> str:
        """The singular with its indefinite article."""
        return f"{'an' if self.singular[0] in 'aeiou' else 'a'} {self.singular}"

    def operation(self, name: str) -> dict[str, Any]:
        """The decorator arguments every handler of operation ``name`` shares."""
        action = _ACTIONS[name]
        one, many = self.singular.replace(" ", "_"), self.plural.replace(" ", "_")
        summary = f"List {self.plural}" if name == LIST else f"{_VERBS[name]} {self.a}"
        summary = self.summaries.get(name, summary)
        note = self.notes.get(name, "")
        return {
            "opt": permission(self.resource, action),
            # Operation ids name the functions of generated clients: list_tags, create_tag.
            "operation_id": f"{name}_{many if name == LIST else one}",
            "summary": summary,
            "description": f"{note} Permission {permission_code(self.resource, action)}.".strip(),
        }


_VERBS = {
    CREATE: "Create",
    RETRIEVE: "Retrieve",
    REPLACE: "Replace",
    UPDATE: "Change",
    DELETE: "Delete",
}


class Endpoints(Generic[EntityT, DataT]):
    """What a resource's handlers share: ids from paths, and entities presented for a request."""

    def __init__(self, declared: Declared[EntityT, DataT], media_storage: MediaStorage) -> None:
        self.declared = declared
        self._media_storage = media_storage

    def id_of(self, raw_id: str) -> int:
        """The id a path names; the resource's NotFound when it could never name one."""
        return path_id(raw_id, self.declared.missing)

    def url_for(self, request: AnyRequest) -> UrlFor:
        """Stored keys to the URLs clients fetch them from, for this request."""
        return public_urls(self._media_storage, request_origin(request))

    def present(self, request: AnyRequest, entity: EntityT) -> DataT:
        """``entity`` as the wire shows it."""
        return self.declared.present(entity, self.url_for(request))

    async def retrieve(self, request: AnyRequest, raw_id: str) -> DataT:
        """One object by id."""
        return self.present(request, await self.fetch(self.id_of(raw_id)))

    async def delete(self, raw_id: str) -> None:
        """Remove the object."""
        await self.remove(self.id_of(raw_id))

    async def fetch(self, object_id: int) -> EntityT:
        """The object; the resource's NotFound when there is none."""
        raise NotImplementedError

    async def remove(self, object_id: int) -> None:
        """Remove the object; the resource's NotFound when there is none."""
        raise NotImplementedError

    def page(self, request: AnyRequest, found: Any) -> Page[DataT]:
        """A page of found entities as the wire shows it, with absolute links."""
        url_for, present = self.url_for(request), self.declared.present
        following, preceding = page_links(request, found)
        return Page(
            count=found.total,
            next=following,
            previous=preceding,
            results=[present(item, url_for) for item in found.items],
        )


class Manages(Protocol[EntityT_co]):
    """The use cases behind a resource whose every write is a JSON form."""

    async def get(self, object_id: int) -> EntityT_co:
        """The object; NotFound when there is none."""
        ...

    async def create(self, values: Mapping[str, Any]) -> EntityT_co:
        """A new object."""
        ...

    async def replace(self, object_id: int, values: Mapping[str, Any]) -> EntityT_co:
        """The object made exactly ``values``."""
        ...

    async def update(self, object_id: int, changes: Mapping[str, Any]) -> EntityT_co:
        """The object with ``changes``."""
        ...

    async def delete(self, object_id: int) -> None:
        """Remove the object."""
        ...


class FormEndpoints(Endpoints[EntityT, DataT]):
    """Retrieve, create, replace, change and delete through a resource's form and use cases."""

    def __init__(
        self,
        declared: Declared[EntityT, DataT],
        manage: Manages[EntityT],
        media_storage: MediaStorage,
    ) -> None:
        super().__init__(declared, media_storage)
        self.manage = manage
        if declared.form is None:
            raise ValueError(f"{declared.plural} have no form to write with")
        self._form: Form = declared.form

    async def fetch(self, object_id: int) -> EntityT:
        """The object, from the use cases."""
        return await self.manage.get(object_id)

    async def remove(self, object_id: int) -> None:
        """Remove the object through the use cases."""
        await self.manage.delete(object_id)

    async def create(self, request: AnyRequest) -> DataT:
        """A new object from the whole body."""
        values = self._form.values(await request.body(), partial=False)
        return self.present(request, await self.manage.create(values))

    async def replace(self, request: AnyRequest, raw_id: str) -> DataT:
        """The object made exactly the body (PUT)."""
        object_id = self.id_of(raw_id)
        values = await self._values(request, object_id, partial=False)
        return self.present(request, await self.manage.replace(object_id, values))

    async def update(self, request: AnyRequest, raw_id: str) -> DataT:
        """The object with the body's fields changed (PATCH)."""
        object_id = self.id_of(raw_id)
        changes = await self._values(request, object_id, partial=True)
        return self.present(request, await self.manage.update(object_id, changes))

    async def _values(self, request: AnyRequest, object_id: int, *, partial: bool) -> Any:
        # A body for an object that does not exist is a 404, not a list of field errors.
        return await values_for_existing(
            self._form,
            await request.body(),
            partial=partial,
            require_object=lambda: self.manage.get(object_id),
        )


class SharedObjectEndpoints(FormEndpoints[EntityT, DataT]):
    """Employers, tags, links and meta: form endpoints with a searchable list."""

    manage: ManageSharedObjects[Any, EntityT]

    async def list(
        self, request: AnyRequest, search: str | None, number: str | None, size: str | None
    ) -> Page[DataT]:
        """One page of the objects, by id, optionally searched."""
        terms = search_terms(checked_search(search))
        found = await self.manage.list(terms, page_number(number), page_size(size))
        return self.page(request, found)


def routes(
    declared: Declared[EntityT, DataT],
    endpoints: Callable[[], Endpoints[EntityT, DataT]],
    operations: Sequence[str],
    *,
    handlers: Sequence[HTTPRouteHandler] = (),
    request_max_body_size: int | EmptyType = Empty,
) -> Router:
    """``/api/<path>`` with the handlers of ``operations`` (and ``handlers`` written beside the
    declaration), each guarded by its own permission code and given ``endpoints``.

    Without ``request_max_body_size`` the application's limit applies.
    """
    made = [*handlers, *(_HANDLERS[name](declared) for name in operations)]
    return Router(
        path=f"/api/{declared.path}",
        route_handlers=made,
        dependencies={"endpoints": Provide(endpoints, use_cache=True, sync_to_thread=False)},
        tags=[declared.path],
        request_max_body_size=request_max_body_size,
    )


def _body(declared: Declared[Any, Any], *, partial: bool) -> type[Operation]:
    if declared.form is None:
        raise ValueError(f"writes to {declared.plural} made from a declaration need its form")
    return with_body(declared.form, partial=partial)


def _list(declared: Declared[Any, Any]) -> HTTPRouteHandler:
    page = declared.page

    @get("/", **declared.operation(LIST), responses=responses(404, fields=SEARCH_TOO_LONG))
    async def handler(
        request: AnyRequest,
        endpoints: Injected[SharedObjectEndpoints[Any, Any]],
        search: SearchParameter = None,
        page: PageParameter = None,
        page_size: PageSizeParameter = None,
    ) -> page:  # type: ignore[valid-type]
        return await endpoints.list(request, search, page, page_size)

    return handler


def _create(declared: Declared[Any, DataT]) -> HTTPRouteHandler:
    data = declared.data

    @post(
        "/",
        **declared.operation(CREATE),
        operation_class=_body(declared, partial=False),
        responses=responses(413, fields=declared.invalid_example),
    )
    async def handler(request: AnyRequest, endpoints: Injected[FormEndpoints[Any, DataT]]) -> data:  # type: ignore[valid-type]
        return await endpoints.create(request)

    return handler


def _retrieve(declared: Declared[Any, DataT]) -> HTTPRouteHandler:
    data = declared.data

    @get("/{id:str}", **declared.operation(RETRIEVE), responses=responses(404))
    async def handler(
        request: AnyRequest, id: FromPath[str], endpoints: Injected[Endpoints[Any, DataT]]
    ) -> data:  # type: ignore[valid-type]
        return await endpoints.retrieve(request, id)

    return handler


def _replace(declared: Declared[Any, DataT]) -> HTTPRouteHandler:
    data = declared.data

    @put(
        "/{id:str}",
        **declared.operation(REPLACE),
        operation_class=_body(declared, partial=False),
        responses=responses(404, 413, fields=declared.invalid_example),
    )
    async def handler(
        request: AnyRequest, id: FromPath[str], endpoints: Injected[FormEndpoints[Any, DataT]]
    ) -> data:  # type: ignore[valid-type]
        return await endpoints.replace(request, id)

    return handler


def _update(declared: Declared[Any, DataT]) -> HTTPRouteHandler:
    data = declared.data

    @patch(
        "/{id:str}",
        **declared.operation(UPDATE),
        operation_class=_body(declared, partial=True),
        responses=responses(404, 413, fields=declared.invalid_example),
    )
    async def handler(
        request: AnyRequest, id: FromPath[str], endpoints: Injected[FormEndpoints[Any, DataT]]
    ) -> data:  # type: ignore[valid-type]
        return await endpoints.update(request, id)

    return handler


def _delete(declared: Declared[Any, Any]) -> HTTPRouteHandler:
    refusals = (404, 409) if declared.deletes_refused_in_use else (404,)

    @delete("/{id:str}", **declared.operation(DELETE), responses=responses(*refusals))
    async def handler(id: FromPath[str], endpoints: Injected[Endpoints[Any, Any]]) -> None:
        await endpoints.delete(id)

    return handler


_HANDLERS: dict[str, Callable[[Declared[Any, Any]], HTTPRouteHandler]] = {
    LIST: _list,
    CREATE: _create,
    RETRIEVE: _retrieve,
    REPLACE: _replace,
    UPDATE: _update,
    DELETE: _delete,
}

ALL_OPERATIONS = (LIST, CREATE, RETRIEVE, REPLACE, UPDATE, DELETE)
"""Every operation a form resource offers."""
