"""Users and tokens behave the same in memory and in Postgres."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portfolio.application.accounts.auth import Authenticate, ManageTokens, token_digest
from portfolio.application.accounts.errors import UserAlreadyExists
from portfolio.application.fields import UserChanges
from portfolio.domain import AuthenticationFailed
from tests.integration.conftest import Stores, administer_users

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


class FixedClock:
    """A clock that stands still until moved."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def test_issued_key_authenticates_its_owner(stores: Stores) -> None:
    clock = FixedClock(NOW)
    await administer_users(stores).create("bob", is_staff=True, permissions=frozenset({4202}))
    issued = await ManageTokens(
        stores.tokens, stores.users, clock, stores.transactions, stores.journal
    ).issue("bob")
    principal = await Authenticate(stores.tokens, clock)(issued.key)
    assert principal.username == "bob"
    assert principal.permissions == frozenset({4202})
    assert len(issued.key) == 40


async def test_only_the_digest_is_stored(stores: Stores) -> None:
    await administer_users(stores).create("bob")
    issued = await ManageTokens(
        stores.tokens, stores.users, FixedClock(NOW), stores.transactions, stores.journal
    ).issue("bob")
    assert issued.token.digest == token_digest(issued.key)
    assert issued.key.encode() not in issued.token.digest


async def test_expired_and_revoked_keys_are_invalid(stores: Stores) -> None:
    clock = FixedClock(NOW)
    tokens = ManageTokens(stores.tokens, stores.users, clock, stores.transactions, stores.journal)
    await administer_users(stores).create("bob", is_admin=True)
    expiring = await tokens.issue("bob", timedelta(days=1))
    revoked = await tokens.issue("bob")
    authenticate = Authenticate(stores.tokens, clock)
    await authenticate(expiring.key)
    assert await tokens.revoke(revoked.key)
    assert not await tokens.revoke(revoked.key)
    clock.now = NOW + timedelta(days=1)
    for key in (expiring.key, revoked.key, "no-such-key"):
        with pytest.raises(AuthenticationFailed, match=r"^Invalid token\.$"):
            await authenticate(key)


async def test_inactive_owner_is_refused_with_its_own_message(stores: Stores) -> None:
    ghost = await administer_users(stores).create("ghost", is_admin=True)
    await administer_users(stores).create("keeper", is_admin=True)
    issued = await ManageTokens(
        stores.tokens, stores.users, FixedClock(NOW), stores.transactions, stores.journal
    ).issue("ghost")
    # Made inactive in the store only, so the token is not revoked with it.
    await stores.users.update(ghost.id, UserChanges(is_active=False))
    with pytest.raises(AuthenticationFailed, match=r"^User inactive or deleted\.$"):
        await Authenticate(stores.tokens, FixedClock(NOW))(issued.key)


async def test_grants_show_up_on_the_next_lookup(stores: Stores) -> None:
    users = administer_users(stores)
    await users.create("bob", is_staff=True)
    issued = await ManageTokens(
        stores.tokens, stores.users, FixedClock(NOW), stores.transactions, stores.journal
    ).issue("bob")
    await users.grant("bob", frozenset({4202, 4201}))
    await users.grant("bob", frozenset({4202}))
    principal = await Authenticate(stores.tokens, FixedClock(NOW))(issued.key)
    assert principal.permissions == frozenset({4201, 4202})


async def test_usernames_are_unique(stores: Stores) -> None:
    await administer_users(stores).create("bob")
    with pytest.raises(UserAlreadyExists):
        await administer_users(stores).create("bob")


async def test_revoke_all_revokes_only_live_tokens_of_that_user(stores: Stores) -> None:
    clock = FixedClock(NOW)
    users, tokens = (
        administer_users(stores),
        ManageTokens(stores.tokens, stores.users, clock, stores.transactions, stores.journal),
    )
    await users.create("bob")
    await users.create("alice")
    first = await tokens.issue("bob")
    await tokens.issue("bob")
    alices = await tokens.issue("alice")
    await tokens.revoke(first.key)
    assert await tokens.revoke_all("bob") == 1
    listed = await tokens.list_for("bob")
    assert [token.revoked_at is not None for token in listed] == [True, True]
    assert (await Authenticate(stores.tokens, clock)(alices.key)).username == "alice"
