"""The change feed's gauges: how many events wait for each consumer, and how old the oldest
is, sampled each second while the application runs (an edge that does not answer shows here
first: its purges wait in the outbox)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from portfolio.application.changes import Outbox
from portfolio.domain import ServiceUnavailable
from portfolio.entrypoints.telemetry import metrics

SAMPLE_SECONDS = 1.0
logger = logging.getLogger("portfolio.telemetry")


async def sample_feed(outbox: Outbox, consumers: Sequence[str]) -> None:
    """Set the backlog gauges of ``consumers`` every SAMPLE_SECONDS, until cancelled; while
    the database does not answer, the last values stay."""
    while True:
        for consumer in consumers:
            try:
                waiting, age = await outbox.backlog(consumer)
            except ServiceUnavailable as error:
                logger.debug("the feed's backlog is not sampled: %s", error)
                break
            metrics.FEED_BACKLOG.labels(consumer).set(waiting)
            metrics.FEED_OLDEST_SECONDS.labels(consumer).set(age)
        await asyncio.sleep(SAMPLE_SECONDS)
