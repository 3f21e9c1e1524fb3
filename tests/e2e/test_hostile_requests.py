"""Arbitrary headers and paths against the app (in memory): a clear 4xx, never a 500."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient

from portfolio.domain import AuthenticationFailed
from portfolio.entrypoints.http.app import create_app
from portfolio.entrypoints.http.auth import token_from_header
from portfolio.entrypoints.http.request_errors import NotAuthenticated
from tests.memory_container import in_memory_container

latin1_text = st.text(st.characters(min_codepoint=0, max_codepoint=255), max_size=200)


@given(latin1_text)
def test_token_header_parsing_fails_only_with_the_two_auth_errors(header: str) -> None:
    try:
        key = token_from_header(header)
    except (NotAuthenticated, AuthenticationFailed):
        return
    assert key and " " not in key


@pytest.fixture(scope="module")
def client_and_key() -> Iterator[tuple[TestClient[Any], str]]:
    container = in_memory_container()

    async def admin_key() -> str:
        await container.administer_users().create("admin", is_admin=True)
        return (await container.manage_tokens().issue("admin")).key

    key = asyncio.run(admin_key())
    with TestClient(create_app(container)) as client:
        yield client, key


header_safe = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=120)
path_segment = st.text(
    st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters="/?#%"), max_size=60
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(authorization=header_safe, segment=path_segment)
def test_any_authorization_and_id_get_a_json_4xx(
    client_and_key: tuple[TestClient[Any], str], authorization: str, segment: str
) -> None:
    client, _ = client_and_key
    response = client.get(f"/api/portfolios/{segment}", headers={"Authorization": authorization})
    assert response.status_code in (400, 401, 404, 405)
    assert set(response.json()) == {"detail"}


# An empty segment, or ".", which clients normalise away, names the list of portfolios.
id_segment = path_segment.filter(lambda segment: segment not in ("", "."))


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(segment=id_segment)
def test_an_admin_gets_404_for_any_id_that_names_nothing(
    client_and_key: tuple[TestClient[Any], str], segment: str
) -> None:
    client, key = client_and_key
    response = client.get(f"/api/portfolios/{segment}", headers={"Authorization": f"Token {key}"})
    assert response.status_code in (400, 404)
    assert set(response.json()) == {"detail"}


# Spellings that could never name an object: out of range (the use case's refusal) or no
# numeral at all (the edge's); the answer is one and the same 404, before the body is read or
# judged. (An id in range that names nothing, 9223372036854775807, is a lookup's 404: a write
# reads its body first.)
NEVER_IDS = [
    "0",
    "-1",
    "9223372036854775808",
    "1e3",
    "%201",  # " 1"
    "%EF%BC%91",  # a full-width digit one
    "0" * 30 + "1",
    "9" * 400,
]
TOO_LARGE = b'{"title": "' + b"x" * (2 * 1024 * 1024) + b'"}'
ID_ROUTES = [
    (method, f"/api/{plural}/{{}}", body)
    for plural in ("portfolios", "employers", "tags", "links", "meta", "media", "users", "webhooks")
    for method, body in (("GET", None), ("PATCH", b"{}"), ("PATCH", TOO_LARGE), ("DELETE", None))
] + [
    ("PUT", "/api/portfolios/{}", b'{"order": "x"}'),
    ("PUT", "/api/tags/{}", TOO_LARGE),
    ("POST", "/api/portfolios/{}/restore/", None),
    ("DELETE", "/api/portfolios/trash/{}", None),
    ("GET", "/api/portfolios/{}/revisions/", None),
    ("POST", "/api/portfolios/{}/revisions/1/restore/", None),
    ("POST", "/api/portfolios/1/revisions/{}/restore/", None),
    ("POST", "/api/portfolios/{}/move/", b'{"before": 1}'),
    ("POST", "/api/portfolios/{}/move/", TOO_LARGE),
    ("POST", "/api/users/{}/password/", b'{"password": "long enough password"}'),
    ("POST", "/api/users/{}/password/", TOO_LARGE),
    ("DELETE", "/api/users/{}/sign-in-failures/", None),
    ("GET", "/api/users/{}/tokens/", None),
    ("DELETE", "/api/users/{}/tokens/1", None),
    ("DELETE", "/api/users/1/tokens/{}", None),
    ("POST", "/api/webhooks/{}/rotate-secret/", None),
    ("POST", "/api/webhooks/{}/ping/", None),
    ("GET", "/api/webhooks/{}/deliveries/", None),
    ("PATCH", "/api/webhooks/{}", b'{"url": "https://127.0.0.1/"}'),
    ("POST", "/api/webhooks/{}/deliveries/1/retry/", None),
    ("POST", "/api/webhooks/1/deliveries/{}/retry/", None),
]
NOT_FOUND_HEADERS = {
    "cache-control": "private, no-cache",
    "content-length": "23",
    "content-type": "application/json",
    "vary": "Authorization, Accept-Encoding",
}


@pytest.mark.parametrize("raw_id", NEVER_IDS)
@pytest.mark.parametrize(
    ("method", "template", "body"),
    ID_ROUTES,
    ids=[f"{m} {t}{' too large' if b is TOO_LARGE else ''}" for m, t, b in ID_ROUTES],
)
def test_every_route_taking_an_id_answers_the_same_404_for_one_that_names_nothing(
    client_and_key: tuple[TestClient[Any], str],
    method: str,
    template: str,
    body: bytes | None,
    raw_id: str,
) -> None:
    client, key = client_and_key
    headers = {"Authorization": f"Token {key}", "content-type": "application/json"}
    response = client.request(method, template.format(raw_id), headers=headers, content=body)
    assert (response.status_code, response.content) == (404, b'{"detail":"Not found."}')
    answered = {name: response.headers.get(name) for name in NOT_FOUND_HEADERS}
    assert answered == NOT_FOUND_HEADERS
    assert set(response.headers) - {"date", "x-request-id"} == set(NOT_FOUND_HEADERS)
