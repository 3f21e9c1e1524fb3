"""What operators see of the service: Prometheus metrics and OpenTelemetry traces."""

from portfolio.entrypoints.telemetry.metrics import authentication_throttled
from portfolio.entrypoints.telemetry.observer import Telemetry

__all__ = ["Telemetry", "authentication_throttled"]
