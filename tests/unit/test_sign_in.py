"""Signing in, in memory: a password is always checked against a hash, so that an unknown
name costs what a wrong password costs; hashes made with old parameters are renewed; failures
are throttled per username from one address, per address and per username, and an unlock
forgets a username's."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime, timedelta

import pytest

from portfolio.adapters.argon2.passwords import Argon2PasswordHasher
from portfolio.adapters.memory.journal import InMemoryJournal
from portfolio.adapters.memory.throttling import InMemoryFailureCounter
from portfolio.adapters.memory.transactions import InMemoryTransactions
from portfolio.adapters.memory.users import InMemoryTokenStore, InMemoryUserStore
from portfolio.application.accounts.auth import SignIn
from portfolio.application.accounts.errors import UnknownUser
from portfolio.application.accounts.passwords import InvalidPassword
from portfolio.application.accounts.throttle import SignInLimits, SignInThrottle
from portfolio.application.accounts.unlock import UnlockSignIn
from portfolio.application.accounts.users import Accounts, AdministerUsers
from portfolio.domain import InvalidCredentials, Throttled, UserNotFound
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


def unit_of_work() -> tuple[InMemoryTransactions, InMemoryJournal]:
    """Transactions and a journal for the use cases, which audit what they write."""
    return InMemoryTransactions(), InMemoryJournal()


LIMITS = SignInLimits(per_name_from_address=2, per_address=4, per_name=6, window_seconds=60)
GENEROUS = SignInLimits(100, 100, 100, 60)


def sign_in_over(
    users: InMemoryUserStore,
    hasher: CountingHasher,
    limits: SignInLimits = GENEROUS,
    counter: InMemoryFailureCounter | None = None,
) -> SignIn:
    throttle = SignInThrottle(counter or InMemoryFailureCounter(), limits)
    tokens = InMemoryTokenStore(users)
    accounts = Accounts(users, tokens, hasher, lambda: NOW, *unit_of_work())
    return SignIn(accounts, throttle, timedelta(hours=2))


async def with_alice() -> tuple[InMemoryUserStore, CountingHasher]:
    users, hasher = InMemoryUserStore(), CountingHasher()
    await AdministerUsers(
        Accounts(users, InMemoryTokenStore(users), hasher, lambda: NOW, *unit_of_work())
    ).create("alice", password="the right one")
    return users, hasher


async def fail(sign_in: SignIn, username: str, client: str, times: int = 1) -> None:
    for _ in range(times):
        with pytest.raises(InvalidCredentials):
            await sign_in(username, "wrong", client)


async def test_unknown_names_and_users_without_password_are_checked_against_a_hash() -> None:
    users, hasher = InMemoryUserStore(), CountingHasher()
    administer = AdministerUsers(
        Accounts(users, InMemoryTokenStore(users), hasher, lambda: NOW, *unit_of_work())
    )
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
    await AdministerUsers(
        Accounts(users, InMemoryTokenStore(users), old, lambda: NOW, *unit_of_work())
    ).create("alice", password="the right one")
    stronger = CountingHasher(time_cost=2)
    await sign_in_over(users, stronger)("alice", "the right one", "10.0.0.1")
    found = await users.password_hash("alice")
    assert found is not None
    assert found[1] is not None
    assert "t=2" in found[1]


async def test_the_limit_counts_failures_not_successes() -> None:
    users, hasher = InMemoryUserStore(), CountingHasher()
    await AdministerUsers(
        Accounts(users, InMemoryTokenStore(users), hasher, lambda: NOW, *unit_of_work())
    ).create("alice", password="the right one")
    sign_in = sign_in_over(users, hasher, SignInLimits(2, 2, 2, 60))
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


async def test_one_address_guessing_a_name_waits_while_its_owner_signs_in_elsewhere() -> None:
    users, hasher = await with_alice()
    sign_in = sign_in_over(users, hasher, LIMITS)
    await fail(sign_in, "alice", "10.0.0.66", times=2)
    with pytest.raises(Throttled):
        await sign_in("alice", "the right one", "10.0.0.66")
    await sign_in("alice", "the right one", "10.0.0.1")
    await fail(sign_in, "bob", "10.0.0.66")  # the address may still fail for other names


async def test_one_address_guessing_across_names_waits_for_every_name() -> None:
    users, hasher = await with_alice()
    sign_in = sign_in_over(users, hasher, LIMITS)
    for name in ("u1", "u2", "u3", "u4"):
        await fail(sign_in, name, "10.0.0.66")
    with pytest.raises(Throttled):
        await sign_in("alice", "the right one", "10.0.0.66")
    await sign_in("alice", "the right one", "10.0.0.1")


async def test_guessing_one_name_from_many_addresses_is_bounded_for_every_address() -> None:
    users, hasher = await with_alice()
    sign_in = sign_in_over(users, hasher, LIMITS)
    for number in range(3):
        await fail(sign_in, "ALICE", f"10.0.1.{number}", times=2)  # names are case-folded
    checks = hasher.checks
    for client in ("10.0.1.0", "10.0.2.1"):
        with pytest.raises(Throttled) as raised:
            await sign_in("alice", "the right one", client)
        assert 0 < raised.value.wait <= 60
    assert hasher.checks == checks  # refused before any hashing


async def test_an_unlock_forgets_a_name_s_failures_from_every_address_but_not_the_addresses() -> (
    None
):
    users, hasher = await with_alice()
    counter = InMemoryFailureCounter()
    sign_in = sign_in_over(users, hasher, LIMITS, counter)
    await fail(sign_in, "alice", "10.0.0.66", times=2)
    for name in ("u1", "u2"):
        await fail(sign_in, name, "10.0.0.77", times=2)  # the address is at its limit
    await fail(sign_in, "alice", "10.0.0.88", times=2)  # the name too, now
    unlock = UnlockSignIn(users, SignInThrottle(counter, LIMITS), *unit_of_work())
    alice = await users.get_by_username("alice")
    assert alice is not None
    assert await unlock.of_user(alice.id) == alice
    await sign_in("alice", "the right one", "10.0.0.66")
    await sign_in("alice", "the right one", "10.0.0.88")
    with pytest.raises(Throttled):
        await sign_in("alice", "the right one", "10.0.0.77")
    await fail(sign_in, "alice", "10.0.0.99", times=2)
    assert await unlock.of_name("alice") == alice
    await sign_in("alice", "the right one", "10.0.0.99")
    with pytest.raises(UserNotFound):
        await unlock.of_user(alice.id + 1)
    with pytest.raises(UnknownUser):
        await unlock.of_name("Alice")


async def test_new_passwords_follow_the_rules() -> None:
    users, hasher = InMemoryUserStore(), CountingHasher()
    administer = AdministerUsers(
        Accounts(users, InMemoryTokenStore(users), hasher, lambda: NOW, *unit_of_work())
    )
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
    assert (defaults.sign_in_address_failures, defaults.sign_in_username_failures) == (20, 50)
    assert Settings() == defaults  # the dataclass's defaults are the environment's
    scaled = Settings.from_env({"PORTFOLIO_SIGN_IN_FAILURES": "3"})
    assert (scaled.sign_in_address_failures, scaled.sign_in_username_failures) == (12, 30)
    chosen = Settings.from_env(
        {
            "PORTFOLIO_SIGN_IN_FAILURES": "3",
            "PORTFOLIO_SIGN_IN_ADDRESS_FAILURES": "3",
            "PORTFOLIO_SIGN_IN_USERNAME_FAILURES": "100",
        }
    )
    assert (chosen.sign_in_address_failures, chosen.sign_in_username_failures) == (3, 100)
    for wider in ("PORTFOLIO_SIGN_IN_ADDRESS_FAILURES", "PORTFOLIO_SIGN_IN_USERNAME_FAILURES"):
        with pytest.raises(SettingsError, match=f"{wider} must be at least 5"):
            Settings.from_env({wider: "4"})
    assert (defaults.throttle_window_seconds, defaults.sign_in_token_hours) == (60, 72)
    assert defaults.redis_url is None
    with pytest.raises(SettingsError):
        Settings.from_env({"PORTFOLIO_TRUSTED_PROXIES": "proxy.local"})
    with pytest.raises(SettingsError):
        Settings.from_env({"PORTFOLIO_SIGN_IN_FAILURES": "0"})
