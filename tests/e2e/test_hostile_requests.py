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
