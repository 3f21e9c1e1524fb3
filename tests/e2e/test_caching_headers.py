"""Caching headers and conditional GETs over HTTP, on the in-memory and the Postgres wiring:
``Cache-Control``/``Vary`` on every ``/api/`` answer, an ``ETag`` on every item and page, 304
for ``If-None-Match`` (HEAD too), and ETags that change with anything shown, nested objects
included, also when another instance made the change."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from dependency_injector import providers
from litestar.testing import AsyncTestClient

from portfolio.adapters.memory.database import InMemoryDatabase, InMemoryPortfolios
from portfolio.application.fields import NewThumbnail
from portfolio.application.listing import PortfolioFilter, Slice, Window
from portfolio.domain import Portfolio
from portfolio.entrypoints.container import Container, InMemoryAdapters
from portfolio.entrypoints.http.app import create_app
from portfolio.entrypoints.http.caching import CACHE_CONTROL, VARY, entity_tag
from portfolio.entrypoints.settings import Settings
from tests.app_client import SameLoopClient
from tests.builders import add_full_portfolio, add_image, stores_of
from tests.e2e.conftest import headers_of
from tests.memory_container import in_memory_container

Client = AsyncTestClient  # type: ignore[type-arg]
COLLECTIONS = ["portfolios", "employers", "tags", "links", "meta", "media"]


async def admin(container: Container) -> dict[str, str]:
    """An admin's Authorization header, asking for answers as they are made (uncompressed:
    compression weakens the ETag of what it compresses, tested below)."""
    return {**(await headers_of(container, 4101))["admin"], "Accept-Encoding": "identity"}


def vary(response: httpx.Response) -> set[str]:
    """The header names ``Vary`` lists."""
    return {name.strip() for name in response.headers.get("vary", "").split(",") if name.strip()}


def assert_private(response: httpx.Response) -> None:
    """The answer may be kept by the caller's own cache only, and revalidated each time."""
    assert response.headers["cache-control"] == CACHE_CONTROL
    assert VARY in vary(response)


async def conditional(
    client: Client, path: str, headers: dict[str, str], tag: str, method: str = "GET"
) -> httpx.Response:
    """``method`` on ``path`` with ``If-None-Match: tag``."""
    return await client.request(method, path, headers={**headers, "If-None-Match": tag})


@pytest.mark.parametrize("collection", COLLECTIONS)
async def test_every_item_and_page_has_an_etag_over_its_bytes_and_answers_304(
    wired: tuple[Container, Client], collection: str
) -> None:
    container, client = wired
    headers = await admin(container)
    full = await add_full_portfolio(stores_of(container))
    item = {
        "portfolios": full.portfolio.id,
        "employers": full.employer.id,
        "tags": full.tags[0].id,
        "links": full.links[0].id,
        "meta": full.metas[0].id,
        "media": full.cover.id,
    }[collection]
    for path in (f"/api/{collection}/", f"/api/{collection}/{item}", f"/api/{collection}/?page=1"):
        first = await client.get(path, headers=headers)
        assert first.status_code == 200, (path, first.text)
        tag = first.headers["etag"]
        assert tag == entity_tag(first.content)
        assert_private(first)
        # Twice: once built and compared, once answered from what the first one learnt.
        for _ in range(2):
            again = await conditional(client, path, headers, tag)
            assert (again.status_code, again.content) == (304, b""), path
            assert again.headers["etag"] == tag
            assert "content-type" not in again.headers
            assert_private(again)
        head = await conditional(client, path, headers, tag, "HEAD")
        assert (head.status_code, head.headers["etag"]) == (304, tag)


async def test_every_api_answer_is_private_to_its_caller(wired: tuple[Container, Client]) -> None:
    container, client = wired
    headers = await admin(container)
    answers = [
        await client.post("/api/tags/", headers=headers, json={"name": "web"}),
        await client.patch("/api/tags/1", headers=headers, json={"name": "web2"}),
        await client.get("/api/tags/1", headers=headers),
        await client.get("/api/tags/999", headers=headers),
        await client.get("/api/tags/"),
        await client.delete("/api/tags/1", headers=headers),
    ]
    assert [answer.status_code for answer in answers] == [201, 200, 200, 404, 401, 204]
    for answer in answers:
        assert_private(answer)
    # Only a GET's 200 has a representation to tag.
    assert ["etag" in answer.headers for answer in answers] == [
        False,
        False,
        True,
        False,
        False,
        False,
    ]


async def test_if_none_match_is_compared_weakly_and_takes_lists_and_star(
    wired: tuple[Container, Client],
) -> None:
    container, client = wired
    headers = await admin(container)
    await client.post("/api/tags/", headers=headers, json={"name": "web"})
    tag = (await client.get("/api/tags/1", headers=headers)).headers["etag"]
    for condition in (f"W/{tag}", f'"other", {tag}', "*", tag):
        response = await conditional(client, "/api/tags/1", headers, condition)
        assert response.status_code == 304, condition
    for condition in ('"other"', tag.strip('"'), f'{tag[:-2]}x"'):
        response = await conditional(client, "/api/tags/1", headers, condition)
        assert (response.status_code, response.headers["etag"]) == (200, tag), condition


async def test_a_known_etag_gets_no_304_without_credentials_or_permission(
    wired: tuple[Container, Client],
) -> None:
    container, client = wired
    headers = await headers_of(container, 4203)
    full = await add_full_portfolio(stores_of(container))
    path = f"/api/portfolios/{full.portfolio.id}"
    tag = (await client.get(path, headers=headers["admin"])).headers["etag"]
    assert (await conditional(client, path, headers["admin"], tag)).status_code == 304
    assert (await conditional(client, path, headers["anonymous"], tag)).status_code == 401
    assert (await conditional(client, path, headers["editor"], tag)).status_code == 403
    assert (await conditional(client, path, headers["former"], tag)).status_code == 401


async def test_renaming_a_tag_changes_the_etag_of_every_portfolio_and_page_showing_it(
    wired: tuple[Container, Client],
) -> None:
    container, client = wired
    headers = await admin(container)
    one = await add_full_portfolio(stores_of(container), "Web design")
    two = await add_full_portfolio(stores_of(container), "Shop front")
    shared = one.tags[0]
    await client.patch(
        f"/api/portfolios/{two.portfolio.id}",
        headers=headers,
        json={"tags": [shared.id, *two.tag_ids]},
    )
    paths = [f"/api/portfolios/{one.portfolio.id}", f"/api/portfolios/{two.portfolio.id}"]
    paths += ["/api/portfolios/", f"/api/portfolios/?tag={shared.id}", f"/api/tags/{shared.id}"]
    tags = {path: (await client.get(path, headers=headers)).headers["etag"] for path in paths}
    for path, tag in tags.items():
        assert (await conditional(client, path, headers, tag)).status_code == 304

    renamed = await client.patch(
        f"/api/tags/{shared.id}", headers=headers, json={"name": "renamed"}
    )
    assert renamed.status_code == 200

    for path, tag in tags.items():
        response = await conditional(client, path, headers, tag)
        assert response.status_code == 200, path
        assert response.headers["etag"] not in (tag, None)
        assert "renamed" in response.text


async def test_a_replaced_cover_or_regenerated_thumbnails_change_the_portfolios_etag(
    wired: tuple[Container, Client],
) -> None:
    container, client = wired
    headers = await admin(container)
    full = await add_full_portfolio(stores_of(container))
    path = f"/api/portfolios/{full.portfolio.id}"
    tag = (await client.get(path, headers=headers)).headers["etag"]
    assert (await conditional(client, path, headers, tag)).status_code == 304

    other = await add_image(container.media_repository(), "other_cover.png")
    await client.patch(path, headers=headers, json={"image": other.id})
    replaced = await conditional(client, path, headers, tag)
    assert replaced.status_code == 200
    tag = replaced.headers["etag"]
    assert (await conditional(client, path, headers, tag)).status_code == 304

    renewed = [NewThumbnail(f"{other.key}.v2.{size}.png", size) for size in (128, 256)]
    await container.media_repository().replace_thumbnails(other.id, renewed)
    regenerated = await conditional(client, path, headers, tag)
    assert regenerated.status_code == 200
    assert ".v2." in regenerated.text


async def test_a_portfolio_changed_elsewhere_is_never_answered_304_from_an_old_tag(
    wired: tuple[Container, Client],
) -> None:
    """A write that goes around the HTTP layer (another process, the CLI) is seen too."""
    container, client = wired
    headers = await admin(container)
    full = await add_full_portfolio(stores_of(container))
    path = f"/api/portfolios/{full.portfolio.id}"
    tag = (await client.get(path, headers=headers)).headers["etag"]
    assert (await conditional(client, path, headers, tag)).status_code == 304
    await container.portfolios().update(full.portfolio.id, {"excerpt": "Changed."})
    response = await conditional(client, path, headers, tag)
    assert response.status_code == 200
    assert response.json()["excerpt"] == "Changed."


# The answer from memory, and across instances


class CountingPortfolios(InMemoryPortfolios):
    """In-memory portfolios that count the portfolios they build."""

    def __init__(self, database: InMemoryDatabase) -> None:
        super().__init__(database)
        self.built = 0

    async def get(self, portfolio_id: int) -> Portfolio | None:
        """The portfolio, counted."""
        self.built += 1
        return await super().get(portfolio_id)

    async def find(self, criteria: PortfolioFilter, window: Window) -> Slice[Portfolio]:
        """A page, counted."""
        self.built += 1
        return await super().find(criteria, window)


async def test_a_known_etag_is_answered_without_building_the_portfolio(tmp_path: Path) -> None:
    settings = Settings(media_root=tmp_path)
    adapters = InMemoryAdapters(settings=settings)
    queries = CountingPortfolios(adapters.database())
    adapters.portfolios.override(providers.Object(queries))
    container = in_memory_container(settings)
    container.override(adapters)
    async with SameLoopClient(create_app(container)) as client:
        headers = await admin(container)
        full = await add_full_portfolio(stores_of(container))
        path = f"/api/portfolios/{full.portfolio.id}"
        tag = (await client.get(path, headers=headers)).headers["etag"]
        await conditional(client, path, headers, tag)
        built = queries.built
        assert built == 2
        for _ in range(3):
            assert (await conditional(client, path, headers, tag)).status_code == 304
        assert queries.built == built


@pytest.mark.postgres
async def test_a_change_made_through_another_instance_changes_the_etag(
    two_instances: tuple[Container, Client, Client],
) -> None:
    container, one, other = two_instances
    headers = await admin(container)
    full = await add_full_portfolio(stores_of(container))
    path = f"/api/portfolios/{full.portfolio.id}"
    tag = (await one.get(path, headers=headers)).headers["etag"]
    assert (await conditional(one, path, headers, tag)).status_code == 304
    assert (await conditional(other, path, headers, tag)).status_code == 304

    renamed = await other.patch(
        f"/api/tags/{full.tags[0].id}", headers=headers, json={"name": "renamed"}
    )
    assert renamed.status_code == 200
    response = await conditional(one, path, headers, tag)
    assert response.status_code == 200
    assert "renamed" in response.text


async def test_a_compressed_answer_has_a_strong_etag_of_its_own_that_revalidates(
    wired: tuple[Container, Client],
) -> None:
    container, client = wired
    headers = {**(await headers_of(container, 4101))["admin"], "Accept-Encoding": "gzip"}
    full = await add_full_portfolio(stores_of(container))
    path = f"/api/portfolios/{full.portfolio.id}"
    plain = await client.get(path, headers={**headers, "Accept-Encoding": "identity"})
    compressed = await client.get(path, headers=headers)

    assert compressed.headers["content-encoding"] == "gzip"
    assert compressed.headers["etag"] == plain.headers["etag"].removesuffix('"') + '.gz"'
    assert {"Authorization", "Accept-Encoding"} <= vary(compressed)
    for tag in (compressed.headers["etag"], plain.headers["etag"]):
        again = await conditional(client, path, headers, tag)
        assert again.status_code == 304, tag
        # The 304 names the copy the client holds.
        assert again.headers["etag"] == tag
        assert {"Authorization", "Accept-Encoding"} <= vary(again)
    brotli = {**headers, "Accept-Encoding": "br"}
    other = await conditional(client, path, brotli, compressed.headers["etag"])
    assert other.status_code == 304  # the same answer, held in another encoding
    assert other.headers["etag"] == compressed.headers["etag"]
