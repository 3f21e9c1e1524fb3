"""Who may do what: every method on every authoring route, for every kind of caller, on the
in-memory and the Postgres wiring."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import count
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from portfolio.application.changes import OPERATOR
from portfolio.domain import Action, Resource, permission_code
from portfolio.entrypoints.container import Container
from tests.e2e.conftest import EXPECTED, headers_of

Client = AsyncTestClient  # type: ignore[type-arg]

_names = count(1)


@dataclass(frozen=True)
class Route:
    """One resource's collection path, its code prefix and how to make one of it."""

    path: str
    resource: Resource
    field: str
    manage: str

    def body(self) -> dict[str, str]:
        """A valid write body with a name never used before."""
        return {self.field: f"thing {next(_names)}"}

    async def make(self, container: Container) -> int:
        """A new object, made through the use case; its id."""
        created = await getattr(container, self.manage)().create(self.body(), OPERATOR)
        return int(created.id)


ROUTES = {
    "portfolios": Route("/api/portfolios/", Resource.PORTFOLIOS, "title", "manage_portfolios"),
    "employers": Route("/api/employers/", Resource.EMPLOYERS, "name", "manage_employers"),
    "tags": Route("/api/tags/", Resource.TAGS, "name", "manage_tags"),
    "links": Route("/api/links/", Resource.LINKS, "name", "manage_links"),
    "meta": Route("/api/meta/", Resource.META, "key", "manage_meta"),
}
# (method, on one object?, success status) per action.
ACTIONS = {
    Action.LIST: ("GET", False, 200),
    Action.CREATE: ("POST", False, 201),
    Action.RETRIEVE: ("GET", True, 200),
    Action.UPDATE: ("PATCH", True, 200),
    Action.DELETE: ("DELETE", True, 204),
}


@pytest.mark.parametrize("route", list(ROUTES))
@pytest.mark.parametrize(
    ("action", "method"),
    [
        (Action.LIST, "GET"),
        (Action.CREATE, "POST"),
        (Action.RETRIEVE, "GET"),
        (Action.UPDATE, "PUT"),
        (Action.UPDATE, "PATCH"),
        (Action.DELETE, "DELETE"),
    ],
)
async def test_only_admins_and_staff_holding_the_code_may_call(
    wired: tuple[Container, Client], route: str, action: Action, method: str
) -> None:
    container, client = wired
    spec = ROUTES[route]
    code = permission_code(spec.resource, action)
    headers = await headers_of(container, code)
    _, on_object, success = ACTIONS[action]

    async def call(caller: str) -> Any:
        path = spec.path
        if on_object:
            path += str(await spec.make(container))
        body = spec.body() if method in ("POST", "PUT", "PATCH") else None
        return await client.request(method, path, headers=headers[caller], json=body)

    for caller, (status, body) in EXPECTED.items():
        response = await call(caller)
        assert (response.status_code, response.json()) == (status, body), (caller, code)
    for caller in ("editor", "admin"):
        response = await call(caller)
        assert response.status_code == success, (caller, code, response.text)


@pytest.mark.parametrize("route", list(ROUTES))
async def test_a_missing_object_is_decided_after_authentication_and_permission(
    wired: tuple[Container, Client], route: str
) -> None:
    container, client = wired
    spec = ROUTES[route]
    headers = await headers_of(container, permission_code(spec.resource, Action.DELETE))
    for method in ("GET", "PUT", "PATCH", "DELETE"):
        path = f"{spec.path}999"
        anonymous = await client.request(method, path, json={})
        assert anonymous.status_code == 401
        refused = await client.request(method, path, headers=headers["outsider"], json={})
        assert refused.status_code == 403
