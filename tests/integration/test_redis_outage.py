"""A Redis that does not answer makes throttling an outage (503), never a server fault."""

from __future__ import annotations

import pytest

from portfolio.adapters.redis.throttling import RedisFailureCounter
from portfolio.domain import ServiceUnavailable
from tests.servers import free_port


async def test_a_redis_that_does_not_answer_is_an_outage_not_a_fault() -> None:
    silent = RedisFailureCounter(f"redis://127.0.0.1:{free_port()}/0", "portfolio-test:")
    try:
        with pytest.raises(ServiceUnavailable):
            await silent.blocked_for(["k"], 1)
        with pytest.raises(ServiceUnavailable):
            await silent.add(["k"], 60)
    finally:
        await silent.close()
