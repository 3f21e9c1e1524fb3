"""``/metrics``: what each request, statement, upload and refusal adds, in one process."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from litestar.testing import AsyncTestClient
from prometheus_client.parser import text_string_to_metric_families

from portfolio.entrypoints.container import Container
from portfolio.entrypoints.http.app import create_app
from portfolio.entrypoints.settings import Settings
from portfolio.entrypoints.telemetry import Telemetry, authentication_throttled
from tests import media_samples
from tests.app_client import SameLoopClient
from tests.builders import add_full_portfolio, stores_of
from tests.e2e.conftest import make_callers

pytestmark = pytest.mark.postgres

Client = AsyncTestClient  # type: ignore[type-arg]
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
RETRIEVE = "/api/portfolios/{id}"


@pytest.fixture
async def observed(clean_database: str, settings: Settings) -> AsyncIterator[Client]:
    """A client of an application whose adapters report to its telemetry; no background
    work, so that what the pool counts between two scrapes is the requests' alone."""
    quiet = replace(settings, background=False)
    container = Container(settings=quiet, database_url=clean_database, observer=Telemetry())
    async with SameLoopClient(create_app(container), base_url="http://portfolio.test") as client:
        client.container = container  # type: ignore[attr-defined]
        yield client


async def scrape(client: Client) -> Samples:
    """Every sample of one scrape, by name and labels."""
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """One sample's value (0 when it was never recorded)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def grew(before: Samples, after: Samples, name: str, **labels: str) -> float:
    """How much a sample grew between two scrapes."""
    return value(after, name, **labels) - value(before, name, **labels)


async def test_requests_are_counted_by_route_template_never_by_raw_path(
    observed: Client,
) -> None:
    callers = await make_callers(observed.container)  # type: ignore[attr-defined]
    before = await scrape(observed)
    for raw in ("12345", "777"):
        assert (
            await observed.get(f"/api/portfolios/{raw}", headers=callers.admin)
        ).status_code == 404
    assert (await observed.get("/no/such/route")).status_code == 404
    after = await scrape(observed)

    labels = {"method": "GET", "route": RETRIEVE, "status": "404"}
    requests = "portfolio_http_requests_total"
    assert grew(before, after, requests, **labels) == 2
    assert grew(before, after, "portfolio_http_request_duration_seconds_count", **labels) == 2
    unmatched = {"method": "GET", "route": "unmatched", "status": "404"}
    assert grew(before, after, requests, **unmatched) == 1
    routes = {dict(labels).get("route") for _, labels in after}
    assert not any(route and ("12345" in route or "no/such" in route) for route in routes)


async def test_a_revalidation_naming_a_compressed_copy_is_counted_by_its_route(
    observed: Client,
) -> None:
    """A browser sends back the ``.br``/``.gz`` ETag it was given; the compression layer
    rewrites that condition, and the request must still be counted under its route."""
    callers = await make_callers(observed.container)  # type: ignore[attr-defined]
    before = await scrape(observed)
    for condition in ('"nope.br"', '"nope.gz"', '"nope"'):
        headers = {**callers.admin, "If-None-Match": condition}
        assert (await observed.get("/api/portfolios/999", headers=headers)).status_code == 404
    after = await scrape(observed)

    requests = "portfolio_http_requests_total"
    assert grew(before, after, requests, method="GET", route=RETRIEVE, status="404") == 3
    assert grew(before, after, requests, method="GET", route="unmatched", status="404") == 0


async def test_statements_per_request_and_the_pool_are_measured(observed: Client) -> None:
    container: Container = observed.container  # type: ignore[attr-defined]
    callers = await make_callers(container)
    portfolio = (await add_full_portfolio(stores_of(container))).portfolio
    # A token's first use also records when it was used (at most once a minute): done here.
    await observed.get(f"/api/portfolios/{portfolio.id}", headers=callers.admin)
    statements = {"method": "GET", "route": RETRIEVE}
    name = "portfolio_db_statements_per_request"
    acquired = "portfolio_db_pool_acquire_seconds_count"
    # The URL's second GET reads the change numbers, the token, then the portfolio, and its
    # answer is kept; the third reads the numbers and the token, and is sent from memory.
    for expected in (3, 2):
        before = await scrape(observed)
        response = await observed.get(f"/api/portfolios/{portfolio.id}", headers=callers.admin)
        assert response.status_code == 200
        after = await scrape(observed)
        grown = value(after, f"{name}_sum", **statements) - value(
            before, f"{name}_sum", **statements
        )
        assert grown == expected
        counted = value(after, f"{name}_count", **statements) - value(
            before, f"{name}_count", **statements
        )
        assert counted == 1
        assert value(after, acquired) - value(before, acquired) == expected
    assert value(after, "portfolio_db_pool_connections") >= 2  # the pool's minimum
    assert value(after, "portfolio_db_pool_connections_in_use") >= 0
    assert value(after, "portfolio_db_pool_requests_waiting") == 0
    # The scrape in progress is the one request in flight.
    assert value(after, "portfolio_http_requests_in_flight") == 1


async def test_uploads_count_their_size_and_thumbnail_timings(observed: Client) -> None:
    callers = await make_callers(observed.container)  # type: ignore[attr-defined]
    image = media_samples.jpeg((800, 600))
    before = await scrape(observed)
    response = await observed.post(
        "/api/media/", headers=callers.admin, files={"file": ("photo.jpg", image)}
    )
    assert response.status_code == 201
    after = await scrape(observed)

    assert grew(before, after, "portfolio_upload_bytes_count") == 1
    assert grew(before, after, "portfolio_upload_bytes_sum") == len(image)
    timings = "portfolio_image_processing_seconds"
    assert grew(before, after, f"{timings}_count", stage="decode") == 1
    assert grew(before, after, f"{timings}_count", stage="thumbnail") == 4
    assert grew(before, after, f"{timings}_sum", stage="thumbnail") > 0


async def test_refused_and_throttled_authentications_are_counted(observed: Client) -> None:
    callers = await make_callers(observed.container)  # type: ignore[attr-defined]
    before = await scrape(observed)
    refusals = {
        "missing": {},
        "malformed_header": {"Authorization": "Token two parts"},
        "invalid_token": {"Authorization": "Token not-a-key"},
    }
    for headers in refusals.values():
        assert (await observed.get("/api/portfolios/1", headers=headers)).status_code == 401
    response = await observed.get("/api/portfolios/1", headers=callers.inactive_admin)
    assert response.status_code == 401
    authentication_throttled()
    after = await scrape(observed)

    failures = "portfolio_authentication_failures_total"
    for reason in [*refusals, "inactive_user"]:
        assert grew(before, after, failures, reason=reason) == 1
    assert grew(before, after, "portfolio_authentication_throttled_total") == 1
    assert "not-a-key" not in (await observed.get("/metrics")).text


async def test_build_info_names_the_version(observed: Client) -> None:
    samples = await scrape(observed)
    (labels,) = [dict(labels) for name, labels in samples if name == "portfolio_build_info"]
    assert labels["version"] and labels["python"].count(".") == 2


async def test_metrics_need_no_token_and_appear_in_the_schema(observed: Client) -> None:
    schema = (await observed.get("/schema/openapi.json")).json()
    assert schema["paths"]["/metrics"]["get"]["security"] == []


@pytest.mark.parametrize(
    "change", [{"metrics": False}, {"metrics_address": ("127.0.0.1", 9464)}], ids=["off", "moved"]
)
async def test_metrics_turned_off_or_moved_leave_the_api_port(
    clean_database: str, settings: Settings, change: dict[str, object]
) -> None:
    container = Container(settings=replace(settings, **change), database_url=clean_database)
    async with SameLoopClient(create_app(container)) as client:
        assert (await client.get("/metrics")).status_code == 404
        assert "/metrics" not in (await client.get("/schema/openapi.json")).json()["paths"]


async def test_the_feed_backlog_and_its_oldest_event_show_per_consumer(
    clean_database: str, settings: Settings
) -> None:
    # An edge nobody answers at: every purge fails and waits in the outbox.
    edge_down = replace(settings, edge="varnish", edge_urls=("http://127.0.0.1:9",))
    container = Container(settings=edge_down, database_url=clean_database, observer=Telemetry())
    async with SameLoopClient(create_app(container), base_url="http://portfolio.test") as client:
        callers = await make_callers(container)
        assert (
            await client.post("/api/tags/", headers=callers.admin, json={"name": "a"})
        ).is_success
        assert (
            await client.post("/api/tags/", headers=callers.admin, json={"name": "b"})
        ).is_success
        await asyncio.sleep(2.5)
        samples = await scrape(client)

    assert value(samples, "portfolio_feed_backlog", consumer="edge") == 2
    assert value(samples, "portfolio_feed_oldest_event_age_seconds", consumer="edge") >= 1
