"""``/api/webhooks/`` through the application, on the in-memory and the Postgres wiring: every
status the contract names, the secret told twice only and never stored in the clear, and
every write in the audit log."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import psycopg
import pytest
from dependency_injector import providers
from litestar.testing import AsyncTestClient

from portfolio.adapters.memory.journal import InMemoryJournal
from portfolio.entrypoints.container import Container
from portfolio.entrypoints.http.app import create_app
from portfolio.entrypoints.settings import Settings
from tests.app_client import SameLoopClient
from tests.e2e.conftest import EXPECTED, headers_of
from tests.memory_container import cheap_passwords, in_memory_container

Client = AsyncTestClient  # type: ignore[type-arg]
HOOK = {"url": "https://93.184.215.14/hook", "events": ["portfolio.updated"], "is_active": False}
"""A public address literal, registered inactive: no test ever sends a byte to it."""


@pytest.fixture(params=["memory", pytest.param("postgres", marks=pytest.mark.postgres)])
async def app(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[Container, Client, dict[str, dict[str, str]]]]:
    settings = Settings(media_root=tmp_path, webhooks_keys=(os.urandom(32),), background=False)
    if request.param == "memory":
        container = in_memory_container(settings)
    else:
        container = Container(
            settings=settings, database_url=request.getfixturevalue("clean_database")
        )
        container.passwords.override(providers.Object(cheap_passwords()))
    async with SameLoopClient(create_app(container)) as client:
        yield container, client, await headers_of(container, 4201)


async def test_the_secret_is_told_at_create_and_rotation_only(
    app: tuple[Container, Client, dict[str, dict[str, str]]],
) -> None:
    _, client, headers = app
    admin = headers["admin"]
    created = await client.post("/api/webhooks/", headers=admin, json=HOOK)
    assert created.status_code == 201, created.text
    body = created.json()
    assert list(body) == [
        "id",
        "url",
        "events",
        "description",
        "is_active",
        "created_at",
        "secret",
    ]
    secret = body["secret"]
    assert secret.startswith("whsec_")
    hook = body["id"]
    answers = [
        await client.get("/api/webhooks/", headers=admin),
        await client.get(f"/api/webhooks/{hook}", headers=admin),
        await client.patch(f"/api/webhooks/{hook}", headers=admin, json={"description": "x"}),
        await client.get(f"/api/webhooks/{hook}/deliveries/", headers=admin),
    ]
    assert [a.status_code for a in answers] == [200, 200, 200, 200]
    assert all("secret" not in a.text and secret not in a.text for a in answers)
    rotated = await client.post(f"/api/webhooks/{hook}/rotate-secret/", headers=admin)
    assert rotated.status_code == 200
    assert rotated.json()["secret"].startswith("whsec_") and rotated.json()["secret"] != secret


@pytest.mark.postgres
async def test_the_production_wiring_without_a_key_makes_no_webhook(
    client: Client, container: Container
) -> None:
    admin = (await headers_of(container, 4201))["admin"]
    refused = await client.post("/api/webhooks/", headers=admin, json=HOOK)
    assert refused.status_code == 503
    assert "PORTFOLIO_WEBHOOKS_KEY" in refused.json()["detail"]


@pytest.mark.postgres
async def test_no_table_holds_the_secret_in_the_clear(tmp_path: Path, clean_database: str) -> None:
    settings = Settings(media_root=tmp_path, webhooks_keys=(os.urandom(32),), background=False)
    container = Container(settings=settings, database_url=clean_database)
    container.passwords.override(providers.Object(cheap_passwords()))
    async with SameLoopClient(create_app(container)) as client:
        admin = (await headers_of(container, 4201))["admin"]
        created = (await client.post("/api/webhooks/", headers=admin, json=HOOK)).json()
    secret = created["secret"]
    key = secret.removeprefix("whsec_")
    with psycopg.connect(clean_database) as conn:
        tables = [
            r[0]
            for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ]
        for table in tables:
            dump = "".join(str(row) for row in conn.execute(f'SELECT t::text FROM "{table}" t'))
            assert secret not in dump and key not in dump, table


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (
            {**HOOK, "events": ["portfolio.updated", "portfolio.renamed"]},
            "events",
            "portfolio.renamed",
        ),
        ({**HOOK, "events": []}, "events", "may not be empty"),
        ({**HOOK, "events": "portfolio.updated"}, "events", "list"),
        ({**HOOK, "url": "ftp://93.184.215.14/"}, "url", "valid URL"),
        ({**HOOK, "url": "http://93.184.215.14/"}, "url", "Only https"),
        ({**HOOK, "url": "https://user:pw@93.184.215.14/"}, "url", "credentials"),
        ({**HOOK, "url": "https://127.0.0.1/"}, "url", "loopback"),
        ({**HOOK, "url": "https://2130706433/"}, "url", "loopback"),
        ({**HOOK, "url": "https://0177.0.0.1/"}, "url", "loopback"),
        ({**HOOK, "url": "https://[::ffff:127.0.0.1]/"}, "url", "valid URL"),
        ({**HOOK, "url": "https://[::ffff:7f00:1]/"}, "url", "loopback"),  # IPv6-mapped
        ({**HOOK, "url": "https://[::ffff:a00:1]/"}, "url", "private"),
        ({**HOOK, "url": "https://0x7f.1/"}, "url", "loopback"),
        ({**HOOK, "url": "https://169.254.169.254/latest/meta-data/"}, "url", "link-local"),
        ({**HOOK, "url": "https://localhost/"}, "url", "loopback"),
        ({**HOOK, "url": "https://224.0.0.1/"}, "url", "multicast"),
        ({**HOOK, "secret": "whsec_mine"}, "secret", "read-only"),
        ({"events": ["tag.created"]}, "url", "required"),
    ],
)
async def test_bad_bodies_are_400_naming_the_field(
    app: tuple[Container, Client, dict[str, dict[str, str]]],
    body: dict[str, object],
    field: str,
    message: str,
) -> None:
    _, client, headers = app
    refused = await client.post("/api/webhooks/", headers=headers["admin"], json=body)
    assert refused.status_code == 400, refused.text
    assert message in " ".join(refused.json()[field])
    created = (await client.post("/api/webhooks/", headers=headers["admin"], json=HOOK)).json()
    patched = await client.patch(
        f"/api/webhooks/{created['id']}", headers=headers["admin"], json=body
    )
    assert patched.status_code == 400 or (field == "url" and "required" in message)


async def test_only_admins_may_touch_webhooks(
    app: tuple[Container, Client, dict[str, dict[str, str]]],
) -> None:
    _, client, headers = app
    hook = (await client.post("/api/webhooks/", headers=headers["admin"], json=HOOK)).json()["id"]
    calls = [
        ("GET", "/api/webhooks/"),
        ("POST", "/api/webhooks/"),
        ("GET", f"/api/webhooks/{hook}"),
        ("PATCH", f"/api/webhooks/{hook}"),
        ("DELETE", f"/api/webhooks/{hook}"),
        ("POST", f"/api/webhooks/{hook}/rotate-secret/"),
        ("POST", f"/api/webhooks/{hook}/ping/"),
        ("GET", f"/api/webhooks/{hook}/deliveries/"),
        ("POST", f"/api/webhooks/{hook}/deliveries/1/retry/"),
    ]
    # "editor" holds the code the routes would name, "others" every other: staff, whatever.
    for caller in ("anonymous", "former", "others", "outsider", "editor"):
        status, detail = EXPECTED.get(caller, EXPECTED["others"])
        for method, path in calls:
            answer = await client.request(method, path, headers=headers[caller], json=HOOK)
            assert (answer.status_code, answer.json()) == (status, detail), (caller, method, path)


async def test_missing_things_are_404(
    app: tuple[Container, Client, dict[str, dict[str, str]]],
) -> None:
    _, client, headers = app
    admin = headers["admin"]
    hook = (await client.post("/api/webhooks/", headers=admin, json=HOOK)).json()["id"]
    for method, path in [
        ("GET", "/api/webhooks/999"),
        ("GET", "/api/webhooks/abc"),
        ("PATCH", "/api/webhooks/999"),
        ("DELETE", "/api/webhooks/999"),
        ("POST", "/api/webhooks/999/rotate-secret/"),
        ("POST", "/api/webhooks/999/ping/"),
        ("GET", "/api/webhooks/999/deliveries/"),
        ("POST", f"/api/webhooks/{hook}/deliveries/999/retry/"),
        ("POST", f"/api/webhooks/{hook}/deliveries/x/retry/"),
        ("POST", "/api/webhooks/999/deliveries/1/retry/"),
    ]:
        answer = await client.request(method, path, headers=admin, json={"description": "x"})
        assert (answer.status_code, answer.json()) == (404, {"detail": "Not found."}), path


async def test_ping_retry_and_delete_answer_their_statuses_and_are_audited(
    app: tuple[Container, Client, dict[str, dict[str, str]]],
) -> None:
    container, client, headers = app
    admin = headers["admin"]
    hook = (await client.post("/api/webhooks/", headers=admin, json=HOOK)).json()["id"]
    ping = await client.post(f"/api/webhooks/{hook}/ping/", headers=admin)
    assert ping.status_code == 202
    assert ping.json()["type"] == "webhook.ping" and ping.json()["status"] == "pending"
    assert list(ping.json()) == [
        "id",
        "type",
        "status",
        "attempts",
        "response_status",
        "created_at",
        "delivered_at",
    ]
    delivery = ping.json()["id"]
    retried = await client.post(f"/api/webhooks/{hook}/deliveries/{delivery}/retry/", headers=admin)
    assert retried.status_code == 202
    page = (await client.get(f"/api/webhooks/{hook}/deliveries/", headers=admin)).json()
    assert page["count"] == 1 and page["results"][0]["id"] == delivery
    assert (await client.delete(f"/api/webhooks/{hook}", headers=admin)).status_code == 204
    assert (await client.get(f"/api/webhooks/{hook}", headers=admin)).status_code == 404
    if isinstance(container.journal(), InMemoryJournal):
        entries = [
            e.action for e in container.journal().entries.values() if e.resource == "webhook"
        ]
    else:
        with psycopg.connect(container.database_url()) as conn:
            # In the order written: without ORDER BY, Postgres returns rows in any order.
            query = "SELECT action FROM audit_log WHERE resource = 'webhook' ORDER BY id"
            rows = conn.execute(query)
            entries = [row[0] for row in rows]
    assert entries == ["create", "update", "update", "delete"]  # ping, retry: deliveries


async def test_without_a_key_no_webhook_is_made(tmp_path: Path) -> None:
    container = in_memory_container(Settings(media_root=tmp_path, background=False))
    async with SameLoopClient(create_app(container)) as client:
        admin = (await headers_of(container, 4201))["admin"]
        refused = await client.post("/api/webhooks/", headers=admin, json=HOOK)
        assert refused.status_code == 503
        assert (await client.get("/api/webhooks/", headers=admin)).status_code == 200


async def test_a_body_over_the_json_limit_is_413(
    app: tuple[Container, Client, dict[str, dict[str, str]]],
) -> None:
    _, client, headers = app
    huge = {**HOOK, "description": "x" * (1024 * 1024 + 1)}
    refused = await client.post("/api/webhooks/", headers=headers["admin"], json=huge)
    assert refused.status_code == 413


# Spellings that could never name an endpoint or a delivery: the same 404 on every route
# taking one, over Postgres too, where a number past bigint must never reach a statement.
NEVER_IDS = ["0", "-1", "9223372036854775808", "1e3", "%201", "%EF%BC%91", "9" * 400]


@pytest.mark.parametrize("raw_id", NEVER_IDS)
async def test_every_route_taking_a_webhook_or_delivery_id_answers_404_for_one_that_names_nothing(
    app: tuple[Container, Client, dict[str, dict[str, str]]], raw_id: str
) -> None:
    _, client, headers = app
    admin = headers["admin"]
    hook = (await client.post("/api/webhooks/", headers=admin, json=HOOK)).json()["id"]
    routes: list[tuple[str, str, dict[str, object] | None]] = [
        ("GET", "/api/webhooks/{}", None),
        ("PATCH", "/api/webhooks/{}", {"url": "https://127.0.0.1/"}),
        ("DELETE", "/api/webhooks/{}", None),
        ("POST", "/api/webhooks/{}/rotate-secret/", None),
        ("POST", "/api/webhooks/{}/ping/", None),
        ("GET", "/api/webhooks/{}/deliveries/", None),
        ("POST", "/api/webhooks/{}/deliveries/1/retry/", None),
        ("POST", f"/api/webhooks/{hook}/deliveries/{{}}/retry/", None),
    ]
    for method, template, body in routes:
        path = template.format(raw_id)
        response = await client.request(method, path, headers=admin, json=body)
        assert (response.status_code, response.json()) == (404, {"detail": "Not found."}), path
