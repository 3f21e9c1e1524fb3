"""An application over real Postgres and a temporary media root, the callers that use it, and
the permission matrix's callers on the in-memory and the Postgres wiring."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from dependency_injector import providers

from portfolio.application.fields import UserChanges
from portfolio.entrypoints.container import Container
from portfolio.entrypoints.http.app import create_app
from portfolio.entrypoints.settings import Settings
from tests.app_client import SameLoopClient
from tests.builders import ALL_PERMISSION_CODES
from tests.memory_container import cheap_passwords, in_memory_container


@dataclass(frozen=True)
class Callers:
    """Authorization headers of every kind of caller the permission rules tell apart."""

    admin: dict[str, str]
    staff_with_code: dict[str, str]
    staff_without_code: dict[str, str]
    non_staff_with_code: dict[str, str]
    inactive_admin: dict[str, str]


async def deactivated_after_token(container: Container, username: str) -> None:
    """Make ``username`` inactive in the store only, so the token it holds stays unrevoked:
    a token the service must refuse for its owner's sake (no token is issued to an inactive
    user, and deactivating through the use cases revokes every token)."""
    user = await container.users().get_by_username(username)
    assert user is not None
    await container.users().update(user.id, UserChanges(is_active=False))


async def make_callers(container: Container, code: int = 4202) -> Callers:
    """Create one user of each kind with a token, and return their headers."""
    users, tokens = container.administer_users(), container.manage_tokens()
    await users.create("admin", is_admin=True, is_staff=True)
    await users.create("editor", is_staff=True, permissions=frozenset({code}))
    await users.create("intern", is_staff=True, permissions=frozenset({4201, 4302}))
    await users.create("outsider", permissions=frozenset({code}))
    await users.create("former", is_admin=True, is_staff=True)

    async def header(username: str) -> dict[str, str]:
        return {"Authorization": f"Token {(await tokens.issue(username)).key}"}

    callers = Callers(
        admin=await header("admin"),
        staff_with_code=await header("editor"),
        staff_without_code=await header("intern"),
        non_staff_with_code=await header("outsider"),
        inactive_admin=await header("former"),
    )
    await deactivated_after_token(container, "former")
    return callers


@pytest.fixture
def media_root(tmp_path: Path) -> Path:
    """An empty media directory."""
    root = tmp_path / "media"
    root.mkdir()
    return root


@pytest.fixture
def settings(media_root: Path) -> Settings:
    """Settings for a test application."""
    return Settings(media_root=media_root, db_acquire_timeout=2.0, retry_after_seconds=7)


@pytest.fixture
def container(clean_database: str, settings: Settings) -> Container:
    """The production wiring over the emptied test database (Argon2 at its cheapest)."""
    container = Container(settings=settings, database_url=clean_database)
    container.passwords.override(providers.Object(cheap_passwords()))
    return container


@pytest.fixture
async def client(container: Container) -> AsyncIterator[SameLoopClient]:
    """An HTTP client talking to the application, with its lifespan running on the test's
    event loop (``SameLoopClient``)."""
    async with SameLoopClient(create_app(container), base_url="http://portfolio.test") as client:
        yield client


@pytest.fixture
async def callers(client: SameLoopClient, container: Container) -> Callers:
    """Users of every kind, created once the application (and its pool) is up."""
    return await make_callers(container)


@pytest.fixture
async def two_instances(
    clean_database: str, tmp_path: Path
) -> AsyncIterator[tuple[Container, SameLoopClient, SameLoopClient]]:
    """Two applications, each with its own container and pool, over one database and media
    root: two workers or two hosts. The first container is returned to make users with."""
    settings = Settings(media_root=tmp_path)
    first = Container(settings=settings, database_url=clean_database)
    second = Container(settings=settings, database_url=clean_database)
    async with (
        SameLoopClient(create_app(first)) as one,
        SameLoopClient(create_app(second)) as other,
    ):
        yield first, one, other


@pytest.fixture(
    params=["memory", pytest.param("postgres", marks=pytest.mark.postgres)],
)
async def wired(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[Container, SameLoopClient]]:
    """A container (in memory or over the emptied test database) and a client of its app."""
    settings = Settings(media_root=tmp_path)
    if request.param == "memory":
        container = in_memory_container(settings)
    else:
        container = Container(
            settings=settings, database_url=request.getfixturevalue("clean_database")
        )
        container.passwords.override(providers.Object(cheap_passwords()))
    async with SameLoopClient(create_app(container)) as client:
        yield container, client


async def headers_of(container: Container, code: int) -> dict[str, dict[str, str]]:
    """Authorization headers of every kind of caller, relative to ``code``."""
    users, tokens = container.administer_users(), container.manage_tokens()
    await users.create("admin", is_admin=True)
    await users.create("former", is_admin=True, is_staff=True)
    await users.create("editor", is_staff=True, permissions=frozenset({code}))
    await users.create("others", is_staff=True, permissions=ALL_PERMISSION_CODES - {code})
    await users.create("outsider", permissions=frozenset({code}))
    headers = {"anonymous": {}}
    for name in ("admin", "former", "editor", "others", "outsider"):
        headers[name] = {"Authorization": f"Token {(await tokens.issue(name)).key}"}
    await deactivated_after_token(container, "former")
    return headers


EXPECTED = {
    "anonymous": (401, {"detail": "Authentication credentials were not provided."}),
    "former": (401, {"detail": "User inactive or deleted."}),
    "others": (403, {"detail": "You do not have permission to perform this action."}),
    "outsider": (403, {"detail": "You do not have permission to perform this action."}),
}
"""What every caller who may not call a route gets: anonymous, an inactive admin, staff without
the code and a non-staff user holding it."""
