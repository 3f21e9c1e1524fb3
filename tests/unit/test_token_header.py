"""Parsing ``Authorization: Token <key>`` exactly as Django REST Framework does."""

from __future__ import annotations

import pytest

from portfolio.domain import AuthenticationFailed
from portfolio.entrypoints.http.auth import HAS_SPACES, NO_CREDENTIALS, token_from_header
from portfolio.entrypoints.http.request_errors import NotAuthenticated


@pytest.mark.parametrize(
    "header", [None, "", "   ", "Bearer abc", "Basic dXNlcjpwYXNz", "Tokens abc", "abc"]
)
def test_other_schemes_count_as_no_credentials(header: str | None) -> None:
    with pytest.raises(NotAuthenticated):
        token_from_header(header)


@pytest.mark.parametrize("keyword", ["Token", "token", "TOKEN", "tOkEn"])
def test_keyword_is_case_insensitive(keyword: str) -> None:
    assert token_from_header(f"{keyword} abc123") == "abc123"


def test_extra_ascii_whitespace_around_parts_is_ignored() -> None:
    assert token_from_header("Token\tabc123  ") == "abc123"


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Token", NO_CREDENTIALS),
        ("Token   ", NO_CREDENTIALS),
        ("Token a b", HAS_SPACES),
        ("Token a b c", HAS_SPACES),
    ],
)
def test_malformed_token_headers_fail_with_drf_messages(header: str, message: str) -> None:
    with pytest.raises(AuthenticationFailed, match=message.replace(".", r"\.")):
        token_from_header(header)


def test_non_utf8_key_bytes_are_invalid_characters() -> None:
    # Header values arrive decoded as latin-1; "\xff" is a byte that is never valid UTF-8.
    with pytest.raises(AuthenticationFailed, match="invalid characters"):
        token_from_header("Token abc\xff")


def test_non_breaking_space_stays_inside_the_key() -> None:
    # DRF splits on ASCII white space only, so U+00A0 is part of the (then invalid) key.
    assert token_from_header("Token a\xa0b".encode().decode("latin-1")) == "a\xa0b"
