"""No 304 and no answer sent from memory hides a change, on every GET route there is: the
routes come from the application's own route table, and a route without a case here fails
the test. The shared kinds' cases follow from their declarations (``SHARED_RESOURCES``), so a
new kind is covered as declared.

For each route: build an answer (200, ETag E1), get it again twice (the same bytes, the last
sent from memory where the route allows it), revalidate it (304, twice: built and compared,
then answered from what the first revalidation learnt), change what it shows through the API,
get it (200, a new ETag E2: no answer sent from memory hides the change either), revalidate
with E1 (200, the same E2 and bytes), revalidate with E2 (304), change it again through the
``portfolio`` command (another process, writing to the same database), and likewise.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args, get_type_hints

import pytest
from litestar.routes import HTTPRoute
from litestar.testing import AsyncTestClient

from portfolio.entrypoints.container import Container
from portfolio.entrypoints.http.forms import Reference, Text
from portfolio.entrypoints.http.resource import Resource
from portfolio.entrypoints.http.shared_objects import SHARED_RESOURCES
from portfolio.entrypoints.http.wire import ImageData
from portfolio.entrypoints.settings import Settings
from tests import media_samples

pytestmark = pytest.mark.postgres

Client = AsyncTestClient  # type: ignore[type-arg]
PORTFOLIO = str(Path(sys.executable).parent / "portfolio")
WEBHOOKS_KEY = os.urandom(32)
"""Seals the webhooks' secrets, in the application under test and in the CLI's processes."""


@pytest.fixture
def settings(media_root: Path) -> Settings:
    return Settings(
        media_root=media_root,
        db_acquire_timeout=2.0,
        webhooks_keys=(WEBHOOKS_KEY,),
        webhooks_allow_private_targets=True,
        background=False,
    )


@dataclass
class World:
    """What the cases act on: the objects made through the API, and how to reach the CLI."""

    client: Client
    admin: dict[str, str]
    staff: dict[str, str]
    ids: dict[str, int]
    database: str
    media_root: Path
    tmp: Path

    async def call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.client.request(method, path, headers=self.admin, **kwargs)
        assert response.status_code < 300, (method, path, response.text)
        return response.json() if response.content else None

    async def upload(self, name: str) -> int:
        files = {"file": (name, media_samples.png((90, 60)), "image/png")}
        created = await self.call("POST", "/api/media/", files=files)
        return int(created["id"])

    def cli(self, *args: str) -> None:
        env = {
            **os.environ,
            "PORTFOLIO_DATABASE_URL": self.database,
            "PORTFOLIO_MEDIA_ROOT": str(self.media_root),
            "PORTFOLIO_WEBHOOKS_KEY": base64.b64encode(WEBHOOKS_KEY).decode(),
            "PORTFOLIO_WEBHOOKS_ALLOW_PRIVATE_TARGETS": "true",
            "PORTFOLIO_BACKGROUND": "false",
        }
        done = subprocess.run(
            [PORTFOLIO, *args], env=env, capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, (args, done.stdout, done.stderr)


Change = Callable[[World], Awaitable[None]]


@dataclass(frozen=True)
class Case:
    """How to reach a route's answer and change what it shows, through the API and the CLI."""

    path: Callable[[World], str]
    by_api: Change | None
    """None where no API write can change the answer (checked: the route has no PUT or
    PATCH); a case must name one once such a write exists."""
    by_cli: Change
    caller: str = "admin"


def regenerate_thumbnails(image: str) -> Change:
    """The CLI re-creates an image's thumbnails: new thumbnail records, so new ids shown."""

    async def change(world: World) -> None:
        world.cli("media", "thumbnails", "--force", str(world.ids[image]))

    return change


def patch(path: Callable[[World], str], body: dict[str, Any]) -> Change:
    async def change(world: World) -> None:
        await world.call("PATCH", path(world), json=body)

    return change


def operator_patch(path: Callable[[World], str], body: str) -> Change:
    """The CLI calls the API in-process as the operator (``portfolio api``)."""

    async def change(world: World) -> None:
        world.cli("api", "PATCH", path(world), "--data", body)

    return change


def shows_an_image(resource: Resource[Any]) -> bool:
    """Whether the kind's wire object shows an image with thumbnails (a meta entry shows its
    file without them)."""
    hints = get_type_hints(resource.data).values()
    return any(hint is ImageData or ImageData in get_args(hint) for hint in hints)


def created(resource: Resource[Any], world: World) -> dict[str, Any]:
    """A create's body for the kind: its form's example, every media reference the logo."""
    assert resource.form is not None
    references = {
        field.name: world.ids["logo"]
        for field in resource.form.fields
        if isinstance(field.rule, Reference)
    }
    return {**resource.form.example, **references}


def shared(resource: Resource[Any]) -> dict[str, Case]:
    """The list and item routes of a shared kind, as declared: the API changes its first text
    field; the CLI re-creates the logo's thumbnails when it shows an image, or else changes
    that field through ``portfolio api``."""
    assert resource.form is not None
    collection = resource.path
    field = next(field.name for field in resource.form.fields if isinstance(field.rule, Text))

    def item(world: World) -> str:
        return f"/api/{collection}/{world.ids[collection]}"

    by_api = patch(item, {field: "changed through the API"})
    by_cli = (
        regenerate_thumbnails("logo")
        if shows_an_image(resource)
        else operator_patch(item, f'{{"{field}": "changed through the CLI"}}')
    )
    return {
        f"/api/{collection}/": Case(lambda _: f"/api/{collection}/", by_api, by_cli),
        f"/api/{collection}/{{id:str}}": Case(item, by_api, by_cli),
    }


async def upload_another(world: World) -> None:
    await world.upload("another.png")


async def add_file_by_cli(world: World) -> None:
    added = world.tmp / "added.png"
    added.write_bytes(media_samples.png((30, 20)))
    world.cli("media", "add", str(added))


def user_path(world: World) -> str:
    return f"/api/users/{world.ids['target']}"


async def revoke_target_token(world: World) -> None:
    await world.call("DELETE", f"/api/users/{world.ids['target']}/tokens/{world.ids['token']}")


async def issue_target_token(world: World) -> None:
    world.cli("tokens", "create", "target")


async def grant_staff(world: World) -> None:
    world.cli("users", "grant", "staff", "4203")


async def grant_target(world: World) -> None:
    world.cli("users", "grant", "target", "4203")


async def create_user_by_cli(world: World) -> None:
    world.cli("users", "create", "newcomer")


async def patch_staff(world: World) -> None:
    await world.call("PATCH", f"/api/users/{world.ids['staff']}", json={"permissions": [4201]})


def portfolio_path(world: World) -> str:
    return f"/api/portfolios/{world.ids['portfolio']}"


def webhook_path(world: World) -> str:
    return f"/api/webhooks/{world.ids['webhook']}"


async def ping_webhook(world: World) -> None:
    await world.call("POST", f"{webhook_path(world)}/ping/")


async def ping_webhook_by_cli(world: World) -> None:
    world.cli("api", "POST", f"{webhook_path(world)}/ping/")


async def trash_portfolio(world: World) -> None:
    await world.call("DELETE", portfolio_path(world))


async def restore_portfolio_by_cli(world: World) -> None:
    world.cli("api", "POST", f"{portfolio_path(world)}/restore/")


CASES: dict[str, Case] = {
    "/api/portfolios/": Case(
        lambda _: "/api/portfolios/",
        patch(portfolio_path, {"excerpt": "changed"}),
        regenerate_thumbnails("cover"),
    ),
    "/api/portfolios/{id:str}": Case(
        portfolio_path,
        patch(portfolio_path, {"excerpt": "changed"}),
        regenerate_thumbnails("cover"),
    ),
    "/api/portfolios/{id:str}/revisions/": Case(
        lambda w: f"{portfolio_path(w)}/revisions/",
        patch(portfolio_path, {"excerpt": "changed"}),
        operator_patch(portfolio_path, '{"excerpt": "changed through the CLI"}'),
    ),
    "/api/portfolios/trash/": Case(
        lambda _: "/api/portfolios/trash/", trash_portfolio, restore_portfolio_by_cli
    ),
    # Every shared kind, from its declaration.
    **{path: case for resource in SHARED_RESOURCES for path, case in shared(resource).items()},
    "/api/media/": Case(lambda _: "/api/media/", upload_another, add_file_by_cli),
    "/api/media/{id:str}": Case(
        lambda w: f"/api/media/{w.ids['cover']}",
        patch(lambda w: f"/api/media/{w.ids['cover']}", {"alt": "changed through the API"}),
        regenerate_thumbnails("cover"),
    ),
    "/api/users/": Case(
        lambda _: "/api/users/",
        patch(user_path, {"is_active": False}),
        create_user_by_cli,
    ),
    "/api/users/{id:str}": Case(
        user_path, patch(user_path, {"permissions": [4201, 4202]}), grant_target
    ),
    "/api/users/{id:str}/tokens/": Case(
        lambda w: f"/api/users/{w.ids['target']}/tokens/", revoke_target_token, issue_target_token
    ),
    "/api/auth/me/": Case(lambda _: "/api/auth/me/", patch_staff, grant_staff, caller="staff"),
    # Any write is an entry of the audit log: one through the API, one at the command line.
    "/api/audit/": Case(
        lambda _: "/api/audit/",
        patch(lambda w: f"/api/tags/{w.ids['tags']}", {"name": "Audited"}),
        grant_target,
    ),
    # Webhooks: admins only; the CLI reaches them through `portfolio api`.
    "/api/webhooks/": Case(
        lambda _: "/api/webhooks/",
        patch(webhook_path, {"description": "changed through the API"}),
        operator_patch(webhook_path, '{"description": "changed through the CLI"}'),
    ),
    "/api/webhooks/{id:str}": Case(
        webhook_path,
        patch(webhook_path, {"description": "changed through the API"}),
        operator_patch(webhook_path, '{"description": "changed through the CLI"}'),
    ),
    # A ping is one more delivery in the page.
    "/api/webhooks/{id:str}/deliveries/": Case(
        lambda w: f"{webhook_path(w)}/deliveries/", ping_webhook, ping_webhook_by_cli
    ),
    # The public read API, which anyone may revalidate (the caller's token is not looked at).
    "/api/public/portfolios/": Case(
        lambda _: "/api/public/portfolios/",
        patch(portfolio_path, {"excerpt": "changed"}),
        regenerate_thumbnails("cover"),
    ),
    "/api/public/portfolios/{slug:str}": Case(
        lambda _: "/api/public/portfolios/web-design",
        patch(portfolio_path, {"excerpt": "changed"}),
        regenerate_thumbnails("cover"),
    ),
    "/api/public/tags/": Case(
        lambda _: "/api/public/tags/",
        patch(lambda w: f"/api/tags/{w.ids['tags']}", {"name": "Renamed"}),
        regenerate_thumbnails("logo"),
    ),
    "/api/public/employers/": Case(
        lambda _: "/api/public/employers/",
        patch(lambda w: f"/api/employers/{w.ids['employers']}", {"description": "Changed"}),
        regenerate_thumbnails("logo"),
    ),
}


def writes_on(client: Client, template: str) -> set[str]:
    """The methods that change an object, served on the route ``template``."""
    return {
        method
        for route in client.app.routes
        if isinstance(route, HTTPRoute) and route.path.rstrip("/") == template.rstrip("/")
        for method in route.methods & {"PUT", "PATCH"}
    }


def get_routes(client: Client) -> set[str]:
    """Every GET route under ``/api/`` the application serves, by its path template (the
    router drops a trailing slash; the cases keep the one clients send)."""
    return {
        route.path.rstrip("/")
        for route in client.app.routes
        if isinstance(route, HTTPRoute)
        and route.path.startswith("/api/")
        and "GET" in route.methods
    }


async def make_world(
    client: Client, container: Container, database: str, media_root: Path, tmp: Path
) -> World:
    users, tokens = container.administer_users(), container.manage_tokens()
    await users.create("admin", is_admin=True, is_staff=True)
    staff = await users.create("staff", is_staff=True, permissions=frozenset({4202}))
    target = await users.create("target", is_staff=True, permissions=frozenset({4201}))
    admin_key = (await tokens.issue("admin")).key
    staff_key = (await tokens.issue("staff")).key
    target_token = (await tokens.issue("target")).token
    world = World(
        client,
        {"Authorization": f"Token {admin_key}", "Accept-Encoding": "identity"},
        {"Authorization": f"Token {staff_key}", "Accept-Encoding": "identity"},
        {"staff": staff.id, "target": target.id, "token": target_token.id},
        database,
        media_root,
        tmp,
    )
    world.ids["cover"] = await world.upload("cover.png")
    world.ids["logo"] = await world.upload("logo.png")
    for resource in SHARED_RESOURCES:
        made = await world.call("POST", f"/api/{resource.path}/", json=created(resource, world))
        world.ids[resource.path] = made["id"]
    portfolio = await world.call(
        "POST",
        "/api/portfolios/",
        json={
            "title": "Web design",
            "image": world.ids["cover"],
            "employer": world.ids["employers"],
            "tags": [world.ids["tags"]],
            "links": [world.ids["links"]],
            "meta": [world.ids["meta"]],
        },
    )
    world.ids["portfolio"] = portfolio["id"]
    hook = {"url": "http://127.0.0.1:9/hook", "events": ["portfolio.updated"]}
    world.ids["webhook"] = (await world.call("POST", "/api/webhooks/", json=hook))["id"]
    return world


async def test_every_get_route_has_a_revalidation_case(client: Client) -> None:
    served, cases = get_routes(client), {path.rstrip("/") for path in CASES}
    assert served - cases == set(), "GET routes with no revalidation case here"
    assert cases - served == set(), "cases for routes the application does not serve"


@pytest.mark.parametrize("route", sorted(CASES))
async def test_no_304_or_answer_from_memory_hides_a_change_by_the_api_or_the_cli(
    route: str,
    client: Client,
    container: Container,
    clean_database: str,
    media_root: Path,
    tmp_path: Path,
) -> None:
    world = await make_world(client, container, clean_database, media_root, tmp_path)
    case = CASES[route]
    headers = world.admin if case.caller == "admin" else world.staff
    path = case.path(world)

    async def revalidate(tag: str) -> Any:
        return await client.get(path, headers={**headers, "If-None-Match": tag})

    async def get_again(tag: str, content: bytes) -> None:
        for _ in range(2):
            again = await client.get(path, headers=headers)
            assert (again.status_code, again.headers["etag"]) == (200, tag), route
            assert again.content == content
        for _ in range(2):
            assert (await revalidate(tag)).status_code == 304

    first = await client.get(path, headers=headers)
    assert first.status_code == 200, first.text
    tag = first.headers["etag"]
    await get_again(tag, first.content)

    if case.by_api is None:
        assert writes_on(client, route) == set(), "name the API write that changes it"
    for change in (case.by_api, case.by_cli):
        if change is None:
            continue
        await change(world)
        shown = await client.get(path, headers=headers)
        assert shown.status_code == 200, (route, change.__name__, shown.text)
        assert shown.headers["etag"] != tag, (route, change.__name__)
        changed = await revalidate(tag)
        assert changed.status_code == 200, (route, change.__name__, changed.text)
        assert (changed.headers["etag"], changed.content) == (shown.headers["etag"], shown.content)
        tag = changed.headers["etag"]
        await get_again(tag, changed.content)
