"""The one table that maps errors to HTTP responses; no traceback ever reaches a client."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any

from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotFoundException,
)
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_401_UNAUTHORIZED,
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
    HTTP_405_METHOD_NOT_ALLOWED,
    HTTP_409_CONFLICT,
    HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_429_TOO_MANY_REQUESTS,
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_503_SERVICE_UNAVAILABLE,
)

from portfolio.application.accounts.errors import InvalidPermissionCode, UserAlreadyExists
from portfolio.application.accounts.passwords import InvalidPassword
from portfolio.application.retries import KeyReused, RequestInProgress
from portfolio.domain import (
    AuthenticationFailed,
    CorruptImage,
    DuplicateValue,
    FileTooLarge,
    InUse,
    InvalidCredentials,
    InvalidFile,
    LastActiveAdmin,
    MissingReference,
    NotFound,
    PageNotFound,
    PermissionDenied,
    ServiceUnavailable,
    Throttled,
    TooManyPixels,
    human_readable_size,
)
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
INVALID_PAGE = "Invalid page."
SERVER_ERROR = "A server error occurred."
INVALID_IMAGE = "Upload a valid image."
MALFORMED_REQUEST = "Malformed request."
UNAVAILABLE = "The service is temporarily unavailable; try again shortly."
CHALLENGE = {"WWW-Authenticate": "Token"}
CANNOT_SIGN_IN = "Unable to log in with provided credentials."
USERNAME_TAKEN = "A user with that username already exists."
LAST_ACTIVE_ADMIN = (
    "This is the last active admin: make another user an active admin first, so that someone "
    "can still manage users."
)


def throttled_message(wait: int) -> str:
    """DRF's words for a throttled request."""
    return f"Request was throttled. Expected available in {wait} second{'' if wait == 1 else 's'}."


AnyRequest = Request[Any, Any, Any]
Handler = Callable[[AnyRequest, Any], Response[Any]]


def detail(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response[Any]:
    """A DRF-style ``{"detail": ...}`` response."""
    return Response({"detail": message}, status_code=status, headers=dict(headers or {}))


def _not_authenticated(_: AnyRequest, __: NotAuthenticated) -> Response[Any]:
    return detail(HTTP_401_UNAUTHORIZED, NOT_AUTHENTICATED, CHALLENGE)


def _authentication_failed(_: AnyRequest, error: AuthenticationFailed) -> Response[Any]:
    return detail(HTTP_401_UNAUTHORIZED, str(error), CHALLENGE)


def _permission_denied(_: AnyRequest, __: PermissionDenied) -> Response[Any]:
    return detail(HTTP_403_FORBIDDEN, PERMISSION_DENIED)


def _not_found(_: AnyRequest, __: Exception) -> Response[Any]:
    return detail(HTTP_404_NOT_FOUND, NOT_FOUND)


def _method_not_allowed(request: AnyRequest, error: MethodNotAllowedException) -> Response[Any]:
    # Sorted, as OPTIONS lists them: the router gives them in the order handlers were added.
    headers = dict(error.headers or {})
    if "allow" in headers:
        headers["allow"] = ", ".join(sorted(m.strip() for m in headers["allow"].split(",")))
    return detail(HTTP_405_METHOD_NOT_ALLOWED, f'Method "{request.method}" not allowed.', headers)


def _duplicate_value(_: AnyRequest, error: DuplicateValue) -> Response[Any]:
    message = f"{error.entity} with this {error.field} already exists."
    return Response({error.field: [message]}, status_code=HTTP_400_BAD_REQUEST)


def _missing_reference(_: AnyRequest, error: MissingReference) -> Response[Any]:
    return Response({error.field: [no_such_object(error.value)]}, status_code=HTTP_400_BAD_REQUEST)


def _invalid_fields(_: AnyRequest, error: InvalidFields) -> Response[Any]:
    return Response(error.errors, status_code=HTTP_400_BAD_REQUEST)


def _invalid_credentials(_: AnyRequest, __: InvalidCredentials) -> Response[Any]:
    return Response({NON_FIELD_ERRORS: [CANNOT_SIGN_IN]}, status_code=HTTP_400_BAD_REQUEST)


def _throttled(_: AnyRequest, error: Throttled) -> Response[Any]:
    authentication_throttled()
    headers = {"Retry-After": str(error.wait)}
    return detail(HTTP_429_TOO_MANY_REQUESTS, throttled_message(error.wait), headers)


def _last_active_admin(_: AnyRequest, __: LastActiveAdmin) -> Response[Any]:
    return detail(HTTP_409_CONFLICT, LAST_ACTIVE_ADMIN)


def _invalid_password(_: AnyRequest, error: InvalidPassword) -> Response[Any]:
    return Response({"password": [str(error)]}, status_code=HTTP_400_BAD_REQUEST)


def _username_taken(_: AnyRequest, __: UserAlreadyExists) -> Response[Any]:
    return Response({"username": [USERNAME_TAKEN]}, status_code=HTTP_400_BAD_REQUEST)


def _invalid_codes(_: AnyRequest, error: InvalidPermissionCode) -> Response[Any]:
    message = f"Unknown permission codes: {error}."
    return Response({"permissions": [message]}, status_code=HTTP_400_BAD_REQUEST)


def _page_not_found(_: AnyRequest, __: PageNotFound) -> Response[Any]:
    return detail(HTTP_404_NOT_FOUND, INVALID_PAGE)


def _in_use(_: AnyRequest, error: InUse) -> Response[Any]:
    return detail(HTTP_409_CONFLICT, in_use_message(error))


def in_use_message(error: InUse) -> str:
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


def _key_reused(_: AnyRequest, __: KeyReused) -> Response[Any]:
    return detail(HTTP_422_UNPROCESSABLE_ENTITY, KEY_REUSED)


def _request_in_progress(_: AnyRequest, __: RequestInProgress) -> Response[Any]:
    return detail(HTTP_409_CONFLICT, IN_PROGRESS, {"Retry-After": str(IN_PROGRESS_RETRY_AFTER)})


def _file_too_large(_: AnyRequest, error: FileTooLarge) -> Response[Any]:
    # The upload reader cuts a file off at this same limit as it streams; the use case's own
    # check is answered alike should it ever be the one to notice.
    return detail(HTTP_413_REQUEST_ENTITY_TOO_LARGE, str(error))


def _invalid_file(_: AnyRequest, error: InvalidFile) -> Response[Any]:
    # Only the upload route takes files, always in its "file" field. Images that cannot be
    # decoded get DRF's ImageField wording in front of what exactly is wrong.
    message = str(error)
    if isinstance(error, CorruptImage | TooManyPixels):
        message = f"{INVALID_IMAGE} {message}"
    return Response({FILE_FIELD: [message]}, status_code=HTTP_400_BAD_REQUEST)


def _refused(_: AnyRequest, error: RequestRefused) -> Response[Any]:
    return detail(error.status_code, error.detail)


def unavailable_handler(retry_after: int) -> Handler:
    """503 with ``Retry-After`` while the database does not answer."""

    def _unavailable(_: AnyRequest, error: ServiceUnavailable) -> Response[Any]:
        logger.warning("database unavailable: %s", error.__cause__ or error)
        return detail(HTTP_503_SERVICE_UNAVAILABLE, UNAVAILABLE, {"Retry-After": str(retry_after)})

    return _unavailable


# Litestar's words when the client hangs up while its body is being read.
_CLIENT_GONE = "client disconnected prematurely"


def _http(request: AnyRequest, error: HTTPException) -> Response[Any]:
    if error.detail == _CLIENT_GONE:
        # Not a fault of ours, and nobody is left to read the answer.
        logger.info("client disconnected before its request body was complete")
        return detail(HTTP_400_BAD_REQUEST, "The request body was not complete.")
    if error.status_code >= HTTP_500_INTERNAL_SERVER_ERROR:
        logger.error("server error %r", error, exc_info=error)
        return detail(error.status_code, SERVER_ERROR, error.headers)
    # Litestar's own refusals: the status is kept, the words are the project's.
    return detail(error.status_code, _framework_refusal(request, error.status_code), error.headers)


def _framework_refusal(request: AnyRequest, status: int) -> str:
    if status == HTTP_400_BAD_REQUEST:
        return MALFORMED_REQUEST
    if status == HTTP_413_REQUEST_ENTITY_TOO_LARGE:
        limit = request.route_handler.resolve_request_max_body_size()
        if limit:
            return f"The request body is larger than the {human_readable_size(limit)} accepted."
    return f"{HTTPStatus(status).phrase}."


def _unexpected(request: AnyRequest, error: Exception) -> Response[Any]:
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return detail(HTTP_500_INTERNAL_SERVER_ERROR, SERVER_ERROR)


def exception_handlers(retry_after: int) -> dict[type[Exception] | int, Handler]:
    """Every mapping from an error to a response, most specific first."""
    return {
        NotAuthenticated: _not_authenticated,
        AuthenticationFailed: _authentication_failed,
        PermissionDenied: _permission_denied,
        InvalidCredentials: _invalid_credentials,
        Throttled: _throttled,
        LastActiveAdmin: _last_active_admin,
        InvalidPassword: _invalid_password,
        UserAlreadyExists: _username_taken,
        InvalidPermissionCode: _invalid_codes,
        PageNotFound: _page_not_found,
        NotFound: _not_found,
        DuplicateValue: _duplicate_value,
        MissingReference: _missing_reference,
        InvalidFields: _invalid_fields,
        InUse: _in_use,
        KeyReused: _key_reused,
        RequestInProgress: _request_in_progress,
        FileTooLarge: _file_too_large,
        InvalidFile: _invalid_file,
        ServiceUnavailable: unavailable_handler(retry_after),
        NotFoundException: _not_found,
        MethodNotAllowedException: _method_not_allowed,
        RequestRefused: _refused,
        HTTPException: _http,
        Exception: _unexpected,
    }
