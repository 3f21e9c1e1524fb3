"""Who may do what with ``/api/media/``: every method, every kind of caller, on the in-memory and
the Postgres wiring; missing and malformed ids are decided after both checks."""

from __future__ import annotations

import io
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from portfolio.domain import Action, Resource, permission_code
from portfolio.entrypoints.container import Container
from tests import media_samples
from tests.e2e.conftest import EXPECTED, headers_of

Client = AsyncTestClient  # type: ignore[type-arg]
COLLECTION = "/api/media/"
# (method, on one object?, success status) per action the media routes serve.
ACTIONS = {
    Action.LIST: ("GET", False, 200),
    Action.CREATE: ("POST", False, 201),
    Action.RETRIEVE: ("GET", True, 200),
    Action.UPDATE: ("PATCH", True, 200),
    Action.DELETE: ("DELETE", True, 204),
}


async def stored_image(container: Container) -> int:
    """A new PNG media object, made through the use case; its id."""
    media = await container.upload_media()(io.BytesIO(media_samples.png()), "logo.png")
    return media.id


@pytest.mark.parametrize("action", list(ACTIONS))
async def test_only_admins_and_staff_holding_the_code_may_call(
    wired: tuple[Container, Client], action: Action
) -> None:
    container, client = wired
    code = permission_code(Resource.MEDIA, action)
    headers = await headers_of(container, code)
    method, on_object, success = ACTIONS[action]

    async def call(caller: str) -> Any:
        path = COLLECTION
        if on_object:
            path += str(await stored_image(container))
        files = {"file": ("photo.png", media_samples.png())} if method == "POST" else None
        body = {"alt": "A logo"} if method == "PATCH" else None
        return await client.request(method, path, headers=headers[caller], files=files, json=body)

    for caller, (status, body) in EXPECTED.items():
        response = await call(caller)
        assert (response.status_code, response.json()) == (status, body), (caller, code)
    for caller in ("editor", "admin"):
        response = await call(caller)
        assert response.status_code == success, (caller, code, response.text)


@pytest.mark.parametrize("raw_id", ["999", "abc", "0", "-1", "1.5", "9223372036854775808"])
@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
async def test_a_missing_or_malformed_id_is_404_only_after_authentication_and_permission(
    wired: tuple[Container, Client], method: str, raw_id: str
) -> None:
    container, client = wired
    action = {"GET": Action.RETRIEVE, "PATCH": Action.UPDATE, "DELETE": Action.DELETE}[method]
    headers = await headers_of(container, permission_code(Resource.MEDIA, action))
    path = f"{COLLECTION}{raw_id}"
    # A PATCH's body is valid, or else invalid: a missing object is 404 either way.
    body = {"alt": "x"} if method == "PATCH" else None

    assert (await client.request(method, path, json=body)).status_code == 401
    refused = await client.request(method, path, headers=headers["outsider"], json=body)
    assert refused.status_code == 403
    found = await client.request(method, path, headers=headers["editor"], json=body)
    assert (found.status_code, found.json()) == (404, {"detail": "Not found."})


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/api/media/1", {"GET", "PATCH", "DELETE"}),
        ("POST", "/api/media/1", {"GET", "PATCH", "DELETE"}),
        ("DELETE", "/api/media/", {"GET", "POST"}),
        ("PUT", "/api/media/", {"GET", "POST"}),
    ],
)
async def test_a_method_the_route_does_not_serve_is_405_before_authentication(
    wired: tuple[Container, Client], method: str, path: str, allowed: set[str]
) -> None:
    _, client = wired
    response = await client.request(method, path)
    assert response.status_code == 405
    assert response.json() == {"detail": f'Method "{method}" not allowed.'}
    assert allowed <= {verb.strip() for verb in response.headers["allow"].split(",")}
