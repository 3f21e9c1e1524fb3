"""Signing in with a password, signing out and who am I, on the in-memory and the Postgres
wiring; failed sign-ins throttled per username from one address, per address and per
username, and unlocked by an admin; token authentications throttled per client address."""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from dependency_injector import providers
from litestar import Litestar
from litestar.testing import AsyncTestClient

from portfolio.adapters.redis.throttling import RedisFailureCounter
from portfolio.entrypoints.container import Container
from portfolio.entrypoints.http.app import create_app
from portfolio.entrypoints.settings import Settings
from tests.app_client import SameLoopClient
from tests.memory_container import cheap_passwords, in_memory_container
from tests.servers import free_port

Client = AsyncTestClient  # type: ignore[type-arg]
PASSWORD = "correct horse battery"
CANNOT = {"non_field_errors": ["Unable to log in with provided credentials."]}
PROXY = "127.0.0.9"


@pytest.fixture(params=["memory", pytest.param("postgres", marks=pytest.mark.postgres)])
async def app(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[Container, Litestar]]:
    """An app with small limits, trusting PROXY's X-Forwarded-For, its lifespan running."""
    settings = Settings(
        media_root=tmp_path,
        sign_in_failures=3,
        sign_in_address_failures=3,
        sign_in_username_failures=6,
        token_failures=4,
        trusted_proxies=(ipaddress.ip_network(PROXY),),
        # The lifespan runs on the test client's own loop while requests come through
        # httpx on the test's: no background work may share the pool across the two.
        background=False,
    )
    if request.param == "memory":
        container = in_memory_container(settings)
    else:
        container = Container(
            settings=settings, database_url=request.getfixturevalue("clean_database")
        )
        container.passwords.override(providers.Object(cheap_passwords()))
    application = create_app(container)
    async with SameLoopClient(application):
        yield container, application


def client_from(application: Litestar, address: str) -> httpx.AsyncClient:
    """A client of ``application`` whose requests come through PROXY from ``address``."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=application, client=(PROXY, 40000)),
        base_url="http://portfolio.test",
        headers={"X-Forwarded-For": address},
    )


async def sign_in(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post("/api/auth/token/", json={"username": username, "password": password})


async def test_a_password_signs_in_for_a_token_that_expires_and_works(
    app: tuple[Container, Litestar],
) -> None:
    container, application = app
    await container.administer_users().create(
        "alice", is_staff=True, permissions=frozenset({4202, 4701}), password=PASSWORD
    )
    async with client_from(application, "10.0.0.1") as client:
        before = datetime.now(UTC)
        answer = await sign_in(client, "alice", PASSWORD)
        assert answer.status_code == 200
        body = answer.json()
        assert set(body) == {"token", "expires_at"}
        assert len(body["token"]) == 40
        expires = datetime.fromisoformat(body["expires_at"])
        assert before + timedelta(hours=71) < expires < before + timedelta(hours=73)
        me = await client.get("/api/auth/me/", headers={"Authorization": f"Token {body['token']}"})
    assert me.status_code == 200
    assert me.json() == {
        "id": 1,
        "username": "alice",
        "is_staff": True,
        "is_admin": False,
        "permissions": [4202, 4701],
        "token_expires_at": body["expires_at"],
    }


async def test_an_html_form_signs_in_too(app: tuple[Container, Litestar]) -> None:
    container, application = app
    await container.administer_users().create("alice", is_staff=True, password=PASSWORD)
    async with client_from(application, "10.0.0.1") as client:
        answer = await client.post(
            "/api/auth/token/", data={"username": "alice", "password": PASSWORD}
        )
    assert answer.status_code == 200
    assert set(answer.json()) == {"token", "expires_at"}


async def test_every_kind_of_wrong_credentials_gets_the_same_400(
    app: tuple[Container, Litestar],
) -> None:
    container, application = app
    users = container.administer_users()
    await users.create("alice", password=PASSWORD)
    await users.create("former", is_active=False, password=PASSWORD)
    await users.create("cli-only")
    attempts = [
        ("alice", "wrong password"),
        ("nobody", PASSWORD),
        ("former", PASSWORD),
        ("cli-only", PASSWORD),
        ("ALICE", PASSWORD),
    ]
    for number, (username, password) in enumerate(attempts):
        # A client each, so that throttling never answers instead.
        async with client_from(application, f"10.0.1.{number}") as client:
            answer = await sign_in(client, username, password)
        assert (answer.status_code, answer.json()) == (400, CANNOT), username
        assert "token" not in answer.text


async def test_missing_and_malformed_fields_are_field_errors(
    app: tuple[Container, Litestar],
) -> None:
    _, application = app
    async with client_from(application, "10.0.0.1") as client:
        empty = await client.post("/api/auth/token/", json={})
        assert (empty.status_code, empty.json()) == (
            400,
            {"username": ["This field is required."], "password": ["This field is required."]},
        )
        wrong_type = await client.post("/api/auth/token/", json={"username": 1, "password": ""})
        assert wrong_type.status_code == 400
        assert wrong_type.json() == {
            "username": ["Not a valid string."],
            "password": ["This field may not be blank."],
        }
        not_json = await client.post(
            "/api/auth/token/", content=b"{", headers={"Content-Type": "application/json"}
        )
        assert not_json.status_code == 400
        huge = await client.post(
            "/api/auth/token/", json={"username": "a", "password": "x" * 20_000}
        )
        assert huge.status_code == 413


async def test_sign_out_revokes_the_token_presented_and_only_it(
    app: tuple[Container, Litestar],
) -> None:
    container, application = app
    await container.administer_users().create("alice", is_staff=True, password=PASSWORD)
    async with client_from(application, "10.0.0.1") as client:
        first = (await sign_in(client, "alice", PASSWORD)).json()["token"]
        second = (await sign_in(client, "alice", PASSWORD)).json()["token"]
        out = await client.post("/api/auth/logout/", headers={"Authorization": f"Token {first}"})
        assert out.status_code == 204
        again = await client.get("/api/auth/me/", headers={"Authorization": f"Token {first}"})
        assert (again.status_code, again.json()) == (401, {"detail": "Invalid token."})
        other = await client.get("/api/auth/me/", headers={"Authorization": f"Token {second}"})
        assert other.status_code == 200


async def test_me_and_sign_out_need_a_token(app: tuple[Container, Litestar]) -> None:
    _, application = app
    async with client_from(application, "10.0.0.1") as client:
        for method, path in (("GET", "/api/auth/me/"), ("POST", "/api/auth/logout/")):
            answer = await client.request(method, path)
            assert answer.status_code == 401
            assert answer.json() == {"detail": "Authentication credentials were not provided."}


async def test_me_lists_the_codes_a_user_may_use(app: tuple[Container, Litestar]) -> None:
    container, application = app
    users, tokens = container.administer_users(), container.manage_tokens()
    await users.create("admin", is_admin=True)
    await users.create("outsider", permissions=frozenset({4202}))
    async with client_from(application, "10.0.0.1") as client:
        for username, expected in (("admin", 40), ("outsider", 0)):
            key = (await tokens.issue(username)).key
            me = await client.get("/api/auth/me/", headers={"Authorization": f"Token {key}"})
            assert len(me.json()["permissions"]) == expected
            assert me.json()["token_expires_at"] is None


def throttled(answer: httpx.Response) -> bool:
    if answer.status_code != 429:
        return False
    wait = int(answer.headers["Retry-After"])
    assert 0 < wait <= 60
    assert answer.json() == {
        "detail": f"Request was throttled. Expected available in {wait} seconds."
    }
    return True


async def guess(application: Litestar, username: str, *addresses: str) -> None:
    """Three wrong passwords for ``username`` from each of ``addresses``, each answered 400."""
    for address in addresses:
        async with client_from(application, address) as client:
            for _ in range(3):
                assert (await sign_in(client, username, "wrong")).status_code == 400


async def test_one_address_guessing_a_name_does_not_lock_its_owner_out_elsewhere(
    app: tuple[Container, Litestar],
) -> None:
    container, application = app
    await container.administer_users().create("alice", password=PASSWORD)
    await guess(application, "alice", "10.0.2.66")
    async with client_from(application, "10.0.2.66") as attacker:
        assert throttled(await sign_in(attacker, "alice", "another guess"))
    async with client_from(application, "10.0.2.1") as owner:
        assert (await sign_in(owner, "alice", PASSWORD)).status_code == 200


async def test_failed_sign_ins_from_many_addresses_lock_the_username_everywhere(
    app: tuple[Container, Litestar],
) -> None:
    container, application = app
    await container.administer_users().create("alice", password=PASSWORD)
    await guess(application, "alice", "10.0.2.0", "10.0.2.1")
    async with client_from(application, "10.0.2.200") as client:
        # Even the right password waits: the limit is on the name, not on the guesses.
        assert throttled(await sign_in(client, "alice", PASSWORD))
        assert throttled(await sign_in(client, "Alice", PASSWORD))
        await container.administer_users().create("bob", password=PASSWORD)
        assert (await sign_in(client, "bob", PASSWORD)).status_code == 200


async def test_an_admin_unlocks_a_username_but_not_the_addresses_that_guessed(
    app: tuple[Container, Litestar],
) -> None:
    container, application = app
    users, tokens = container.administer_users(), container.manage_tokens()
    alice = await users.create("alice", password=PASSWORD)
    await users.create("admin", is_admin=True)
    await users.create("staff", is_staff=True, permissions=frozenset({4701, 4702, 4704}))
    admin = {"Authorization": f"Token {(await tokens.issue('admin')).key}"}
    staff = {"Authorization": f"Token {(await tokens.issue('staff')).key}"}
    await guess(application, "alice", "10.0.5.0", "10.0.5.1")
    unlock = f"/api/users/{alice.id}/sign-in-failures/"
    async with client_from(application, "10.0.5.200") as client:
        assert throttled(await sign_in(client, "alice", PASSWORD))
        refused = await client.delete(unlock, headers=staff)
        assert (refused.status_code, refused.json()) == (
            403,
            {"detail": "You do not have permission to perform this action."},
        )
        unknown = await client.delete("/api/users/999/sign-in-failures/", headers=admin)
        assert unknown.status_code == 404
        assert (await client.delete(unlock, headers=admin)).status_code == 204
        assert (await client.delete(unlock, headers=admin)).status_code == 204  # harmless again
        assert (await sign_in(client, "alice", PASSWORD)).status_code == 200
    async with client_from(application, "10.0.5.0") as guesser:
        # The address is over its own limit: that count is no one user's to forget.
        assert throttled(await sign_in(guesser, "alice", PASSWORD))


async def test_failed_sign_ins_are_throttled_per_client_address(
    app: tuple[Container, Litestar],
) -> None:
    container, application = app
    await container.administer_users().create("alice", password=PASSWORD)
    async with client_from(application, "10.0.3.1") as client:
        for name in ("x", "y", "z"):
            assert (await sign_in(client, name, "wrong")).status_code == 400
        assert throttled(await sign_in(client, "alice", PASSWORD))
    async with client_from(application, "10.0.3.2") as client:
        assert (await sign_in(client, "alice", PASSWORD)).status_code == 200


async def test_failed_token_authentications_are_throttled_per_client_address_only(
    app: tuple[Container, Litestar],
) -> None:
    container, application = app
    await container.administer_users().create("alice", is_admin=True, password=PASSWORD)
    key = (await container.manage_tokens().issue("alice")).key
    bad = {"Authorization": "Token " + "0" * 40}
    async with client_from(application, "10.0.4.1") as attacker:
        for _ in range(4):
            answer = await attacker.get("/api/portfolios/", headers=bad)
            assert (answer.status_code, answer.json()) == (401, {"detail": "Invalid token."})
        assert throttled(await attacker.get("/api/portfolios/", headers=bad))
        assert throttled(await attacker.get("/api/auth/me/", headers=bad))
        # Requests without credentials cost nothing and say so, as before.
        assert (await attacker.get("/api/portfolios/")).status_code == 401
        # A valid key is accepted even from there: someone else may share the address.
        shared = await attacker.get("/api/auth/me/", headers={"Authorization": f"Token {key}"})
        assert shared.status_code == 200
    # Someone else's failures never slow a signed-in user elsewhere, nor their sign-in.
    async with client_from(application, "10.0.4.2") as user:
        mine = await user.get("/api/auth/me/", headers={"Authorization": f"Token {key}"})
        assert mine.status_code == 200
        assert (await sign_in(user, "alice", PASSWORD)).status_code == 200


async def test_x_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(
    app: tuple[Container, Litestar],
) -> None:
    _, application = app
    transport = httpx.ASGITransport(app=application, client=("10.9.9.9", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://portfolio.test") as client:
        for number in range(3):
            # A forged header per request changes nothing: the peer is counted.
            answer = await client.post(
                "/api/auth/token/",
                json={"username": f"u{number}", "password": "wrong"},
                headers={"X-Forwarded-For": f"10.1.1.{number}"},
            )
            assert answer.status_code == 400
        last = await client.post(
            "/api/auth/token/",
            json={"username": "u9", "password": "wrong"},
            headers={"X-Forwarded-For": "10.1.1.99"},
        )
        assert throttled(last)


async def test_the_proxy_chain_is_read_from_the_right(app: tuple[Container, Litestar]) -> None:
    _, application = app
    # The client forges the left part; the trusted proxy appended the address it saw.
    for number in range(3):
        async with client_from(application, f"1.2.3.{number}, 10.5.5.5, {PROXY}") as client:
            assert (await sign_in(client, f"u{number}", "wrong")).status_code == 400
    async with client_from(application, "10.5.5.5") as client:
        assert throttled(await sign_in(client, "u9", "wrong"))


async def test_a_silent_redis_is_a_503_with_retry_after(tmp_path: Path) -> None:
    container = in_memory_container(Settings(media_root=tmp_path, retry_after_seconds=7))
    silent = RedisFailureCounter(f"redis://127.0.0.1:{free_port()}/0", "portfolio-test:")
    container.failure_counter.override(providers.Object(silent))
    async with SameLoopClient(create_app(container)) as client:
        answer = await client.post("/api/auth/token/", json={"username": "a", "password": "b"})
        bad = await client.get("/api/portfolios/", headers={"Authorization": "Token x"})
    await silent.close()
    for refused in (answer, bad):
        assert refused.status_code == 503
        assert refused.headers["Retry-After"] == "7"


async def test_a_sign_in_body_over_16_kib_is_refused_in_words(
    app: tuple[Container, Litestar],
) -> None:
    _, application = app
    async with client_from(application, "10.0.0.1") as client:
        huge = await client.post(
            "/api/auth/token/", json={"username": "a", "password": "x" * 20_000}
        )
    assert (huge.status_code, huge.json()) == (
        413,
        {"detail": "The request body is larger than the 16.00 KB accepted."},
    )


async def test_an_entry_that_is_no_address_counts_the_proxy_itself(
    app: tuple[Container, Litestar],
) -> None:
    _, application = app
    for number in range(3):
        async with client_from(application, f"garbage-{number}") as client:
            assert (await sign_in(client, f"u{number}", "wrong")).status_code == 400
    async with client_from(application, "more garbage") as client:
        assert throttled(await sign_in(client, "u9", "wrong"))
    async with client_from(application, "10.7.7.7") as client:
        assert (await sign_in(client, "u9", "wrong")).status_code == 400
