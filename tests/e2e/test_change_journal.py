"""Every catalogue write over the API or at the command line is journalled with the write: an
audit entry naming who, how and with which request, and an event for each consumer of the
change feed; a refused write leaves neither."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from litestar.testing import AsyncTestClient

from tests import media_samples
from tests.e2e.conftest import Callers
from tests.e2e.test_cli import run

pytestmark = pytest.mark.postgres

Client = AsyncTestClient  # type: ignore[type-arg]


def audit(database: str) -> list[tuple[object, ...]]:
    """The catalogue's audit entries (the callers' accounts and tokens are audited too)."""
    with psycopg.connect(database) as conn:
        return conn.execute(
            "SELECT actor_username, via, action, resource, object_id, changes,"
            " request_id IS NOT NULL, client FROM audit_log"
            " WHERE resource NOT IN ('user', 'token') ORDER BY id"
        ).fetchall()


async def test_api_writes_are_audited_with_their_author_and_request(
    client: Client, callers: Callers, clean_database: str
) -> None:
    headers = {**callers.admin, "X-Request-ID": "req-42"}
    created = await client.post("/api/tags/", headers=headers, json={"name": "web"})
    tag = created.json()["id"]
    await client.patch(f"/api/tags/{tag}", headers=callers.admin, json={"name": "Web"})
    await client.delete(f"/api/tags/{tag}", headers=callers.admin)
    refused = await client.post("/api/tags/", headers=callers.admin, json={"name": ""})
    assert refused.status_code == 400

    entries = audit(clean_database)
    assert [entry[:6] for entry in entries] == [
        ("admin", "api", "create", "tag", tag, ["name"]),
        ("admin", "api", "update", "tag", tag, ["name"]),
        ("admin", "api", "delete", "tag", tag, []),
    ]
    assert all(entry[6] for entry in entries)  # each with its request's id
    with psycopg.connect(clean_database) as conn:
        request_id = conn.execute(
            "SELECT request_id FROM audit_log WHERE resource = 'tag' ORDER BY id LIMIT 1"
        ).fetchone()
    assert request_id == ("req-42",)


def test_writes_at_the_command_line_are_audited_as_the_operator(clean_database: str) -> None:
    run(clean_database, "api", "POST", "/api/portfolios/", "--data", '{"title": "Shop"}')
    entries = audit(clean_database)
    assert [entry[:5] for entry in entries] == [(None, "cli", "create", "portfolio", 1)]


def queued_for(database: str, consumer: str) -> list[tuple[object, ...]]:
    with psycopg.connect(database) as conn:
        return conn.execute(
            "SELECT event, object_id FROM outbox WHERE consumer = %s ORDER BY id", (consumer,)
        ).fetchall()


async def test_media_uploads_and_deletes_over_the_api_are_audited_with_their_author(
    client: Client, callers: Callers, clean_database: str
) -> None:
    uploaded = await client.post(
        "/api/media/",
        headers=callers.admin,
        files={"file": ("logo.png", media_samples.png(), "image/png")},
    )
    assert uploaded.status_code == 201, uploaded.text
    media_id = uploaded.json()["id"]
    deleted = await client.delete(f"/api/media/{media_id}", headers=callers.admin)
    assert deleted.status_code == 204

    entries = audit(clean_database)
    assert [entry[:6] for entry in entries] == [
        ("admin", "api", "create", "media", media_id, ["file", "name"]),
        ("admin", "api", "delete", "media", media_id, []),
    ]
    assert all(entry[6] for entry in entries)


def test_media_added_and_repaired_at_the_command_line_are_audited_and_fed_to_the_edge(
    clean_database: str, tmp_path: Path
) -> None:
    source = tmp_path / "logo.png"
    source.write_bytes(media_samples.png())
    env = {
        "PORTFOLIO_MEDIA_ROOT": str(tmp_path / "media"),
        "PORTFOLIO_EDGE": "varnish",
        "PORTFOLIO_EDGE_URLS": "http://127.0.0.1:9",
    }

    run(clean_database, "media", "add", str(source), env=env)
    run(clean_database, "media", "thumbnails", "--force", "1", env=env)

    assert [entry[:6] for entry in audit(clean_database)] == [
        (None, "cli", "create", "media", 1, ["file", "name"]),
        (None, "cli", "update", "media", 1, ["thumbnails"]),
    ]
    queued = [("media.created", 1), ("media.updated", 1)]
    assert queued_for(clean_database, "edge") == queued
    assert queued_for(clean_database, "webhooks") == queued
