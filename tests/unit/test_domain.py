"""Pure domain rules: sizes, permission codes, who may do what."""

from __future__ import annotations

import pytest

from portfolio.domain import (
    RETRIEVE_PORTFOLIO,
    Action,
    Principal,
    Resource,
    human_readable_size,
    is_permission_code,
    permission_code,
)
from tests.builders import ALL_PERMISSION_CODES


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (0, "0.00 B"),
        (512, "512.00 B"),
        (1023, "1023.00 B"),
        (1024, "1.00 KB"),
        (73062, "71.35 KB"),
        (5 * 1024**2 + 512 * 1024, "5.50 MB"),
        (3 * 1024**3, "3.00 GB"),
        (2 * 1024**4, "2.00 TB"),
        (2048 * 1024**4, "2048.00 TB"),
    ],
)
def test_human_readable_size_is_base_1024_with_two_decimals(size: int, expected: str) -> None:
    assert human_readable_size(size) == expected


def test_retrieve_portfolio_is_4202() -> None:
    assert RETRIEVE_PORTFOLIO == 4202
    assert permission_code(Resource.MEDIA, Action.CREATE) == 4103
    assert permission_code(Resource.META, Action.DELETE) == 4605


def test_users_are_47xx_and_tokens_48xx() -> None:
    assert permission_code(Resource.USERS, Action.UPDATE) == 4704
    assert permission_code(Resource.TOKENS, Action.DELETE) == 4805


def test_the_forty_documented_codes_stay_valid_and_only_real_codes_are() -> None:
    # 4101 to 4805, as the API document lists them; a new kind of object adds its own five.
    documented = {resource * 100 + action for resource in range(41, 49) for action in range(1, 6)}
    assert documented <= ALL_PERMISSION_CODES
    assert len(ALL_PERMISSION_CODES) == 5 * len(Resource)
    assert all(is_permission_code(code) for code in ALL_PERMISSION_CODES)
    for bogus in (0, 4200, 4206, 4001, 4706, 4900, 9999, -4202):
        assert not is_permission_code(bogus)


def _user(**flags: object) -> Principal:
    values: dict[str, object] = {
        "id": 1,
        "username": "u",
        "is_active": True,
        "is_staff": False,
        "is_admin": False,
        "permissions": frozenset(),
    }
    values.update(flags)
    return Principal(**values)  # type: ignore[arg-type]


def test_active_admin_may_do_anything() -> None:
    assert _user(is_admin=True).may(RETRIEVE_PORTFOLIO)


def test_staff_needs_the_code() -> None:
    assert not _user(is_staff=True).may(RETRIEVE_PORTFOLIO)
    assert _user(is_staff=True, permissions=frozenset({4202})).may(RETRIEVE_PORTFOLIO)
    assert not _user(is_staff=True, permissions=frozenset({4201})).may(RETRIEVE_PORTFOLIO)


def test_non_staff_with_the_code_may_not() -> None:
    assert not _user(permissions=frozenset({4202})).may(RETRIEVE_PORTFOLIO)


def test_inactive_users_may_nothing() -> None:
    assert not _user(is_admin=True, is_active=False).may(RETRIEVE_PORTFOLIO)
    assert not _user(is_staff=True, is_active=False, permissions=frozenset({4202})).may(4202)
