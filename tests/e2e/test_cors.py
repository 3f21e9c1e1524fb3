"""Browsers on listed origins may call the API: preflights answered without a token, CORS
headers only for listed origins, every answer varying on Origin."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from litestar.testing import AsyncTestClient

from portfolio.entrypoints.container import Container
from portfolio.entrypoints.http.app import create_app
from portfolio.entrypoints.settings import Settings, SettingsError
from tests.app_client import SameLoopClient
from tests.memory_container import in_memory_container

Client = AsyncTestClient  # type: ignore[type-arg]
ADMIN_PANEL = "https://admin.example.com"
PREFLIGHT = {
    "Origin": ADMIN_PANEL,
    "Access-Control-Request-Method": "PATCH",
    "Access-Control-Request-Headers": "authorization, content-type",
}


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[Container, Client]]:
    container = in_memory_container(
        Settings(media_root=tmp_path, cors_allowed_origins=(ADMIN_PANEL, "http://localhost:3000"))
    )
    async with SameLoopClient(create_app(container)) as client:
        yield container, client


def cors_headers(headers: object) -> set[str]:
    return {name.lower() for name in headers if name.lower().startswith("access-control-")}  # type: ignore[attr-defined]


def vary(headers: httpx.Headers) -> set[str]:
    """The header names ``Vary`` lists."""
    return {name.strip() for name in headers.get("vary", "").split(",") if name.strip()}


async def test_a_preflight_from_a_listed_origin_is_answered_without_a_token(
    served: tuple[Container, Client],
) -> None:
    _, client = served
    for path in ("/api/portfolios/1", "/api/portfolios/", "/api/auth/token/", "/api/users/3"):
        answer = await client.options(path, headers=PREFLIGHT)
        assert answer.status_code == 204, path
        assert answer.headers["access-control-allow-origin"] == ADMIN_PANEL
        methods = {m.strip() for m in answer.headers["access-control-allow-methods"].split(",")}
        assert {"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"} <= methods
        assert answer.headers["access-control-allow-headers"] == (
            "Authorization, Content-Type, Idempotency-Key, If-None-Match, X-Request-ID"
        )
        assert answer.headers["access-control-max-age"] == "600"
        assert "Origin" in answer.headers["vary"]
        assert "Allow" in answer.headers


async def test_answers_to_a_listed_origin_carry_the_origin_and_expose_retry_after(
    served: tuple[Container, Client],
) -> None:
    container, client = served
    await container.administer_users().create("admin", is_admin=True)
    key = (await container.manage_tokens().issue("admin")).key
    headers = {"Origin": ADMIN_PANEL, "Authorization": f"Token {key}"}
    answer = await client.get("/api/portfolios/", headers=headers)
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == ADMIN_PANEL
    assert answer.headers["access-control-expose-headers"] == (
        "ETag, Idempotent-Replayed, Retry-After, X-Request-ID"
    )
    assert "Origin" in vary(answer.headers)
    refused = await client.get("/api/portfolios/", headers={"Origin": ADMIN_PANEL})
    assert refused.status_code == 401
    assert refused.headers["access-control-allow-origin"] == ADMIN_PANEL
    # Origins are compared whole, without case: scheme, host and port.
    other_port = await client.get("/api/portfolios/", headers={"Origin": "http://LOCALHOST:3000"})
    assert other_port.headers["access-control-allow-origin"] == "http://LOCALHOST:3000"


async def test_an_unlisted_origin_gets_the_answer_it_got_before_without_cors_headers(
    served: tuple[Container, Client],
) -> None:
    _, client = served
    for origin in ("https://evil.example", "https://admin.example.com.evil.example", "null"):
        preflight = await client.options(
            "/api/portfolios/1", headers={**PREFLIGHT, "Origin": origin}
        )
        assert preflight.status_code == 204
        assert cors_headers(preflight.headers) == set()
        assert preflight.headers["allow"] == "DELETE, GET, OPTIONS, PATCH, PUT"
        simple = await client.get("/api/portfolios/", headers={"Origin": origin})
        assert simple.status_code == 401
        assert cors_headers(simple.headers) == set()
        assert "Origin" in vary(simple.headers)


async def test_without_listed_origins_nothing_changes(tmp_path: Path) -> None:
    container = in_memory_container(Settings(media_root=tmp_path))
    async with SameLoopClient(create_app(container)) as client:
        answer = await client.options("/api/portfolios/1", headers=PREFLIGHT)
        assert answer.status_code == 204
        assert cors_headers(answer.headers) == set()
        assert "Origin" not in vary(answer.headers)


def test_origins_are_checked_when_read() -> None:
    env = {"PORTFOLIO_CORS_ALLOWED_ORIGINS": " https://Admin.example.com , http://localhost:3000"}
    assert Settings.from_env(env).cors_allowed_origins == (
        "https://admin.example.com",
        "http://localhost:3000",
    )
    for bad in ("*", "admin.example.com", "https://admin.example.com/", "ftp://x"):
        with pytest.raises(SettingsError):
            Settings.from_env({"PORTFOLIO_CORS_ALLOWED_ORIGINS": bad})
