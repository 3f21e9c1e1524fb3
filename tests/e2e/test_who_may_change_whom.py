"""Staff act only on accounts no richer than their own, by every route that changes or exposes
an account, before and after the change; on the in-memory and the Postgres wiring.

A staff user who could set the password of, promote or reactivate a user holding a code it
lacks could sign in as that user and grant itself the code: every route is tried against
every kind of target, and a refused call must leave the target exactly as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from portfolio.application.fields import UserChanges
from portfolio.entrypoints.container import Container

Client = AsyncTestClient  # type: ignore[type-arg]

KEEPER_CODES = frozenset({4201, 4701, 4702, 4703, 4704, 4705, 4801, 4805})
"""What the staff user under test holds: every user and token code, and one portfolio code."""

NEW_PASSWORD = "a long enough new password"


@dataclass(frozen=True)
class Target:
    """A kind of account, and whether a staff user holding KEEPER_CODES may act on it."""

    is_staff: bool
    is_admin: bool
    is_active: bool
    codes: frozenset[int]
    manageable: bool


TARGETS = {
    "peer": Target(True, False, True, frozenset({4201}), manageable=True),
    "plain": Target(False, False, True, frozenset(), manageable=True),
    "richer": Target(True, False, True, frozenset({4201, 4203}), manageable=False),
    "dormant": Target(False, False, True, frozenset({4203}), manageable=False),
    "retired": Target(True, False, False, frozenset({4203}), manageable=False),
    "admin": Target(True, True, True, frozenset(), manageable=False),
}


@dataclass(frozen=True)
class Route:
    """A call on a target's account: method, path under ``/api/users/{id}``, body, success."""

    method: str
    path: str
    body: dict[str, Any] | None
    success: int


ROUTES = {
    "promote to staff": Route("PATCH", "", {"is_staff": True}, 200),
    "reactivate": Route("PATCH", "", {"is_active": True}, 200),
    "set password by patch": Route("PATCH", "", {"password": NEW_PASSWORD}, 200),
    "rename": Route("PATCH", "", {"username": "{name}-renamed"}, 200),
    "take codes away": Route("PATCH", "", {"permissions": []}, 200),
    "set password": Route("POST", "password/", {"password": NEW_PASSWORD}, 204),
    "deactivate": Route("DELETE", "", None, 204),
    "list tokens": Route("GET", "tokens/", None, 200),
    "revoke a token": Route("DELETE", "tokens/{token}", None, 204),
}


async def make_accounts(
    container: Container,
) -> tuple[dict[str, str], dict[str, str], dict[str, int], dict[str, int]]:
    """The keeper's and an admin's headers; each target's user id and one of its token ids."""
    users, tokens = container.administer_users(), container.manage_tokens()
    await users.create("boss", is_admin=True, is_staff=True)
    await users.create("keeper", is_staff=True, permissions=KEEPER_CODES)
    ids, token_ids = {}, {}
    for name, target in TARGETS.items():
        user = await users.create(
            name, is_staff=target.is_staff, is_admin=target.is_admin, permissions=target.codes
        )
        ids[name] = user.id
        token_ids[name] = (await tokens.issue(name)).token.id
        if not target.is_active:
            await users.update(user.id, UserChanges(is_active=False))

    async def header(username: str) -> dict[str, str]:
        return {"Authorization": f"Token {(await tokens.issue(username)).key}"}

    return await header("keeper"), await header("boss"), ids, token_ids


async def snapshot(client: Client, admin: dict[str, str], user_id: int) -> tuple[Any, Any]:
    """The account and its tokens as an admin sees them."""
    account = (await client.get(f"/api/users/{user_id}", headers=admin)).json()
    held = (await client.get(f"/api/users/{user_id}/tokens/", headers=admin)).json()
    return account, held


@pytest.mark.parametrize("route", sorted(ROUTES))
async def test_staff_act_only_on_accounts_no_richer_than_their_own(
    wired: tuple[Container, Client], route: str
) -> None:
    container, client = wired
    keeper, admin, ids, token_ids = await make_accounts(container)
    call = ROUTES[route]
    for name, target in TARGETS.items():
        path = f"/api/users/{ids[name]}/{call.path.format(token=token_ids[name])}"
        before = await snapshot(client, admin, ids[name])
        body = call.body and {
            field: value.format(name=name) if isinstance(value, str) else value
            for field, value in call.body.items()
        }
        response = await client.request(call.method, path, headers=keeper, json=body)
        if target.manageable:
            assert response.status_code == call.success, (route, name, response.text)
        else:
            assert response.status_code == 403, (route, name, response.text)
            assert response.json() == {
                "detail": "You do not have permission to perform this action."
            }
            assert await snapshot(client, admin, ids[name]) == before, (route, name)
        if route == "set password by patch" or route == "set password":
            signed_in = await client.post(
                "/api/auth/token/", json={"username": name, "password": NEW_PASSWORD}
            )
            expected = 200 if target.manageable and target.is_active else 400
            assert signed_in.status_code == expected, (route, name)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"username": "newcomer", "permissions": [4201]}, 201),
        ({"username": "newcomer", "is_staff": True, "permissions": [4701, 4201]}, 201),
        ({"username": "newcomer", "permissions": [4203]}, 403),
        ({"username": "newcomer", "is_staff": True, "permissions": [4201, 4203]}, 403),
        ({"username": "newcomer", "is_admin": True}, 403),
    ],
)
async def test_staff_create_only_accounts_holding_codes_they_hold(
    wired: tuple[Container, Client], body: dict[str, Any], status: int
) -> None:
    container, client = wired
    keeper, admin, _, _ = await make_accounts(container)
    response = await client.post("/api/users/", headers=keeper, json=body)
    assert response.status_code == status, response.text
    listed = (await client.get("/api/users/?search=newcomer", headers=admin)).json()
    assert listed["count"] == (1 if status == 201 else 0)


@pytest.mark.parametrize(
    "body",
    [{"permissions": [4201, 4203]}, {"is_admin": True}, {"permissions": [4201], "is_admin": True}],
)
async def test_staff_never_give_a_peer_a_code_they_lack(
    wired: tuple[Container, Client], body: dict[str, Any]
) -> None:
    container, client = wired
    keeper, admin, ids, _ = await make_accounts(container)
    before = await snapshot(client, admin, ids["peer"])
    response = await client.patch(f"/api/users/{ids['peer']}", headers=keeper, json=body)
    assert response.status_code == 403
    assert await snapshot(client, admin, ids["peer"]) == before


async def test_the_takeover_of_a_richer_account_is_refused_at_its_first_step(
    wired: tuple[Container, Client],
) -> None:
    # A staff user holding only 4704 (change users), as the probe found it.
    container, client = wired
    users, tokens = container.administer_users(), container.manage_tokens()
    await users.create("boss", is_admin=True, is_staff=True)
    await users.create("mole", is_staff=True, permissions=frozenset({4704}))
    rich = await users.create("rich", is_staff=True, permissions=frozenset({4704, 4203, 4205}))
    mole = {"Authorization": f"Token {(await tokens.issue('mole')).key}"}

    changed = await client.patch(
        f"/api/users/{rich.id}", headers=mole, json={"password": NEW_PASSWORD}
    )
    assert changed.status_code == 403
    signed_in = await client.post(
        "/api/auth/token/", json={"username": "rich", "password": NEW_PASSWORD}
    )
    assert signed_in.status_code == 400
