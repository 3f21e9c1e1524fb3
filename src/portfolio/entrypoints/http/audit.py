"""``/api/audit/``: the audit log, read by admins only (GET and OPTIONS: written by the use
cases, never over HTTP), newest first, filtered by its query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import msgspec
from litestar import get
from litestar.openapi.spec import OpenAPIType, Schema

from portfolio.application.audit import (
    AUDITED_ACTIONS,
    AUDITED_RESOURCES,
    AuditFilter,
    ReadAuditLog,
)
from portfolio.application.changes import AuditEntry
from portfolio.application.revalidation import AUDIT
from portfolio.entrypoints.http.auth import ADMINS_OPT
from portfolio.entrypoints.http.caching import READS_OPT
from portfolio.entrypoints.http.forms import BAD_DATETIME, Invalid, Timestamp
from portfolio.entrypoints.http.ids import parse_id
from portfolio.entrypoints.http.injection import Injected
from portfolio.entrypoints.http.openapi import ID_SCHEMA, admins_only, documented, read_responses
from portfolio.entrypoints.http.pages import PAGED, QueryParameter, requested_page
from portfolio.entrypoints.http.portfolios import BAD_CHOICE
from portfolio.entrypoints.http.request_errors import InvalidFields
from portfolio.entrypoints.http.resource import (
    ADMINS_ONLY,
    AnyRequest,
    answering,
    present_page,
)
from portfolio.entrypoints.http.wire import named_page


class ActorData(msgspec.Struct):
    """Who made a change: the user's id and their username when the entry was written."""

    id: int
    username: str


class AuditEntryData(msgspec.Struct):
    """One entry of the audit log, exactly as ``GET /api/audit/`` lists it."""

    id: int
    at: datetime
    actor: ActorData | None
    via: str
    action: str
    resource: str
    object_id: int | None
    changes: list[str]
    request_id: str | None
    client: str | None


def present(entry: AuditEntry, _: object = None) -> AuditEntryData:
    """An entry as the wire shows it; the operator, the scheduler and failed sign-ins have
    no actor."""
    actor = None
    if entry.actor_id is not None:
        actor = ActorData(id=entry.actor_id, username=entry.actor_username or "")
    copied = {name: getattr(entry, name) for name in _COPIED}
    return AuditEntryData(**copied, actor=actor, changes=list(entry.changes))


_COPIED = ("id", "at", "via", "action", "resource", "object_id", "request_id", "client")


_MOMENT = "ISO 8601 date and time; without an offset it is taken as UTC."
AUDIT_QUERY = (
    QueryParameter("actor", "A user id: only the entries of what they did.", ID_SCHEMA),
    QueryParameter(
        "resource",
        "Only the entries about this kind of object.",
        Schema(type=OpenAPIType.STRING, enum=list(AUDITED_RESOURCES), examples=["user"]),
    ),
    QueryParameter(
        "object_id",
        "Only the entries about the object with this id (with `resource`, one object).",
        Schema(type=OpenAPIType.INTEGER, examples=[7]),
    ),
    QueryParameter(
        "action",
        "Only the entries of this action.",
        Schema(type=OpenAPIType.STRING, enum=list(AUDITED_ACTIONS), examples=["sign_in_failed"]),
    ),
    QueryParameter(
        "since",
        f"Only the entries written at or after this moment. {_MOMENT}",
        Schema(type=OpenAPIType.STRING, examples=["2026-12-01T00:00:00Z"]),
    ),
    QueryParameter(
        "until",
        f"Only the entries written before this moment. {_MOMENT}",
        Schema(type=OpenAPIType.STRING, examples=["2026-12-08T00:00:00Z"]),
    ),
)


def audit_filter(query: Any) -> AuditFilter:
    """The entries wanted, from the query; an empty parameter filters nothing, a malformed
    one is a 400 naming it."""
    errors: dict[str, list[str]] = {}
    actor = query.get("actor") or None
    actor_id = None if actor is None else parse_id(actor)
    if actor is not None and actor_id is None:
        errors["actor"] = [BAD_CHOICE]
    choices: dict[str, str | None] = {}
    for name, allowed in (("resource", AUDITED_RESOURCES), ("action", AUDITED_ACTIONS)):
        choices[name] = query.get(name) or None
        if choices[name] is not None and choices[name] not in allowed:
            errors[name] = [BAD_CHOICE]
    object_id = None
    if raw := query.get("object_id"):
        object_id = _whole_number(raw)
        if object_id is None:
            errors["object_id"] = ["Enter a whole number."]
    moments: dict[str, datetime | None] = {}
    for name in ("since", "until"):
        moments[name] = None
        if raw := query.get(name):
            try:
                moments[name] = cast("datetime", Timestamp().parse(raw))
            except Invalid:
                errors[name] = [BAD_DATETIME]
    if errors:
        raise InvalidFields(errors)
    return AuditFilter(
        actor_id=actor_id,
        resource=choices["resource"],
        object_id=object_id,
        action=choices["action"],
        since=moments["since"],
        until=moments["until"],
    )


def _whole_number(raw: str) -> int | None:
    """An object id as stored (a 64-bit integer), or None."""
    digits = raw.removeprefix("-")
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 19:
        return None
    value = int(raw)
    return value if -(2**63) <= value < 2**63 else None


@dataclass(frozen=True, slots=True)
class AuditEndpoints:
    """What the ``/api/audit/`` handler needs from the core."""

    read: ReadAuditLog


async def _list_audit_entries(request: AnyRequest, endpoints: Injected[AuditEndpoints]) -> Any:
    query = request.query_params
    wanted = requested_page(query)
    found = await endpoints.read(audit_filter(query), *wanted)
    return present_page(request, found, present, str)


list_audit_entries = get(
    "/",
    opt={ADMINS_OPT: True, READS_OPT: (AUDIT,)},
    operation_id="list_audit_entries",
    summary="List the audit log",
    description="Every write through the API or the command line, and every sign-in, failed "
    f"sign-in and sign-out, newest first, 20 a page. {ADMINS_ONLY} Append-only: no route writes "
    "or deletes it (405).",
    responses=admins_only(read_responses(404)),
    operation_class=documented(
        fields={"actor": [BAD_CHOICE], "since": [BAD_DATETIME]},
        conditional=True,
        query=[parameter.documented() for parameter in (*PAGED, *AUDIT_QUERY)],
    ),
)(answering(_list_audit_entries, named_page(AuditEntryData, "AuditEntryPage")))
