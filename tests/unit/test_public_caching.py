"""How public answers are shared: their ``Cache-Control``, their surrogate keys within a
header's budget, and failures of the service that no cache keeps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from portfolio.adapters.memory.changes import InMemoryChangeNumbers
from portfolio.application.revalidation import Revalidation
from portfolio.entrypoints.http.caching import ApiCaching, shared_cache_control
from portfolio.entrypoints.http.public import KEYS_BUDGET, surrogate_keys

SHARED = "public, max-age=60, s-maxage=300, stale-while-revalidate=60, stale-if-error=86400"


def test_the_lifetimes_are_the_settings() -> None:
    assert shared_cache_control(60, 300, 60, 86400, None) == SHARED


def test_no_copy_outlives_the_presigned_urls_it_names() -> None:
    made = shared_cache_control(60, 86400, 60, 86400, timedelta(hours=1))
    assert made == (
        "public, max-age=60, s-maxage=1800, stale-while-revalidate=60, stale-if-error=1800"
    )


def test_keys_are_named_once_each_in_order() -> None:
    assert surrogate_keys(["portfolios", "tag-1", "media-2", "tag-1"]) == "portfolios tag-1 media-2"


def test_keys_past_the_budget_are_named_by_their_kind() -> None:
    many = [
        "portfolios",
        *(f"media-{n}" for n in range(2000)),
        "tag-1",
        *(f"tag-{n}" for n in range(2, 999)),
    ]

    value = surrogate_keys(many)

    assert len(value) <= KEYS_BUDGET
    named = value.split()
    assert named[0] == "portfolios"
    assert "media-0" in named and "media-all" in named and "media-1999" not in named
    assert "tag-all" in named
    assert len(named) == len(set(named))


async def answer_with(status: int, path: str) -> dict[bytes, bytes]:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b"{}", "more_body": False})

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    caching = ApiCaching(
        app,
        revalidation=lambda: Revalidation(InMemoryChangeNumbers(), lambda: datetime.now(UTC)),
        authenticate=lambda: None,  # type: ignore[arg-type, return-value]
        public_cache_control=SHARED,
    )
    scope = {"type": "http", "method": "GET", "path": path, "headers": [], "query_string": b""}
    await caching(scope, None, send)  # type: ignore[arg-type]
    return dict(sent[0]["headers"])


async def test_failures_of_the_service_are_never_shared() -> None:
    for status in (500, 502, 503, 429):
        headers = await answer_with(status, "/api/public/portfolios/")
        assert headers[b"cache-control"] == b"no-store", status
        assert headers[b"vary"] == b"Accept-Encoding"


async def test_a_public_refusal_is_shared_and_named_for_any_portfolio_change() -> None:
    headers = await answer_with(404, "/api/public/portfolios/gone")
    assert headers[b"cache-control"] == SHARED.encode()
    assert headers[b"surrogate-key"] == b"portfolios"


async def test_private_answers_stay_private() -> None:
    headers = await answer_with(200, "/api/portfolios/")
    assert headers[b"cache-control"] == b"private, no-cache"
    assert headers[b"vary"] == b"Authorization"
    assert b"surrogate-key" not in headers
