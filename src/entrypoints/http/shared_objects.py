"""What the handlers of employers, tags, links and meta call: one object per resource."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from litestar import Request

from application import ManageSharedObjects, MediaStorage, page_number, page_size, search_terms
from entrypoints.http.forms import Form, values_for_existing
from entrypoints.http.origin import request_origin
from entrypoints.http.pages import checked_search, page_links
from entrypoints.http.presenters import UrlFor, public_urls

EntityT = TypeVar("EntityT")
DataT = TypeVar("DataT")
PageT = TypeVar("PageT")

AnyRequest = Request[Any, Any, Any]


class SharedObjectEndpoints(Generic[EntityT, DataT, PageT]):
    """A resource's use cases with its form and presenters, handed to handlers as one
    dependency (Litestar resolves several in a task group, which costs more per request)."""

    def __init__(
        self,
        manage: ManageSharedObjects[Any, EntityT],
        media_storage: MediaStorage,
        form: Form,
        present: Callable[[EntityT, UrlFor], DataT],
        page: Callable[..., PageT],
    ) -> None:
        self._manage = manage
        self._media_storage = media_storage
        self._form = form
        self._present = present
        self._page = page

    async def list(
        self,
        request: AnyRequest,
        search: str | None,
        number: str | None,
        size: str | None,
    ) -> PageT:
        """One page of the objects, by id, optionally searched by name (or key)."""
        terms = search_terms(checked_search(search))
        found = await self._manage.list(terms, page_number(number), page_size(size))
        url_for = self._url_for(request)
        following, preceding = page_links(request, found)
        return self._page(
            count=found.total,
            next=following,
            previous=preceding,
            results=[self._present(item, url_for) for item in found.items],
        )

    async def retrieve(self, request: AnyRequest, raw_id: str) -> DataT:
        """One object by id."""
        return self._present(await self._manage.get(raw_id), self._url_for(request))

    async def create(self, request: AnyRequest) -> DataT:
        """A new object from the whole body."""
        values = self._form.values(await request.body(), partial=False)
        return self._present(await self._manage.create(values), self._url_for(request))

    async def replace(self, request: AnyRequest, raw_id: str) -> DataT:
        """The object made exactly the body (PUT)."""
        values = await self._values(request, raw_id, partial=False)
        return self._present(await self._manage.replace(raw_id, values), self._url_for(request))

    async def update(self, request: AnyRequest, raw_id: str) -> DataT:
        """The object with the body's fields changed (PATCH)."""
        changes = await self._values(request, raw_id, partial=True)
        return self._present(await self._manage.update(raw_id, changes), self._url_for(request))

    async def delete(self, raw_id: str) -> None:
        """Remove the object; 409 while a portfolio refers to it."""
        await self._manage.delete(raw_id)

    async def _values(self, request: AnyRequest, raw_id: str, *, partial: bool) -> dict[str, Any]:
        return await values_for_existing(
            self._form,
            await request.body(),
            partial=partial,
            require_object=lambda: self._manage.get(raw_id),
        )

    def _url_for(self, request: AnyRequest) -> UrlFor:
        return public_urls(self._media_storage, request_origin(request))
