"""``/api/portfolios``: the portfolio resource (permission codes 42xx): its wire object, its
form, its list's filters and ordering, and its endpoints."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec
from litestar.openapi.spec import OpenAPIType, Schema
from msgspec import UNSET, UnsetType

from portfolio.application.listing import (
    DEFAULT_PORTFOLIO_ORDER,
    Page,
    PortfolioFilter,
)
from portfolio.application.portfolios.bulk import (
    ACTIONS,
    MAX_IDS,
    RESTORE_FROM_TRASH,
    TAG,
    TAGGING,
    TRASH,
    BulkPortfolios,
)
from portfolio.application.portfolios.manage import ManagePortfolios
from portfolio.application.portfolios.moving import MovePortfolio
from portfolio.application.portfolios.revisions import ManageRevisions
from portfolio.application.portfolios.slugs import SLUG_MAX_LENGTH, SLUG_PATTERN
from portfolio.application.portfolios.trash import ManageTrash
from portfolio.domain import (
    Action,
    Portfolio,
    PortfolioNotFound,
    Publication,
    RevisionNotFound,
    permission_code,
)
from portfolio.domain import Resource as Code
from portfolio.entrypoints.http.auth import require_permission
from portfolio.entrypoints.http.errors import TAKEN_MEANWHILE
from portfolio.entrypoints.http.forms import (
    JSON_BODY_LIMIT,
    NO_NUL,
    NON_FIELD_ERRORS,
    NOT_A_BOOLEAN,
    NULL_CHARACTERS,
    REQUIRED,
    Boolean,
    Choice,
    Field,
    Form,
    Integer,
    OptionalSlug,
    Reference,
    References,
    Text,
    Timestamp,
)
from portfolio.entrypoints.http.ids import parse_id, path_id
from portfolio.entrypoints.http.injection import Injected
from portfolio.entrypoints.http.openapi import (
    ID_SCHEMA,
    documented,
    responses,
    with_answer,
)
from portfolio.entrypoints.http.pages import (
    SEARCH_PARAMETER,
    QueryParameter,
    ordering,
    requested_page,
    search_terms,
)
from portfolio.entrypoints.http.request_errors import InvalidFields
from portfolio.entrypoints.http.resource import (
    CREATE,
    DELETE,
    LIST,
    PAGED_READ,
    REPLACE,
    RETRIEVE,
    UPDATE,
    AnyRequest,
    FormEndpoints,
    PathId,
    Resource,
    author_of,
    form_documented,
)
from portfolio.entrypoints.http.shared_objects import EmployerData, LinkData, MetaData, TagData
from portfolio.entrypoints.http.wire import ImageData, Presenter, named_page, presenter


class PortfolioData(msgspec.Struct, gc=False):
    """A whole portfolio, exactly as ``GET /api/portfolios/{id}`` returns it."""

    id: int
    title: str
    slug: str
    excerpt: str
    order: int
    image_data: ImageData | None
    employer_data: EmployerData | None
    tags_data: list[TagData]
    links_data: list[LinkData]
    is_active: bool
    completed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    description: str | None
    images_data: list[ImageData]
    meta: list[MetaData]
    # Left out of the API document's shape unless asked for (?expand=publishing).
    publish_at: datetime | UnsetType | None = UNSET
    unpublish_at: datetime | UnsetType | None = UNSET


# Postgres integer, the column display_order is stored in.
_INT32 = 2**31
# More attachments than anyone shows on one page; keeps a write's statements bounded.
MAX_ATTACHMENTS = 100
BAD_SLUG = 'Enter a valid "slug" consisting of lower-case letters, numbers or hyphens.'
BAD_CHOICE = "Select a valid choice. That choice is not one of the available choices."


def _attached(name: str, attribute: str, what: str) -> Field:
    return Field(
        name,
        References(MAX_ATTACHMENTS),
        attribute=attribute,
        default=[],
        description=f"{what}, in the order they are shown.",
    )


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
        Field("title", Text(max_length=200), required=True, description="Unique."),
        Field(
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
        Field("excerpt", Text(max_length=1000, blank=True), default=""),
        Field(
            "order",
            Integer(-_INT32, _INT32 - 1),
            default=0,
            description="Display order; lists sort by it, then by id.",
        ),
        Field(
            "image",
            Reference(),
            attribute="image_id",
            nullable=True,
            description="The cover: a media id.",
        ),
        Field(
            "employer",
            Reference(),
            attribute="employer_id",
            nullable=True,
            description="An employer id.",
        ),
        _attached("tags", "tag_ids", "Tag ids"),
        _attached("links", "link_ids", "Link ids"),
        Field("is_active", Boolean(), default=True),
        Field(
            "completed_at",
            Timestamp(),
            nullable=True,
            description="ISO 8601; without an offset it is taken as UTC.",
        ),
        Field("description", Text(max_length=50_000, blank=True), nullable=True),
        _attached("images", "image_ids", "The gallery: media ids"),
        _attached("meta", "meta_ids", "Meta entry ids"),
        Field(
            "publish_at",
            Timestamp(),
            nullable=True,
            description="When it goes live on the website (null: as soon as it is active). "
            "ISO 8601; without an offset it is taken as UTC.",
        ),
        Field(
            "unpublish_at",
            Timestamp(),
            nullable=True,
            description="When it is withdrawn from the website (null: never); after `publish_at`.",
        ),
    ),
    shows=PortfolioData,
)

PUBLISHING = "publishing"
_ID_FILTER = "An id: only portfolios holding it (none when it names nothing)."
PORTFOLIO_QUERY = (
    QueryParameter(
        "ordering",
        "Comma-separated, `-` for descending: `order`, `created_at`, `updated_at`, "
        "`completed_at`, `title` (case-insensitive). Unknown names are ignored; the default is "
        "`order`; ties go by id.",
        Schema(type=OpenAPIType.STRING, examples=["-completed_at"]),
    ),
    SEARCH_PARAMETER,
    QueryParameter(
        "is_active",
        "`true` or `false` (also `1`, `0`, any case): only (in)active ones.",
        Schema(type=OpenAPIType.BOOLEAN, examples=[True]),
    ),
    QueryParameter("tag", _ID_FILTER, ID_SCHEMA),
    QueryParameter("employer", _ID_FILTER, ID_SCHEMA),
    QueryParameter(
        "slug",
        "Only the portfolio with this slug.",
        Schema(type=OpenAPIType.STRING, pattern=NO_NUL, examples=["web-design"]),
    ),
    QueryParameter(
        "status",
        "Only those standing so on the website now: `live` (active, its `publish_at` passed "
        "or null, its `unpublish_at` to come or null), `scheduled` (active, `publish_at` to "
        "come), `expired` (active, `unpublish_at` passed) or `inactive`.",
        Schema(
            type=OpenAPIType.STRING,
            enum=[standing.value for standing in Publication],
            examples=[Publication.SCHEDULED.value],
        ),
    ),
)
EXPAND_PARAMETER = QueryParameter(
    "expand",
    "`publishing`: each portfolio also carries `publish_at` and `unpublish_at` after the API "
    "document's fields (left out otherwise, so the document's shape holds).",
    Schema(type=OpenAPIType.STRING, enum=[PUBLISHING], examples=[PUBLISHING]),
)

_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


def portfolio_filter(query: Any) -> PortfolioFilter:
    """The list's criteria from its query; an empty parameter filters nothing, a malformed one
    is a 400 naming it, an id that names nothing matches nothing."""
    errors: dict[str, list[str]] = {}
    active: bool | None = None
    if is_active := query.get("is_active"):
        active = _BOOLEANS.get(is_active.lower())
        if active is None:
            errors["is_active"] = [NOT_A_BOOLEAN]
    ids: dict[str, int | None] = {}
    for name in ("tag", "employer"):
        raw = query.get(name)
        ids[name] = parse_id(raw) if raw else None
        if raw and ids[name] is None:
            errors[name] = [BAD_CHOICE]
    slug = query.get("slug")
    if slug and "\x00" in slug:
        errors["slug"] = [NULL_CHARACTERS]
    status = query.get("status") or None
    if status is not None and status not in Publication._value2member_map_:
        errors["status"] = [BAD_CHOICE]
    terms: tuple[str, ...] = ()
    try:
        terms = search_terms(query.get("search"))
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
        ordering=ordering(query.get("ordering"), DEFAULT_PORTFOLIO_ORDER),
        publication=None if status is None else Publication(status),
    )


PORTFOLIOS: Resource[PortfolioData] = Resource(
    code=Code.PORTFOLIOS,
    data=PortfolioData,
    missing=PortfolioNotFound,
    form=PORTFOLIO_FORM,
    query=PORTFOLIO_QUERY,
    item_query=(EXPAND_PARAMETER,),
    body_limit=JSON_BODY_LIMIT,
    invalid_example={
        "title": ["portfolio with this title already exists."],
        "tags": ['Invalid pk "999" - object does not exist.'],
    },
    list_errors={"is_active": [NOT_A_BOOLEAN], "tag": [BAD_CHOICE]},
    notes={
        LIST: "Whole portfolios (the retrieve shape), 20 a page, by `order` then id unless "
        "`?ordering=` says otherwise. `?search=` looks in the title, excerpt and description.",
        CREATE: "Answers the retrieve shape.",
        RETRIEVE: "The whole portfolio with its images, employer, tags, links, gallery and meta.",
        REPLACE: "The whole portfolio: fields left out take their defaults (a left-out slug is "
        "made from the title again).",
        UPDATE: "Only the fields sent change; a list sent replaces that whole list. A slug set "
        "to null or empty is made afresh from the title.",
        DELETE: "Moves the portfolio to the trash (`GET /api/portfolios/trash/`): from then on "
        "it answers 404 here and is in no list, count or filter and not on the website, its "
        "title and slug are free for others, and the employer, tags, links, media and meta it "
        "names stay protected from deletion until it is purged.",
    },
    deletes_refused_in_use=False,
)


class EditorData(msgspec.Struct):
    """Who did something: a user's id and username as they were then."""

    id: int
    username: str


class TrashedPortfolioData(msgspec.Struct):
    """A portfolio in the trash."""

    id: int
    title: str
    slug: str
    deleted_at: datetime
    deleted_by: EditorData | None


# Routed before ``/{id}``: a path segment that is a route of its own is never taken for an id.
@PORTFOLIOS.action(
    "GET",
    "/trash/",
    Action.LIST,
    summary="List the trash",
    description="The deleted portfolios not purged yet, most recently deleted first, 20 a page. "
    "Each is purged for good once it has been there `PORTFOLIO_TRASH_DAYS` days (30 unless "
    "configured).",
    returns=named_page(TrashedPortfolioData, "TrashedPortfolioPage"),
    **PAGED_READ,
)
async def list_trashed_portfolios(
    request: AnyRequest, endpoints: Injected[PortfolioEndpoints]
) -> Any:
    found = await endpoints.trash.list(*requested_page(request.query_params))
    return endpoints.page(request, found, presenter(TrashedPortfolioData))


@PORTFOLIOS.action(
    "POST",
    "/{id:str}/restore/",
    Action.DELETE,
    status_code=200,
    summary="Restore a portfolio from the trash",
    description="Answers the retrieve shape. 404 when the portfolio is not in the trash; 409 "
    "when another portfolio took its title or slug meanwhile (change that one first).",
    responses=with_answer(
        responses(404),
        409,
        "Another portfolio took its title or slug while it was in the trash.",
        TAKEN_MEANWHILE.format(field="slug"),
    ),
)
async def restore_portfolio(
    request: AnyRequest, id: PathId, endpoints: Injected[PortfolioEndpoints]
) -> PortfolioData:
    restored = await endpoints.trash.restore(endpoints.id_of(id), author_of(request))
    return endpoints.present(request, restored)


@PORTFOLIOS.action(
    "DELETE",
    "/trash/{id:str}",
    Action.DELETE,
    summary="Purge a portfolio from the trash",
    description="Removes it for good with its own attachment rows; the shared objects it "
    "named stay. 404 when the portfolio is not in the trash (a portfolio out of it is "
    "deleted first).",
)
async def purge_portfolio(
    request: AnyRequest, id: PathId, endpoints: Injected[PortfolioEndpoints]
) -> None:
    await endpoints.trash.purge(endpoints.id_of(id), author_of(request))


class RevisionData(msgspec.Struct):
    """A portfolio as one save left it. ``changes`` names the fields that save changed
    (sorted); ``document`` is the portfolio in the retrieve shape as it was then."""

    id: int
    created_at: datetime
    user: EditorData | None
    changes: list[str]
    document: PortfolioData


@PORTFOLIOS.action(
    "GET",
    "/{id:str}/revisions/",
    Action.RETRIEVE,
    summary="List a portfolio's revisions",
    description="Newest first, 20 a page: one for every create, replace, change and revision "
    "restored, each with who saved it, the fields it changed and the whole portfolio as it was. "
    "A change to a shared object (a tag renamed) is not a revision of the portfolios using it. "
    "Only the newest `PORTFOLIO_REVISIONS_KEPT` (50 unless configured) are kept.",
    returns=named_page(RevisionData, "RevisionPage"),
    **PAGED_READ,
)
async def list_portfolio_revisions(
    request: AnyRequest, id: PathId, endpoints: Injected[PortfolioEndpoints]
) -> Any:
    wanted = requested_page(request.query_params)
    found = await endpoints.revisions.list(endpoints.id_of(id), *wanted)
    return endpoints.page(request, found, presenter(RevisionData))


@PORTFOLIOS.action(
    "POST",
    "/{id:str}/revisions/{revision_id:str}/restore/",
    Action.UPDATE,
    status_code=200,
    summary="Restore a revision of a portfolio",
    description="Makes the portfolio what the revision holds again (its references by id: "
    "shared objects are not changed back) and answers the retrieve shape; recorded as a new "
    "revision. 400 naming the field when something the revision refers to is gone, or its "
    "title or slug is another portfolio's now: nothing is changed. 404 when the revision is "
    "not one of this portfolio's.",
    operation_class=documented(fields={"tags": ['Invalid pk "999" - object does not exist.']}),
)
async def restore_portfolio_revision(
    request: AnyRequest,
    id: PathId,
    revision_id: PathId,
    endpoints: Injected[PortfolioEndpoints],
) -> PortfolioData:
    portfolio_id = endpoints.id_of(id)
    revision = path_id(revision_id, RevisionNotFound)
    restored = await endpoints.revisions.restore(portfolio_id, revision, author_of(request))
    return endpoints.present(request, restored)


MOVE_FORM = Form(
    name="PortfolioMove",
    example={"before": 7},
    fields=(
        Field("before", Reference(), description="The id of the portfolio to go before."),
        Field("after", Reference(), description="The id of the portfolio to go after."),
    ),
)
ONE_OF_BEFORE_AND_AFTER = 'Send exactly one of "before" and "after".'


@PORTFOLIOS.action(
    "POST",
    "/{id:str}/move/",
    Action.UPDATE,
    status_code=200,
    summary="Move a portfolio in the display order",
    description="Puts it just before or just after another portfolio in the default list order "
    "(`order`, then id), the public list's too, by giving it an `order` between its new "
    "neighbours': usually the only row written; when no integer is left between them, the "
    "orders of every portfolio out of the trash are renumbered 1024 apart first (their "
    "`updated_at` stays). Answers the retrieve shape. 400 naming the field for an id that "
    "names no portfolio out of the trash, or the portfolio itself.",
    operation_class=form_documented(
        MOVE_FORM, {"before": ['Invalid pk "999" - object does not exist.']}
    ),
    responses=responses(404, 413),
)
async def move_portfolio(
    request: AnyRequest, id: PathId, endpoints: Injected[PortfolioEndpoints]
) -> PortfolioData:
    portfolio_id = endpoints.id_of(id)
    values = await endpoints.values_for(request, MOVE_FORM, portfolio_id)
    if len(values) != 1:
        raise InvalidFields({NON_FIELD_ERRORS: [ONE_OF_BEFORE_AND_AFTER]})
    ((field, other_id),) = values.items()
    moved = await endpoints.move(portfolio_id, field, other_id, author_of(request))
    return endpoints.present(request, moved)


class BulkResultData(msgspec.Struct):
    """What a bulk action did: the ids it changed, and those already as it would make them."""

    changed: list[int]
    unchanged: list[int]


BULK_FORM = Form(
    name="PortfolioBulk",
    example={"action": TAG, "ids": [3, 5, 8], "tag": 2},
    fields=(
        Field("action", Choice(ACTIONS), required=True, description="What to do."),
        Field(
            "ids",
            References(MAX_IDS),
            required=True,
            description=f"The portfolios, distinct, 1 to {MAX_IDS}.",
        ),
        Field(
            "tag", Reference(), attribute="tag_id", description="The tag id, for `tag` and `untag`."
        ),
    ),
)


@PORTFOLIOS.action(
    "POST",
    "/bulk/",
    Action.UPDATE,
    status_code=200,
    summary="Act on many portfolios at once",
    description="`activate`, `deactivate`, `tag` or `untag` (permission 4204), or `delete` "
    "(to the trash) or `restore` (from it; permission 4205 too), on up to 500 distinct ids, all "
    "or nothing. Each portfolio changed gets its journal entry, and a revision where its "
    "content changed; one already as the action would make it is listed as unchanged. 400 "
    "naming every id that names no portfolio out of the trash (in it, for `restore`), a "
    "repeated id, or an unknown tag; 409 when a restore's title or slug is taken.",
    operation_class=form_documented(
        BULK_FORM, {"ids": ['Invalid pk "998" - object does not exist.']}
    ),
    responses=with_answer(
        responses(413),
        409,
        "A restored portfolio's title or slug was taken while it was in the trash.",
        TAKEN_MEANWHILE.format(field="slug"),
    ),
)
async def bulk_portfolios(
    request: AnyRequest, endpoints: Injected[PortfolioEndpoints]
) -> BulkResultData:
    values = BULK_FORM.values(await request.body(), partial=False)
    action_name, ids, tag_id = values["action"], values["ids"], values.get("tag_id")
    if not ids:
        raise InvalidFields({"ids": ["This list may not be empty."]})
    if action_name in TAGGING and tag_id is None:
        raise InvalidFields({"tag": [REQUIRED]})
    if action_name not in TAGGING and "tag_id" in values:
        raise InvalidFields({"tag": ["Only `tag` and `untag` take a tag."]})
    if action_name in (TRASH, RESTORE_FROM_TRASH):
        require_permission(request.user, permission_code(Code.PORTFOLIOS, Action.DELETE))
    done = await endpoints.bulk(action_name, ids, tag_id, author_of(request))
    return BulkResultData(changed=list(done.changed), unchanged=list(done.unchanged))


@dataclass(kw_only=True)
class PortfolioEndpoints(FormEndpoints[Portfolio, PortfolioData]):
    """Portfolios: the form's writes, and a list filtered and ordered by its query."""

    resource: Resource[PortfolioData] = PORTFOLIOS
    manage: ManagePortfolios
    trash: ManageTrash
    revisions: ManageRevisions
    move: MovePortfolio
    bulk: BulkPortfolios

    async def find(self, request: AnyRequest) -> Page[Portfolio]:
        """One page of whole portfolios matching the query's filters, in its ordering."""
        query = request.query_params
        wanted = requested_page(query)
        return await self.manage.list(portfolio_filter(query), *wanted)

    def presenter_for(self, request: AnyRequest) -> Presenter[PortfolioData]:
        """With ``?expand=publishing``, the publishing fields too."""
        if not request.scope.get("query_string"):
            return presenter(PortfolioData)  # no query to parse
        expand = request.query_params.get("expand")
        if expand is None:
            return presenter(PortfolioData)
        if expand != PUBLISHING:
            raise InvalidFields({"expand": [BAD_CHOICE]})
        return presenter(PortfolioData, expand=True)
