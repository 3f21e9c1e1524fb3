"""``/api/users``: users (codes 47xx) and, under each, their tokens (codes 48xx), their
password and their locked sign-in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portfolio.application.accounts.auth import ManageTokens
from portfolio.application.accounts.unlock import UnlockSignIn
from portfolio.application.accounts.users import AdministerUsers
from portfolio.application.fields import UserChanges
from portfolio.application.listing import Slice, Window, fetch_page
from portfolio.application.revalidation import ACCOUNTS
from portfolio.domain import Action, Principal, TokenNotFound, UserNotFound
from portfolio.domain import Resource as Code
from portfolio.entrypoints.http.accounts.input import PASSWORD_FORM, USER_FORM
from portfolio.entrypoints.http.accounts.wire import TokenData, UserData
from portfolio.entrypoints.http.errors import LAST_ACTIVE_ADMIN, USERNAME_TAKEN
from portfolio.entrypoints.http.forms import JSON_BODY_LIMIT
from portfolio.entrypoints.http.ids import path_id
from portfolio.entrypoints.http.injection import Injected
from portfolio.entrypoints.http.openapi import admins_only, responses, with_answer
from portfolio.entrypoints.http.pages import requested_page
from portfolio.entrypoints.http.resource import (
    CREATE,
    DELETE,
    LIST,
    RETRIEVE,
    UPDATE,
    AnyRequest,
    PathId,
    Resource,
    SearchedEndpoints,
    author_of,
    form_documented,
)
from portfolio.entrypoints.http.wire import named_page, presenter

_LAST_ADMIN = with_answer({}, 409, "No active admin would be left.", LAST_ACTIVE_ADMIN)
_BY_ACCOUNT = "Staff act only on users holding no code they lack, never on admins (403 otherwise)."

USERS: Resource[UserData] = Resource(
    code=Code.USERS,
    data=UserData,
    missing=UserNotFound,
    operations=(LIST, CREATE, RETRIEVE, UPDATE, DELETE),
    form=USER_FORM,
    reads=(ACCOUNTS,),
    body_limit=JSON_BODY_LIMIT,
    invalid_example={"username": [USERNAME_TAKEN]},
    notes={
        LIST: "By id, 20 a page; `?search=` looks in the username.",
        CREATE: "Only admins create admins; staff create only users holding no code they lack.",
        RETRIEVE: "Flags and codes; never a password or its hash.",
        UPDATE: "Only the fields sent change; `permissions` replaces the whole set, `password` "
        "(when not null) sets a new one. Only admins change admins or make one; staff change "
        "only users holding no code they lack, before and after the change (403 otherwise). "
        "Made inactive, the user's tokens are revoked. Refused (409) when no active admin "
        "would be left.",
        DELETE: "Deactivates the user (kept, with their history) and revokes their tokens. "
        "Staff deactivate only users holding no code they lack, never admins; refused (409) "
        "for the last active admin.",
    },
    summaries={RETRIEVE: "Retrieve a user", UPDATE: "Change a user", DELETE: "Deactivate a user"},
    answers={UPDATE: _LAST_ADMIN, DELETE: _LAST_ADMIN},
    deletes_refused_in_use=False,
)


@USERS.action(
    "POST",
    "/{id:str}/password/",
    Action.UPDATE,
    status_code=204,
    summary="Set a user's password",
    description=f"Their tokens stay valid. {_BY_ACCOUNT}",
    operation_class=form_documented(
        PASSWORD_FORM,
        {"password": ["This password is too short. It must contain at least 8 characters."]},
    ),
    responses=responses(404, 413),
)
async def set_user_password(
    request: AnyRequest, id: PathId, endpoints: Injected[UserEndpoints]
) -> None:
    user_id = endpoints.id_of(id)
    values = await endpoints.values_for(request, PASSWORD_FORM, user_id)
    await endpoints.manage.set_password(user_id, values["password"], author_of(request))


@USERS.action(
    "DELETE",
    "/{id:str}/sign-in-failures/",
    Action.DELETE,
    code=None,
    summary="Unlock a user's sign-in",
    description="Forgets the failed sign-ins counted against the user's username, from every "
    "client address, so that they may sign in again at once; the failures counted against the "
    "addresses themselves stay. Forgetting none is harmless.",
    responses=admins_only(responses(404)),
)
async def unlock_user_sign_in(
    request: AnyRequest, id: PathId, endpoints: Injected[UserEndpoints]
) -> None:
    await endpoints.unlock_sign_in.of_user(endpoints.id_of(id), author_of(request))


@USERS.action(
    "GET",
    "/{id:str}/tokens/",
    Action.LIST,
    code=Code.TOKENS,
    summary="List a user's tokens",
    description="Oldest first, 20 a page; dates only, never keys. Staff see the tokens only of "
    "users holding no code they lack, never an admin's.",
    returns=named_page(TokenData, "TokenPage"),
)
async def list_user_tokens(
    request: AnyRequest, id: PathId, endpoints: Injected[UserEndpoints]
) -> Any:
    tokens = await endpoints.tokens.of_user(endpoints.id_of(id), request.user)
    wanted = requested_page(request.query_params)

    async def window_of(window: Window) -> Slice[Any]:
        return Slice(tuple(tokens[window.offset : window.offset + window.limit]), len(tokens))

    found = await fetch_page(window_of, wanted.number, wanted.size)
    return endpoints.page(request, found, presenter(TokenData))


@USERS.action(
    "DELETE",
    "/{id:str}/tokens/{token_id:str}",
    Action.DELETE,
    code=Code.TOKENS,
    summary="Revoke a user's token",
    description="The token stops working at once and stays listed as revoked; revoking it "
    "again is harmless. Staff revoke the tokens only of users holding no code they lack, never "
    "an admin's.",
)
async def revoke_user_token(
    request: AnyRequest, id: PathId, token_id: PathId, endpoints: Injected[UserEndpoints]
) -> None:
    user_id, token = endpoints.id_of(id), path_id(token_id, TokenNotFound)
    await endpoints.tokens.revoke_of_user(user_id, token, author_of(request))


@dataclass(kw_only=True)
class UserEndpoints(SearchedEndpoints[Principal, UserData]):
    """Users: every change made as the signed-in user, under the rules of who may change whom."""

    resource: Resource[UserData] = USERS
    manage: AdministerUsers
    tokens: ManageTokens
    unlock_sign_in: UnlockSignIn

    async def create(self, request: AnyRequest, values: dict[str, Any]) -> Principal:
        """A new user, made by the caller."""
        return await self.manage.create(
            values["username"],
            is_staff=values.get("is_staff", False),
            is_admin=values.get("is_admin", False),
            is_active=values.get("is_active", True),
            permissions=values.get("permissions", frozenset()),
            password=values.get("password"),
            by=author_of(request),
        )

    async def change(
        self, request: AnyRequest, object_id: int, values: dict[str, Any], *, partial: bool
    ) -> Principal:
        """The user with the body's fields changed (and a new password, when sent)."""
        password = values.pop("password", None)
        changes = UserChanges(**values)
        return await self.manage.update(object_id, changes, author_of(request), password=password)

    async def remove(self, request: AnyRequest, object_id: int) -> None:
        """Make the user inactive."""
        await self.manage.deactivate(object_id, author_of(request))
