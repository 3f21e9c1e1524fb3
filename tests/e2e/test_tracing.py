"""OpenTelemetry spans: one per request, with its statements and image stages beneath it."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace

import pytest
from dependency_injector import providers
from litestar.testing import AsyncTestClient
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from portfolio.entrypoints.container import Container
from portfolio.entrypoints.http.app import create_app
from portfolio.entrypoints.logs import JsonFormatter
from portfolio.entrypoints.settings import Settings
from portfolio.entrypoints.telemetry import Telemetry
from tests import media_samples
from tests.app_client import SameLoopClient
from tests.builders import add_full_portfolio, stores_of
from tests.e2e.conftest import Callers, make_callers

pytestmark = pytest.mark.postgres

Client = AsyncTestClient  # type: ignore[type-arg]


@dataclass
class Traced:
    """A client of a traced application, its container, callers and the spans it made."""

    client: Client
    container: Container
    callers: Callers
    exporter: InMemorySpanExporter

    def spans(self) -> list[ReadableSpan]:
        """The spans finished so far, then forgotten."""
        spans = list(self.exporter.get_finished_spans())
        self.exporter.clear()
        return spans


@pytest.fixture
async def traced(clean_database: str, settings: Settings) -> AsyncIterator[Traced]:
    """An application whose telemetry traces into memory."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    telemetry = Telemetry(tracer_provider=provider)
    # The requests' spans alone: no background work's statements among them.
    quiet = replace(settings, background=False)
    container = Container(settings=quiet, database_url=clean_database, observer=telemetry)
    async with SameLoopClient(create_app(container), base_url="http://portfolio.test") as client:
        callers = await make_callers(container)
        exporter.clear()
        yield Traced(client, container, callers, exporter)


def root_and_children(spans: list[ReadableSpan]) -> tuple[ReadableSpan, list[ReadableSpan]]:
    """The one server span and the spans beneath it, all of one trace."""
    (root,) = [span for span in spans if span.kind is SpanKind.SERVER]
    assert root.parent is None
    children = [span for span in spans if span is not root]
    assert {span.context.trace_id for span in spans} == {root.context.trace_id}
    assert all(
        span.parent is not None and span.parent.span_id == root.context.span_id for span in children
    )
    return root, children


async def test_a_retrieve_is_one_request_span_over_its_statements(traced: Traced) -> None:
    portfolio = (await add_full_portfolio(stores_of(traced.container))).portfolio
    admin = await traced.container.users().get_by_username("admin")
    assert admin is not None
    # A token's first use also records when it was used (at most once a minute): done here.
    await traced.client.get(f"/api/portfolios/{portfolio.id}", headers=traced.callers.admin)
    traced.spans()
    # The URL's second GET reads the change numbers, the token and the portfolio; the third,
    # sent from memory, the numbers and the token, and is traced under its route all the same.
    for statements in (3, 2):
        stream = io.StringIO()
        handler = logging.StreamHandler(stream)
        handler.setFormatter(JsonFormatter())
        logger = logging.getLogger("portfolio.requests")
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        try:
            response = await traced.client.get(
                f"/api/portfolios/{portfolio.id}", headers=traced.callers.admin
            )
        finally:
            logger.removeHandler(handler)
            logger.setLevel(logging.NOTSET)
        assert response.status_code == 200

        root, children = root_and_children(traced.spans())
        assert root.name == "GET /api/portfolios/{id}"
        assert root.attributes is not None
        assert root.attributes["http.route"] == "/api/portfolios/{id}"
        assert root.attributes["http.response.status_code"] == 200
        assert root.attributes["user.id"] == admin.id
        assert [span.name for span in children] == ["SELECT"] * statements
        for span in children:
            assert span.kind is SpanKind.CLIENT
            assert span.attributes is not None
            assert span.attributes["db.system.name"] == "postgresql"
            # The statement, not its values (the change numbers' takes none).
            text = str(span.attributes["db.query.text"])
            assert "%s" in text or text.endswith("FROM change_numbers")
        # The request's log line names its trace and span.
        (line,) = [json.loads(text) for text in stream.getvalue().splitlines()]
        assert line["trace_id"] == format(root.context.trace_id, "032x")
        assert line["span_id"] == format(root.context.span_id, "016x")


async def test_an_upload_spans_its_statements_decode_and_four_thumbnails(traced: Traced) -> None:
    response = await traced.client.post(
        "/api/media/",
        headers=traced.callers.admin,
        files={"file": ("photo.jpg", media_samples.jpeg((800, 600)))},
    )
    assert response.status_code == 201

    root, children = root_and_children(traced.spans())
    assert root.name == "POST /api/media"
    names = [span.name for span in children]
    assert names.count("image.decode") == 1
    assert names.count("image.thumbnail") == 4
    assert names.index("image.decode") < names.index("image.thumbnail")
    statements = [span for span in children if span.kind is SpanKind.CLIENT]
    assert {span.name for span in statements} >= {"SELECT", "INSERT"}
    for span in children:
        if span.name.startswith("image."):
            assert span.attributes is not None
            assert span.attributes["image.format"] == "JPEG"


async def test_a_caller_s_traceparent_makes_the_request_its_child(traced: Traced) -> None:
    trace_id, parent_id = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
    response = await traced.client.get(
        "/health", headers={"traceparent": f"00-{trace_id}-{parent_id}-01"}
    )
    assert response.status_code == 200
    (span,) = traced.spans()
    assert format(span.context.trace_id, "032x") == trace_id
    assert span.parent is not None and format(span.parent.span_id, "016x") == parent_id


async def test_a_server_error_marks_its_span(traced: Traced) -> None:
    class BrokenProbe:
        async def ready(self) -> bool:
            raise RuntimeError("the probe broke")

    traced.container.readiness.override(providers.Object(BrokenProbe()))
    assert (await traced.client.get("/ready")).status_code == 500
    (span,) = traced.spans()
    assert span.status.status_code is StatusCode.ERROR
