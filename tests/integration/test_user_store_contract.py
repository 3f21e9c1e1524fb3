"""Users with passwords, changes, search and the last-admin rule behave the same in memory
and in Postgres; in Postgres, two admins demoted at once cannot both go."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from psycopg_pool import AsyncConnectionPool

from portfolio.adapters.postgres.pool import Connection
from portfolio.adapters.postgres.users import PostgresUserStore
from portfolio.application.accounts.errors import UserAlreadyExists
from portfolio.application.fields import NewUser, UserChanges
from portfolio.application.listing import Window
from portfolio.domain import LastActiveAdmin, UserNotFound
from tests.integration.conftest import Stores


async def test_a_password_hash_is_kept_and_replaced(stores: Stores) -> None:
    alice = await stores.users.create(NewUser("alice", password_hash="$argon2id$first"))
    assert await stores.users.password_hash("alice") == (alice, "$argon2id$first")
    assert await stores.users.set_password_hash(alice.id, "$argon2id$second")
    assert await stores.users.password_hash("alice") == (alice, "$argon2id$second")
    assert not await stores.users.set_password_hash(999, "$argon2id$x")
    assert await stores.users.password_hash("Alice") is None
    await stores.users.create(NewUser("bob"))
    found = await stores.users.password_hash("bob")
    assert found is not None
    assert found[1] is None


async def test_changes_apply_at_once_and_names_stay_unique(stores: Stores) -> None:
    await stores.users.create(NewUser("root", is_staff=True, is_admin=True))
    bob = await stores.users.create(NewUser("bob", permissions=frozenset({4201})))
    changed = await stores.users.update(
        bob.id, UserChanges(username="robert", is_staff=True, permissions=frozenset({4202, 4203}))
    )
    assert (changed.username, changed.is_staff, changed.permissions) == (
        "robert",
        True,
        frozenset({4202, 4203}),
    )
    assert await stores.users.get(bob.id) == changed
    with pytest.raises(UserAlreadyExists):
        await stores.users.update(bob.id, UserChanges(username="root"))
    with pytest.raises(UserNotFound):
        await stores.users.update(999, UserChanges(is_staff=True))
    assert await stores.users.get(999) is None


async def test_the_last_active_admin_stays(stores: Stores) -> None:
    root = await stores.users.create(NewUser("root", is_staff=True, is_admin=True))
    for changes in (UserChanges(is_admin=False), UserChanges(is_active=False)):
        with pytest.raises(LastActiveAdmin):
            await stores.users.update(root.id, changes)
    assert await stores.users.get(root.id) == root
    await stores.users.create(NewUser("second", is_admin=True))
    demoted = await stores.users.update(root.id, UserChanges(is_admin=False))
    assert not demoted.is_admin


async def test_a_service_with_no_admin_yet_can_still_change_its_users(stores: Stores) -> None:
    staff = await stores.users.create(NewUser("staff", is_staff=True))
    changed = await stores.users.update(staff.id, UserChanges(is_active=False))
    assert not changed.is_active


async def test_users_are_found_by_id_and_searched_by_username(stores: Stores) -> None:
    for name in ("Anna", "annabel", "bob", "hannah"):
        await stores.users.create(NewUser(name))
    everyone = await stores.users.find((), Window(offset=1, limit=2))
    assert ([u.username for u in everyone.items], everyone.total) == (["annabel", "bob"], 4)
    found = await stores.users.find(("ANN",), Window(offset=0, limit=10))
    assert [u.username for u in found.items] == ["Anna", "annabel", "hannah"]
    both = await stores.users.find(("ann", "bel"), Window(offset=0, limit=10))
    assert [u.username for u in both.items] == ["annabel"]
    literal = await stores.users.find(("%",), Window(offset=0, limit=10))
    assert literal.total == 0


async def test_a_token_of_another_user_is_not_revoked_under_this_one(stores: Stores) -> None:
    users = [await stores.users.create(NewUser(name)) for name in ("alice", "bob")]
    token = await stores.tokens.add(users[0].id, b"a" * 32, None)
    moment = datetime(2026, 12, 1, tzinfo=UTC)
    assert not await stores.tokens.revoke_one(users[1].id, token.id, moment)
    assert await stores.tokens.revoke_one(users[0].id, token.id, moment)
    assert await stores.tokens.revoke_one(users[0].id, token.id, datetime.now(UTC))
    (listed,) = await stores.tokens.list_for(users[0].id)
    assert listed.revoked_at == moment
    await stores.tokens.touch(token.id, moment)
    (touched,) = await stores.tokens.list_for(users[0].id)
    assert touched.last_used_at == moment


@pytest.mark.postgres
async def test_two_admins_demoting_each_other_at_once_cannot_both_go(
    pool: AsyncConnectionPool[Connection],
) -> None:
    users = PostgresUserStore(pool)
    admins = [
        await users.create(NewUser(name, is_staff=True, is_admin=True))
        for name in ("left", "right")
    ]
    results = await asyncio.gather(
        *(users.update(admin.id, UserChanges(is_admin=False)) for admin in admins),
        return_exceptions=True,
    )
    assert sum(isinstance(result, LastActiveAdmin) for result in results) == 1
    remaining = [await users.get(admin.id) for admin in admins]
    assert sum(user is not None and user.is_admin for user in remaining) == 1
