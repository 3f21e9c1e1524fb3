"""What clients send to sign in and to manage users: the forms and their rules."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from litestar.openapi.spec import OpenAPIType, Schema

from portfolio.application.accounts.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from portfolio.entrypoints.http.accounts.wire import UserData
from portfolio.entrypoints.http.forms import (
    BLANK,
    NOT_A_STRING,
    NOT_AN_INTEGER,
    Boolean,
    Field,
    Form,
    Invalid,
    Text,
    items_of,
)
from portfolio.entrypoints.http.request_errors import InvalidFields

USERNAME_MAX_LENGTH = 150
USERNAME_PATTERN = re.compile(r"^[\w.@+-]+$")
BAD_USERNAME = (
    "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ "
    "characters."
)
MAX_CODES = 100
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


@dataclass(frozen=True, slots=True)
class Password:
    """A password as typed: never trimmed, at most MAX_PASSWORD_LENGTH characters."""

    def parse(self, value: object) -> str:
        """The password; its rules for new passwords are the use cases'."""
        if not isinstance(value, str):
            raise Invalid(NOT_A_STRING)
        if value == "":
            raise Invalid(BLANK)
        if len(value) > MAX_PASSWORD_LENGTH:
            raise Invalid(f"Ensure this field has no more than {MAX_PASSWORD_LENGTH} characters.")
        return value

    def schema(self) -> Schema:
        """A write-only string."""
        return Schema(
            type=OpenAPIType.STRING,
            min_length=1,
            max_length=MAX_PASSWORD_LENGTH,
            write_only=True,
        )


@dataclass(frozen=True, slots=True)
class PermissionCodes:
    """The whole set of codes a user holds, as a list of integers."""

    def parse(self, value: object) -> frozenset[int]:
        """The codes; whether each names a resource and action is the use cases' rule."""
        codes = items_of(value, MAX_CODES)
        if any(isinstance(code, bool) or not isinstance(code, int) for code in codes):
            raise Invalid(NOT_AN_INTEGER)
        return frozenset(codes)

    def schema(self) -> Schema:
        """An array of four-digit codes."""
        return Schema(
            type=OpenAPIType.ARRAY,
            items=Schema(type=OpenAPIType.INTEGER, minimum=1000, maximum=9999),
            max_items=MAX_CODES,
            unique_items=True,
        )


_USERNAME = Text(
    max_length=USERNAME_MAX_LENGTH, pattern=USERNAME_PATTERN, pattern_message=BAD_USERNAME
)
_NEW_PASSWORD = (
    f"At least {MIN_PASSWORD_LENGTH} characters, not all white space; stored only as an "
    "Argon2id hash and never shown again."
)

SIGN_IN_FORM = Form(
    name="SignIn",
    example={"username": "admin", "password": "correct horse battery staple"},
    fields=(
        Field("username", Text(max_length=USERNAME_MAX_LENGTH), required=True),
        Field("password", Password(), required=True),
    ),
)

USER_FORM = Form(
    name="User",
    example={
        "username": "editor",
        "password": "correct horse battery staple",
        "is_staff": True,
        "permissions": [4201, 4202],
    },
    fields=(
        Field(
            "username",
            _USERNAME,
            required=True,
            description="Unique; letters, digits and @ . + - _.",
        ),
        Field(
            "password",
            Password(),
            nullable=True,
            description=f"{_NEW_PASSWORD} Null or left out: the user cannot sign in with one.",
        ),
        Field("is_staff", Boolean(), description="May use the codes granted.", default=False),
        Field(
            "is_admin",
            Boolean(),
            description="May do everything; only admins grant it.",
            default=False,
        ),
        Field(
            "is_active",
            Boolean(),
            description="Inactive users cannot sign in, and their tokens are refused.",
            default=True,
        ),
        Field(
            "permissions",
            PermissionCodes(),
            description="The whole set of codes held (`<resource><action>`); staff other than "
            "admins grant only codes they hold themselves.",
            default=[],
        ),
    ),
    shows=UserData,
)

PASSWORD_FORM = Form(
    name="NewPassword",
    example={"password": "correct horse battery staple"},
    fields=(Field("password", Password(), required=True, description=_NEW_PASSWORD),),
)


def form_fields(raw: bytes) -> dict[str, Any]:
    """The fields of an URL-encoded HTML form; a name sent twice keeps its last value."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidFields({"non_field_errors": ["The form is not valid UTF-8."]}) from None
    try:
        return dict(parse_qsl(text, keep_blank_values=True, max_num_fields=20))
    except ValueError:
        raise InvalidFields({"non_field_errors": ["The form has too many fields."]}) from None
