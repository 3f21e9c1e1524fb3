"""Each topic's change number moves with every write to that topic, and with nothing else, in
memory and in Postgres alike; and every table is either watched for a topic or read by no
answer."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import psycopg
import pytest

from portfolio.application.fields import (
    NewThumbnail,
    NewUser,
    PortfolioFields,
    TagFields,
    UserChanges,
)
from portfolio.application.listing import Window
from portfolio.application.revalidation import ACCOUNTS, CATALOGUE
from portfolio.domain import DuplicateValue
from tests.builders import add_full_portfolio, add_image
from tests.integration.conftest import Stores

Write = Callable[[], Awaitable[object]]


async def moved(stores: Stores, write: Write) -> set[str]:
    """The topics whose number ``write`` moved (each to a number it never had)."""
    before = await stores.changes.current()
    await write()
    after = await stores.changes.current()
    assert before is not None and after is not None
    assert all(after.versions[topic] >= number for topic, number in before.versions.items())
    return {topic for topic, number in before.versions.items() if after.versions[topic] > number}


async def test_every_kind_of_catalogue_write_moves_the_catalogue_number_only(
    stores: Stores,
) -> None:
    full = await add_full_portfolio(stores)
    tag, image = full.tags[0], full.gallery[0]
    portfolio_id = full.portfolio.id
    writes: dict[str, Write] = {
        "add media": lambda: add_image(stores.media, "new.bmp"),
        "rename tag": lambda: stores.tags.update(tag.id, {"name": "renamed"}),
        "add tag": lambda: stores.tags.add(TagFields(name="fresh")),
        "change employer": lambda: stores.employers.update(
            full.employer.id, {"description": "other"}
        ),
        "change link": lambda: stores.links.update(full.links[0].id, {"name": "other"}),
        "change meta": lambda: stores.meta.update(full.metas[0].id, {"value_text": "other"}),
        "replace thumbnails": lambda: stores.media.replace_thumbnails(
            image.id, [NewThumbnail(f"{image.key}.again.{size}", size) for size in (128, 256)]
        ),
        "change portfolio": lambda: stores.portfolios.update(portfolio_id, {"tag_ids": (tag.id,)}),
        "add portfolio": lambda: stores.portfolios.add(
            PortfolioFields(title="Second", slug="second", excerpt="x")
        ),
        "trash portfolio": lambda: stores.portfolios.trash(portfolio_id, None),
        "restore portfolio": lambda: stores.portfolios.restore(portfolio_id),
        "trash portfolio again": lambda: stores.portfolios.trash(portfolio_id, None),
        "purge portfolio": lambda: stores.portfolios.purge(portfolio_id),
        "delete tag": lambda: stores.tags.delete(full.tags[1].id),
        "delete media": lambda: stores.media.delete(image.id),
    }
    for name, write in writes.items():
        assert await moved(stores, write) == {CATALOGUE}, name


async def test_every_kind_of_account_write_moves_the_accounts_number_only(
    stores: Stores,
) -> None:
    user = await stores.users.create(NewUser("ada", is_staff=True, is_admin=True))
    token = await stores.tokens.add(user.id, b"d" * 32, None)
    now = datetime.now(UTC)
    writes: dict[str, Write] = {
        "create user": lambda: stores.users.create(NewUser("bob", is_staff=True)),
        "grant codes": lambda: stores.users.grant(user.id, frozenset({4201})),
        "change user": lambda: stores.users.update(user.id, UserChanges(is_staff=False)),
        "set password": lambda: stores.users.set_password_hash(user.id, "hash"),
        "issue token": lambda: stores.tokens.add(user.id, b"e" * 32, None),
        "use token": lambda: stores.tokens.touch(token.id, now),
        "revoke token": lambda: stores.tokens.revoke_one(user.id, token.id, now),
        "revoke all": lambda: stores.tokens.revoke_all(user.id, now),
    }
    for name, write in writes.items():
        assert await moved(stores, write) == {ACCOUNTS}, name


async def test_reads_and_refused_writes_leave_the_numbers(stores: Stores) -> None:
    full = await add_full_portfolio(stores)
    before = await stores.changes.current()
    await stores.portfolios.get(full.portfolio.id)
    await stores.tags.get(full.tags[0].id)
    await stores.media.get(full.cover.id)
    await stores.users.find((), Window(offset=0, limit=20))
    with pytest.raises(DuplicateValue):
        await stores.tags.add(TagFields(name=full.tags[0].name))
    assert await stores.changes.current() == before


async def test_concurrent_writers_all_commit_and_each_moves_the_number(stores: Stores) -> None:
    full = await add_full_portfolio(stores)
    before = await stores.changes.current()
    # Writers on different tables and rows at once: each queues on the number's row at commit
    # only, after its own locks, so none waits on another in a cycle.
    writes = [
        *(stores.tags.update(tag.id, {"name": f"tag {n}"}) for n, tag in enumerate(full.tags)),
        *(stores.links.update(link.id, {"name": f"link {n}"}) for n, link in enumerate(full.links)),
        *(stores.portfolios.update(full.portfolio.id, {"excerpt": f"take {n}"}) for n in range(4)),
        *(stores.tags.add(TagFields(name=f"new {n}")) for n in range(4)),
    ]
    results = await asyncio.gather(*writes)
    assert all(result is not None for result in results)
    after = await stores.changes.current()
    assert before is not None and after is not None
    assert after.versions[CATALOGUE] >= before.versions[CATALOGUE] + len(writes)


READ_BY_NO_ANSWER = {
    "schema_migrations": "the migration runner's own record",
    "change_numbers": "the numbers themselves",
    "retry_keys": "kept answers, replayed byte for byte, never built from",
    "failure_counts": "throttling counters",
    "outbox": "events waiting for the change feed's consumers, never shown",
    "scheduled_moments": "moments still to come; the change numbers' read carries the soonest",
    # Deliveries change with every attempt, from the background: /api/webhooks/ declares no
    # topic, so its answers are always built (a matching ETag is still a 304).
    "webhook_endpoints": "shown by /api/webhooks/ only, whose routes read no topic",
    "webhook_messages": "event bodies waiting to be sent, never shown",
    "webhook_deliveries": "shown by /api/webhooks/ only, whose routes read no topic",
}
"""Tables no ``/api/`` answer shows from remembered validators, with why; every other table
must be watched."""


@pytest.mark.postgres
def test_every_table_is_watched_for_a_topic_or_read_by_no_answer(clean_database: str) -> None:
    with psycopg.connect(clean_database) as conn:
        tables = {
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            ).fetchall()
        }
        watched = {
            row[0]
            for row in conn.execute(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                " JOIN pg_proc p ON p.oid = t.tgfoid WHERE p.proname = 'note_change'"
            ).fetchall()
        }
    unclassified = tables - watched - READ_BY_NO_ANSWER.keys()
    assert not unclassified, f"tables neither watched for a change topic nor exempt: {unclassified}"
    assert not watched & READ_BY_NO_ANSWER.keys()
