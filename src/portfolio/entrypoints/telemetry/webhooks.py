"""How webhook deliveries go, told to Prometheus and the log: one JSON log line per attempt,
with its delivery's id and never its body or secret."""

from __future__ import annotations

import logging

from portfolio.application.webhooks.ports import Attempt
from portfolio.entrypoints.logs import FIELDS
from portfolio.entrypoints.telemetry import metrics

logger = logging.getLogger("portfolio.webhooks")
_ENDED = frozenset({"delivered", "failed", "disabled"})


class WebhookTelemetry:
    """DeliveryObserver: counters, the backlog's gauges and the log; ``counted`` false keeps
    Prometheus out of it (metrics off)."""

    def __init__(self, counted: bool = True) -> None:
        self._counted = counted

    def attempted(self, attempt: Attempt) -> None:
        """Count and log one attempt."""
        if self._counted:
            metrics.WEBHOOK_ATTEMPTS.labels(attempt.outcome).inc()
            if attempt.outcome in _ENDED:
                metrics.WEBHOOK_DELIVERIES.labels(attempt.outcome).inc()
            metrics.WEBHOOK_ATTEMPT_SECONDS.observe(attempt.seconds)
        fields = {
            "delivery_id": attempt.delivery_id,
            "endpoint_id": attempt.endpoint_id,
            "webhook_id": attempt.message_id,
            "event": attempt.type,
            "attempt": attempt.attempt,
            "outcome": attempt.outcome,
            "response_status": attempt.response_status,
            "duration_ms": round(attempt.seconds * 1000, 1),
        }
        if attempt.error is not None:
            fields["error"] = attempt.error
        level = logging.INFO if attempt.outcome == "delivered" else logging.WARNING
        logger.log(
            level,
            "webhook delivery %s: %s",
            attempt.delivery_id,
            attempt.outcome,
            extra={FIELDS: fields},
        )

    def backlog(self, pending: int, oldest_seconds: float) -> None:
        """Set the backlog's gauges."""
        if self._counted:
            metrics.WEBHOOK_BACKLOG.set(pending)
            metrics.WEBHOOK_OLDEST_PENDING.set(oldest_seconds)
