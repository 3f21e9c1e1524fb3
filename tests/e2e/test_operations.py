"""Health, readiness, the request log and the refusal to leak internals."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest
from litestar.testing import AsyncTestClient

from portfolio.entrypoints.container import Container
from portfolio.entrypoints.http.app import create_app
from portfolio.entrypoints.settings import Settings
from tests.app_client import SameLoopClient
from tests.e2e.conftest import Callers, make_callers

pytestmark = pytest.mark.postgres

Client = AsyncTestClient  # type: ignore[type-arg]


async def test_health_and_ready_answer_without_credentials(client: Client) -> None:
    assert (await client.get("/health")).json() == {"status": "ok"}
    ready = await client.get("/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready"}


async def test_one_log_line_per_request_without_secrets(
    client: Client, callers: Callers, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="portfolio.requests")
    key = callers.admin["Authorization"].split()[1]
    response = await client.get(
        "/api/portfolios/12345", headers={**callers.admin, "X-Request-ID": "trace-42"}
    )
    assert response.headers["x-request-id"] == "trace-42"
    lines = [r.getMessage() for r in caplog.records if r.name == "portfolio.requests"]
    assert len(lines) == 1
    method, path, status, duration, request_id = lines[0].split()
    assert (method, path, status, request_id) == ("GET", "/api/portfolios/12345", "404", "trace-42")
    assert duration.endswith("ms")
    assert all(key not in record.getMessage() for record in caplog.records)


async def test_unrouted_requests_are_logged_and_get_a_request_id(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="portfolio.requests")
    response = await client.get("/no/such/route", headers={"X-Request-ID": "bad id\nforged"})
    assert response.status_code == 404
    assert len(response.headers["x-request-id"]) == 32  # the unsafe id was replaced
    assert [
        r.getMessage().split()[2] for r in caplog.records if r.name == "portfolio.requests"
    ] == ["404"]


async def test_encoded_newlines_in_paths_cannot_forge_log_lines(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="portfolio.requests")
    await client.get("/x%0AGET%20/admin%20200")
    (line,) = [r.getMessage() for r in caplog.records if r.name == "portfolio.requests"]
    assert "\n" not in line


@pytest.mark.parametrize(
    "path",
    [
        "/api/portfolios/" + "1" * 10_000,
        "/api/portfolios/%00",
        "/api/portfolios/%FF%FE",
        "/api/portfolios/1;DROP TABLE portfolios",
        "/api/portfolios/1?id=2&id=3",
        "/api/portfolios/..%2F..%2Fhealth",
        "/%E2%80%AE",
    ],
)
async def test_hostile_paths_never_cause_a_server_error(
    client: Client, callers: Callers, path: str
) -> None:
    response = await client.get(path, headers=callers.admin)
    assert response.status_code in (400, 404)
    assert "Traceback" not in response.text
    assert set(response.json()) == {"detail"}


async def test_only_allowed_hosts_are_served_when_a_list_is_set(
    container: Container, settings: Settings
) -> None:
    strict = Container(
        settings=replace(settings, allowed_hosts=("api.example.com", "localhost")),
        database_url=container.database_url(),
    )
    async with SameLoopClient(create_app(strict), base_url="http://api.example.com") as client:
        assert (await client.get("/health")).status_code == 200
        assert (await client.get("/health", headers={"Host": "LOCALHOST:8000"})).status_code == 200
        forged = await client.get("/api/portfolios/", headers={"Host": "evil.example.com"})
        assert forged.status_code == 400
        assert forged.json() == {"detail": "Invalid host header"}


def with_hosts(container: Container, settings: Settings, *hosts: str) -> Container:
    """The test's wiring with ``PORTFOLIO_ALLOWED_HOSTS`` set to ``hosts``."""
    return Container(
        settings=replace(settings, allowed_hosts=hosts), database_url=container.database_url()
    )


@pytest.mark.parametrize(
    ("scheme", "host", "status"),
    [
        ("http", "portfolio.example", 200),
        ("http", "PORTFOLIO.example", 200),
        ("http", "portfolio.example:80", 200),  # the same origin (RFC 9110, 4.2.3)
        ("https", "portfolio.example:443", 200),
        ("http", "portfolio.example:666", 400),
        ("http", "portfolio.example:443", 400),  # another scheme's default port
        ("https", "portfolio.example:80", 400),
        ("http", "portfolio.example:", 400),
        ("http", "evil.example", 400),
        ("http", "evil.example:80", 400),
    ],
)
async def test_an_allowed_name_without_a_port_allows_only_the_scheme_s_default_port(
    container: Container, settings: Settings, scheme: str, host: str, status: int
) -> None:
    strict = with_hosts(container, settings, "portfolio.example")
    base = f"{scheme}://portfolio.example"
    async with SameLoopClient(create_app(strict), base_url=base) as client:
        answer = await client.get("/schema/openapi.json", headers={"Host": host})
        assert answer.status_code == status
        if status == 400:
            assert answer.json() == {"detail": "Invalid host header"}


async def test_an_allowed_name_and_port_is_the_origin_of_links_and_media_urls(
    container: Container, settings: Settings
) -> None:
    strict = with_hosts(container, settings, "portfolio.example:8443")
    async with SameLoopClient(create_app(strict), base_url="http://portfolio.example") as client:
        callers = await make_callers(strict)
        for refused in ("portfolio.example", "portfolio.example:80", "portfolio.example:8444"):
            answer = await client.get("/api/users/", headers={**callers.admin, "Host": refused})
            assert answer.status_code == 400, refused
        allowed = {**callers.admin, "Host": "portfolio.example:8443"}
        users = await client.get("/api/users/?page_size=1", headers=allowed)
        assert users.json()["next"] == "http://portfolio.example:8443/api/users/?page=2&page_size=1"
        uploaded = await client.post(
            "/api/media/", files={"file": ("notes.txt", b"hello")}, headers=allowed
        )
        assert uploaded.json()["f"].startswith("http://portfolio.example:8443/media/")


@pytest.mark.parametrize("host", ["10.0.3.7:8000", "10.0.3.7", "evil.example.com", "a..b", None])
@pytest.mark.parametrize("probe", ["/health", "/ready"])
async def test_probes_answer_any_host_when_a_list_is_set(
    container: Container, settings: Settings, probe: str, host: str | None
) -> None:
    # A load balancer or kubelet probes the pod by its address, which no list names.
    strict = Container(
        settings=replace(settings, allowed_hosts=("api.example.com",)),
        database_url=container.database_url(),
    )
    async with SameLoopClient(create_app(strict), base_url="http://api.example.com") as client:
        headers = {} if host is None else {"Host": host}
        assert (await client.get(probe, headers=headers)).status_code == 200
        assert (await client.head(probe, headers=headers)).status_code == 200
        other = await client.get("/schema/openapi.json", headers=headers)
        assert other.status_code == (200 if host is None else 400)


@pytest.mark.parametrize("host", ["a..b", "example.com:99999", "example.com:0", "-a.com", "a-.com"])
async def test_malformed_hosts_are_400_even_without_a_list(
    client: Client, callers: Callers, host: str
) -> None:
    response = await client.get("/api/portfolios/", headers={**callers.admin, "Host": host})
    assert response.status_code == 400
    assert response.json() == {"detail": "Invalid host header"}
