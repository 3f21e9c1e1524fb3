"""Answers sent again from memory: only while nothing they read has changed, only to the
token they were built for, only after the checks the routes make, and within a byte budget."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from portfolio.adapters.memory.changes import InMemoryChangeNumbers
from portfolio.application.revalidation import ACCOUNTS, CATALOGUE, Revalidation
from portfolio.domain import AuthenticationFailed, Principal
from portfolio.entrypoints.http import caching
from portfolio.entrypoints.http.auth import PERMISSION_OPT, TOKEN_SCOPE
from portfolio.entrypoints.http.caching import READS_OPT, ApiCaching, Built

CODE = 4202
STAFF = Principal(
    id=7,
    username="staff",
    is_active=True,
    is_staff=True,
    is_admin=False,
    permissions=frozenset({CODE}),
)
NO_CODES = Principal(id=8, username="reader", is_active=True, is_staff=True, is_admin=False)


@dataclass
class Token:
    id: int
    owner: Principal


@dataclass
class Tokens:
    """Authenticate's ``token`` over a dict of keys; a key not in it fails."""

    live: dict[str, Token] = field(default_factory=dict)

    async def token(self, key: str, client: str | None = None) -> Token:
        if key not in self.live:
            raise AuthenticationFailed("Invalid token.")
        return self.live[key]


@dataclass
class Route:
    """A stand-in for the routed application: what routing and Authorization leave in the
    scope, and a body that shows how many times it was built."""

    tokens: Tokens
    reads: tuple[str, ...] = (CATALOGUE,)
    size: int = 10
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    built: int = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.built += 1
        opt = {READS_OPT: self.reads, PERMISSION_OPT: CODE}
        scope["route_handler"] = type("Handler", (), {"opt": opt})()
        scope["path_template"] = "/api/things/{id}"
        scope["path"] = scope["path"].rstrip("/")  # as Litestar's router does
        presented = dict(scope["headers"]).get(b"authorization", b"Token -").decode()
        scope[TOKEN_SCOPE] = self.tokens.live.get(presented.split()[1])
        origin = dict(scope["headers"]).get(b"host") or repr(scope.get("server")).encode()
        body = f"built {self.built}".encode().ljust(self.size, b".")
        if scope.get("raw_path") or scope.get("server"):  # an answer naming its URL's origin
            body = origin + b" " + scope.get("raw_path", b"")
        headers = [(b"content-type", b"application/json"), *self.headers]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})


@dataclass
class Stack:
    numbers: InMemoryChangeNumbers
    route: Route
    layer: ApiCaching
    reads_of_numbers: int = 0
    numbers_read: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.numbers_read.set()

    async def get(
        self,
        key: str = "a",
        path: str = "/api/things/1",
        headers: list[tuple[bytes, bytes]] | None = None,
        **scope_entries: Any,
    ) -> tuple[int, bytes, dict]:
        sent: list[dict[str, Any]] = []

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "query_string": b"",
            "headers": [(b"host", b"t"), (b"authorization", f"Token {key}".encode())]
            if headers is None
            else headers,
            **scope_entries,
        }
        await self.layer(scope, None, send)  # type: ignore[arg-type]
        return sent[0]["status"], sent[1]["body"], dict(sent[0]["headers"]) | {"scope": scope}


def stack(memory: int = 1024 * 1024, **route: Any) -> Stack:
    numbers = InMemoryChangeNumbers()
    tokens = Tokens({"a": Token(1, STAFF), "b": Token(2, STAFF), "c": Token(3, NO_CODES)})
    app = Route(tokens, **route)
    made: Stack

    class Counted(Revalidation):
        async def state(self) -> Any:
            made.reads_of_numbers += 1
            await made.numbers_read.wait()
            return await super().state()

    revalidation = Counted(numbers, lambda: datetime.now(UTC))
    layer = ApiCaching(app, lambda: revalidation, lambda: tokens, "public", memory)  # type: ignore[arg-type, return-value]
    made = Stack(numbers, app, layer)
    return made


async def test_the_third_get_of_a_url_is_sent_from_memory_with_the_same_bytes() -> None:
    made = stack()
    answers = [await made.get() for _ in range(4)]

    assert made.route.built == 2  # the first GET reads no numbers; the second keeps its answer
    statuses, bodies = {a[0] for a in answers}, {a[1] for a in answers[1:]}
    assert statuses == {200} and bodies == {b"built 2..."}
    assert answers[2][2][b"etag"] == answers[3][2][b"etag"] == answers[1][2][b"etag"]
    assert answers[3][2][b"cache-control"] == b"private, no-cache"
    # Counted and logged under its route, as the caller, though nothing was routed.
    assert answers[3][2]["scope"]["path_template"] == "/api/things/{id}"
    assert answers[3][2]["scope"]["user"] == STAFF


async def test_a_url_the_router_rewrites_is_kept_under_the_url_asked_for() -> None:
    made = stack()
    for _ in range(4):
        await made.get(path="/api/things/")
    assert made.route.built == 2


async def test_a_change_to_what_the_route_reads_is_built_at_once() -> None:
    made = stack()
    for _ in range(3):
        await made.get()
    made.numbers.moved(ACCOUNTS)
    assert (await made.get())[1] == b"built 2..."

    made.numbers.moved(CATALOGUE)

    assert (await made.get())[1] == b"built 3..."
    assert (await made.get())[1] == b"built 3..."
    assert made.route.built == 3


async def test_another_token_is_never_sent_the_bytes_built_for_one() -> None:
    made = stack()
    for _ in range(3):
        await made.get("a")

    assert (await made.get("b"))[1] == b"built 3..."
    assert made.route.built == 3


async def test_a_caller_the_checks_refuse_goes_to_the_routes() -> None:
    made = stack()
    for _ in range(3):
        await made.get("a")
    made.route.tokens.live["a"] = Token(1, NO_CODES)

    await made.get("a")

    assert made.route.built == 3  # the route, not the memory, answers (here: a 403 of its own)


async def test_a_route_that_reads_no_topic_never_reads_the_numbers() -> None:
    made = stack(reads=())
    for _ in range(3):
        await made.get()
    assert made.route.built == 3
    assert made.reads_of_numbers == 0


async def test_an_answer_past_the_size_bound_is_built_each_time() -> None:
    made = stack(size=caching.ANSWER_MAX_BYTES + 1)
    for _ in range(4):
        await made.get()
    assert made.route.built == 4


async def test_no_answer_is_sent_from_memory_when_it_has_no_bytes() -> None:
    made = stack(memory=0)
    for _ in range(4):
        await made.get()
    assert made.route.built == 4


async def test_an_answer_that_varies_with_a_header_is_built_each_time() -> None:
    made = stack(headers=[(b"vary", b"Accept")])
    for _ in range(4):
        await made.get()
    assert made.route.built == 4


async def test_the_least_recently_used_answers_leave_past_the_byte_budget() -> None:
    sent = await stack().get()
    headers = [(name, value) for name, value in sent[2].items() if name != "scope"]
    whole, marker = Built("r", '"t"', 1, headers, sent[1]).size, Built("r").size
    made = stack(memory=2 * whole + marker + 1)  # two kept whole, and room for a third's mark
    for path in ("/api/things/1", "/api/things/2", "/api/things/3"):
        for _ in range(2):
            await made.get(path=path)
    built = made.route.built

    await made.get(path="/api/things/3")
    await made.get(path="/api/things/2")
    assert made.route.built == built
    await made.get(path="/api/things/1")
    assert made.route.built == built + 1


async def test_an_answer_dropped_while_its_request_waits_is_built() -> None:
    made = stack()
    for _ in range(2):
        await made.get()
    made.numbers_read.clear()
    waiting = asyncio.create_task(made.get())
    await asyncio.sleep(0)
    made.layer._built.clear()  # what the budget does when others are kept meanwhile
    made.numbers_read.set()

    status, body, _ = await waiting

    assert (status, body) == (200, b"built 3...")


async def test_each_token_keeps_its_own_answer() -> None:
    made = stack()
    for _ in range(2):
        await made.get("a")
        await made.get("b")
    built = made.route.built

    for _ in range(3):
        assert (await made.get("a"))[1] == b"built 3..."
        assert (await made.get("b"))[1] == b"built 4..."
    assert made.route.built == built


async def test_another_spelling_of_the_path_is_another_answer() -> None:
    made = stack()
    for _ in range(3):
        odd = await made.get(path="/api/things/", raw_path=b"/api/%74hings/")
    plain = await made.get(path="/api/things/", raw_path=b"/api/things/")

    assert odd[1].endswith(b"/api/%74hings/")
    assert plain[1].endswith(b" /api/things/")


async def test_without_a_host_the_server_address_is_the_origin() -> None:
    made = stack()
    token = [(b"authorization", b"Token a")]
    for _ in range(3):
        await made.get(headers=token, server=("127.0.0.1", 8000))
    other = await made.get(headers=token, server=("10.0.0.5", 8000))

    assert other[1].startswith(b"('10.0.0.5', 8000)")


async def test_with_no_memory_a_conditional_get_leaves_nothing_to_read_for() -> None:
    made = stack(memory=0)
    first = await made.get()
    condition = [*first[2]["scope"]["headers"], (b"if-none-match", first[2][b"etag"])]
    await made.get(headers=condition)
    reads = made.reads_of_numbers

    for _ in range(3):
        await made.get()

    assert made.reads_of_numbers == reads


async def test_a_scheduled_moment_ends_what_memory_may_send() -> None:
    made = stack()
    soon = datetime.now(UTC) + timedelta(milliseconds=50)
    made.numbers.next_moment = lambda: soon
    for _ in range(3):
        await made.get()
    assert made.route.built == 2

    made.numbers.next_moment = lambda: soon + timedelta(days=1)
    while datetime.now(UTC) < soon:
        pass
    await made.get()

    assert made.route.built == 3
