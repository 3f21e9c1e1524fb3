"""Demo data: a few portfolios with real images, an admin and a staff user, fresh tokens."""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import PurePosixPath

from portfolio.adapters.pillow.demo_pictures import demo_picture
from portfolio.application.fields import (
    EmployerFields,
    LinkFields,
    MetaFields,
    PortfolioFields,
    TagFields,
)
from portfolio.application.listing import PortfolioFilter, Window
from portfolio.application.ports import Portfolios
from portfolio.domain import Action, Resource, permission_code
from portfolio.entrypoints.container import Container

ADMIN = "admin"
EDITOR = "editor"
TOKEN_LIFETIME = timedelta(days=30)
# The editor may read the whole catalogue and write nothing: enough to browse the demo as
# staff. Users and tokens stay the admin's.
EDITOR_CODES = frozenset(
    permission_code(resource, action)
    for resource in Resource
    if resource not in (Resource.USERS, Resource.TOKENS)
    for action in (Action.LIST, Action.RETRIEVE)
)


_FORMATS = {".jpg": "JPEG", ".png": "PNG", ".bmp": "BMP", ".webp": "WEBP"}


@dataclass(frozen=True, slots=True)
class DemoAccess:
    """What the operator needs to try the demo."""

    loaded: bool
    admin_key: str
    editor_key: str
    first_portfolio_id: int | None
    admin_password: str
    editor_password: str
    launch_slug: str
    launch_at: datetime


async def load_demo(container: Container, password: str | None = None) -> DemoAccess:
    """Load the demo catalogue unless it is there; always issue fresh tokens for its users and
    set their passwords: ``password`` when given, else a fresh random one each."""
    loaded = await container.users().get_by_username(ADMIN) is None
    first_id = await _load_catalogue(container) if loaded else None
    tokens = container.manage_tokens()
    admin = await tokens.issue(ADMIN, TOKEN_LIFETIME)
    editor = await tokens.issue(EDITOR, TOKEN_LIFETIME)
    admin_password = password or secrets.token_urlsafe(12)
    editor_password = password or secrets.token_urlsafe(12)
    users = container.administer_users()
    await users.set_password_of(ADMIN, admin_password)
    await users.set_password_of(EDITOR, editor_password)
    launch_at = await _schedule_launch(container.portfolios())
    return DemoAccess(
        loaded,
        admin.key,
        editor.key,
        first_id,
        admin_password,
        editor_password,
        LAUNCH_SLUG,
        launch_at,
    )


LAUNCH_SLUG = "delivery-app"
LAUNCH_DELAY = timedelta(minutes=1)


async def _schedule_launch(portfolios: Portfolios) -> datetime:
    """Schedule the demo's launch a minute from now, each run: the website shows it once the
    moment passes, with no write (the background work publishes it)."""
    moment = (datetime.now(UTC) + LAUNCH_DELAY).replace(microsecond=0)
    found = await portfolios.find(PortfolioFilter(slug=LAUNCH_SLUG), Window(offset=0, limit=1))
    for launch in found.items:
        await portfolios.update(launch.id, {"publish_at": moment})
    return moment


async def _picture(
    container: Container, file_name: str, size: tuple[int, int], hue: float, name: str | None = None
) -> int:
    image_format = _FORMATS[PurePosixPath(file_name).suffix]
    data = demo_picture(size[0], size[1], name or file_name, hue, image_format)
    media = await container.upload_media()(io.BytesIO(data), file_name, name)
    return media.id


async def _load_catalogue(container: Container) -> int:
    users = container.administer_users()
    await users.create(ADMIN, is_admin=True, is_staff=True)
    await users.create(EDITOR, is_staff=True, permissions=EDITOR_CODES)
    portfolios: Portfolios = container.portfolios()

    digikala = await container.employer_store().add(
        EmployerFields(
            name="digikala",
            description="some store",
            image_id=await _picture(container, "digikala.png", (400, 400), 0.02),
        )
    )
    studio = await container.employer_store().add(
        EmployerFields(
            name="Northwind Studio",
            description="A design studio",
            image_id=await _picture(container, "northwind.png", (400, 400), 0.6),
        )
    )
    tags = [
        await container.tag_store().add(
            TagFields(name=name, image_id=await _picture(container, f"{name}.png", (128, 128), hue))
        )
        for name, hue in (("design", 0.1), ("backend", 0.35), ("mobile", 0.75))
    ]
    github = await container.link_store().add(
        LinkFields(name="github", url="https://moeinsoft.com", description="")
    )
    site = await container.link_store().add(
        LinkFields(name="site_url", url="https://digikala.com", description="the website url")
    )
    quote = await container.meta_store().add(
        MetaFields(key="client_quote", value_text="On time and on budget.")
    )

    # The API document's own example, as a portfolio.
    first = await portfolios.add(
        PortfolioFields(
            title="web design",
            slug="web",
            excerpt=(
                "Sapiente veritatis ipsam ut ex minus nihil. Excepturi et beatae id repellendus "
                "dolor voluptatibus veniam aut nulla. Sed in illo explicabo nam."
            ),
            order=1,
            image_id=await _picture(
                container, "image_test_media_file_0.bmp", (156, 156), 0.55, "test text"
            ),
            employer_id=digikala.id,
            is_active=True,
            completed_at=datetime(2026, 3, 3, 17, 26, 28, tzinfo=UTC),
            description="asdf",
            link_ids=(github.id, site.id),
        )
    )
    gallery = tuple(
        [
            await _picture(container, f"storefront_{n}.jpg", (1600, 1000), 0.05 * n)
            for n in range(1, 5)
        ]
    )
    await portfolios.add(
        PortfolioFields(
            title="Storefront redesign",
            slug="storefront-redesign",
            excerpt="A faster, friendlier shop front.",
            order=2,
            image_id=await _picture(container, "storefront.webp", (1920, 1080), 0.9),
            employer_id=studio.id,
            completed_at=datetime(2026, 6, 30, 12, 0, tzinfo=UTC),
            description="New catalogue pages, search and checkout.",
            tag_ids=(tags[0].id, tags[1].id),
            link_ids=(site.id,),
            image_ids=gallery,
            meta_ids=(quote.id,),
        )
    )
    await portfolios.add(
        PortfolioFields(
            title="Delivery app",
            slug="delivery-app",
            excerpt="Orders tracked from kitchen to door.",
            order=3,
            image_id=await _picture(container, "delivery.jpg", (1200, 1600), 0.3),
            tag_ids=(tags[2].id, tags[1].id),
            is_active=True,
        )
    )
    return first.id
