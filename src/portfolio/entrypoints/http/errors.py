"""The one table that maps errors to HTTP responses; no traceback ever reaches a client."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, MethodNotAllowedException, NotFoundException

from portfolio import domain
from portfolio.application.accounts.errors import InvalidPermissionCode, UserAlreadyExists
from portfolio.application.accounts.passwords import InvalidPassword
from portfolio.application.retries import KeyReused, RequestInProgress
from portfolio.application.webhooks.manage import WebhooksKeyMissing
from portfolio.entrypoints.http.forms import NON_FIELD_ERRORS, no_such_object
from portfolio.entrypoints.http.media.uploads import FILE_FIELD
from portfolio.entrypoints.http.request_errors import (
    InvalidFields,
    NotAuthenticated,
    RequestRefused,
)
from portfolio.entrypoints.http.retries import IN_PROGRESS, IN_PROGRESS_RETRY_AFTER, KEY_REUSED
from portfolio.entrypoints.telemetry.metrics import authentication_throttled

logger = logging.getLogger("portfolio.errors")

NOT_AUTHENTICATED = "Authentication credentials were not provided."
PERMISSION_DENIED = "You do not have permission to perform this action."
NOT_FOUND = "Not found."
MOVED_BESIDE_ITSELF = "A portfolio cannot be moved before or after itself."
TAKEN_MEANWHILE = (
    "Another portfolio took this portfolio's {field} while it was in the trash: change or delete "
    "that one first."
)
SERVER_ERROR = "A server error occurred."
INVALID_IMAGE = "Upload a valid image."
UNAVAILABLE = "The service is temporarily unavailable; try again shortly."
CHALLENGE = {"WWW-Authenticate": "Token"}
WITHDRAWN_TOO_EARLY = "Ensure this date-time is after publish_at."
WEBHOOKS_KEY_MISSING = (
    "Webhooks are off: PORTFOLIO_WEBHOOKS_KEY must be set, to seal their secrets with."
)
CANNOT_SIGN_IN = "Unable to log in with provided credentials."
USERNAME_TAKEN = "A user with that username already exists."
LAST_ACTIVE_ADMIN = (
    "This is the last active admin: make another user an active admin first, so that someone "
    "can still manage users."
)


AnyRequest = Request[Any, Any, Any]
Handler = Callable[[AnyRequest, Any], Response[Any]]


def detail(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response[Any]:
    """A DRF-style ``{"detail": ...}`` response."""
    return Response({"detail": message}, status_code=status, headers=dict(headers or {}))


def in_use_message(error: domain.InUse) -> str:
    """Which object cannot go, and the first referrers by name (portfolios by title, other
    objects by the field that holds it), the rest counted."""
    named = ", ".join(
        f'{r.kind} {r.id} "{r.name}"' if r.name is not None else f"{r.kind} {r.id} ({r.field})"
        for r in error.referrers
    )
    rest = error.total - len(error.referrers)
    more = f" and {rest} more" if rest > 0 else ""
    # Media has always been named by its id; the other objects by their kind.
    subject = (
        f"Media {error.object_id} cannot be deleted"
        if error.kind == "media"
        else f"Cannot delete this {error.kind}"
    )
    return f"{subject}: it is used by {named}{more}."


def _invalid_file(error: domain.InvalidFile) -> dict[str, list[str]]:
    # Only the upload route takes files, always in its "file" field. Images that cannot be
    # decoded get DRF's ImageField wording in front of what exactly is wrong.
    message = str(error)
    if isinstance(error, domain.CorruptImage | domain.TooManyPixels):
        message = f"{INVALID_IMAGE} {message}"
    return {FILE_FIELD: [message]}


def _throttled(error: domain.Throttled) -> str:
    wait = error.wait
    return f"Request was throttled. Expected available in {wait} second{'' if wait == 1 else 's'}."


def _detail(message: str | Callable[[Any], str]) -> Callable[[Any], dict[str, str]]:
    return lambda error: {"detail": message(error) if callable(message) else message}


@dataclass(frozen=True, slots=True)
class Answer:
    """How one kind of error is answered: a status and headers (or how to take them from the
    error), and a JSON body made from the error."""

    status: int | Callable[[Any], int]
    body: Callable[[Any], Any]
    headers: Mapping[str, str] | Callable[[Any], Mapping[str, str]] = field(default_factory=dict)

    def __call__(self, _: AnyRequest, error: Any) -> Response[Any]:
        """The response to ``error`` (Litestar picks the answer of its nearest class)."""
        status = self.status(error) if callable(self.status) else self.status
        headers = self.headers(error) if callable(self.headers) else self.headers
        return Response(self.body(error), status_code=status, headers=dict(headers))


ANSWERS: dict[type[Exception], Answer] = {
    NotAuthenticated: Answer(401, _detail(NOT_AUTHENTICATED), CHALLENGE),
    domain.AuthenticationFailed: Answer(401, _detail(str), CHALLENGE),
    domain.PermissionDenied: Answer(403, _detail(PERMISSION_DENIED)),
    domain.InvalidCredentials: Answer(400, lambda _: {NON_FIELD_ERRORS: [CANNOT_SIGN_IN]}),
    domain.Throttled: Answer(
        429, _detail(_throttled), lambda error: {"Retry-After": str(error.wait)}
    ),
    domain.LastActiveAdmin: Answer(409, _detail(LAST_ACTIVE_ADMIN)),
    InvalidPassword: Answer(400, lambda error: {"password": [str(error)]}),
    UserAlreadyExists: Answer(400, lambda _: {"username": [USERNAME_TAKEN]}),
    InvalidPermissionCode: Answer(
        400, lambda error: {"permissions": [f"Unknown permission codes: {error}."]}
    ),
    domain.PageNotFound: Answer(404, _detail("Invalid page.")),
    domain.NotFound: Answer(404, _detail(NOT_FOUND)),
    NotFoundException: Answer(404, _detail(NOT_FOUND)),
    domain.DuplicateValue: Answer(
        400,
        lambda error: {error.field: [f"{error.entity} with this {error.field} already exists."]},
    ),
    domain.MissingReference: Answer(
        400, lambda error: {error.field: [no_such_object(error.value)]}
    ),
    domain.MissingReferences: Answer(
        400, lambda error: {error.field: [no_such_object(value) for value in error.values]}
    ),
    InvalidFields: Answer(400, lambda error: error.errors),
    domain.InUse: Answer(409, _detail(in_use_message)),
    KeyReused: Answer(422, _detail(KEY_REUSED)),
    RequestInProgress: Answer(
        409, _detail(IN_PROGRESS), {"Retry-After": str(IN_PROGRESS_RETRY_AFTER)}
    ),
    # The upload reader cuts a file off at this same limit as it streams; the use case's own
    # check is answered alike should it ever be the one to notice.
    domain.FileTooLarge: Answer(413, _detail(str)),
    domain.InvalidFile: Answer(400, _invalid_file),
    domain.WithdrawnBeforePublished: Answer(400, lambda _: {"unpublish_at": [WITHDRAWN_TOO_EARLY]}),
    domain.UnsafeTarget: Answer(400, lambda error: {"url": [str(error)]}),
    domain.UnknownEventTypes: Answer(
        400, lambda error: {"events": [f"Unknown event types: {', '.join(error.names)}."]}
    ),
    WebhooksKeyMissing: Answer(503, _detail(WEBHOOKS_KEY_MISSING)),
    domain.MovedBesideItself: Answer(400, lambda error: {error.field: [MOVED_BESIDE_ITSELF]}),
    domain.TakenMeanwhile: Answer(
        409, _detail(lambda error: TAKEN_MEANWHILE.format(field=error.field))
    ),
    RequestRefused: Answer(lambda error: error.status_code, _detail(lambda error: error.detail)),
}
"""Each error the service raises or lets through: its status, its body and its headers."""


def _throttled_counted(request: AnyRequest, error: domain.Throttled) -> Response[Any]:
    authentication_throttled()
    return ANSWERS[domain.Throttled](request, error)


def _method_not_allowed(request: AnyRequest, error: MethodNotAllowedException) -> Response[Any]:
    # Sorted, as OPTIONS lists them: the router gives them in the order handlers were added.
    headers = dict(error.headers or {})
    if "allow" in headers:
        headers["allow"] = ", ".join(sorted(m.strip() for m in headers["allow"].split(",")))
    return detail(405, f'Method "{request.method}" not allowed.', headers)


# Litestar's words when the client hangs up while its body is being read.
_CLIENT_GONE = "client disconnected prematurely"


def _http(request: AnyRequest, error: HTTPException) -> Response[Any]:
    if error.detail == _CLIENT_GONE:
        # Not a fault of ours, and nobody is left to read the answer.
        logger.info("client disconnected before its request body was complete")
        return detail(400, "The request body was not complete.")
    if error.status_code >= 500:
        logger.error("server error %r", error, exc_info=error)
        return detail(error.status_code, SERVER_ERROR, error.headers)
    # Litestar's own refusals: the status is kept, the words are the project's.
    return detail(error.status_code, _framework_refusal(request, error.status_code), error.headers)


def _framework_refusal(request: AnyRequest, status: int) -> str:
    if status == 400:
        return "Malformed request."
    if status == 413:
        limit = request.route_handler.resolve_request_max_body_size()
        if limit:
            return (
                f"The request body is larger than the {domain.human_readable_size(limit)} accepted."
            )
    return f"{HTTPStatus(status).phrase}."


def _unexpected(request: AnyRequest, error: Exception) -> Response[Any]:
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return detail(500, SERVER_ERROR)


def exception_handlers(retry_after: int) -> dict[type[Exception] | int, Handler]:
    """Every mapping from an error to a response: the table, then what needs more than it."""

    def unavailable(_: AnyRequest, error: domain.ServiceUnavailable) -> Response[Any]:
        # While the database does not answer.
        logger.warning("database unavailable: %s", error.__cause__ or error)
        return detail(503, UNAVAILABLE, {"Retry-After": str(retry_after)})

    return {
        # Taken one by one: Litestar's map is keyed by status codes too.
        **{kind: ANSWERS[kind] for kind in ANSWERS},
        domain.Throttled: _throttled_counted,
        domain.ServiceUnavailable: unavailable,
        MethodNotAllowedException: _method_not_allowed,
        HTTPException: _http,
        Exception: _unexpected,
    }
