"""A client generated from /schema/openapi.json works against the service served for real."""

from __future__ import annotations

import asyncio
import importlib
import io
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from portfolio.entrypoints.container import Container, opened
from portfolio.entrypoints.settings import Settings
from tests import media_samples

pytestmark = pytest.mark.postgres

BIN = Path(sys.executable).parent
PACKAGE = "portfolio_service_client"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(clean_database: str, tmp_path: Path) -> Iterator[str]:
    """The service on a free local port, as `portfolio serve` runs it."""
    port = _free_port()
    media = tmp_path / "media"
    media.mkdir()
    env = {
        **os.environ,
        "PORTFOLIO_DATABASE_URL": clean_database,
        "PORTFOLIO_MEDIA_ROOT": str(media),
    }
    server = subprocess.Popen(
        [str(BIN / "portfolio"), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not come up"
            time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def admin_key(database_url: str, media_root: Path) -> str:
    """A token of a new admin, issued through the core."""

    async def issue() -> str:
        container = Container(settings=Settings(media_root=media_root), database_url=database_url)
        async with opened(container):
            await container.administer_users().create("admin", is_admin=True)
            return (await container.manage_tokens().issue("admin")).key

    return asyncio.run(issue())


@pytest.fixture
def generated(served: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The client package openapi-python-client makes from the served schema, imported."""
    schema = tmp_path / "openapi.json"
    schema.write_bytes(httpx.get(f"{served}/schema/openapi.json").content)
    config = tmp_path / "generator.yaml"
    config.write_text("post_hooks: []\n")  # no formatting: the code is only imported
    subprocess.run(
        [
            str(BIN / "openapi-python-client"),
            "generate",
            "--path",
            str(schema),
            "--output-path",
            str(tmp_path / "client" / PACKAGE),
            "--meta",
            "none",
            "--config",
            str(config),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    monkeypatch.syspath_prepend(str(tmp_path / "client"))
    for name in [name for name in sys.modules if name.startswith(PACKAGE)]:
        del sys.modules[name]
    return importlib.import_module(PACKAGE)


def instants(node: Any) -> Any:
    """``node`` with every ISO 8601 date-time string read as the moment it names: the
    generated models write ``+00:00`` where the service writes ``Z``."""
    if isinstance(node, dict):
        return {key: instants(value) for key, value in node.items()}
    if isinstance(node, list):
        return [instants(value) for value in node]
    if isinstance(node, str) and len(node) >= 20 and node[10:11] == "T":
        try:
            return datetime.fromisoformat(node)
        except ValueError:
            return node
    return node


def test_a_generated_client_builds_a_portfolio_and_reads_it_as_the_wire_says(
    generated: Any, served: str, clean_database: str, tmp_path: Path
) -> None:
    key = admin_key(clean_database, tmp_path / "media")
    models = importlib.import_module(f"{PACKAGE}.models")
    types = importlib.import_module(f"{PACKAGE}.types")
    ops = {
        name: importlib.import_module(f"{PACKAGE}.api.{group}.{name}")
        for group, name in (
            ("media", "create_media_object"),
            ("employers", "create_employer"),
            ("tags", "create_tag"),
            ("links", "create_link"),
            ("meta", "create_meta_entry"),
            ("portfolios", "create_portfolio"),
            ("portfolios", "retrieve_portfolio"),
        )
    }
    client = generated.AuthenticatedClient(
        base_url=served, token=key, prefix="Token", raise_on_unexpected_status=True
    )

    image = ops["create_media_object"].sync(
        client=client,
        body=models.MediaUpload(
            file=types.File(payload=io.BytesIO(media_samples.png()), file_name="cover.png"),
            name="Cover",
        ),
    )
    assert isinstance(image, models.ImageData)
    assert (image.type_, image.width, len(image.thumbnails)) == ("image/png", 300, 4)
    employer = ops["create_employer"].sync(
        client=client,
        body=models.EmployerWrite(name="Digikala", description="An online shop.", image=image.id),
    )
    tag = ops["create_tag"].sync(client=client, body=models.TagWrite(name="web", image=image.id))
    link = ops["create_link"].sync(
        client=client, body=models.LinkWrite(name="Live site", url="https://example.com/")
    )
    meta = ops["create_meta_entry"].sync(
        client=client,
        body=models.MetaWrite(key="client_quote", value_text="On time.", value_file=image.id),
    )
    created = ops["create_portfolio"].sync(
        client=client,
        body=models.PortfolioWrite(
            title="Web design",
            excerpt="A new shop front.",
            image=image.id,
            employer=employer.id,
            tags=[tag.id],
            links=[link.id],
            images=[image.id],
            meta=[meta.id],
            completed_at=datetime.fromisoformat("2026-03-03T17:26:28+00:00"),
        ),
    )
    assert isinstance(created, models.PortfolioData)

    answer = ops["retrieve_portfolio"].sync_detailed(created.id, client=client)
    plain = httpx.get(
        f"{served}/api/portfolios/{created.id}", headers={"Authorization": f"Token {key}"}
    )
    assert plain.status_code == answer.status_code == 200
    assert answer.content == plain.content
    portfolio = answer.parsed
    assert isinstance(portfolio, models.PortfolioData)
    assert instants(portfolio.to_dict()) == instants(plain.json())
    assert portfolio.employer_data.name == "Digikala"
    assert [item.name for item in portfolio.tags_data] == ["web"]
    assert portfolio.meta[0].value_file.id == image.id
