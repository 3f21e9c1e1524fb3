"""``PORTFOLIO_LOG_FORMAT=json``: one object per request and per error, with the request id."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from dependency_injector import providers
from litestar.testing import AsyncTestClient

from portfolio.entrypoints.container import Container
from portfolio.entrypoints.logs import JsonFormatter, logging_config
from tests.builders import add_full_portfolio, stores_of
from tests.e2e.conftest import Callers

pytestmark = pytest.mark.postgres

Client = AsyncTestClient  # type: ignore[type-arg]


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """What the service logs, written as the JSON format writes it to stderr."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("portfolio")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def objects(stream: io.StringIO) -> list[dict[str, Any]]:
    """Each line as the JSON object it must be."""
    return [json.loads(line) for line in stream.getvalue().splitlines()]


async def test_one_json_object_per_request_with_route_user_and_client(
    client: Client, callers: Callers, container: Container, json_lines: io.StringIO
) -> None:
    portfolio = (await add_full_portfolio(stores_of(container))).portfolio
    response = await client.get(
        f"/api/portfolios/{portfolio.id}",
        headers={**callers.admin, "X-Request-ID": "trace-42", "User-Agent": "agent-secret"},
    )
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "trace-42"

    (entry,) = [e for e in objects(json_lines) if e["logger"] == "portfolio.requests"]
    admin = await container.users().get_by_username("admin")
    assert admin is not None
    assert entry == {
        "time": entry["time"],
        "level": "INFO",
        "logger": "portfolio.requests",
        "message": entry["message"],
        "request_id": "trace-42",
        "method": "GET",
        "route": "/api/portfolios/{id}",
        "path": f"/api/portfolios/{portfolio.id}",
        "status": 200,
        "duration_ms": entry["duration_ms"],
        "client": "testclient",
        "user_id": admin.id,
    }
    assert entry["time"].endswith("+00:00") and "T" in entry["time"]
    assert isinstance(entry["duration_ms"], float)
    written = json_lines.getvalue()
    key = callers.admin["Authorization"].split()[1]
    assert key not in written and "agent-secret" not in written and "Web design" not in written


async def test_an_error_is_one_json_object_with_its_request_id(
    client: Client, container: Container, json_lines: io.StringIO
) -> None:
    class BrokenProbe:
        async def ready(self) -> bool:
            raise RuntimeError("the probe broke")

    container.readiness.override(providers.Object(BrokenProbe()))
    response = await client.get("/ready", headers={"X-Request-ID": "req-500"})
    assert response.status_code == 500
    assert response.json() == {"detail": "A server error occurred."}

    entries = objects(json_lines)
    (error,) = [e for e in entries if e["level"] == "ERROR"]
    assert error["request_id"] == "req-500"
    assert error["error"] == "RuntimeError"
    assert "the probe broke" in error["traceback"]
    (request,) = [e for e in entries if e["logger"] == "portfolio.requests"]
    assert (request["request_id"], request["status"], request["user_id"]) == ("req-500", 500, None)


@pytest.mark.parametrize("given", ["x" * 65, "two words", "semi;colon", ""])
async def test_a_malformed_request_id_is_replaced(
    client: Client, json_lines: io.StringIO, given: str
) -> None:
    response = await client.get("/health", headers={"X-Request-ID": given})
    replaced = response.headers["x-request-id"]
    assert replaced != given and len(replaced) == 32
    (entry,) = objects(json_lines)
    assert entry["request_id"] == replaced


def test_text_stays_the_default_format() -> None:
    assert logging_config("INFO")["handlers"]["stderr"]["formatter"] == "text"
    assert logging_config("INFO", "json")["handlers"]["stderr"]["formatter"] == "json"
