"""HEAD answered as GET without the body, for every GET route (``curl -I``, link checkers)."""

from __future__ import annotations

from portfolio.entrypoints.http.layer import HttpScope, Layer, Message, Receive, Send

# Set in the scope of a HEAD routed as GET, so a handler can skip reading what it would not send.
HEAD_ONLY = "portfolio.head_only"


class HeadAsGet(Layer):
    """Route HEAD as GET, then send the headers and an empty body."""

    async def handle(self, scope: HttpScope, receive: Receive, send: Send) -> None:
        if scope.get("method") != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] != "http.response.body":
                await send(message)
            elif not message.get("more_body", False):
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        # Changed in place, so that what routing writes into the scope (the route's template,
        # the user) reaches the layers outside, which log and count the request as HEAD.
        scope["method"] = "GET"
        scope[HEAD_ONLY] = True
        try:
            await self.app(scope, receive, headers_only)
        finally:
            scope["method"] = "HEAD"
            scope.pop(HEAD_ONLY, None)
