"""What clients send about portfolios: the write body, and the list's filters and ordering."""

from __future__ import annotations

from typing import Annotated

from litestar.openapi.spec import OpenAPIType, Schema
from litestar.params import Parameter

from portfolio.application.listing import PortfolioFilter, portfolio_ordering, search_terms
from portfolio.application.portfolios.slugs import SLUG_MAX_LENGTH, SLUG_PATTERN
from portfolio.entrypoints.http.forms import (
    NO_NUL,
    NOT_A_BOOLEAN,
    NULL_CHARACTERS,
    Boolean,
    Field,
    Form,
    Integer,
    OptionalSlug,
    Reference,
    References,
    Text,
    Timestamp,
)
from portfolio.entrypoints.http.ids import parse_id
from portfolio.entrypoints.http.openapi import ID_SCHEMA, as_parameter
from portfolio.entrypoints.http.pages import checked_search
from portfolio.entrypoints.http.request_errors import InvalidFields

# Postgres integer, the column display_order is stored in.
_INT32 = 2**31
# More attachments than anyone shows on one page; keeps a write's statements bounded.
MAX_ATTACHMENTS = 100
BAD_SLUG = 'Enter a valid "slug" consisting of lower-case letters, numbers or hyphens.'
BAD_CHOICE = "Select a valid choice. That choice is not one of the available choices."

PORTFOLIO_FORM = Form(
    name="Portfolio",
    example={
        "title": "Web design",
        "excerpt": "A new shop front.",
        "order": 1,
        "is_active": True,
        "completed_at": "2026-03-03T17:26:28Z",
        "description": "Catalogue pages, search and checkout.",
    },
    fields=(
        Field("title", "title", Text(max_length=200), required=True, description="Unique."),
        Field(
            "slug",
            "slug",
            OptionalSlug(
                Text(SLUG_MAX_LENGTH, blank=True, pattern=SLUG_PATTERN, pattern_message=BAD_SLUG)
            ),
            nullable=True,
            description=(
                "Unique. Lower-case letters, digits and hyphens. Left out, null or empty: made "
                "from the title (`Web Design` -> `web-design`, then `web-design-2`, ...)."
            ),
        ),
        Field("excerpt", "excerpt", Text(max_length=1000, blank=True), default=""),
        Field(
            "order",
            "order",
            Integer(-_INT32, _INT32 - 1),
            default=0,
            description="Display order; lists sort by it, then by id.",
        ),
        Field(
            "image", "image_id", Reference(), nullable=True, description="The cover: a media id."
        ),
        Field("employer", "employer_id", Reference(), nullable=True, description="An employer id."),
        Field(
            "tags",
            "tag_ids",
            References(MAX_ATTACHMENTS),
            default=[],
            description="Tag ids, in the order they are shown.",
        ),
        Field(
            "links",
            "link_ids",
            References(MAX_ATTACHMENTS),
            default=[],
            description="Link ids, in the order they are shown.",
        ),
        Field("is_active", "is_active", Boolean(), default=True),
        Field(
            "completed_at",
            "completed_at",
            Timestamp(),
            nullable=True,
            description="ISO 8601; without an offset it is taken as UTC.",
        ),
        Field("description", "description", Text(max_length=50_000, blank=True), nullable=True),
        Field(
            "images",
            "image_ids",
            References(MAX_ATTACHMENTS),
            default=[],
            description="The gallery: media ids, in the order they are shown.",
        ),
        Field(
            "meta",
            "meta_ids",
            References(MAX_ATTACHMENTS),
            default=[],
            description="Meta entry ids, in the order they are shown.",
        ),
    ),
    read_only=frozenset(
        {
            "id",
            "created_at",
            "updated_at",
            "image_data",
            "employer_data",
            "tags_data",
            "links_data",
            "images_data",
        }
    ),
)

IsActiveParameter = Annotated[
    str | None,
    Parameter(
        description="`true` or `false` (also `1`, `0`, any case): only (in)active ones.",
        schema_extra=as_parameter(Schema(type=OpenAPIType.BOOLEAN, examples=[True])),
    ),
]
IdParameter = Annotated[
    str | None,
    Parameter(
        description="An id: only portfolios holding it (none when it names nothing).",
        schema_extra=as_parameter(ID_SCHEMA),
    ),
]
SlugParameter = Annotated[
    str | None,
    Parameter(
        description="Only the portfolio with this slug.",
        schema_extra=as_parameter(
            Schema(type=OpenAPIType.STRING, pattern=NO_NUL, examples=["web-design"])
        ),
    ),
]
OrderingParameter = Annotated[
    str | None,
    Parameter(
        description=(
            "Comma-separated, `-` for descending: `order`, `created_at`, `updated_at`, "
            "`completed_at`, `title` (case-insensitive). Unknown names are ignored; the "
            "default is `order`; ties go by id."
        ),
        schema_extra=as_parameter(Schema(type=OpenAPIType.STRING, examples=["-completed_at"])),
    ),
]

_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


def portfolio_filter(
    *,
    is_active: str | None,
    tag: str | None,
    employer: str | None,
    slug: str | None,
    search: str | None,
    ordering: str | None,
) -> PortfolioFilter:
    """The list's criteria from its query parameters; an empty parameter filters nothing.

    A malformed value is a 400 naming the parameter; a well-formed id that names nothing
    simply matches nothing.
    """
    errors: dict[str, list[str]] = {}
    active: bool | None = None
    if is_active:
        active = _BOOLEANS.get(is_active.lower())
        if active is None:
            errors["is_active"] = [NOT_A_BOOLEAN]
    ids: dict[str, int | None] = {}
    for name, raw in (("tag", tag), ("employer", employer)):
        ids[name] = parse_id(raw) if raw else None
        if raw and ids[name] is None:
            errors[name] = [BAD_CHOICE]
    if slug and "\x00" in slug:
        errors["slug"] = [NULL_CHARACTERS]
    try:
        terms = search_terms(checked_search(search))
    except InvalidFields as error:
        errors.update(error.errors)
    if errors:
        raise InvalidFields(errors)
    return PortfolioFilter(
        is_active=active,
        tag_id=ids["tag"],
        employer_id=ids["employer"],
        slug=slug or None,
        search=terms,
        ordering=portfolio_ordering(ordering),
    )
