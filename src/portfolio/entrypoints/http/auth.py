"""Token authentication and permission checks, with Django REST Framework's wire behaviour."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from portfolio.application.accounts.auth import USER_INACTIVE
from portfolio.domain import (
    AuthenticationFailed,
    PermissionDenied,
    Principal,
)
from portfolio.entrypoints.http.clients import client_address
from portfolio.entrypoints.http.layer import App, HttpScope, header
from portfolio.entrypoints.http.request_errors import NotAuthenticated
from portfolio.entrypoints.telemetry.metrics import authentication_failed

if TYPE_CHECKING:
    from collections.abc import Sequence

    from litestar.connection import ASGIConnection

    from portfolio.application.accounts.auth import Authenticate
    from portfolio.application.ports import StoredToken
    from portfolio.entrypoints.settings import Network

    AnyConnection = ASGIConnection[Any, Any, Any, Any]

KEYWORD = b"token"
NO_CREDENTIALS = "Invalid token header. No credentials provided."
HAS_SPACES = "Invalid token header. Token string should not contain spaces."
BAD_CHARACTERS = "Invalid token header. Token string should not contain invalid characters."

PERMISSION_OPT = "permission"
"""The key in a handler's ``opt`` that holds the permission code it requires."""

SIGNED_IN_OPT = "signed_in"
"""The key in a handler's ``opt`` that, set true, lets any active user with a valid token call
it, whatever their codes: for what concerns the caller alone (who am I, sign out)."""

ADMINS_OPT = "admins"
"""The key in a handler's ``opt`` that, set true, closes it to all but active admins, whatever
codes staff hold: for what no code grants (unlocking a user's sign-in)."""

TOKEN_SCOPE = "token"  # noqa: S105 - a scope key, not a secret
"""Where Authorization leaves the presented token (a StoredToken) in the request's scope."""

OPERATOR_SCOPE = "portfolio.operator"
"""Set (true) in the ASGI scope of a request the operator makes in-process from the command
line (``portfolio api``); no request from the network can carry it."""

CLIENT_SCOPE = "portfolio.client"
"""Where Authorization leaves the client's address (as throttling counts it) in the scope."""

OPERATOR = Principal(id=0, username="operator", is_active=True, is_staff=True, is_admin=True)
"""Who the operator's in-process requests act as: an active admin with no token."""

PUBLIC_OPT = "public"
"""The key in a handler's ``opt`` that, set true, opens it to anyone: only for handlers that
tell nothing but what the schema already says (an ``OPTIONS`` answer)."""


def token_from_header(header: str | None) -> str:
    """The key in ``Authorization: Token <key>``; NotAuthenticated for any other scheme."""
    if not header:
        raise NotAuthenticated
    # Split the raw header bytes on ASCII white space, as DRF does, so that non-breaking
    # spaces and other Unicode blanks stay part of the key and fail as an invalid token.
    parts = header.encode("latin-1", "replace").split()
    if not parts or parts[0].lower() != KEYWORD:
        raise NotAuthenticated
    if len(parts) == 1:
        raise AuthenticationFailed(NO_CREDENTIALS)
    if len(parts) > 2:
        raise AuthenticationFailed(HAS_SPACES)
    try:
        return parts[1].decode("utf-8")
    except UnicodeDecodeError:
        raise AuthenticationFailed(BAD_CHARACTERS) from None


class Authorization:
    """Route middleware of every ``/api/`` route: authenticate the token (failures throttled
    per client address), then require what the route's ``opt`` says (its permission code, an
    admin, or only a valid token); the caller is left in the scope for the handler.

    Every refusal is counted in ``portfolio_authentication_failures_total`` by its reason.
    Middleware rather than a Litestar guard: Litestar copies the handler for every guard it
    runs, which cost more than the checks themselves.
    """

    def __init__(
        self, app: App, authenticate: Callable[[], Authenticate], proxies: Sequence[Network]
    ) -> None:
        self.app = app
        self._authenticate = authenticate
        self._proxies = proxies

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Let the request through to its handler once the caller may call it."""
        opt = scope["route_handler"].opt
        if scope.get(OPERATOR_SCOPE):
            scope["user"] = OPERATOR
        elif not opt.get(PUBLIC_OPT):
            token = await self._token(scope)
            scope["user"], scope[TOKEN_SCOPE] = token.owner, token
            if opt.get(ADMINS_OPT):
                if not token.owner.is_admin:
                    raise PermissionDenied
            elif not opt.get(SIGNED_IN_OPT):
                require_permission(token.owner, opt.get(PERMISSION_OPT))
        await self.app(scope, receive, send)

    async def _token(self, scope: HttpScope) -> StoredToken:
        raw = header(scope, b"authorization")
        client = scope[CLIENT_SCOPE] = client_address(scope, self._proxies)
        try:
            key = token_from_header(None if raw is None else raw.decode("latin-1"))
        except NotAuthenticated:
            authentication_failed("missing")
            raise
        except AuthenticationFailed:
            authentication_failed("malformed_header")
            raise
        try:
            return await self._authenticate().token(key, client)
        except AuthenticationFailed as error:
            authentication_failed(
                "inactive_user" if str(error) == USER_INACTIVE else "invalid_token"
            )
            raise


def presented_token(connection: AnyConnection) -> StoredToken:
    """The token Authorization accepted for this request."""
    token: StoredToken = connection.scope[TOKEN_SCOPE]  # type: ignore[literal-required]
    return token


def require_permission(principal: Principal, code: int | None) -> None:
    """PermissionDenied unless ``principal`` holds ``code`` (admins hold every code).

    A handler that names no code is closed to everyone, never open by mistake.
    """
    if code is None or not principal.may(code):
        raise PermissionDenied


ADMINS_ONLY = -1
"""The code an admins-only route requires, as its remembered validators keep it: a code that
names no resource, so none is ever granted, and only admins (who hold every code) hold it."""


def required_code(opt: Mapping[str, Any]) -> int | None:
    """The code a caller must hold to see a route's answers again (``ADMINS_ONLY`` for an
    admins-only route; None, which nobody holds, for a route open to any signed-in user)."""
    if opt.get(ADMINS_OPT):
        return ADMINS_ONLY
    code: int | None = opt.get(PERMISSION_OPT)
    return code
