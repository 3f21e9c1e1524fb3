"""What a webhook event's ``data`` holds: the object as the admin API shows it (the same wire
Structs and presenters), its files' URLs at the public origin (``PORTFOLIO_PUBLIC_URL``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import msgspec

from portfolio.application.changes import EMPLOYER, LINK, MEDIA, META, PORTFOLIO, TAG
from portfolio.application.ports import MediaStorage
from portfolio.domain import NotFound
from portfolio.entrypoints.http.media.routes import MEDIA as MEDIA_RESOURCE
from portfolio.entrypoints.http.portfolios import PORTFOLIOS
from portfolio.entrypoints.http.resource import Resource, media_urls
from portfolio.entrypoints.http.shared_objects import EMPLOYERS, LINKS, TAGS
from portfolio.entrypoints.http.shared_objects import META as META_RESOURCE
from portfolio.entrypoints.http.wire import presenter

Getter = Callable[[int], Awaitable[Any]]

_SHAPES: dict[str, Resource[Any]] = {
    PORTFOLIO: PORTFOLIOS,
    MEDIA: MEDIA_RESOURCE,
    EMPLOYER: EMPLOYERS,
    TAG: TAGS,
    LINK: LINKS,
    META: META_RESOURCE,
}


class ApiShapes:
    """EventData from the use cases that read each kind of object."""

    def __init__(
        self,
        getters: dict[str, Getter],
        storage: MediaStorage,
        public_url: str | None,
    ) -> None:
        self._urls = media_urls(storage, public_url or "")
        self._shown = {
            kind: (getter, presenter(_SHAPES[kind].data)) for kind, getter in getters.items()
        }
        self._encoder = msgspec.json.Encoder()

    async def data(self, resource: str, object_id: int) -> bytes | None:
        """The object's JSON in its API shape; None when it is gone (or not shown)."""
        shown = self._shown.get(resource)
        if shown is None:
            return None
        get, present = shown
        try:
            entity = await get(object_id)
        except NotFound:
            return None
        return self._encoder.encode(present(entity, self._urls))


def api_shapes(storage: MediaStorage, public_url: str | None, **getters: Getter) -> ApiShapes:
    """ApiShapes from the getters named by resource (``portfolio=...``, ``tag=...``)."""
    return ApiShapes(getters, storage, public_url)
