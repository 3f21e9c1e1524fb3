"""The catalogue's change number moves with every write the API could show, and with nothing
else, in memory and in Postgres alike."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from portfolio.application import NewThumbnail, PortfolioFields, TagFields
from portfolio.domain import DuplicateValue
from tests.builders import add_full_portfolio, add_image
from tests.integration.conftest import Stores


async def moved_by(stores: Stores, write: Callable[[], Awaitable[object]]) -> bool:
    """Whether ``write`` moved the change number (to one it never had)."""
    before = await stores.changes.version()
    await write()
    after = await stores.changes.version()
    assert before is not None and after is not None
    return after > before


async def test_every_kind_of_write_moves_the_number(stores: Stores) -> None:
    full = await add_full_portfolio(stores)
    tag, image = full.tags[0], full.gallery[0]
    portfolio_id = full.portfolio.id
    writes: dict[str, Callable[[], Awaitable[object]]] = {
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
        "delete portfolio": lambda: stores.portfolios.delete(portfolio_id),
        "delete tag": lambda: stores.tags.delete(full.tags[1].id),
        "delete media": lambda: stores.media.delete(image.id),
    }
    for name, write in writes.items():
        assert await moved_by(stores, write), name


async def test_reads_and_refused_writes_leave_the_number(stores: Stores) -> None:
    full = await add_full_portfolio(stores)
    before = await stores.changes.version()
    await stores.portfolios.get(full.portfolio.id)
    await stores.tags.get(full.tags[0].id)
    await stores.media.get(full.cover.id)
    with pytest.raises(DuplicateValue):
        await stores.tags.add(TagFields(name=full.tags[0].name))
    assert await stores.changes.version() == before


async def test_concurrent_writers_all_commit_and_each_moves_the_number(stores: Stores) -> None:
    full = await add_full_portfolio(stores)
    before = await stores.changes.version()
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
    after = await stores.changes.version()
    assert before is not None and after is not None
    assert after >= before + len(writes)
