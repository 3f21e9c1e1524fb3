"""Compressed answers through the whole application: JSON pages and the schema page's files
are, media files never are, and a client that asks for no encoding gets the same bytes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from portfolio.entrypoints.container import Container
from portfolio.entrypoints.http.app import create_app
from portfolio.entrypoints.settings import Settings
from tests import media_samples
from tests.app_client import SameLoopClient
from tests.builders import add_full_portfolio, stores_of
from tests.e2e.conftest import Callers

pytestmark = pytest.mark.postgres

Client = AsyncTestClient  # type: ignore[type-arg]
IDENTITY = {"Accept-Encoding": "identity"}


@pytest.mark.parametrize("encoding", ["gzip", "br"])
async def test_a_retrieve_is_compressed_when_accepted_and_decodes_to_the_same_json(
    client: Client, callers: Callers, container: Container, encoding: str
) -> None:
    portfolio = (await add_full_portfolio(stores_of(container))).portfolio
    path = f"/api/portfolios/{portfolio.id}"
    plain = await client.get(path, headers={**callers.admin, **IDENTITY})
    assert "content-encoding" not in plain.headers
    assert int(plain.headers["content-length"]) == len(plain.content) > 1024
    packed = await client.get(path, headers={**callers.admin, "Accept-Encoding": encoding})
    assert packed.headers["content-encoding"] == encoding
    assert int(packed.headers["content-length"]) < len(plain.content) // 2
    assert packed.content == plain.content  # decoded by the client
    for answer in (packed, plain):
        assert "Accept-Encoding" in {name.strip() for name in answer.headers["vary"].split(",")}


async def test_small_json_and_errors_below_the_threshold_go_as_they_are(client: Client) -> None:
    response = await client.get("/health", headers={"Accept-Encoding": "gzip, br"})
    assert "content-encoding" not in response.headers
    assert response.headers["vary"] == "Accept-Encoding"
    assert response.json() == {"status": "ok"}


async def test_head_gets_the_headers_get_would(
    client: Client, callers: Callers, container: Container
) -> None:
    portfolio = (await add_full_portfolio(stores_of(container))).portfolio
    path = f"/api/portfolios/{portfolio.id}"
    accept = {**callers.admin, "Accept-Encoding": "gzip"}
    get, head = await client.get(path, headers=accept), await client.head(path, headers=accept)
    assert head.content == b""
    for name in ("content-encoding", "content-length", "vary", "content-type"):
        assert head.headers[name] == get.headers[name]


async def test_the_schema_page_s_script_streams_compressed(client: Client) -> None:
    path = "/schema-assets/swagger-ui-bundle.js"
    plain = await client.get(path, headers=IDENTITY)
    assert len(plain.content) > 1_000_000
    packed = await client.get(path, headers={"Accept-Encoding": "br"})
    assert packed.headers["content-encoding"] == "br"
    assert packed.content == plain.content
    openapi = await client.get("/schema/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert openapi.headers["content-encoding"] == "gzip"


async def test_media_files_are_never_compressed(
    client: Client, callers: Callers, media_root: Path
) -> None:
    image = media_samples.bmp((300, 200))  # an image that would compress well
    uploaded = await client.post(
        "/api/media/", headers=callers.admin, files={"file": ("flat.bmp", image)}
    )
    assert uploaded.status_code == 201
    key = uploaded.json()["f"].split("/media/", 1)[1]
    response = await client.get(f"/media/{key}", headers={"Accept-Encoding": "gzip, br"})
    assert "content-encoding" not in response.headers
    assert response.headers["content-length"] == str(len(image))
    assert response.content == image


async def test_compression_can_be_turned_off(clean_database: str, settings: Settings) -> None:
    container = Container(
        settings=replace(settings, compression=False), database_url=clean_database
    )
    async with SameLoopClient(create_app(container)) as client:
        response = await client.get(
            "/schema-assets/swagger-ui.css", headers={"Accept-Encoding": "gzip, br"}
        )
    assert "content-encoding" not in response.headers
    assert "vary" not in response.headers
