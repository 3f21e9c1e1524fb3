"""Test data written through the ports: a portfolio with every nested kind filled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from portfolio.adapters.postgres.media import PostgresMediaRepository
from portfolio.adapters.postgres.pool import BoundedPool
from portfolio.adapters.postgres.portfolios import PostgresPortfolios
from portfolio.adapters.postgres.shared_objects import PostgresSharedObjects
from portfolio.application.fields import (
    EMPLOYERS,
    LINKS,
    META,
    TAGS,
    EmployerFields,
    LinkFields,
    MetaFields,
    NewImage,
    NewMedia,
    NewThumbnail,
    PortfolioFields,
    TagFields,
)
from portfolio.application.media.keys import media_key, thumbnail_key
from portfolio.application.ports import MediaRepository, Portfolios, SharedObjects
from portfolio.domain import (
    THUMBNAIL_SIZES,
    Action,
    Employer,
    Link,
    Media,
    Meta,
    Portfolio,
    Resource,
    Tag,
    permission_code,
)
from portfolio.entrypoints.container import Container

DAY = datetime(2026, 3, 2, tzinfo=UTC)

ALL_PERMISSION_CODES = frozenset(
    permission_code(resource, action) for resource in Resource for action in Action
)
"""Every code the service knows: what an admin may do, written out for staff."""


class CatalogueStores(Protocol):
    """The ports test data is written through: an InMemoryDatabase, or ``stores_of`` a
    container."""

    @property
    def portfolios(self) -> Portfolios: ...
    @property
    def media(self) -> MediaRepository: ...
    @property
    def employers(self) -> SharedObjects[EmployerFields, Employer]: ...
    @property
    def tags(self) -> SharedObjects[TagFields, Tag]: ...
    @property
    def links(self) -> SharedObjects[LinkFields, Link]: ...
    @property
    def meta(self) -> SharedObjects[MetaFields, Meta]: ...


@dataclass(frozen=True, slots=True)
class StoreSet:
    """One adapter family's stores, under the names CatalogueStores gives them."""

    portfolios: Portfolios
    media: MediaRepository
    employers: SharedObjects[EmployerFields, Employer]
    tags: SharedObjects[TagFields, Tag]
    links: SharedObjects[LinkFields, Link]
    meta: SharedObjects[MetaFields, Meta]


def stores_of(container: Container) -> StoreSet:
    """The stores a container serves."""
    return StoreSet(
        container.portfolios(),
        container.media_repository(),
        container.employer_store(),
        container.tag_store(),
        container.link_store(),
        container.meta_store(),
    )


def postgres_stores(pool: BoundedPool) -> StoreSet:
    """The Postgres stores over ``pool``."""
    return StoreSet(
        PostgresPortfolios(pool),
        PostgresMediaRepository(pool),
        PostgresSharedObjects(pool, EMPLOYERS),
        PostgresSharedObjects(pool, TAGS),
        PostgresSharedObjects(pool, LINKS),
        PostgresSharedObjects(pool, META),
    )


async def add_image(media: MediaRepository, file_name: str, size: int = 73062) -> Media:
    """An image row with its four thumbnail rows (no bytes are stored)."""
    key = media_key(DAY, file_name)
    return await media.add(
        NewMedia(
            key=key,
            type="image/bmp",
            name=file_name.rsplit(".", 1)[0],
            size=size,
            image=NewImage(
                156,
                156,
                "RGB",
                tuple(NewThumbnail(thumbnail_key(key, edge), edge) for edge in THUMBNAIL_SIZES),
            ),
        )
    )


async def add_document(media: MediaRepository, file_name: str) -> Media:
    """A plain (non-image) file row."""
    return await media.add(
        NewMedia(key=media_key(DAY, file_name), type="application/pdf", name=file_name, size=2048)
    )


@dataclass(frozen=True, slots=True)
class FullPortfolio:
    """A portfolio with two of every collection, what it holds, and ids in attachment order."""

    portfolio: Portfolio
    cover: Media
    logo: Media
    employer: Employer
    tags: tuple[Tag, ...]
    links: tuple[Link, ...]
    gallery: tuple[Media, ...]
    brochure: Media
    metas: tuple[Meta, ...]
    tag_ids: tuple[int, ...]
    link_ids: tuple[int, ...]
    image_ids: tuple[int, ...]
    meta_ids: tuple[int, ...]


async def add_full_portfolio(stores: CatalogueStores, title: str = "Web design") -> FullPortfolio:
    """Cover, employer with logo, tags, links, gallery and meta (with and without files).

    Collections are attached in an order different from creation order, so a test can tell
    attachment order from id order.
    """
    prefix = title.lower().replace(" ", "_")
    cover = await add_image(stores.media, f"{prefix}_cover.bmp")
    logo = await add_image(stores.media, f"{prefix}_logo.png", size=512)
    employer = await stores.employers.add(
        EmployerFields(name=f"{title} client", description="some store", image_id=logo.id)
    )
    tags = [
        await stores.tags.add(
            TagFields(name=f"{title} tag {n}", image_id=logo.id if n == 1 else None)
        )
        for n in (1, 2)
    ]
    links = [
        await stores.links.add(
            LinkFields(name="github", url="https://example.com/repo", description="")
        ),
        await stores.links.add(
            LinkFields(name="site_url", url=None, description=None, image_id=logo.id)
        ),
    ]
    gallery = [await add_image(stores.media, f"{prefix}_gallery_{n}.bmp") for n in (1, 2)]
    brochure = await add_document(stores.media, f"{prefix}_brochure.pdf")
    metas = [
        await stores.meta.add(MetaFields(key="client_quote", value_text="Great work")),
        await stores.meta.add(
            MetaFields(key="brochure", value_text=None, value_file_id=brochure.id)
        ),
    ]
    fields = PortfolioFields(
        title=title,
        slug=prefix.replace("_", "-"),
        excerpt="Short description",
        order=3,
        image_id=cover.id,
        employer_id=employer.id,
        is_active=True,
        completed_at=datetime(2026, 3, 3, 17, 26, 28, tzinfo=UTC),
        description="Full description",
        tag_ids=(tags[1].id, tags[0].id),
        link_ids=(links[1].id, links[0].id),
        image_ids=(gallery[1].id, gallery[0].id),
        meta_ids=(metas[1].id, metas[0].id),
    )
    portfolio = await stores.portfolios.add(fields)
    return FullPortfolio(
        portfolio=portfolio,
        cover=cover,
        logo=logo,
        employer=employer,
        tags=tuple(tags),
        links=tuple(links),
        gallery=tuple(gallery),
        brochure=brochure,
        metas=tuple(metas),
        tag_ids=fields.tag_ids,
        link_ids=fields.link_ids,
        image_ids=fields.image_ids,
        meta_ids=fields.meta_ids,
    )
