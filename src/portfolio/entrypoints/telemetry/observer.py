"""Telemetry: the Observer the adapters report to, and the record of each HTTP request.

Metrics (unless turned off) and spans (when tracing is on) are made here, from the stages the
adapters report and the requests the HTTP layer hands over; nothing else in the service
knows of Prometheus or OpenTelemetry.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass
from time import perf_counter
from typing import Any

from opentelemetry import propagate
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import Span, SpanKind, Status, StatusCode, Tracer
from prometheus_client import Histogram

from portfolio.application.observing import (
    DB_ACQUIRE,
    DB_STATEMENT,
    IMAGE_DECODE,
    IMAGE_THUMBNAIL,
)
from portfolio.entrypoints.telemetry import metrics

TRACER_NAME = "portfolio"
_IMAGE_STAGES = {IMAGE_DECODE: "decode", IMAGE_THUMBNAIL: "thumbnail"}


@dataclass(slots=True)
class RequestRecord:
    """What is known of one request while it is answered."""

    method: str
    statements: int = 0
    span: Span | None = None


_current: ContextVar[RequestRecord | None] = ContextVar("portfolio_request", default=None)


class Telemetry:
    """Observer of the service's stages and requests: Prometheus metrics unless ``metrics``
    is false, OpenTelemetry spans when a ``tracer_provider`` is given."""

    def __init__(self, metrics: bool = True, tracer_provider: TracerProvider | None = None):
        self.metrics = metrics
        self._request_series: dict[tuple[str, str, int], tuple[Any, Any, Any]] = {}
        self._provider = tracer_provider
        self._tracer = None if tracer_provider is None else tracer_provider.get_tracer(TRACER_NAME)

    @property
    def tracing(self) -> bool:
        """Whether spans are made."""
        return self._tracer is not None

    def stage(self, name: str, **attributes: str | int) -> AbstractContextManager[None]:
        """Time ``name`` into its metric and make it a span of the current request."""
        if name == DB_STATEMENT:
            record = _current.get()
            if record is not None:
                record.statements += 1
        if self._tracer is not None:
            return self._timed(name, attributes)
        # Without spans, a plain timer: this runs for every connection a request takes.
        if self.metrics and name == DB_ACQUIRE:
            return _Stopwatch(metrics.POOL_ACQUIRE_SECONDS)
        if self.metrics and name in _IMAGE_STAGES:
            return _Stopwatch(metrics.IMAGE_SECONDS.labels(_IMAGE_STAGES[name]))
        return nullcontext()

    @contextmanager
    def _timed(self, name: str, attributes: dict[str, str | int]) -> Iterator[None]:
        started = perf_counter()
        if self._tracer is not None and name != DB_ACQUIRE:
            kind, span_name = SpanKind.INTERNAL, name
            if name == DB_STATEMENT:
                # Named by the statement's verb (SELECT, INSERT ...), as OpenTelemetry's
                # database conventions do when the statement's target is not parsed.
                kind, span_name = SpanKind.CLIENT, _verb(str(attributes.get("db.query.text", "")))
                attributes = {"db.system.name": "postgresql", **attributes}
            with self._tracer.start_as_current_span(span_name, kind=kind, attributes=attributes):
                yield
        else:
            yield
        if not self.metrics:
            return
        if name == DB_ACQUIRE:
            metrics.POOL_ACQUIRE_SECONDS.observe(perf_counter() - started)
        elif name in _IMAGE_STAGES:
            metrics.IMAGE_SECONDS.labels(_IMAGE_STAGES[name]).observe(perf_counter() - started)

    def request(
        self, method: str, headers: Iterable[tuple[bytes, bytes]]
    ) -> AbstractContextManager[RequestRecord]:
        """The record of one request while it is answered, inside its span when tracing."""
        if self._tracer is None:
            # Every request passes here: a plain object, cheaper than a generator's frames.
            return _Untraced(RequestRecord(method), self.metrics)
        return self._traced(self._tracer, method, headers)

    @contextmanager
    def _traced(
        self, tracer: Tracer, method: str, headers: Iterable[tuple[bytes, bytes]]
    ) -> Iterator[RequestRecord]:
        record = RequestRecord(method)
        token = _current.set(record)
        if self.metrics:
            metrics.IN_FLIGHT.inc()
        try:
            # A caller's traceparent (or whatever OTEL_PROPAGATORS names) makes this span its
            # child.
            carrier = {name.decode("latin-1"): value.decode("latin-1") for name, value in headers}
            with tracer.start_as_current_span(
                method,
                context=propagate.extract(carrier),
                kind=SpanKind.SERVER,
                attributes={"http.request.method": method},
            ) as span:
                record.span = span
                yield record
        finally:
            if self.metrics:
                metrics.IN_FLIGHT.dec()
            _current.reset(token)

    def answered(
        self, record: RequestRecord, route: str, status: int, seconds: float, user_id: int | None
    ) -> None:
        """Count a request that has been answered, and name its span by its route."""
        if self.metrics:
            counted, timed, statements = self._series(record.method, route, status)
            counted.inc()
            timed.observe(seconds)
            statements.observe(record.statements)
        span = record.span
        if span is not None:
            if route != metrics.UNMATCHED_ROUTE:
                span.update_name(f"{record.method} {route}")
                span.set_attribute("http.route", route)
            span.set_attribute("http.response.status_code", status)
            if user_id is not None:
                span.set_attribute("user.id", user_id)
            if status >= 500:
                span.set_status(Status(StatusCode.ERROR))

    def _series(self, method: str, route: str, status: int) -> tuple[Any, Any, Any]:
        # The labelled series of each route are looked up once: a lookup costs more than
        # the increments themselves. Routes are templates, so the kinds stay few.
        key = (method, route, status)
        found = self._request_series.get(key)
        if found is None:
            labels = (method, route, str(status))
            found = self._request_series[key] = (
                metrics.REQUESTS.labels(*labels),
                metrics.REQUEST_SECONDS.labels(*labels),
                metrics.STATEMENTS_PER_REQUEST.labels(method, route),
            )
        return found

    def close(self) -> None:
        """Send the spans not yet exported."""
        if self._provider is not None:
            self._provider.shutdown()


class _Untraced:
    """A request's record without a span: current while the request is answered, and
    counted in flight when metrics are on."""

    __slots__ = ("_metrics", "_record", "_token")

    def __init__(self, record: RequestRecord, metrics: bool) -> None:
        self._record = record
        self._metrics = metrics

    def __enter__(self) -> RequestRecord:
        self._token = _current.set(self._record)
        if self._metrics:
            metrics.IN_FLIGHT.inc()
        return self._record

    def __exit__(self, *_: object) -> None:
        if self._metrics:
            metrics.IN_FLIGHT.dec()
        _current.reset(self._token)


class _Stopwatch:
    """Times its block into a histogram."""

    __slots__ = ("_histogram", "_started")

    def __init__(self, histogram: Histogram) -> None:
        self._histogram = histogram
        self._started = 0.0

    def __enter__(self) -> None:
        self._started = perf_counter()

    def __exit__(self, *_: object) -> None:
        self._histogram.observe(perf_counter() - self._started)


def _verb(statement: str) -> str:
    words = statement.split(None, 1)
    return words[0].upper() if words else DB_STATEMENT
