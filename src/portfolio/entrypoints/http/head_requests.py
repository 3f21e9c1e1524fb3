"""HEAD answered as GET without the body, for every GET route (``curl -I``, link checkers)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Scope, Send


# Set in the scope of a HEAD routed as GET, so a handler can skip reading what it would not send.
HEAD_ONLY = "portfolio.head_only"


class HeadAsGet:
    """Plain ASGI middleware: route HEAD as GET, then send the headers and an empty body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass everything through, except that a HEAD request loses its response body."""
        if scope["type"] != "http" or scope.get("method") != "HEAD":  # type: ignore[comparison-overlap]
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] != "http.response.body":
                await send(message)
            elif not message.get("more_body", False):
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        # Changed in place, so that what routing writes into the scope (the route's template,
        # the user) reaches the middleware outside, which logs and counts the request as HEAD.
        scope["method"] = "GET"  # type: ignore[typeddict-unknown-key]
        scope[HEAD_ONLY] = True  # type: ignore[literal-required]
        try:
            await self.app(scope, receive, headers_only)
        finally:
            scope["method"] = "HEAD"  # type: ignore[typeddict-unknown-key]
            scope.pop(HEAD_ONLY, None)  # type: ignore[misc]
