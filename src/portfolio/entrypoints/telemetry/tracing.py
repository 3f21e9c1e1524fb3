"""OpenTelemetry tracing from OpenTelemetry's own environment variables.

``OTEL_SERVICE_NAME``, ``OTEL_RESOURCE_ATTRIBUTES``, ``OTEL_TRACES_SAMPLER`` (and its
argument), ``OTEL_BSP_*`` and ``OTEL_EXPORTER_OTLP_*`` are read by the SDK itself;
``OTEL_TRACES_EXPORTER`` picks ``otlp`` (the default, HTTP with protobuf), ``console`` or
``none`` here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import SERVICE_NAME, SERVICE_VERSION, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter

DEFAULT_SERVICE_NAME = "portfolio-service"
EXPORTERS = ("otlp", "console", "none")


class TracingError(ValueError):
    """OpenTelemetry's variables ask for something this service does not ship."""


def exporter_name(env: Mapping[str, str]) -> str:
    """The exporter ``OTEL_TRACES_EXPORTER`` names; TracingError for one not shipped."""
    chosen = (env.get("OTEL_TRACES_EXPORTER") or "otlp").strip().lower()
    if chosen not in EXPORTERS:
        raise TracingError(f"OTEL_TRACES_EXPORTER must be one of {', '.join(EXPORTERS)}")
    protocol = env.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or env.get(
        "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"
    )
    if chosen == "otlp" and protocol != "http/protobuf":
        raise TracingError(f"the service exports OTLP over http/protobuf only, not {protocol}")
    return chosen


def _exporter(env: Mapping[str, str]) -> SpanExporter | None:
    chosen = exporter_name(env)
    if chosen == "otlp":
        return OTLPSpanExporter()
    if chosen == "console":
        return ConsoleSpanExporter()
    return None


def tracer_provider_from_env(service_version: str) -> TracerProvider:
    """A tracer provider that batches spans to the exporter the environment names."""
    resource = Resource.create({SERVICE_VERSION: service_version})
    if str(resource.attributes.get(SERVICE_NAME, "")).startswith("unknown_service"):
        resource = resource.merge(Resource({SERVICE_NAME: DEFAULT_SERVICE_NAME}))
    provider = TracerProvider(resource=resource)
    exporter = _exporter(os.environ)
    if exporter is not None:
        provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider
