"""Two server processes share one throttling limit: in Postgres by default, in Redis when
PORTFOLIO_REDIS_URL is set; `portfolio users unlock` clears a username's counters in the same
store."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.error
import urllib.request
from contextlib import ExitStack
from email.message import Message
from pathlib import Path

import psycopg
import pytest

from tests.servers import PORTFOLIO, serving

LIMIT = 4


def status_of(request: urllib.request.Request) -> tuple[int, Message, str]:
    """The status, headers and body of an answer, errors included."""
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.headers, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def sign_in(base: str, username: str) -> urllib.request.Request:
    body = json.dumps({"username": username, "password": "wrong password"}).encode()
    return urllib.request.Request(
        f"{base}/api/auth/token/", data=body, headers={"Content-Type": "application/json"}
    )


def bad_token(base: str) -> urllib.request.Request:
    return urllib.request.Request(
        f"{base}/api/portfolios/", headers={"Authorization": "Token " + "f" * 40}
    )


def portfolio(env: dict[str, str], *args: str) -> str:
    """What the command printed, run with the servers' settings."""
    return subprocess.run(
        [PORTFOLIO, *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout


def two_servers_share_the_limits(env: dict[str, str], output: list[str]) -> None:
    portfolio(env, "users", "create", "alice")
    with ExitStack() as stack:
        first, second = (stack.enter_context(serving(env, output)) for _ in range(2))
        servers = [first, second]
        # Failed sign-ins as one name from different addresses (through the trusted proxy),
        # alternating between the servers: the limit is one, not one per process.
        for attempt in range(LIMIT):
            request = sign_in(servers[attempt % 2], "alice")
            request.add_header("X-Forwarded-For", f"10.0.0.{attempt}")
            assert status_of(request)[0] == 400, attempt
        for base in servers:
            request = sign_in(base, "alice")
            request.add_header("X-Forwarded-For", "10.0.0.99")
            status, headers, body = status_of(request)
            assert status == 429
            assert 0 < int(headers["Retry-After"]) <= 60
            assert json.loads(body)["detail"].startswith("Request was throttled.")
        assert "sign-in unlocked for alice" in portfolio(env, "users", "unlock", "alice")
        for base in servers:
            request = sign_in(base, "alice")
            request.add_header("X-Forwarded-For", "10.0.0.100")
            assert status_of(request)[0] == 400
        # Failed token authentications from one address, alternating likewise.
        for attempt in range(LIMIT):
            assert status_of(bad_token(servers[attempt % 2]))[0] == 401, attempt
        for base in servers:
            assert status_of(bad_token(base))[0] == 429


COMMON = {
    "PORTFOLIO_SIGN_IN_FAILURES": str(LIMIT),
    "PORTFOLIO_SIGN_IN_USERNAME_FAILURES": str(LIMIT),
    "PORTFOLIO_TOKEN_FAILURES": str(LIMIT),
    "PORTFOLIO_TRUSTED_PROXIES": "127.0.0.1",
    "PORTFOLIO_PASSWORD_TIME_COST": "1",
    "PORTFOLIO_PASSWORD_MEMORY_KIB": "64",
}


def test_two_servers_share_one_limit_in_postgres(clean_database: str, tmp_path: Path) -> None:
    output: list[str] = []
    env = {
        **COMMON,
        "PORTFOLIO_DATABASE_URL": clean_database,
        "PORTFOLIO_MEDIA_ROOT": str(tmp_path),
    }
    two_servers_share_the_limits(env, output)
    logged = "".join(output)
    assert "POST /api/auth/token 429" in logged or "POST /api/auth/token/ 429" in logged
    # Neither the key nor the password tried is ever logged.
    assert "f" * 40 not in logged
    assert "wrong password" not in logged


@pytest.mark.redis
def test_two_servers_share_one_limit_in_redis(
    clean_database: str, tmp_path: Path, redis_url: str, redis_prefix: str
) -> None:
    output: list[str] = []
    env = {
        **COMMON,
        "PORTFOLIO_DATABASE_URL": clean_database,
        "PORTFOLIO_MEDIA_ROOT": str(tmp_path),
        "PORTFOLIO_REDIS_URL": redis_url,
        "PORTFOLIO_REDIS_PREFIX": redis_prefix,
    }
    two_servers_share_the_limits(env, output)
    with psycopg.connect(clean_database) as conn:
        row = conn.execute("SELECT count(*) FROM failure_counts").fetchone()
    assert row == (0,)  # every counter went to Redis
