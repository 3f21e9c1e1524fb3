"""The tracer provider follows OpenTelemetry's own environment variables."""

from __future__ import annotations

import pytest

from portfolio.entrypoints.telemetry.tracing import TracingError, tracer_provider_from_env


def test_the_service_names_itself_unless_otel_service_name_says_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OTEL_SERVICE_NAME", raising=False)
    monkeypatch.delenv("OTEL_RESOURCE_ATTRIBUTES", raising=False)
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "none")
    resource = tracer_provider_from_env("1.2.3").resource
    assert resource.attributes["service.name"] == "portfolio-service"
    assert resource.attributes["service.version"] == "1.2.3"

    monkeypatch.setenv("OTEL_SERVICE_NAME", "portfolio-eu")
    monkeypatch.setenv("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=staging")
    resource = tracer_provider_from_env("1.2.3").resource
    assert resource.attributes["service.name"] == "portfolio-eu"
    assert resource.attributes["deployment.environment"] == "staging"


def test_the_sampler_comes_from_otel_traces_sampler(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "none")
    monkeypatch.setenv("OTEL_TRACES_SAMPLER", "traceidratio")
    monkeypatch.setenv("OTEL_TRACES_SAMPLER_ARG", "0.25")
    sampler = tracer_provider_from_env("1").sampler
    assert "0.25" in sampler.get_description()


@pytest.mark.parametrize(
    ("name", "value"),
    [("OTEL_TRACES_EXPORTER", "zipkin"), ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")],
)
def test_what_the_service_does_not_ship_is_refused_at_start(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(TracingError):
        tracer_provider_from_env("1")
