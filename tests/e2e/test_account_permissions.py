"""Who may call the user and token routes, for every kind of caller, on the in-memory and the
Postgres wiring; who may unlock a user's sign-in (admins only); and who may sign out and ask
who they are."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from itertools import count
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from portfolio.entrypoints.container import Container
from tests.e2e.conftest import EXPECTED, headers_of

Client = AsyncTestClient  # type: ignore[type-arg]

_names = count(1)


async def new_user(container: Container) -> str:
    """A new plain user; the path part naming them."""
    user = await container.administer_users().create(f"member{next(_names)}")
    return str(user.id)


async def new_token(container: Container) -> str:
    """A token of a new plain user: ``{user id}/tokens/{token id}``."""
    user_id = await new_user(container)
    users = await container.administer_users().get(int(user_id))
    issued = await container.manage_tokens().issue(users.username)
    return f"{user_id}/tokens/{issued.token.id}"


@dataclass(frozen=True)
class Call:
    """One route and method, the code it needs and what its success answers."""

    method: str
    path: str
    code: int
    success: int
    body: Callable[[], Any] = lambda: None
    target: Callable[[Container], Awaitable[str]] | None = None


CALLS = {
    "list users": Call("GET", "/api/users/", 4701, 200),
    "create a user": Call(
        "POST", "/api/users/", 4703, 201, lambda: {"username": f"new{next(_names)}"}
    ),
    "retrieve a user": Call("GET", "/api/users/{}", 4702, 200, target=new_user),
    "change a user": Call(
        "PATCH", "/api/users/{}", 4704, 200, lambda: {"is_staff": True}, target=new_user
    ),
    "set a password": Call(
        "POST",
        "/api/users/{}/password/",
        4704,
        204,
        lambda: {"password": "a long password"},
        target=new_user,
    ),
    "deactivate a user": Call("DELETE", "/api/users/{}", 4705, 204, target=new_user),
    "list a user's tokens": Call("GET", "/api/users/{}/tokens/", 4801, 200, target=new_user),
    "revoke a token": Call("DELETE", "/api/users/{}", 4805, 204, target=new_token),
}


@pytest.mark.parametrize("name", list(CALLS))
async def test_only_admins_and_staff_holding_the_code_may_call(
    wired: tuple[Container, Client], name: str
) -> None:
    container, client = wired
    spec = CALLS[name]
    headers = await headers_of(container, spec.code)

    async def call(caller: str) -> Any:
        path = spec.path
        if spec.target is not None:
            path = path.format(await spec.target(container))
        return await client.request(spec.method, path, headers=headers[caller], json=spec.body())

    for caller, (status, body) in EXPECTED.items():
        response = await call(caller)
        assert (response.status_code, response.json()) == (status, body), (caller, name)
    for caller in ("editor", "admin"):
        response = await call(caller)
        assert response.status_code == spec.success, (caller, name, response.text)


async def test_only_admins_may_unlock_a_sign_in_whatever_codes_staff_hold(
    wired: tuple[Container, Client],
) -> None:
    container, client = wired
    # Between them, "editor" and "others" hold every code there is.
    headers = await headers_of(container, 4704)
    denied = (403, {"detail": "You do not have permission to perform this action."})
    for caller, expected in {**EXPECTED, "editor": denied}.items():
        path = f"/api/users/{await new_user(container)}/sign-in-failures/"
        response = await client.delete(path, headers=headers[caller])
        assert (response.status_code, response.json()) == expected, caller
    path = f"/api/users/{await new_user(container)}/sign-in-failures/"
    response = await client.delete(path, headers=headers["admin"])
    assert response.status_code == 204


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/api/auth/me/"), ("POST", "/api/auth/logout/")]
)
async def test_any_active_user_with_a_token_may_ask_who_they_are_and_sign_out(
    wired: tuple[Container, Client], method: str, path: str
) -> None:
    container, client = wired
    headers = await headers_of(container, 4202)
    for caller in ("anonymous", "former"):
        status, body = EXPECTED[caller]
        response = await client.request(method, path, headers=headers[caller])
        assert (response.status_code, response.json()) == (status, body), caller
    for caller in ("outsider", "others", "editor", "admin"):
        response = await client.request(method, path, headers=headers[caller])
        assert response.status_code in (200, 204), caller


async def test_sign_in_needs_no_token(wired: tuple[Container, Client]) -> None:
    _, client = wired
    answer = await client.post("/api/auth/token/", json={"username": "x", "password": "y"})
    assert answer.status_code == 400


async def test_a_missing_user_is_decided_after_authentication_and_permission(
    wired: tuple[Container, Client],
) -> None:
    container, client = wired
    headers = await headers_of(container, 4702)
    for method, path in (
        ("GET", "/api/users/999"),
        ("PATCH", "/api/users/999"),
        ("DELETE", "/api/users/999"),
        ("POST", "/api/users/999/password/"),
        ("GET", "/api/users/999/tokens/"),
        ("DELETE", "/api/users/999/tokens/1"),
        ("DELETE", "/api/users/999/sign-in-failures/"),
    ):
        assert (await client.request(method, path, json={})).status_code == 401
        refused = await client.request(method, path, headers=headers["outsider"], json={})
        assert refused.status_code == 403
