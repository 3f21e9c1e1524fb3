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
from typing import Annotated, Any, Generic, Protocol, TypeVar

from litestar import Request, Response, Router, delete, get, patch, post, put, route
from litestar.di import Provide
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.spec import Link, Operation
from litestar.params import Parameter
from litestar.types import Empty, EmptyType

from portfolio.application.listing import page_number, page_size, search_terms
from portfolio.application.ports import MediaStorage
from portfolio.application.retries import SafeRetries
from portfolio.application.revalidation import CATALOGUE
from portfolio.application.shared_objects import ManageSharedObjects
from portfolio.domain import Action, NotFound, Resource, permission_code
from portfolio.entrypoints.http.auth import PUBLIC_OPT, permission
from portfolio.entrypoints.http.caching import READS_OPT
from portfolio.entrypoints.http.forms import (
    JSON_MALFORMED,
    NON_FIELD_ERRORS,
    Form,
    values_for_existing,
)
from portfolio.entrypoints.http.ids import path_id
from portfolio.entrypoints.http.injection import Injected
from portfolio.entrypoints.http.openapi import (
    ID_SCHEMA,
    SEARCH_TOO_LONG,
    FieldErrors,
    as_parameter,
    create_responses,
    documented,
    links_to,
    read_responses,
    responses,
)
from portfolio.entrypoints.http.origin import request_origin
from portfolio.entrypoints.http.pages import (
    PageParameter,
    PageSizeParameter,
    SearchParameter,
    checked_search,
    page_links,
)
from portfolio.entrypoints.http.presenters import UrlFor, public_urls
from portfolio.entrypoints.http.retries import create_once
from portfolio.entrypoints.http.schemas import Page, named_page

EntityT = TypeVar("EntityT")
EntityT_co = TypeVar("EntityT_co", covariant=True)
DataT = TypeVar("DataT")

AnyRequest = Request[Any, Any, Any]

PathId = Annotated[
    str,
    Parameter(
        description=(
            "The object's id. Anything but a positive 64-bit decimal number names no object "
            "(404, decided after the credentials and the permission)."
        ),
        schema_extra=as_parameter(ID_SCHEMA),
    ),
]
"""An id in a path: read as the string sent, so that a malformed one is a 404 like a missing
one; documented as the integer clients should send."""

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
    reads: tuple[str, ...] = (CATALOGUE,)
    """The change topics its lists and items read (see ``caching``)."""

    @property
    def page(self) -> Any:
        """The wire type of a page of this resource."""
        return named_page(self.data, f"{self.name}Page")

    @property
    def a(self) -> str:
        """The singular with its indefinite article."""
        return f"{'an' if self.singular[0] in 'aeiou' else 'a'} {self.singular}"

    def operation_id(self, name: str) -> str:
        """The id of operation ``name``; it names the function of generated clients:
        ``list_tags``, ``create_tag``."""
        one, many = self.singular.replace(" ", "_"), self.plural.replace(" ", "_")
        return f"{name}_{many if name == LIST else one}"

    def links_from_create(self, *operations: str) -> dict[str, Link]:
        """The links from a create's 201 to ``operations``, which take the new object's id."""
        return links_to({self.operation_id(name): self.operation_id(name) for name in operations})

    def operation(self, name: str) -> dict[str, Any]:
        """The decorator arguments every handler of operation ``name`` shares."""
        action = _ACTIONS[name]
        summary = f"List {self.plural}" if name == LIST else f"{_VERBS[name]} {self.a}"
        summary = self.summaries.get(name, summary)
        note = self.notes.get(name, "")
        opt: dict[str, Any] = permission(self.resource, action)
        if name in (LIST, RETRIEVE):
            opt[READS_OPT] = self.reads
        return {
            "opt": opt,
            "operation_id": self.operation_id(name),
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
        retries: SafeRetries,
    ) -> None:
        super().__init__(declared, media_storage)
        self.manage = manage
        self._retries = retries
        if declared.form is None:
            raise ValueError(f"{declared.plural} have no form to write with")
        self._form: Form = declared.form

    async def fetch(self, object_id: int) -> EntityT:
        """The object, from the use cases."""
        return await self.manage.get(object_id)

    async def remove(self, object_id: int) -> None:
        """Remove the object through the use cases."""
        await self.manage.delete(object_id)

    async def create(self, request: AnyRequest) -> DataT | Response[bytes]:
        """A new object from the whole body; made once per ``Idempotency-Key``."""

        async def make() -> DataT:
            values = self._form.values(await request.body(), partial=False)
            return self.present(request, await self.manage.create(values))

        return await create_once(request, self._retries, request.body, make)

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
        route_handlers=with_options(made),
        dependencies={"endpoints": Provide(endpoints, use_cache=True, sync_to_thread=False)},
        tags=[declared.path],
        request_max_body_size=request_max_body_size,
    )


def with_options(handlers: Sequence[HTTPRouteHandler]) -> list[HTTPRouteHandler]:
    """``handlers`` after an OPTIONS handler for each of their paths, open to anyone (a CORS
    preflight carries no token)."""
    methods: dict[str, set[str]] = {}
    for handler in handlers:
        for path in handler.paths:
            methods.setdefault(path, set()).update(handler.http_methods)
    # First, so that Litestar makes no OPTIONS handler of its own for these paths.
    return [*(_options(path, served) for path, served in methods.items()), *handlers]


def _options(path: str, methods: set[str]) -> HTTPRouteHandler:
    """204 with the methods ``path`` serves, to anyone: Litestar's own OPTIONS answer lists
    only the methods of the first handler registered on a path."""
    allow = ", ".join(sorted({*methods, "OPTIONS"}))

    @route(
        path,
        http_method="OPTIONS",
        include_in_schema=False,
        opt={PUBLIC_OPT: True},
        sync_to_thread=False,
    )
    def handler() -> Response[None]:
        return Response(None, status_code=204, headers={"Allow": allow})

    return handler


def _write(declared: Declared[Any, Any], *, partial: bool, links: bool = False) -> type[Operation]:
    """The Operation of a JSON write: its body (required unless partial, as an empty body is
    an empty object), its field errors and, for a create, its links and retry key."""
    form = declared.form
    if form is None:
        raise ValueError(f"writes to {declared.plural} made from a declaration need its form")
    return documented(
        body=form.schema(partial=partial),
        body_required=not partial,
        body_example=form.example or None,
        fields=declared.invalid_example or {NON_FIELD_ERRORS: [JSON_MALFORMED]},
        links=declared.links_from_create(RETRIEVE, REPLACE, UPDATE, DELETE) if links else None,
        retried=links,
    )


def _list(declared: Declared[Any, Any]) -> HTTPRouteHandler:
    page = declared.page

    @get(
        "/",
        **declared.operation(LIST),
        responses=read_responses(404),
        operation_class=documented(fields=SEARCH_TOO_LONG, conditional=True),
    )
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
        operation_class=_write(declared, partial=False, links=True),
        responses=create_responses(413),
    )
    async def handler(request: AnyRequest, endpoints: Injected[FormEndpoints[Any, DataT]]) -> data:  # type: ignore[valid-type]
        return await endpoints.create(request)

    return handler


def _retrieve(declared: Declared[Any, DataT]) -> HTTPRouteHandler:
    data = declared.data

    @get(
        "/{id:str}",
        **declared.operation(RETRIEVE),
        responses=read_responses(404),
        operation_class=documented(conditional=True),
    )
    async def handler(
        request: AnyRequest, id: PathId, endpoints: Injected[Endpoints[Any, DataT]]
    ) -> data:  # type: ignore[valid-type]
        return await endpoints.retrieve(request, id)

    return handler


def _rewrite(declared: Declared[Any, DataT], *, partial: bool) -> HTTPRouteHandler:
    """PUT (the whole object) or, ``partial``, PATCH (only the fields sent) on an item."""
    data = declared.data
    route: type[HTTPRouteHandler] = patch if partial else put

    @route(
        "/{id:str}",
        **declared.operation(UPDATE if partial else REPLACE),
        operation_class=_write(declared, partial=partial),
        responses=responses(404, 413),
    )
    async def handler(
        request: AnyRequest, id: PathId, endpoints: Injected[FormEndpoints[Any, DataT]]
    ) -> data:  # type: ignore[valid-type]
        write = endpoints.update if partial else endpoints.replace
        return await write(request, id)

    return handler


def _delete(declared: Declared[Any, Any]) -> HTTPRouteHandler:
    refusals = (404, 409) if declared.deletes_refused_in_use else (404,)

    @delete("/{id:str}", **declared.operation(DELETE), responses=responses(*refusals))
    async def handler(id: PathId, endpoints: Injected[Endpoints[Any, Any]]) -> None:
        await endpoints.delete(id)

    return handler


_HANDLERS: dict[str, Callable[[Declared[Any, Any]], HTTPRouteHandler]] = {
    LIST: _list,
    CREATE: _create,
    RETRIEVE: _retrieve,
    REPLACE: lambda declared: _rewrite(declared, partial=False),
    UPDATE: lambda declared: _rewrite(declared, partial=True),
    DELETE: _delete,
}

ALL_OPERATIONS = (LIST, CREATE, RETRIEVE, REPLACE, UPDATE, DELETE)
"""Every operation a form resource offers."""
