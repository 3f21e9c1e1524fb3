"""Ids that could never name an object, in memory: every use case taking one refuses it (with
its own NotFound, or a thumbnail repair's skip) before any store sees it, and before any other
refusal; the HTTP edge only reads a path's numeral and leaves the range to them."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from dependency_injector import providers

from portfolio.adapters.memory.media import InMemoryMediaRepository
from portfolio.adapters.memory.storage import InMemoryMediaStorage
from portfolio.adapters.pillow.images import PillowImageProcessor
from portfolio.application.changes import API, Author
from portfolio.application.fields import UserChanges
from portfolio.application.ids import MAX_ID, require_id
from portfolio.application.media.thumbnails import RegenerateThumbnails, RepairOutcome
from portfolio.domain import (
    DeliveryNotFound,
    MissingReference,
    NotFound,
    Principal,
    TokenNotFound,
    UserNotFound,
    WebhookNotFound,
)
from portfolio.entrypoints.container import Container
from portfolio.entrypoints.http.ids import parse_number, path_id
from portfolio.entrypoints.settings import Settings
from tests.memory_container import in_memory_container

NEVER_IDS = [0, -1, MAX_ID + 1, 10**30]
HOOK = {"url": "https://93.184.215.14/hook", "events": ["portfolio.updated"], "is_active": False}
CLERK = Author(Principal(3, "clerk", True, True, False, frozenset()), API)
"""Staff holding no code: never allowed to act on an admin's account."""


class AsPostgres:
    """A store as Postgres holds ids: an integer past bigint is an error, never a miss, so a
    use case that let one through would fail here, not answer NotFound by luck."""

    def __init__(self, store: Any) -> None:
        self._store = store

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._store, name)
        if not callable(found):
            return found

        def checked(*args: Any, **kwargs: Any) -> Any:
            for value in (*args, *kwargs.values()):
                if isinstance(value, int) and not -(2**63) <= value <= MAX_ID:
                    raise OverflowError(f"bigint out of range: {value}")
            return found(*args, **kwargs)

        return checked


async def stores_as_postgres(settings: Settings) -> Container:
    """A container whose users, tokens and webhooks refuse ids past bigint, holding an admin
    (user 1, token 1) and a webhook endpoint (1)."""
    container = in_memory_container(settings)
    for store in (container.users, container.tokens, container.webhooks):
        store.override(providers.Object(AsPostgres(store())))
    await container.administer_users().create("root", is_admin=True)
    await container.manage_tokens().issue("root")
    if container.webhook_box().ready:
        await container.manage_webhooks().create(HOOK, CLERK)
    return container


@pytest.fixture
async def container() -> Container:
    return await stores_as_postgres(Settings(webhooks_keys=(os.urandom(32),)))


@pytest.mark.parametrize(
    ("raw", "number"),
    [("0", 0), ("01", 1), (str(MAX_ID + 1), MAX_ID + 1), ("0" * 29 + "1", 1)],
)
def test_a_path_id_is_read_as_written_and_its_range_left_to_the_use_case(
    raw: str, number: int
) -> None:
    assert parse_number(raw) == number
    assert path_id(raw, UserNotFound) == number


FULL_WIDTH_ONE = "\uff11"


@pytest.mark.parametrize(
    "raw", ["-1", "1e3", " 1", FULL_WIDTH_ONE, "1.5", "", "0" * 30 + "1", "9" * 5000]
)
def test_a_path_segment_that_is_no_numeral_is_the_routes_not_found(raw: str) -> None:
    assert parse_number(raw) is None
    with pytest.raises(UserNotFound):
        path_id(raw, UserNotFound)


@pytest.mark.parametrize("object_id", NEVER_IDS)
def test_the_guard_raises_the_callers_not_found(object_id: int) -> None:
    with pytest.raises(TokenNotFound):
        require_id(object_id, TokenNotFound)
    assert require_id(MAX_ID, TokenNotFound) == MAX_ID


Call = Callable[[Container, int], Any]
CALLS: dict[str, tuple[Call, type[NotFound]]] = {
    "user": (lambda c, i: c.administer_users().get(i), UserNotFound),
    "user update": (
        lambda c, i: c.administer_users().update(i, UserChanges(is_staff=True)),
        UserNotFound,
    ),
    "user deactivate": (lambda c, i: c.administer_users().deactivate(i), UserNotFound),
    "user password": (
        lambda c, i: c.administer_users().set_password(i, "long enough password"),
        UserNotFound,
    ),
    "user unlock": (lambda c, i: c.unlock_sign_in().of_user(i), UserNotFound),
    "user tokens": (lambda c, i: c.manage_tokens().of_user(i), UserNotFound),
    "user token revoke": (
        lambda c, i: c.manage_tokens().revoke_of_user(i, 1, CLERK),
        UserNotFound,
    ),
    # The clerk may not act on the admin's account: a real token would be a PermissionDenied.
    "token revoke": (
        lambda c, i: c.manage_tokens().revoke_of_user(1, i, CLERK),
        TokenNotFound,
    ),
    "webhook": (lambda c, i: c.manage_webhooks().get(i), WebhookNotFound),
    # A loopback URL: the id is refused before the target is judged.
    "webhook update": (
        lambda c, i: c.manage_webhooks().update(i, {"url": "https://127.0.0.1/"}, CLERK),
        WebhookNotFound,
    ),
    "webhook delete": (lambda c, i: c.manage_webhooks().delete(i, CLERK), WebhookNotFound),
    "webhook rotate": (
        lambda c, i: c.manage_webhooks().rotate_secret(i, CLERK),
        WebhookNotFound,
    ),
    "webhook ping": (lambda c, i: c.manage_webhooks().ping(i, CLERK), WebhookNotFound),
    "webhook deliveries": (
        lambda c, i: c.manage_webhooks().deliveries(i, 1, 20),
        WebhookNotFound,
    ),
    "webhook retry": (lambda c, i: c.manage_webhooks().retry(i, 1, CLERK), WebhookNotFound),
    "delivery retry": (lambda c, i: c.manage_webhooks().retry(1, i, CLERK), DeliveryNotFound),
}


@pytest.mark.parametrize(("call", "missing"), CALLS.values(), ids=CALLS.keys())
@pytest.mark.parametrize("object_id", NEVER_IDS)
async def test_use_cases_refuse_an_id_that_names_nothing_with_their_not_found(
    container: Container, call: Call, missing: type[NotFound], object_id: int
) -> None:
    with pytest.raises(missing):
        await call(container, object_id)


@pytest.mark.parametrize("object_id", NEVER_IDS)
async def test_rotating_without_a_key_is_still_not_found_for_an_id_that_names_nothing(
    object_id: int,
) -> None:
    container = await stores_as_postgres(Settings())
    with pytest.raises(WebhookNotFound):
        await container.manage_webhooks().rotate_secret(object_id, CLERK)


@pytest.mark.parametrize("media_id", NEVER_IDS)
async def test_a_thumbnail_repair_skips_an_id_that_names_no_media(
    repository: InMemoryMediaRepository, storage: InMemoryMediaStorage, media_id: int
) -> None:
    regenerate = RegenerateThumbnails(AsPostgres(repository), storage, PillowImageProcessor())
    report = await regenerate.repair(media_id)
    assert (report.outcome, report.detail) == (RepairOutcome.SKIPPED, "no media has this id")


@pytest.mark.parametrize("other_id", NEVER_IDS)
async def test_a_move_beside_an_id_that_names_nothing_names_the_field(other_id: int) -> None:
    container = in_memory_container(Settings())
    container.portfolios.override(providers.Object(AsPostgres(container.portfolios())))
    added = await container.manage_portfolios().create({"title": "A"}, CLERK)
    with pytest.raises(MissingReference) as refused:
        await container.move_portfolio()(added.id, "before", other_id, CLERK)
    assert (refused.value.field, refused.value.value) == ("before", other_id)
