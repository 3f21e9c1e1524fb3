"""Delivering the change feed to webhook endpoints, as two works of the background leader.

``FanOutEvents`` takes the webhooks consumer's events from the outbox and, in one unit of work,
turns each into a message (its body made once, the object in its API shape) with a delivery
for every active endpoint subscribed to its type, and takes the events off the outbox: a crash
at any moment leaves either the events or the deliveries, never neither.

``SendDeliveries`` claims due deliveries (one sender per delivery across every process) and
sends each in a task of its own, at most ``concurrency`` at once and ``per_endpoint`` to one
endpoint, so that a slow or dead receiver holds a few slots for its timeout and never the
others. A claim is held for a lease longer than an attempt's timeout: should the process die
during a send, the delivery falls due again when the lease ends (at least once).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from asyncio import FIRST_COMPLETED
from collections.abc import Callable
from datetime import timedelta

from portfolio.application.changes import (
    SCHEDULED,
    UPDATE,
    WEBHOOK,
    Change,
    Journal,
    Outbox,
    QueuedEvent,
)
from portfolio.application.ports import Clock, Transactions
from portfolio.application.webhooks.manage import new_message_id
from portfolio.application.webhooks.messages import message_of, signed_headers
from portfolio.application.webhooks.ports import (
    Attempt,
    DeliveryObserver,
    DeliveryQueue,
    DueDelivery,
    EventData,
    Message,
    Outcome,
    SecretBox,
    SendFailed,
)
from portfolio.application.webhooks.targets import TargetGuard
from portfolio.domain import DELIVERED, FAILED, PENDING, UnsafeTarget, retry_delay

logger = logging.getLogger("portfolio.webhooks")

WEBHOOKS = "webhooks"
"""The change feed's consumer that webhooks deliver."""
FANNED_OUT_AT_ONCE = 200
"""Events one turn of the fan-out takes from the outbox."""
TIMEOUT_SECONDS = 10.0
"""The whole of one attempt: resolving, connecting, sending, and the answer's head."""
LEASE_SECONDS = 30.0
"""How long a claimed delivery is held; past it, another turn may send it again."""
BACKLOG_EVERY_SECONDS = 5.0
PRUNE_EVERY_SECONDS = 3600.0
GONE = 410


class FanOutEvents:
    """Background work: the outbox's events to per-endpoint deliveries."""

    name = "webhook fan-out"

    def __init__(
        self,
        outbox: Outbox,
        queue: DeliveryQueue,
        events: EventData,
        transactions: Transactions,
        batch: int = FANNED_OUT_AT_ONCE,
    ) -> None:
        self._outbox = outbox
        self._queue = queue
        self._events = events
        self._transactions = transactions
        self._batch = batch

    async def run(self) -> float | None:
        """Fan out a batch of events; 0 when more wait."""
        async with self._transactions.transaction():
            events = await self._outbox.claim(WEBHOOKS, self._batch, LEASE_SECONDS)
            if not events:
                return None
            wanted = await self._queue.subscribed()
            # An object changed many times in one batch is read once: every event of the
            # batch would read it as it stands now anyway.
            shown: dict[tuple[str, int], bytes | None] = {}
            messages = [
                await self._message(event, shown) for event in events if event.event in wanted
            ]
            if messages:
                await self._queue.fan_out(messages)
            await self._outbox.done(WEBHOOKS, [event.id for event in events])
        return 0.0 if len(events) == self._batch else None

    async def _message(
        self, event: QueuedEvent, shown: dict[tuple[str, int], bytes | None]
    ) -> Message:
        data = None
        if event.object_id is not None and not event.event.endswith(".deleted"):
            key = (event.resource, event.object_id)
            if key not in shown:
                shown[key] = await self._events.data(event.resource, event.object_id)
            data = shown[key]
        if data is None:
            data = b"null" if event.object_id is None else b'{"id":%d}' % event.object_id
        return message_of(new_message_id(), event.event, event.created_at, data)


class SendDeliveries:
    """Background work: send the due deliveries, each attempt in a task of its own."""

    name = "webhook deliveries"

    def __init__(
        self,
        queue: DeliveryQueue,
        box: SecretBox,
        guard: TargetGuard,
        transactions: Transactions,
        journal: Journal,
        clock: Clock,
        observer: DeliveryObserver,
        *,
        concurrency: int = 64,
        per_endpoint: int = 8,
        timeout: float = TIMEOUT_SECONDS,
        lease: float = LEASE_SECONDS,
        retention: timedelta = timedelta(days=30),
        jitter: Callable[[], float] = lambda: random.uniform(-1, 1),  # noqa: S311 (not secret)
    ) -> None:
        self._queue = queue
        self._box = box
        self._guard = guard
        self._transactions = transactions
        self._journal = journal
        self._clock = clock
        self._observer = observer
        self._concurrency = concurrency
        self._per_endpoint = per_endpoint
        self._timeout = timeout
        self._lease = lease
        self._retention = retention
        self._jitter = jitter
        self._tasks: set[asyncio.Task[None]] = set()
        self._in_flight: dict[int, int] = {}
        self._backlog_at = 0.0
        self._pruned_at = 0.0
        self._finished: list[tuple[DueDelivery, Outcome]] = []

    async def run(self) -> float | None:
        """Record the attempts that ended, start the due ones there is room for; 0 when
        more are due."""
        if len(self._tasks) >= self._concurrency:
            await self._one_ends(0.05)
        await self._record_finished()
        room = self._concurrency - len(self._tasks)
        claimed: list[DueDelivery] = []
        if room > 0:
            busy = [endpoint for endpoint, n in self._in_flight.items() if n >= self._per_endpoint]
            claimed = list(await self._queue.claim(room, self._per_endpoint, busy, self._lease))
            for delivery in claimed:
                self._start(delivery)
        await self._housekeeping()
        if room > 0 and len(claimed) == room:
            return 0.0
        following = await self._queue.next_due()
        if following is None:
            return None
        wait = (following - self._clock()).total_seconds()
        if wait > 0:
            return wait
        # Due, but every such delivery's endpoint has its attempts under way (or there was
        # no room): turn again once one ends, rather than at once and for nothing.
        await self._one_ends(0.5)
        return 0.0

    async def _one_ends(self, seconds: float) -> None:
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=seconds, return_when=FIRST_COMPLETED)
        else:
            await asyncio.sleep(seconds)

    async def stop(self) -> None:
        """Cancel the attempts under way (their leases bring them back); record those that
        ended."""
        for task in self._tasks:
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        with contextlib.suppress(Exception):
            await self._record_finished()

    async def drain(self) -> None:
        """Wait for the attempts under way to end, and record them (tests, benches)."""
        while self._tasks:
            await asyncio.wait(set(self._tasks))
        await self._record_finished()

    async def _record_finished(self) -> None:
        """Every ended attempt's outcome in one statement: one round trip a turn, not one an
        attempt. Not recorded (the database gone), they are sent again when their lease ends:
        at least once."""
        finished, self._finished = self._finished, []
        try:
            await self._queue.settle(finished)
        except Exception:
            logger.exception("%d webhook outcomes were not recorded", len(finished))

    def _start(self, delivery: DueDelivery) -> None:
        endpoint = delivery.endpoint_id
        self._in_flight[endpoint] = self._in_flight.get(endpoint, 0) + 1
        task = asyncio.create_task(self._deliver(delivery), name=f"webhook-{delivery.id}")
        self._tasks.add(task)

        def finished(done: asyncio.Task[None]) -> None:
            self._tasks.discard(done)
            left = self._in_flight.get(endpoint, 1) - 1
            if left > 0:
                self._in_flight[endpoint] = left
            else:
                self._in_flight.pop(endpoint, None)

        task.add_done_callback(finished)

    async def _deliver(self, delivery: DueDelivery) -> None:
        started = time.monotonic()
        status: int | None = None
        error: str | None = None
        try:
            if not delivery.endpoint_active:
                error = "the endpoint is inactive"
            else:
                status = await asyncio.wait_for(self._attempt(delivery), self._timeout)
        except TimeoutError:
            error = f"no answer within {self._timeout:g} s"
        except (SendFailed, UnsafeTarget) as failure:
            error = str(failure)
        except ValueError:
            error = "the secret cannot be opened with the keys set"
        except Exception:
            logger.exception("webhook delivery %s failed unexpectedly", delivery.id)
            error = "unexpected failure"
        outcome = self._outcome(delivery, status, error)
        if status == GONE:
            try:
                await self._gone(delivery, outcome)
            except Exception:
                # The lease brings it back: at least once, never lost.
                logger.exception("webhook delivery %s: 410 was not recorded", delivery.id)
        else:
            self._finished.append((delivery, outcome))
        self._observer.attempted(
            Attempt(
                delivery_id=delivery.id,
                endpoint_id=delivery.endpoint_id,
                message_id=delivery.message_id,
                type=delivery.type,
                attempt=delivery.attempt,
                outcome=_named(outcome, status),
                response_status=status,
                seconds=time.monotonic() - started,
                error=outcome.error,
            )
        )

    async def _attempt(self, delivery: DueDelivery) -> int:
        secret = self._box.open(delivery.sealed_secret)
        target, address = await self._guard.check(delivery.url)
        moment = int(self._clock().timestamp())
        headers = signed_headers(target, secret, delivery.message_id, moment, delivery.body)
        return await self._guard.receivers.post(target, address, headers, delivery.body)

    def _outcome(self, delivery: DueDelivery, status: int | None, error: str | None) -> Outcome:
        if status is not None and 200 <= status < 300:
            return Outcome(DELIVERED, status)
        if status == GONE or not delivery.endpoint_active:
            return Outcome(FAILED, status, error=error or "410 Gone: the endpoint is disabled")
        error = error or f"answered {status}"
        delay = retry_delay(delivery.attempt, self._jitter())
        if delay is None:
            return Outcome(FAILED, status, error=error)
        return Outcome(PENDING, status, retry_in=delay, error=error)

    async def _gone(self, delivery: DueDelivery, outcome: Outcome) -> None:
        async with self._transactions.transaction():
            if await self._queue.settle([(delivery, outcome)]):
                await self._queue.disable(delivery.endpoint_id)
                await self._journal.record(
                    Change(UPDATE, WEBHOOK, delivery.endpoint_id, ("is_active",)), SCHEDULED
                )

    async def _housekeeping(self) -> None:
        now = time.monotonic()
        if now - self._backlog_at >= BACKLOG_EVERY_SECONDS:
            self._backlog_at = now
            self._observer.backlog(*await self._queue.backlog())
        if now - self._pruned_at >= PRUNE_EVERY_SECONDS:
            self._pruned_at = now
            await self._queue.prune(self._clock() - self._retention)


def _named(outcome: Outcome, status: int | None) -> str:
    if outcome.status == PENDING:
        return "retrying"
    if status == GONE:
        return "disabled"
    return outcome.status
