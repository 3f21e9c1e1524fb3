"""Units of work behave alike in memory and in Postgres: writes inside one commit together or
not at all, a nested one undoes only its own part, and rollback hooks run only on failure."""

from __future__ import annotations

import pytest

from portfolio.application.fields import TagFields
from portfolio.application.listing import Window
from portfolio.domain import DuplicateValue
from tests.integration.conftest import Stores


class Boom(Exception):
    """A failure inside a unit of work."""


async def names(stores: Stores) -> list[str]:
    found = await stores.tags.find((), Window(offset=0, limit=100))
    return [tag.name for tag in found.items]


async def test_writes_inside_a_failed_unit_are_all_undone(stores: Stores) -> None:
    await stores.tags.add(TagFields(name="kept"))
    with pytest.raises(Boom):
        async with stores.transactions.transaction():
            await stores.tags.add(TagFields(name="first"))
            added = await stores.tags.add(TagFields(name="second"))
            await stores.tags.update(added.id, {"name": "renamed"})
            raise Boom
    assert await names(stores) == ["kept"]


async def test_writes_inside_a_unit_commit_together(stores: Stores) -> None:
    async with stores.transactions.transaction():
        await stores.tags.add(TagFields(name="one"))
        await stores.tags.add(TagFields(name="two"))
    assert await names(stores) == ["one", "two"]


async def test_a_caught_failure_in_a_nested_unit_undoes_only_its_part(stores: Stores) -> None:
    async with stores.transactions.transaction():
        await stores.tags.add(TagFields(name="outer"))
        with pytest.raises(DuplicateValue):
            async with stores.transactions.transaction():
                await stores.tags.add(TagFields(name="inner"))
                await stores.tags.add(TagFields(name="outer"))
        await stores.tags.add(TagFields(name="after"))
    assert await names(stores) == ["outer", "after"]


async def test_rollback_hooks_run_on_failure_only(stores: Stores) -> None:
    ran: list[str] = []

    async def undo() -> None:
        ran.append("undone")

    async with stores.transactions.transaction():
        stores.transactions.on_rollback(undo)
    assert ran == []
    with pytest.raises(Boom):
        async with stores.transactions.transaction():
            async with stores.transactions.transaction():
                stores.transactions.on_rollback(undo)
            raise Boom
    assert ran == ["undone"]
    stores.transactions.on_rollback(undo)  # outside any unit: nothing to attach to
    assert ran == ["undone"]
