"""``GET /api/audit/`` on the in-memory and the Postgres wiring: admins only, newest first,
filtered, append-only over HTTP; and every account write over the API is in it, with who,
how, which request and client, and never a secret."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from portfolio.application.accounts.auth import token_digest
from portfolio.entrypoints.container import Container
from tests.builders import ALL_PERMISSION_CODES
from tests.e2e.conftest import deactivated_after_token

Client = AsyncTestClient  # type: ignore[type-arg]
Wired = tuple[Container, Client]
PASSWORD = "correct horse battery"
CHOICE = ["Select a valid choice. That choice is not one of the available choices."]
NUMBER = ["Enter a whole number."]
MOMENT = [
    "Datetime has wrong format. Use one of these formats instead: "
    "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
]
FIELDS = {
    "id",
    "at",
    "actor",
    "via",
    "action",
    "resource",
    "object_id",
    "changes",
    "request_id",
    "client",
}


async def token_of(container: Container, username: str) -> dict[str, str]:
    return {"Authorization": f"Token {(await container.manage_tokens().issue(username)).key}"}


async def admin(container: Container) -> dict[str, str]:
    await container.administer_users().create("admin", is_admin=True, is_staff=True)
    return await token_of(container, "admin")


async def entries(client: Client, headers: dict[str, str], query: str = "") -> list[Any]:
    """Every entry the log holds for ``query``, following the pages, newest first."""
    found: list[Any] = []
    url: str | None = f"/api/audit/?page_size=100{query}"
    while url is not None:
        answer = await client.get(url, headers=headers)
        assert answer.status_code == 200, answer.text
        found.extend(answer.json()["results"])
        url = answer.json()["next"]
    return found


def summary(entry: dict[str, Any]) -> tuple[Any, ...]:
    actor = entry["actor"]["username"] if entry["actor"] else None
    return (actor, entry["via"], entry["action"], entry["resource"], entry["changes"])


async def test_only_active_admins_read_the_audit_log(wired: Wired) -> None:
    container, client = wired
    admin_headers = await admin(container)
    users = container.administer_users()
    await users.create("chief", is_staff=True, permissions=ALL_PERMISSION_CODES)
    await users.create("outsider", permissions=ALL_PERMISSION_CODES)
    await users.create("former", is_admin=True, is_staff=True)
    callers = {name: await token_of(container, name) for name in ("chief", "outsider", "former")}
    await deactivated_after_token(container, "former")

    denied = "You do not have permission to perform this action."
    expected = {
        "anonymous": ({}, 401, "Authentication credentials were not provided."),
        "inactive admin": (callers["former"], 401, "User inactive or deleted."),
        "staff with every code": (callers["chief"], 403, denied),
        "non-staff with every code": (callers["outsider"], 403, denied),
    }
    for who, (headers, status, detail) in expected.items():
        answer = await client.get("/api/audit/", headers=headers)
        assert (answer.status_code, answer.json()) == (status, {"detail": detail}), who
    answer = await client.get("/api/audit/", headers=admin_headers)
    assert answer.status_code == 200
    assert set(answer.json()) == {"count", "next", "previous", "results"}


async def test_no_route_writes_or_deletes_the_log(wired: Wired) -> None:
    container, client = wired
    headers = await admin(container)
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        answer = await client.request(method, "/api/audit/", headers=headers, json={})
        assert answer.status_code == 405, method
        assert answer.headers["allow"] == "GET, OPTIONS"
    assert (await client.delete("/api/audit/1", headers=headers)).status_code == 404
    assert len(await entries(client, headers)) == 2  # the admin and their token, made first


async def test_entries_come_newest_first_in_the_issue_s_shape(wired: Wired) -> None:
    container, client = wired
    headers = await admin(container)
    made = await client.post(
        "/api/tags/", headers={**headers, "X-Request-ID": "req-7"}, json={"name": "web"}
    )
    tag = made.json()["id"]
    page = (await client.get("/api/audit/?page_size=2", headers=headers)).json()
    assert page["count"] == 3
    assert page["previous"] is None and page["next"].endswith("/api/audit/?page=2&page_size=2")
    newest, older = page["results"]
    assert set(newest) == FIELDS
    assert newest["actor"] == {"id": 1, "username": "admin"}
    assert (newest["via"], newest["action"], newest["resource"]) == ("api", "create", "tag")
    assert (newest["object_id"], newest["changes"]) == (tag, ["name"])
    assert newest["request_id"] == "req-7"
    assert newest["client"]
    assert newest["id"] > older["id"] and newest["at"] >= older["at"]
    assert (older["actor"], older["via"], older["action"]) == (None, "cli", "create")
    assert (older["resource"], older["request_id"], older["client"]) == ("token", None, None)


async def test_each_filter_narrows_the_log(wired: Wired) -> None:
    container, client = wired
    headers = await admin(container)
    tag = (await client.post("/api/tags/", headers=headers, json={"name": "web"})).json()["id"]
    await client.patch(f"/api/tags/{tag}", headers=headers, json={"name": "Web"})
    other = (await client.post("/api/tags/", headers=headers, json={"name": "app"})).json()["id"]
    everything = await entries(client, headers)
    middle = everything[1]["at"]  # the tag's update (newest first)

    def actions(found: list[Any]) -> list[tuple[str, str, Any]]:
        return [(e["action"], e["resource"], e["object_id"]) for e in found]

    assert actions(await entries(client, headers, "&actor=1")) == [
        ("create", "tag", other),
        ("update", "tag", tag),
        ("create", "tag", tag),
    ]
    assert actions(await entries(client, headers, "&actor=2")) == []
    assert actions(await entries(client, headers, "&resource=token")) == [("create", "token", 1)]
    assert actions(await entries(client, headers, f"&resource=tag&object_id={tag}")) == [
        ("update", "tag", tag),
        ("create", "tag", tag),
    ]
    assert actions(await entries(client, headers, "&action=update")) == [("update", "tag", tag)]
    since = await entries(client, headers, f"&since={middle.replace('+00:00', 'Z')}")
    assert actions(since)[-1] == ("update", "tag", tag)
    until = await entries(client, headers, f"&until={middle.replace('+', '%2B')}")
    assert ("update", "tag", tag) not in actions(until)
    assert actions(until)[0] == ("create", "tag", tag)
    empty = "&actor=&resource=&object_id=&action=&since=&until="
    assert len(await entries(client, headers, empty)) == len(everything)


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("actor=abc", {"actor": CHOICE}),
        ("actor=0", {"actor": CHOICE}),
        ("resource=users", {"resource": CHOICE}),
        ("action=publish", {"action": CHOICE}),
        ("object_id=1.5", {"object_id": NUMBER}),
        ("object_id=99999999999999999999", {"object_id": NUMBER}),
        ("since=yesterday", {"since": MOMENT}),
        ("until=2026-13-01T00:00", {"until": MOMENT}),
        ("actor=x&action=y", {"actor": CHOICE, "action": CHOICE}),
    ],
)
async def test_a_malformed_filter_is_a_400_naming_it(
    wired: Wired, query: str, errors: dict[str, list[str]]
) -> None:
    container, client = wired
    headers = await admin(container)
    answer = await client.get(f"/api/audit/?{query}", headers=headers)
    assert (answer.status_code, answer.json()) == (400, errors)


async def test_a_page_past_the_end_is_404(wired: Wired) -> None:
    container, client = wired
    headers = await admin(container)
    answer = await client.get("/api/audit/?page=9", headers=headers)
    assert (answer.status_code, answer.json()) == (404, {"detail": "Invalid page."})


async def test_staff_revalidating_with_an_admin_s_etag_get_403_not_304(wired: Wired) -> None:
    container, client = wired
    headers = await admin(container)
    await container.administer_users().create(
        "chief", is_staff=True, permissions=ALL_PERMISSION_CODES
    )
    staff = await token_of(container, "chief")
    tag = (await client.get("/api/audit/", headers=headers)).headers["etag"]
    again = await client.get("/api/audit/", headers={**headers, "If-None-Match": tag})
    assert again.status_code == 304
    refused = await client.get("/api/audit/", headers={**staff, "If-None-Match": tag})
    assert refused.status_code == 403


async def test_account_writes_over_the_api_are_audited(wired: Wired) -> None:
    container, client = wired
    headers = await admin(container)
    first = len(await entries(client, headers))
    request = {**headers, "X-Request-ID": "req-accounts"}
    made = await client.post(
        "/api/users/",
        headers=request,
        json={"username": "bob", "is_staff": True, "permissions": [4201], "password": PASSWORD},
    )
    bob = made.json()["id"]
    await client.patch(f"/api/users/{bob}", headers=request, json={"permissions": [4201, 4202]})
    await client.post(f"/api/users/{bob}/password/", headers=request, json={"password": "x" * 12})
    await client.delete(f"/api/users/{bob}/sign-in-failures/", headers=request)
    await client.patch(f"/api/users/{bob}", headers=request, json={"is_active": False})
    await client.patch(f"/api/users/{bob}", headers=request, json={"is_active": True})
    token = (await container.manage_tokens().issue("bob")).token.id
    await client.delete(f"/api/users/{bob}/tokens/{token}", headers=request)
    await client.delete(f"/api/users/{bob}", headers=request)

    found = list(reversed(await entries(client, headers)))[first:]
    assert [summary(entry) for entry in found] == [
        (
            "admin",
            "api",
            "create",
            "user",
            ["username", "is_staff", "is_admin", "is_active", "permissions", "password"],
        ),
        ("admin", "api", "update", "user", ["permissions"]),
        ("admin", "api", "update", "user", ["password"]),
        ("admin", "api", "update", "user", ["sign_in_failures"]),
        ("admin", "api", "delete", "user", ["is_active"]),
        ("admin", "api", "restore", "user", ["is_active"]),
        (None, "cli", "create", "token", []),
        ("admin", "api", "revoke", "token", []),
        ("admin", "api", "delete", "user", ["is_active"]),
    ]
    over_api = [entry for entry in found if entry["via"] == "api"]
    assert {entry["request_id"] for entry in over_api} == {"req-accounts"}
    assert all(entry["client"] for entry in over_api)
    assert [entry["object_id"] for entry in found] == [bob] * 6 + [token, token, bob]


async def test_sign_ins_failures_and_sign_outs_are_audited(wired: Wired) -> None:
    container, client = wired
    headers = await admin(container)
    await container.administer_users().create("alice", password=PASSWORD)
    first = len(await entries(client, headers))
    signed = await client.post(
        "/api/auth/token/",
        headers={"X-Request-ID": "req-in"},
        json={"username": "alice", "password": PASSWORD},
    )
    key = signed.json()["token"]
    await client.post("/api/auth/token/", json={"username": "alice", "password": "wrong one"})
    await client.post("/api/auth/token/", json={"username": "nobody", "password": PASSWORD})
    out = await client.post("/api/auth/logout/", headers={"Authorization": f"Token {key}"})
    assert out.status_code == 204

    found = list(reversed(await entries(client, headers)))[first:]
    assert [summary(entry) for entry in found] == [
        ("alice", "api", "sign_in", "token", []),
        (None, "api", "sign_in_failed", "user", []),
        (None, "api", "sign_in_failed", "user", []),
        ("alice", "api", "sign_out", "token", []),
    ]
    signed_in, known, unknown, signed_out = found
    assert signed_in["request_id"] == "req-in" and signed_in["client"]
    assert signed_in["object_id"] == signed_out["object_id"]
    assert known["object_id"] == 2  # alice: the user whose name was tried
    assert unknown["object_id"] is None  # a name of nobody is not kept anywhere
    assert all(entry["client"] for entry in found)


async def test_a_throttled_sign_in_is_not_audited(wired: Wired) -> None:
    container, client = wired
    headers = await admin(container)
    limit = container.settings().sign_in_failures
    for _ in range(limit):
        await client.post("/api/auth/token/", json={"username": "admin", "password": "guess"})
    throttled = await client.post(
        "/api/auth/token/", json={"username": "admin", "password": "guess"}
    )
    assert throttled.status_code == 429
    failed = await entries(client, headers, "&action=sign_in_failed")
    assert len(failed) == limit


async def test_no_password_key_digest_or_hash_is_ever_in_the_log(wired: Wired) -> None:
    container, client = wired
    headers = await admin(container)
    secrets = [PASSWORD, "another secret 1", "a third secret 22", "wrong guess 333"]
    made = await client.post(
        "/api/users/", headers=headers, json={"username": "eve", "password": secrets[0]}
    )
    eve = made.json()["id"]
    await client.patch(f"/api/users/{eve}", headers=headers, json={"password": secrets[1]})
    await client.post(f"/api/users/{eve}/password/", headers=headers, json={"password": secrets[2]})
    await client.post("/api/auth/token/", json={"username": "eve", "password": secrets[3]})
    signed = await client.post("/api/auth/token/", json={"username": "eve", "password": secrets[2]})
    keys = [signed.json()["token"], (await container.manage_tokens().issue("eve")).key]
    await container.manage_tokens().revoke(keys[1])
    found = await entries(client, headers)
    password_hash = (await container.users().password_hash("eve") or (None, None))[1]
    assert password_hash is not None
    forbidden = [
        *secrets,
        *keys,
        *(token_digest(key).hex() for key in keys),
        password_hash,
        password_hash.split("$")[-1],  # the hash's own digits
    ]
    text = str(found)
    assert len(found) >= 8
    for secret in forbidden:
        assert secret not in text


@pytest.mark.parametrize(
    "action",
    [
        "create",
        "update",
        "delete",
        "restore",
        "purge",
        "move",
        "revoke",
        "sign_in",
        "sign_in_failed",
        "sign_out",
    ],
)
async def test_every_action_the_service_records_is_a_valid_filter(
    wired: Wired, action: str
) -> None:
    container, client = wired
    headers = await admin(container)
    answer = await client.get(f"/api/audit/?action={action}", headers=headers)
    assert answer.status_code == 200
    assert {entry["action"] for entry in answer.json()["results"]} <= {action}
