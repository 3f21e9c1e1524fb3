"""Request bodies to use-case values, every bad field reported at once in DRF's words and
shape (``{"field": ["message"]}``); the same declaration documents the body in OpenAPI."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import msgspec
from litestar.openapi import spec as openapi
from litestar.openapi.spec import OpenAPIFormat, OpenAPIType, Schema

from portfolio.application.ids import MAX_ID, is_id
from portfolio.entrypoints.http.request_errors import InvalidFields

NON_FIELD_ERRORS = "non_field_errors"
REQUIRED = "This field is required."
NOT_NULL = "This field may not be null."
READ_ONLY = "This field is read-only."
UNKNOWN = "Unknown field."
NOT_A_STRING = "Not a valid string."
BLANK = "This field may not be blank."
NULL_CHARACTERS = "Null characters are not allowed."
NOT_AN_INTEGER = "A valid integer is required."
NOT_A_BOOLEAN = "Must be a valid boolean."
BAD_DATETIME = (
    "Datetime has wrong format. Use one of these formats instead: "
    "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
)
# A date and a time are both required; datetime.fromisoformat checks the rest.
_DATETIME_START = re.compile(r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d")

# The characters str.strip() trims (those str.isspace() accepts), spelled out for the schemas:
# a pattern's \s is ECMA's set, which is another one.
WHITE_SPACE = r"\t-\r\x1c- \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NO_NUL = r"^[^\x00]*$"
"""The pattern of a string without NUL characters, which Postgres cannot store."""
NOT_BLANK = rf"^[^\x00]*[^\x00{WHITE_SPACE}][^\x00]*$"
"""The pattern of a string without NUL that is not only white space."""

_HEX = "[0-9A-Fa-f]{1,4}"
# Every spelling of an IPv6 address that ipaddress accepts, but zones and embedded IPv4.
_IPV6 = "|".join(
    (
        rf"(?:{_HEX}:){{7}}{_HEX}",
        rf"(?:{_HEX}:){{1,7}}:",
        rf"(?:{_HEX}:){{1,6}}:{_HEX}",
        *(rf"(?:{_HEX}:){{1,{n}}}(?::{_HEX}){{1,{7 - n}}}" for n in range(5, 0, -1)),
        rf":(?:(?::{_HEX}){{1,7}}|:)",
    )
)
_PORT = r"0*(?:[0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
_SUB_DELIMITERS = r"A-Za-z0-9._~!$&'()*+,;=%-"
URL_PATTERN = (
    r"[Hh][Tt][Tt][Pp][Ss]?://"
    rf"(?:[:{_SUB_DELIMITERS}]*@)?"
    rf"(?:[{_SUB_DELIMITERS}]+|\[(?:{_IPV6})\])"
    rf"(?::(?:{_PORT})?)?"
    r"(?:[/?#][^\x00-\x20\x7f]*)?"
)
"""An absolute http or https URL: an ASCII host name or address, then no space or control
character. The same text is the schema's pattern, so the schema says exactly what is taken."""


class Invalid(ValueError):
    """One value breaks one rule; the message is what the client reads."""


def _type_name(value: object) -> str:
    # DRF names Python's types, which for parsed JSON are these.
    return type(value).__name__


def items_of(value: object, max_items: int) -> list[Any]:
    """``value`` as a JSON list of at most ``max_items`` items; Invalid otherwise."""
    if not isinstance(value, list):
        raise Invalid(f'Expected a list of items but got type "{_type_name(value)}".')
    if len(value) > max_items:
        raise Invalid(f"Ensure this field has no more than {max_items} elements.")
    return value


class Rule(Protocol):
    """How one field's non-null value is checked, converted and documented."""

    def parse(self, value: object) -> object:
        """The value to store; Invalid when it breaks the rule."""

    def schema(self) -> Schema:
        """The OpenAPI schema of a non-null value."""


@dataclass(frozen=True, slots=True)
class Text:
    """A string, trimmed of surrounding white space like DRF's CharField."""

    max_length: int
    blank: bool = False
    pattern: re.Pattern[str] | None = None
    pattern_message: str = ""

    def parse(self, value: object) -> str:
        if not isinstance(value, str):
            raise Invalid(NOT_A_STRING)
        text = value.strip()
        if not text and not self.blank:
            raise Invalid(BLANK)
        # Counted as sent, white space included, so that the schema's maxLength is exact.
        if len(value) > self.max_length:
            raise Invalid(f"Ensure this field has no more than {self.max_length} characters.")
        if "\x00" in text:
            raise Invalid(NULL_CHARACTERS)
        if text and self.pattern is not None and not self.pattern.match(text):
            raise Invalid(self.pattern_message)
        return text

    def schema(self) -> Schema:
        return Schema(
            type=OpenAPIType.STRING,
            max_length=self.max_length,
            min_length=None if self.blank else 1,
            pattern=self._schema_pattern(),
        )

    def _schema_pattern(self) -> str:
        if self.pattern is None:
            return NO_NUL if self.blank else NOT_BLANK
        # The rule's pattern applies to the trimmed text: around it, white space may be sent.
        inner = self.pattern.pattern.removeprefix("^").removesuffix("$")
        optional = "?" if self.blank else ""
        return f"^[{WHITE_SPACE}]*(?:{inner}){optional}[{WHITE_SPACE}]*$"


@dataclass(frozen=True, slots=True)
class OptionalSlug:
    """A slug, where an empty one means "make one from the title" (None)."""

    text: Text

    def parse(self, value: object) -> object:
        return self.text.parse(value) or None

    def schema(self) -> Schema:
        return self.text.schema()


@dataclass(frozen=True, slots=True)
class Url:
    """An absolute http or https URL."""

    max_length: int

    def parse(self, value: object) -> object:
        text = Text(self.max_length).parse(value)
        # No control character or space anywhere: a URL with one could split a header or a
        # log line wherever a client echoes it.
        if not _URL.fullmatch(text):
            raise Invalid("Enter a valid URL.")
        return text

    def schema(self) -> Schema:
        return Schema(
            type=OpenAPIType.STRING,
            max_length=self.max_length,
            pattern=f"^[{WHITE_SPACE}]*{URL_PATTERN}[{WHITE_SPACE}]*$",
        )


_URL = re.compile(URL_PATTERN)


@dataclass(frozen=True, slots=True)
class Integer:
    """A JSON integer within bounds (the column's range)."""

    minimum: int
    maximum: int

    def parse(self, value: object) -> object:
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid(NOT_AN_INTEGER)
        if value > self.maximum:
            raise Invalid(f"Ensure this value is less than or equal to {self.maximum}.")
        if value < self.minimum:
            raise Invalid(f"Ensure this value is greater than or equal to {self.minimum}.")
        return value

    def schema(self) -> Schema:
        return Schema(type=OpenAPIType.INTEGER, minimum=self.minimum, maximum=self.maximum)


@dataclass(frozen=True, slots=True)
class Boolean:
    """A JSON ``true`` or ``false``."""

    def parse(self, value: object) -> object:
        if not isinstance(value, bool):
            raise Invalid(NOT_A_BOOLEAN)
        return value

    def schema(self) -> Schema:
        return Schema(type=OpenAPIType.BOOLEAN)


@dataclass(frozen=True, slots=True)
class Choice:
    """One of a fixed set of strings."""

    options: tuple[str, ...]

    def parse(self, value: object) -> object:
        if not isinstance(value, str) or value not in self.options:
            raise Invalid(f'"{value}" is not a valid choice.')
        return value

    def schema(self) -> Schema:
        return Schema(type=OpenAPIType.STRING, enum=list(self.options))


@dataclass(frozen=True, slots=True)
class Timestamp:
    """An ISO 8601 date and time; without an offset it is taken as UTC."""

    def parse(self, value: object) -> object:
        if not isinstance(value, str) or not _DATETIME_START.match(value):
            raise Invalid(BAD_DATETIME)
        try:
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:
                return moment.replace(tzinfo=UTC)
            return moment.astimezone(UTC)
        except (ValueError, OverflowError):
            raise Invalid(BAD_DATETIME) from None

    def schema(self) -> Schema:
        return Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.DATE_TIME)


def no_such_object(value: object) -> str:
    """DRF's words for a reference to an id that names nothing."""
    return f'Invalid pk "{value}" - object does not exist.'


@dataclass(frozen=True, slots=True)
class Reference:
    """The id of another object. Ids that could never exist are refused here; the store
    refuses the others."""

    def parse(self, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid(f"Incorrect type. Expected pk value, received {_type_name(value)}.")
        if not is_id(value):
            raise Invalid(no_such_object(value))
        return value

    def schema(self) -> Schema:
        return Schema(type=OpenAPIType.INTEGER, minimum=1, maximum=MAX_ID)


@dataclass(frozen=True, slots=True)
class References:
    """An ordered list of distinct ids of other objects."""

    max_items: int

    def parse(self, value: object) -> object:
        ids: list[int] = []
        for item in items_of(value, self.max_items):
            if item is None:
                raise Invalid(NOT_NULL)
            object_id = Reference().parse(item)
            if object_id in ids:
                raise Invalid(f'Each id may appear only once; "{object_id}" is repeated.')
            ids.append(object_id)
        return tuple(ids)

    def schema(self) -> Schema:
        return Schema(
            type=OpenAPIType.ARRAY,
            items=Reference().schema(),
            max_items=self.max_items,
            unique_items=True,
        )


@dataclass(frozen=True, slots=True)
class Field:
    """One writable field: its wire name, its rule, and the use-case attribute it fills."""

    name: str
    rule: Rule
    required: bool = False
    nullable: bool = False
    description: str = ""
    # What a create stores when the field is left out; documentation only, the use case's
    # ``*Fields`` class holds the real default.
    default: Any = None
    attribute: str = ""  # the use-case attribute it fills; empty: the name

    def __post_init__(self) -> None:
        if not self.attribute:
            object.__setattr__(self, "attribute", self.name)


@dataclass(frozen=True, slots=True)
class Form:
    """The writable fields of one resource; what its wire object ``shows`` besides is read-only."""

    name: str
    fields: tuple[Field, ...]
    shows: type[msgspec.Struct] | None = None
    example: Mapping[str, Any] = field(default_factory=dict)
    """A body that a create takes (on an empty database), for the OpenAPI examples."""

    @property
    def read_only(self) -> frozenset[str]:
        """The fields a client reads but may not send."""
        shown = self.shows.__struct_fields__ if self.shows else ()
        return frozenset(shown) - {spec.name for spec in self.fields}

    def values(self, raw: bytes, *, partial: bool) -> dict[str, Any]:
        """Use-case values from a JSON body (``partial``: no field required); InvalidFields for
        bad, missing, unknown and read-only fields."""
        return self.values_of(_json_object(raw), partial=partial)

    def values_of(self, body: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
        """``values`` of a body already read (a JSON object, or an HTML form's fields)."""
        errors: dict[str, list[str]] = {}
        values: dict[str, Any] = {}
        for spec in self.fields:
            if spec.name not in body:
                if spec.required and not partial:
                    errors[spec.name] = [REQUIRED]
                continue
            try:
                values[spec.attribute] = _parsed(spec, body[spec.name])
            except Invalid as error:
                errors[spec.name] = [str(error)]
        known = {spec.name for spec in self.fields}
        for name in body:
            if name not in known:
                errors[name] = [READ_ONLY if name in self.read_only else UNKNOWN]
        if errors:
            raise InvalidFields(errors)
        return values

    def schema(self, *, partial: bool) -> Schema:
        """The body's OpenAPI schema; no field is required when ``partial``."""
        properties: dict[str, openapi.Reference | Schema] = {}
        for spec in self.fields:
            value = spec.rule.schema()
            if spec.nullable and isinstance(value.type, OpenAPIType):
                value.type = [value.type, OpenAPIType.NULL]
            value.description = spec.description or None
            # A patch leaves out what it does not change: a default there would make generated
            # clients send it, and so reset the field.
            if not spec.required and not partial:
                value.default = spec.default
            properties[spec.name] = value
        required = [] if partial else [spec.name for spec in self.fields if spec.required]
        return Schema(
            type=OpenAPIType.OBJECT,
            title=f"{self.name}{'Patch' if partial else 'Write'}",
            properties=properties,
            required=required or None,
            additional_properties=False,
            description=(
                "Every field is optional; only the fields sent change."
                if partial
                else "Fields left out take their defaults."
            ),
        )


def _parsed(spec: Field, value: object) -> object:
    if value is None:
        if not spec.nullable:
            raise Invalid(NOT_NULL)
        return None
    return spec.rule.parse(value)


def _json_object(raw: bytes) -> Mapping[str, Any]:
    # An empty body is an empty object, as DRF's JSON parser has it.
    if not raw.strip():
        return {}
    try:
        body = msgspec.json.decode(raw)
    except (msgspec.DecodeError, RecursionError, UnicodeDecodeError) as error:
        # The project's own words, never the decoder's: its wording changes between releases.
        raise InvalidFields({NON_FIELD_ERRORS: [_json_problem(raw, error)]}) from None
    if not isinstance(body, dict):
        message = f"Invalid data. Expected a dictionary, but got {_type_name(body)}."
        raise InvalidFields({NON_FIELD_ERRORS: [message]})
    return body


JSON_NOT_UTF8 = "JSON parse error - the body is not valid UTF-8."
JSON_TOO_DEEP = "JSON parse error - the body is nested too deeply."
JSON_MALFORMED = "JSON parse error - the body is not valid JSON."


def _json_problem(raw: bytes, error: Exception) -> str:
    if isinstance(error, RecursionError):
        return JSON_TOO_DEEP
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return JSON_NOT_UTF8
    return JSON_MALFORMED


JSON_BODY_LIMIT = 1024 * 1024
"""The largest JSON body a write accepts (413 beyond): ample for the longest description."""
