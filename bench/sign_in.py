"""Failed sign-ins take the same time whether or not the user exists.

Run: ``.venv/bin/python -m bench.sign_in [--rounds 15]``

Each round sends, in turn, a sign-in as an unknown name, a wrong password for a real user, the
right password of an inactive user, a user without a password, and the right password of an
active user (the baseline: it also makes a token), through the whole HTTP app in memory with
the production Argon2id parameters (RFC 9106's low-memory choice: 3 passes over 64 MiB). Every
request comes from its own client address through a trusted proxy, so throttling never
answers instead (and the limit per name is lifted). Prints the median and spread of each kind
and its ratio to the unknown name.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import statistics
import time
from itertools import count
from typing import cast

import httpx
from dependency_injector import providers
from litestar.testing import AsyncTestClient
from tests.app_client import HttpxApp
from tests.memory_container import in_memory_container

from portfolio.adapters.argon2.passwords import Argon2PasswordHasher
from portfolio.entrypoints.http.app import create_app
from portfolio.entrypoints.settings import Settings

PASSWORD = "a long enough passphrase"
KINDS = {
    "unknown name": ("nobody", PASSWORD),
    "wrong password": ("alice", "not the passphrase"),
    "inactive user": ("former", PASSWORD),
    "no password set": ("cli-only", PASSWORD),
    "right password (baseline)": ("alice", PASSWORD),
}


async def measure(rounds: int) -> dict[str, list[float]]:
    # Limits high enough never to answer instead: the bench fails on purpose, many times.
    settings = Settings(
        trusted_proxies=(ipaddress.ip_network("127.0.0.1"),),
        sign_in_failures=1_000_000,
        sign_in_address_failures=1_000_000,
        sign_in_username_failures=1_000_000,
    )
    container = in_memory_container(settings)
    container.passwords.override(providers.Object(Argon2PasswordHasher()))
    app = create_app(container)
    times: dict[str, list[float]] = {kind: [] for kind in KINDS}
    addresses = count(1)
    async with AsyncTestClient(app):
        users = container.administer_users()
        await users.create("alice", password=PASSWORD)
        await users.create("former", password=PASSWORD, is_active=False)
        await users.create("cli-only")
        transport = httpx.ASGITransport(app=cast(HttpxApp, app), client=("127.0.0.1", 1))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for round_number in range(rounds + 1):
                for kind, (username, password) in KINDS.items():
                    number = next(addresses)
                    headers = {"X-Forwarded-For": str(ipaddress.ip_address(0x0A000000 + number))}
                    started = time.perf_counter()
                    answer = await client.post(
                        "/api/auth/token/",
                        json={"username": username, "password": password},
                        headers=headers,
                    )
                    elapsed = time.perf_counter() - started
                    expected = 200 if kind.startswith("right") else 400
                    assert answer.status_code == expected, (kind, answer.text)
                    if round_number > 0:  # the first round warms up (and makes the dummy hash)
                        times[kind].append(elapsed * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=15)
    rounds = parser.parse_args().rounds
    times = asyncio.run(measure(rounds))
    reference = statistics.median(times["unknown name"])
    print(f"sign-in through the app, Argon2id t=3 m=64MiB p=4, {rounds} rounds")
    print(f"{'kind':<28}{'median ms':>10}{'min-max ms':>18}{'ratio':>8}")
    for kind, values in times.items():
        median = statistics.median(values)
        spread = f"{min(values):.1f}-{max(values):.1f}"
        print(f"{kind:<28}{median:>10.1f}{spread:>18}{median / reference:>8.2f}")


if __name__ == "__main__":
    main()
