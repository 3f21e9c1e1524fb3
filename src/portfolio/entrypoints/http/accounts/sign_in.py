"""``/api/auth/``: sign in with a password, sign out, and who is signed in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from litestar import get, post

from portfolio.application.accounts.auth import ManageTokens, SignIn
from portfolio.domain import Action, Resource, permission_code
from portfolio.entrypoints.http.accounts.input import FORM_CONTENT_TYPE, SIGN_IN_FORM, form_fields
from portfolio.entrypoints.http.accounts.wire import CurrentUser, SignedIn
from portfolio.entrypoints.http.auth import PUBLIC_OPT, SIGNED_IN_OPT, presented_token
from portfolio.entrypoints.http.clients import client_address
from portfolio.entrypoints.http.errors import CANNOT_SIGN_IN
from portfolio.entrypoints.http.forms import NON_FIELD_ERRORS
from portfolio.entrypoints.http.injection import Injected
from portfolio.entrypoints.http.openapi import errors
from portfolio.entrypoints.http.resource import AnyRequest, author_of, form_documented
from portfolio.entrypoints.logs import REQUEST_ID
from portfolio.entrypoints.settings import Network

ALL_CODES = tuple(
    sorted(permission_code(resource, action) for resource in Resource for action in Action)
)


@dataclass(frozen=True, slots=True)
class AuthEndpoints:
    """What the ``/api/auth/`` handlers need from the core."""

    sign_in: SignIn
    tokens: ManageTokens
    proxies: Sequence[Network]


@post(
    "/token/",
    opt={PUBLIC_OPT: True},
    status_code=200,
    operation_id="sign_in",
    summary="Sign in with a username and password",
    description=(
        "A JSON object or an URL-encoded form. Answers a new token that expires "
        "(`PORTFOLIO_SIGN_IN_TOKEN_HOURS`, 72 by default); revoke it with `POST "
        "/api/auth/logout/`. Wrong credentials, an unknown username and an inactive user all "
        "get the same 400 in about the same time. Failed sign-ins are throttled (429) per "
        "username from one client address, per client address, and per username from every "
        "address together (a higher limit; an admin unlocks a username with `DELETE "
        "/api/users/{id}/sign-in-failures/`)."
    ),
    security=[],
    request_max_body_size=16 * 1024,  # a username and a password, with room to spare
    operation_class=form_documented(
        SIGN_IN_FORM, {NON_FIELD_ERRORS: [CANNOT_SIGN_IN]}, public=True
    ),
    responses=errors(413, 429, 503),
)
async def sign_in(request: AnyRequest, endpoints: Injected[AuthEndpoints]) -> SignedIn:
    raw = await request.body()
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == FORM_CONTENT_TYPE:
        values = SIGN_IN_FORM.values_of(form_fields(raw), partial=False)
    else:
        values = SIGN_IN_FORM.values(raw, partial=False)
    client = client_address(request.scope, endpoints.proxies)
    issued = await endpoints.sign_in(
        values["username"], values["password"], client, REQUEST_ID.get()
    )
    expires_at = issued.token.expires_at
    if expires_at is None:  # a sign-in always sets one; the check keeps the type honest
        raise RuntimeError("a signed-in token has no expiry")
    return SignedIn(token=issued.key, expires_at=expires_at)


@post(
    "/logout/",
    opt={SIGNED_IN_OPT: True},
    status_code=204,
    operation_id="sign_out",
    summary="Sign out: revoke the token presented",
    description="Any valid token; the token used for this request stops working at once.",
    responses=errors(401, 429, 503),
)
async def sign_out(request: AnyRequest, endpoints: Injected[AuthEndpoints]) -> None:
    await endpoints.tokens.sign_out(presented_token(request), author_of(request))


@get(
    "/me/",
    opt={SIGNED_IN_OPT: True},
    operation_id="current_user",
    summary="Who is signed in",
    description=(
        "Any valid token. `permissions` lists the codes the user may use now (every code for "
        "an admin, none for a user who is not staff), for a client to choose what to show."
    ),
    responses=errors(401, 429, 503),
)
async def current_user(request: AnyRequest) -> CurrentUser:
    token = presented_token(request)
    user = token.owner
    return CurrentUser(
        id=user.id,
        username=user.username,
        is_staff=user.is_staff,
        is_admin=user.is_admin,
        permissions=[code for code in ALL_CODES if user.may(code)],
        token_expires_at=token.expires_at,
    )


AUTH = (sign_in, sign_out, current_user)
"""The ``/api/auth/`` routes, given an AuthEndpoints."""
