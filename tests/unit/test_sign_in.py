"""Signing in, in memory: a password is always checked against a hash, so that an unknown
name costs what a wrong password costs; hashes made with old parameters are renewed."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime, timedelta

import pytest

from portfolio.adapters.argon2 import Argon2PasswordHasher
from portfolio.adapters.memory import InMemoryFailureCounter, InMemoryTokenStore, InMemoryUserStore
from portfolio.application import (
    AdministerUsers,
    InvalidPassword,
    SignIn,
    Throttle,
    ThrottleRule,
)
from portfolio.domain import InvalidCredentials, Throttled
from portfolio.entrypoints.settings import Settings, SettingsError

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


class CountingHasher(Argon2PasswordHasher):
    """The cheapest Argon2id, counting the checks it makes."""

    def __init__(self, time_cost: int = 1) -> None:
        super().__init__(time_cost=time_cost, memory_cost_kib=64, parallelism=1)
        self.checks = 0

    def verify(self, password_hash: str, password: str) -> bool:
        self.checks += 1
        return super().verify(password_hash, password)


def sign_in_over(users: InMemoryUserStore, hasher: CountingHasher, limit: int = 100) -> SignIn:
    throttle = Throttle(InMemoryFailureCounter(), ThrottleRule(limit=limit, window_seconds=60))
    tokens = InMemoryTokenStore(users)
    return SignIn(users, tokens, hasher, lambda: NOW, throttle, timedelta(hours=2))


async def test_unknown_names_and_users_without_password_are_checked_against_a_hash() -> None:
    users, hasher = InMemoryUserStore(), CountingHasher()
    administer = AdministerUsers(users, InMemoryTokenStore(users), hasher, lambda: NOW)
    await administer.create("alice", password="the right one")
    await administer.create("nopass")
    sign_in = sign_in_over(users, hasher)
    for name, password in (("nobody", "x"), ("nopass", "x"), ("alice", "wrong one")):
        before = hasher.checks
        with pytest.raises(InvalidCredentials):
            await sign_in(name, password, "10.0.0.1")
        assert hasher.checks == before + 1, name
    issued = await sign_in("alice", "the right one", "10.0.0.1")
    assert issued.token.expires_at == NOW + timedelta(hours=2)


async def test_a_hash_with_old_parameters_is_renewed_at_sign_in() -> None:
    users = InMemoryUserStore()
    old = CountingHasher(time_cost=1)
    await AdministerUsers(users, InMemoryTokenStore(users), old, lambda: NOW).create(
        "alice", password="the right one"
    )
    stronger = CountingHasher(time_cost=2)
    await sign_in_over(users, stronger)("alice", "the right one", "10.0.0.1")
    found = await users.password_hash("alice")
    assert found is not None
    assert found[1] is not None
    assert "t=2" in found[1]


async def test_the_limit_counts_failures_not_successes() -> None:
    users, hasher = InMemoryUserStore(), CountingHasher()
    await AdministerUsers(users, InMemoryTokenStore(users), hasher, lambda: NOW).create(
        "alice", password="the right one"
    )
    sign_in = sign_in_over(users, hasher, limit=2)
    for _ in range(5):
        await sign_in("alice", "the right one", "10.0.0.1")
    for _ in range(2):
        with pytest.raises(InvalidCredentials):
            await sign_in("alice", "wrong", "10.0.0.1")
    checks = hasher.checks
    with pytest.raises(Throttled) as raised:
        await sign_in("alice", "the right one", "10.0.0.1")
    assert 0 < raised.value.wait <= 60
    assert hasher.checks == checks  # refused before any hashing


async def test_new_passwords_follow_the_rules() -> None:
    users, hasher = InMemoryUserStore(), CountingHasher()
    administer = AdministerUsers(users, InMemoryTokenStore(users), hasher, lambda: NOW)
    for bad in ("short", " " * 12, "x" * 1025, "with\x00nul"):
        with pytest.raises(InvalidPassword):
            await administer.create("bob", password=bad)
    assert await users.get_by_username("bob") is None


def test_account_settings_are_read_and_checked() -> None:
    settings = Settings.from_env(
        {
            "PORTFOLIO_TRUSTED_PROXIES": "10.0.0.0/8, ::1",
            "PORTFOLIO_SIGN_IN_TOKEN_HOURS": "12",
            "PORTFOLIO_REDIS_URL": "redis://127.0.0.1:6379/2",
        }
    )
    assert settings.trusted_proxies == (
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("::1"),
    )
    assert settings.sign_in_token_hours == 12
    assert settings.redis_url == "redis://127.0.0.1:6379/2"
    defaults = Settings.from_env({})
    assert (defaults.sign_in_failures, defaults.token_failures) == (5, 20)
    assert (defaults.throttle_window_seconds, defaults.sign_in_token_hours) == (60, 72)
    assert defaults.redis_url is None
    with pytest.raises(SettingsError):
        Settings.from_env({"PORTFOLIO_TRUSTED_PROXIES": "proxy.local"})
    with pytest.raises(SettingsError):
        Settings.from_env({"PORTFOLIO_SIGN_IN_FAILURES": "0"})
