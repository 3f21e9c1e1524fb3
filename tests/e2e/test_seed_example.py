"""The API document's own example, rebuilt through the service, compared field by field.

``tests/fixtures/seed-example-response.json`` is the example response of the product's API
document for ``GET /api/portfolios/:id``, unchanged. Ids, timestamps and the host differ by
nature; ``type`` is the MIME type by decision (docs/api.md); everything else must be equal.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from dependency_injector import providers
from litestar.testing import AsyncTestClient
from PIL import Image

from portfolio.application.fields import EmployerFields, LinkFields, PortfolioFields
from portfolio.entrypoints.container import Container
from tests.builders import stores_of
from tests.e2e.conftest import Callers

pytestmark = pytest.mark.postgres

SEED = json.loads(
    (Path(__file__).parent.parent / "fixtures" / "seed-example-response.json").read_text()
)
IGNORED = {"id", "created_at", "updated_at"}


def bmp_156() -> bytes:
    """A 156x156 RGB BMP: 54 header bytes + 156 rows of 468 bytes = 73062 bytes, as in the seed."""
    output = io.BytesIO()
    Image.new("RGB", (156, 156), (30, 120, 200)).save(output, format="BMP")
    return output.getvalue()


def compare(expected: Any, actual: Any, where: str = "$") -> list[str]:
    """Every difference between the seed and the response, ids/timestamps/host aside."""
    if isinstance(expected, dict):
        if list(expected) != list(actual):
            return [f"{where}: fields {list(actual)} != {list(expected)}"]
        return [
            difference
            for key in expected
            if key not in IGNORED
            for difference in compare(expected[key], actual[key], f"{where}.{key}")
        ]
    if isinstance(expected, list):
        if len(expected) != len(actual):
            return [f"{where}: {len(actual)} items != {len(expected)}"]
        return [
            d
            for n, pair in enumerate(zip(expected, actual, strict=True))
            for d in compare(*pair, f"{where}[{n}]")
        ]
    if where.endswith(".f"):
        expected, actual = urlsplit(expected).path, urlsplit(actual).path
    if where.endswith(".type") and where.count("image_data") == 1:
        expected = "image/bmp"
    return [] if expected == actual else [f"{where}: {actual!r} != {expected!r}"]


async def test_the_seed_example_comes_back_field_by_field(
    client: AsyncTestClient,
    container: Container,
    callers: Callers,  # type: ignore[type-arg]
) -> None:
    container.clock.override(providers.Object(lambda: datetime(2026, 3, 2, 12, tzinfo=UTC)))
    cover = await container.upload_media()(
        io.BytesIO(bmp_156()), "image_test_media_file_0.bmp", "test text"
    )
    stores = stores_of(container)
    employer = await stores.employers.add(
        EmployerFields(name="digikala", description="some store", image_id=cover.id)
    )
    github = await stores.links.add(
        LinkFields(name="github", url="https://moeinsoft.com", description="")
    )
    site = await stores.links.add(
        LinkFields(name="site_url", url="https://digikala.com", description="the website url")
    )
    portfolio = await stores.portfolios.add(
        PortfolioFields(
            title=SEED["title"],
            slug=SEED["slug"],
            excerpt=SEED["excerpt"],
            order=SEED["order"],
            image_id=cover.id,
            employer_id=employer.id,
            is_active=True,
            completed_at=datetime(2026, 3, 3, 17, 26, 28, tzinfo=UTC),
            description=SEED["description"],
            link_ids=(github.id, site.id),
        )
    )

    response = await client.get(f"/api/portfolios/{portfolio.id}", headers=callers.admin)

    assert response.status_code == 200
    body = response.json()
    assert compare(SEED, body) == []
    assert body["image_data"]["type"] == "image/bmp"
    assert body["image_data"]["size"] == 73062
    assert body["image_data"]["human_readable_size"] == "71.35 KB"
    assert body["completed_at"] == "2026-03-03T17:26:28Z"
