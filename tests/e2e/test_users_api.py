"""``/api/users/`` and ``/api/users/{id}/tokens/`` as admins use them, on the in-memory and
the Postgres wiring: never a hash or a key in an answer, only admins make admins, and the last
active admin stays."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from portfolio.entrypoints.container import Container

Client = AsyncTestClient  # type: ignore[type-arg]
PASSWORD = "correct horse battery"


async def header(container: Container, username: str) -> dict[str, str]:
    return {"Authorization": f"Token {(await container.manage_tokens().issue(username)).key}"}


async def admin(container: Container) -> dict[str, str]:
    await container.administer_users().create("root", is_admin=True, password=PASSWORD)
    return await header(container, "root")


def no_secrets(answer: Any) -> None:
    assert "argon2" not in answer.text
    assert "password" not in answer.text
    assert "digest" not in answer.text


async def test_an_admin_creates_a_user_who_signs_in_with_the_password(
    wired: tuple[Container, Client],
) -> None:
    container, client = wired
    headers = await admin(container)
    body = {"username": "editor", "password": PASSWORD, "is_staff": True, "permissions": [4202]}
    created = await client.post("/api/users/", json=body, headers=headers)
    assert created.status_code == 201
    assert created.json() == {
        "id": 2,
        "username": "editor",
        "is_active": True,
        "is_staff": True,
        "is_admin": False,
        "permissions": [4202],
    }
    no_secrets(created)
    signed_in = await client.post(
        "/api/auth/token/", json={"username": "editor", "password": PASSWORD}
    )
    assert signed_in.status_code == 200
    retrieved = await client.get("/api/users/2", headers=headers)
    assert retrieved.json() == created.json()


async def test_users_are_listed_by_id_paginated_and_searched_by_username(
    wired: tuple[Container, Client],
) -> None:
    container, client = wired
    headers = await admin(container)
    users = container.administer_users()
    for name in ("anna", "annabel", "bob"):
        await users.create(name, password=PASSWORD)
    listed = await client.get("/api/users/?page_size=2", headers=headers)
    assert listed.status_code == 200
    page = listed.json()
    assert page["count"] == 4
    assert [user["username"] for user in page["results"]] == ["root", "anna"]
    assert page["next"] == "http://testserver.local/api/users/?page=2&page_size=2"
    no_secrets(listed)
    found = await client.get("/api/users/?search=ANNA", headers=headers)
    assert [user["username"] for user in found.json()["results"]] == ["anna", "annabel"]
    past = await client.get("/api/users/?page=9", headers=headers)
    assert (past.status_code, past.json()) == (404, {"detail": "Invalid page."})


async def test_changes_flags_codes_and_password_with_patch(
    wired: tuple[Container, Client],
) -> None:
    container, client = wired
    headers = await admin(container)
    await container.administer_users().create("editor", is_staff=True, password=PASSWORD)
    changed = await client.patch(
        "/api/users/2",
        json={"permissions": [4201, 4202], "is_admin": True, "password": "a new password"},
        headers=headers,
    )
    assert changed.status_code == 200
    assert changed.json()["permissions"] == [4201, 4202]
    assert changed.json()["is_admin"] is True
    no_secrets(changed)
    old = await client.post("/api/auth/token/", json={"username": "editor", "password": PASSWORD})
    assert old.status_code == 400
    new = await client.post(
        "/api/auth/token/", json={"username": "editor", "password": "a new password"}
    )
    assert new.status_code == 200


async def test_set_password_answers_204_and_the_new_password_works(
    wired: tuple[Container, Client],
) -> None:
    container, client = wired
    headers = await admin(container)
    await container.administer_users().create("editor", password=PASSWORD)
    answer = await client.post(
        "/api/users/2/password/", json={"password": "another passphrase"}, headers=headers
    )
    assert answer.status_code == 204
    signed_in = await client.post(
        "/api/auth/token/", json={"username": "editor", "password": "another passphrase"}
    )
    assert signed_in.status_code == 200
    short = await client.post("/api/users/2/password/", json={"password": "short"}, headers=headers)
    assert short.status_code == 400
    assert short.json() == {
        "password": ["This password is too short. It must contain at least 8 characters."]
    }
    missing = await client.post("/api/users/9/password/", json={"password": "x"}, headers=headers)
    assert missing.status_code == 404


async def test_bad_writes_are_field_errors(wired: tuple[Container, Client]) -> None:
    container, client = wired
    headers = await admin(container)
    taken = await client.post("/api/users/", json={"username": "root"}, headers=headers)
    assert (taken.status_code, taken.json()) == (
        400,
        {"username": ["A user with that username already exists."]},
    )
    codes = await client.post(
        "/api/users/", json={"username": "x", "permissions": [4202, 9999]}, headers=headers
    )
    assert (codes.status_code, codes.json()) == (
        400,
        {"permissions": ["Unknown permission codes: 9999."]},
    )
    bad = await client.post(
        "/api/users/", json={"username": "a b", "is_staff": "yes", "id": 3}, headers=headers
    )
    assert bad.status_code == 400
    assert set(bad.json()) == {"username", "is_staff", "id"}
    short = await client.post(
        "/api/users/", json={"username": "x", "password": "1234567"}, headers=headers
    )
    assert short.status_code == 400
    assert list(short.json()) == ["password"]
    listed = await client.get("/api/users/", headers=headers)
    assert listed.json()["count"] == 1
    missing = await client.patch("/api/users/99", json={"is_staff": "x"}, headers=headers)
    assert missing.status_code == 404


async def test_deactivating_keeps_the_user_and_refuses_their_tokens_and_password(
    wired: tuple[Container, Client],
) -> None:
    container, client = wired
    headers = await admin(container)
    await container.administer_users().create("editor", is_staff=True, password=PASSWORD)
    key = await header(container, "editor")
    answer = await client.delete("/api/users/2", headers=headers)
    assert answer.status_code == 204
    user = await client.get("/api/users/2", headers=headers)
    assert user.json()["is_active"] is False
    refused = await client.get("/api/auth/me/", headers=key)
    assert refused.status_code == 401
    tokens = await client.get("/api/users/2/tokens/", headers=headers)
    assert all(token["revoked_at"] is not None for token in tokens.json()["results"])
    # Made active again, the old tokens stay revoked.
    await client.patch("/api/users/2", json={"is_active": True}, headers=headers)
    assert (await client.get("/api/auth/me/", headers=key)).status_code == 401
    assert (await client.delete("/api/users/9", headers=headers)).status_code == 404


async def test_the_last_active_admin_cannot_be_locked_out(wired: tuple[Container, Client]) -> None:
    container, client = wired
    headers = await admin(container)
    expected = {
        "detail": "This is the last active admin: make another user an active admin first, so "
        "that someone can still manage users."
    }
    for method, body in (("PATCH", {"is_admin": False}), ("PATCH", {"is_active": False})):
        answer = await client.request(method, "/api/users/1", json=body, headers=headers)
        assert (answer.status_code, answer.json()) == (409, expected)
    deleted = await client.delete("/api/users/1", headers=headers)
    assert (deleted.status_code, deleted.json()) == (409, expected)
    assert (await client.get("/api/auth/me/", headers=headers)).json()["is_admin"] is True
    await container.administer_users().create("second", is_admin=True)
    assert (await client.delete("/api/users/1", headers=headers)).status_code == 204


async def test_only_admins_make_or_change_admins_and_staff_grant_only_their_codes(
    wired: tuple[Container, Client],
) -> None:
    container, client = wired
    await admin(container)
    await container.administer_users().create(
        "manager", is_staff=True, permissions=frozenset({4201, 4703, 4704, 4805})
    )
    headers = await header(container, "manager")
    denied = {"detail": "You do not have permission to perform this action."}
    attempts = [
        ("POST", "/api/users/", {"username": "boss", "is_admin": True}),
        ("POST", "/api/users/", {"username": "x", "is_staff": True, "permissions": [4205]}),
        ("PATCH", "/api/users/2", {"is_admin": True}),
        ("PATCH", "/api/users/2", {"permissions": [4201, 4205]}),
        ("PATCH", "/api/users/1", {"is_staff": True}),
        ("POST", "/api/users/1/password/", {"password": "taken over!"}),
        ("DELETE", "/api/users/1", None),
        ("DELETE", "/api/users/1/tokens/1", None),
    ]
    for method, path, body in attempts:
        answer = await client.request(method, path, json=body, headers=headers)
        assert (answer.status_code, answer.json()) == (403, denied), (method, path, body)
    allowed = await client.post(
        "/api/users/",
        json={"username": "junior", "is_staff": True, "permissions": [4201]},
        headers=headers,
    )
    assert allowed.status_code == 201


async def test_a_users_tokens_are_listed_without_keys_and_revoked_one_by_one(
    wired: tuple[Container, Client],
) -> None:
    container, client = wired
    headers = await admin(container)
    await container.administer_users().create("editor", is_staff=True)
    first = await header(container, "editor")
    second = await header(container, "editor")
    await client.get("/api/auth/me/", headers=first)
    listed = await client.get("/api/users/2/tokens/", headers=headers)
    assert listed.status_code == 200
    results = listed.json()["results"]
    assert [set(token) for token in results] == [
        {"id", "created_at", "expires_at", "last_used_at", "revoked_at"}
    ] * 2
    assert results[0]["last_used_at"] is not None
    assert results[1]["last_used_at"] is None
    for key in (first, second):
        assert key["Authorization"].split()[1] not in listed.text
    no_secrets(listed)
    token_id = results[0]["id"]
    revoked = await client.delete(f"/api/users/2/tokens/{token_id}", headers=headers)
    assert revoked.status_code == 204
    assert (await client.get("/api/auth/me/", headers=first)).status_code == 401
    assert (await client.get("/api/auth/me/", headers=second)).status_code == 200
    again = await client.delete(f"/api/users/2/tokens/{token_id}", headers=headers)
    assert again.status_code == 204
    # A token id of another user, or none at all, is not found under this one.
    for path in ("/api/users/1/tokens/2", "/api/users/2/tokens/99", "/api/users/2/tokens/x"):
        assert (await client.delete(path, headers=headers)).status_code == 404
    assert (await client.get("/api/users/9/tokens/", headers=headers)).status_code == 404


# Spellings that could never name a user or a token: the same 404 on every route taking one,
# over Postgres too, where a number past bigint must never reach a statement.
NEVER_IDS = ["0", "-1", "9223372036854775808", "1e3", "%201", "%EF%BC%91", "9" * 400]


@pytest.mark.parametrize("raw_id", NEVER_IDS)
async def test_every_route_taking_a_user_or_token_id_answers_404_for_one_that_names_nothing(
    wired: tuple[Container, Client], raw_id: str
) -> None:
    container, client = wired
    headers = await admin(container)
    routes: list[tuple[str, str, dict[str, Any] | None]] = [
        ("GET", "/api/users/{}", None),
        ("PATCH", "/api/users/{}", {"is_staff": True}),
        ("DELETE", "/api/users/{}", None),
        ("POST", "/api/users/{}/password/", {"password": PASSWORD}),
        ("DELETE", "/api/users/{}/sign-in-failures/", None),
        ("GET", "/api/users/{}/tokens/", None),
        ("DELETE", "/api/users/{}/tokens/1", None),
        ("DELETE", "/api/users/1/tokens/{}", None),
    ]
    for method, template, body in routes:
        path = template.format(raw_id)
        response = await client.request(method, path, headers=headers, json=body)
        assert (response.status_code, response.json()) == (404, {"detail": "Not found."}), path


async def test_a_user_id_with_leading_zeros_names_the_same_user(
    wired: tuple[Container, Client],
) -> None:
    container, client = wired
    headers = await admin(container)
    response = await client.get("/api/users/0001", headers=headers)
    assert (response.status_code, response.json()["username"]) == (200, "root")
