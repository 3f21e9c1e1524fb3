"""``/api/users``: users (codes 47xx) and, under each, their tokens (codes 48xx)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from litestar import delete, get, patch, post

from portfolio.application.accounts.auth import ManageTokens
from portfolio.application.accounts.unlock import UnlockSignIn
from portfolio.application.accounts.users import AdministerUsers
from portfolio.application.fields import UserChanges
from portfolio.application.listing import (
    Slice,
    Window,
    fetch_page,
    page_number,
    page_size,
    search_terms,
)
from portfolio.application.ports import MediaStorage, StoredToken
from portfolio.application.revalidation import ACCOUNTS
from portfolio.domain import Action, Principal, Resource, TokenNotFound, UserNotFound
from portfolio.entrypoints.http.accounts.input import PASSWORD_FORM, USER_FORM
from portfolio.entrypoints.http.accounts.wire import TokenData, UserData
from portfolio.entrypoints.http.auth import ADMINS_OPT, permission
from portfolio.entrypoints.http.caching import READS_OPT
from portfolio.entrypoints.http.errors import LAST_ACTIVE_ADMIN, USERNAME_TAKEN
from portfolio.entrypoints.http.forms import values_for_existing
from portfolio.entrypoints.http.ids import path_id
from portfolio.entrypoints.http.injection import Injected
from portfolio.entrypoints.http.openapi import documented, responses, with_answer
from portfolio.entrypoints.http.pages import (
    PageParameter,
    PageSizeParameter,
    checked_search,
    page_links,
)
from portfolio.entrypoints.http.presenters import UrlFor
from portfolio.entrypoints.http.resources import (
    CREATE,
    DELETE,
    LIST,
    RETRIEVE,
    UPDATE,
    AnyRequest,
    Declared,
    Endpoints,
    PathId,
)
from portfolio.entrypoints.http.schemas import Page, named_page


def user_data(user: Principal, _: UrlFor) -> UserData:
    """A user on the wire: flags and codes, never a password hash."""
    return UserData(
        id=user.id,
        username=user.username,
        is_active=user.is_active,
        is_staff=user.is_staff,
        is_admin=user.is_admin,
        permissions=sorted(user.permissions),
    )


def token_data(token: StoredToken) -> TokenData:
    """A token on the wire: dates only, never its key or digest."""
    return TokenData(
        id=token.id,
        created_at=token.created_at,
        expires_at=token.expires_at,
        last_used_at=token.last_used_at,
        revoked_at=token.revoked_at,
    )


USERS: Declared[Principal, UserData] = Declared(
    resource=Resource.USERS,
    path="users",
    name="User",
    singular="user",
    plural="users",
    data=UserData,
    present=user_data,
    missing=UserNotFound,
    form=USER_FORM,
    reads=(ACCOUNTS,),
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
    summaries={
        RETRIEVE: "Retrieve a user",
        UPDATE: "Change a user",
        DELETE: "Deactivate a user",
    },
)

_LAST_ADMIN = "No active admin would be left."


class UserEndpoints(Endpoints[Principal, UserData]):
    """Users for the handlers: the changes are made as the signed-in user."""

    def __init__(
        self,
        manage: AdministerUsers,
        tokens: ManageTokens,
        unlock_sign_in: UnlockSignIn,
        media_storage: MediaStorage,
    ) -> None:
        super().__init__(USERS, media_storage)
        self.manage = manage
        self.tokens = tokens
        self.unlock_sign_in = unlock_sign_in

    async def fetch(self, object_id: int) -> Principal:
        """The user."""
        return await self.manage.get(object_id)

    async def list(
        self, request: AnyRequest, search: str | None, number: str | None, size: str | None
    ) -> Page[UserData]:
        """A page of users, by id, optionally searched by username."""
        terms = search_terms(checked_search(search))
        found = await self.manage.list(terms, page_number(number), page_size(size))
        return self.page(request, found)

    async def create(self, request: AnyRequest) -> UserData:
        """A new user from the body."""
        values = USER_FORM.values(await request.body(), partial=False)
        user = await self.manage.create(
            values["username"],
            is_staff=values.get("is_staff", False),
            is_admin=values.get("is_admin", False),
            is_active=values.get("is_active", True),
            permissions=values.get("permissions", frozenset()),
            password=values.get("password"),
            actor=request.user,
        )
        return self.present(request, user)

    async def update(self, request: AnyRequest, raw_id: str) -> UserData:
        """The user with the body's fields changed."""
        user_id = self.id_of(raw_id)
        values = await values_for_existing(
            USER_FORM,
            await request.body(),
            partial=True,
            require_object=lambda: self.manage.get(user_id),
        )
        password = values.pop("password", None)
        changes = UserChanges(**values)
        user = await self.manage.update(user_id, changes, request.user, password=password)
        return self.present(request, user)

    async def set_password(self, request: AnyRequest, raw_id: str) -> None:
        """A new password for the user."""
        user_id = self.id_of(raw_id)
        values = await values_for_existing(
            PASSWORD_FORM,
            await request.body(),
            partial=False,
            require_object=lambda: self.manage.get(user_id),
        )
        await self.manage.set_password(user_id, values["password"], request.user)

    async def deactivate(self, request: AnyRequest, raw_id: str) -> None:
        """Make the user inactive."""
        await self.manage.deactivate(self.id_of(raw_id), request.user)

    async def unlock(self, raw_id: str) -> None:
        """Forget the failed sign-ins counted against the user's username."""
        await self.unlock_sign_in.of_user(self.id_of(raw_id))

    async def token_page(
        self, request: AnyRequest, raw_id: str, number: str | None, size: str | None
    ) -> Page[TokenData]:
        """A page of the user's tokens, oldest first."""
        found = await self.tokens.of_user(self.id_of(raw_id), request.user)
        page = await fetch_page(_slice_of(found), page_number(number), page_size(size))
        following, preceding = page_links(request, page)
        return Page(
            count=page.total,
            next=following,
            previous=preceding,
            results=[token_data(token) for token in page.items],
        )

    async def revoke_token(self, request: AnyRequest, raw_id: str, raw_token_id: str) -> None:
        """Revoke one token of the user."""
        user_id = self.id_of(raw_id)
        token_id = path_id(raw_token_id, TokenNotFound)
        await self.tokens.revoke_of_user(user_id, token_id, request.user)


def _slice_of(
    tokens: list[StoredToken],
) -> Callable[[Window], Awaitable[Slice[StoredToken]]]:
    async def window_of(window: Window) -> Slice[StoredToken]:
        items = tuple(tokens[window.offset : window.offset + window.limit])
        return Slice(items, len(tokens))

    return window_of


@post(
    "/",
    **USERS.operation(CREATE),
    operation_class=documented(
        body=USER_FORM.schema(partial=False),
        body_example=USER_FORM.example,
        fields={"username": [USERNAME_TAKEN]},
        links=USERS.links_from_create(RETRIEVE, UPDATE, DELETE),
    ),
    responses=responses(413),
)
async def create_user(request: AnyRequest, endpoints: Injected[UserEndpoints]) -> UserData:
    """Create a user."""
    return await endpoints.create(request)


@patch(
    "/{id:str}",
    **USERS.operation(UPDATE),
    operation_class=documented(
        body=USER_FORM.schema(partial=True),
        body_required=False,
        body_example={"is_staff": True, "permissions": [4201, 4202, 4204]},
        fields={"permissions": ["Unknown permission codes: 9999."]},
    ),
    responses=with_answer(responses(404, 413), 409, _LAST_ADMIN, LAST_ACTIVE_ADMIN),
)
async def update_user(
    request: AnyRequest, id: PathId, endpoints: Injected[UserEndpoints]
) -> UserData:
    """Change a user."""
    return await endpoints.update(request, id)


@delete(
    "/{id:str}",
    **USERS.operation(DELETE),
    responses=with_answer(responses(404), 409, _LAST_ADMIN, LAST_ACTIVE_ADMIN),
)
async def deactivate_user(
    request: AnyRequest, id: PathId, endpoints: Injected[UserEndpoints]
) -> None:
    """Deactivate a user."""
    await endpoints.deactivate(request, id)


@post(
    "/{id:str}/password/",
    opt=permission(Resource.USERS, Action.UPDATE),
    status_code=204,
    operation_id="set_user_password",
    summary="Set a user's password",
    description="Their tokens stay valid. Staff set the password only of users holding no code "
    "they lack, never an admin's. Permission 4704.",
    operation_class=documented(
        body=PASSWORD_FORM.schema(partial=False),
        body_example=PASSWORD_FORM.example,
        fields={"password": ["This password is too short. It must contain at least 8 characters."]},
    ),
    responses=responses(404, 413),
)
async def set_user_password(
    request: AnyRequest, id: PathId, endpoints: Injected[UserEndpoints]
) -> None:
    """Set a user's password."""
    await endpoints.set_password(request, id)


TokenPage = named_page(TokenData, "TokenPage")


@get(
    "/{id:str}/tokens/",
    opt={**permission(Resource.TOKENS, Action.LIST), READS_OPT: (ACCOUNTS,)},
    operation_id="list_user_tokens",
    summary="List a user's tokens",
    description="Oldest first, 20 a page; dates only, never keys. Staff see the tokens only of "
    "users holding no code they lack, never an admin's. Permission 4801.",
    responses=responses(404),
)
async def list_user_tokens(
    request: AnyRequest,
    id: PathId,
    endpoints: Injected[UserEndpoints],
    page: PageParameter = None,
    page_size: PageSizeParameter = None,
) -> TokenPage:  # type: ignore[valid-type]
    """A page of a user's tokens."""
    return await endpoints.token_page(request, id, page, page_size)


@delete(
    "/{id:str}/tokens/{token_id:str}",
    opt=permission(Resource.TOKENS, Action.DELETE),
    operation_id="revoke_user_token",
    summary="Revoke a user's token",
    description=(
        "The token stops working at once and stays listed as revoked; revoking it again is "
        "harmless. Staff revoke the tokens only of users holding no code they lack, never an "
        "admin's. Permission 4805."
    ),
    responses=responses(404),
)
async def revoke_user_token(
    request: AnyRequest, id: PathId, token_id: PathId, endpoints: Injected[UserEndpoints]
) -> None:
    """Revoke a user's token."""
    await endpoints.revoke_token(request, id, token_id)


@delete(
    "/{id:str}/sign-in-failures/",
    opt={ADMINS_OPT: True},
    operation_id="unlock_user_sign_in",
    summary="Unlock a user's sign-in",
    description=(
        "Forgets the failed sign-ins counted against the user's username, from every client "
        "address, so that they may sign in again at once; the failures counted against the "
        "addresses themselves stay. Forgetting none is harmless. Admins only: staff get 403 "
        "whatever codes they hold."
    ),
    responses=with_answer(
        responses(404),
        403,
        "Authenticated, but not an active admin (no permission code grants this).",
        "You do not have permission to perform this action.",
    ),
)
async def unlock_user_sign_in(id: PathId, endpoints: Injected[UserEndpoints]) -> None:
    """Unlock a user's sign-in."""
    await endpoints.unlock(id)


USER_HANDLERS = (
    create_user,
    update_user,
    deactivate_user,
    set_user_password,
    unlock_user_sign_in,
    list_user_tokens,
    revoke_user_token,
)
USER_OPERATIONS = (LIST, RETRIEVE)
"""The operations the declaration makes; the others are written above."""
