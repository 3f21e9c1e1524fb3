"""Slugs made from titles, and DRF's page, page-size, search and ordering rules."""

from __future__ import annotations

import pytest

from portfolio.application.listing import (
    DEFAULT_PORTFOLIO_ORDER,
    Page,
    Slice,
    SortField,
    SortKey,
    Window,
    fetch_page,
)
from portfolio.application.portfolios.slugs import SLUG_MAX_LENGTH, SLUG_PATTERN, free_slug, slugify
from portfolio.domain import PageNotFound
from portfolio.entrypoints.http.pages import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    ordering,
    page_number,
    page_size,
    search_terms,
)


def portfolio_ordering(raw: str | None) -> tuple[SortKey, ...]:
    return ordering(raw, DEFAULT_PORTFOLIO_ORDER)


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Web Design", "web-design"),
        ("  Web   design!! ", "web-design"),
        ("Café & Crème Brûlée", "cafe-creme-brulee"),
        ("under_score", "under-score"),
        ("2026: the year", "2026-the-year"),
        ("پروژه فروشگاه", "portfolio"),  # no Latin letters: a fallback, never empty
        ("---", "portfolio"),
    ],
)
def test_slugify_makes_lower_case_ascii_words_joined_by_hyphens(title: str, slug: str) -> None:
    assert slugify(title) == slug
    assert SLUG_PATTERN.match(slugify(title))


def test_slugify_leaves_room_for_a_suffix_and_never_ends_in_a_hyphen() -> None:
    slug = slugify("word " * 100)
    assert len(slug) <= SLUG_MAX_LENGTH - 10
    assert not slug.endswith("-")
    assert len(free_slug(slug, {slug, *(f"{slug}-{n}" for n in range(2, 1000))})) <= SLUG_MAX_LENGTH


def test_free_slug_counts_from_two_past_every_taken_one() -> None:
    assert free_slug("web", set()) == "web"
    assert free_slug("web", {"web"}) == "web-2"
    assert free_slug("web", {"web", "web-2", "web-3"}) == "web-4"
    assert free_slug("web", {"web", "web-3"}) == "web-2"


@pytest.mark.parametrize(
    ("raw", "number"), [(None, 1), ("1", 1), ("2", 2), ("007", 7), ("999999999999999", 10**15 - 1)]
)
def test_page_numbers_are_positive_whole_numbers(raw: str | None, number: int) -> None:
    assert page_number(raw) == number


@pytest.mark.parametrize("raw", ["0", "-1", "1.5", "abc", "", " 1", "last", "9" * 16, "\u0661"])
def test_anything_else_is_an_invalid_page(raw: str) -> None:
    with pytest.raises(PageNotFound):
        page_number(raw)


@pytest.mark.parametrize(
    ("raw", "size"),
    [
        (None, DEFAULT_PAGE_SIZE),
        ("5", 5),
        ("100", 100),
        ("101", MAX_PAGE_SIZE),
        ("99999999999999999999", MAX_PAGE_SIZE),
        ("0", DEFAULT_PAGE_SIZE),
        ("-3", DEFAULT_PAGE_SIZE),
        ("ten", DEFAULT_PAGE_SIZE),
    ],
)
def test_page_sizes_fall_back_to_the_default_and_stop_at_the_maximum(
    raw: str | None, size: int
) -> None:
    assert page_size(raw) == size


async def fetch_of(total: int) -> Page[int]:
    """Page 1 of a list of ``total`` numbers, 10 a page."""

    async def fetch(window: Window) -> Slice[int]:
        items = tuple(range(total))[window.offset : window.offset + window.limit]
        return Slice(items, total)

    return await fetch_page(fetch, 1, 10)


async def test_the_first_page_of_an_empty_list_exists_and_has_no_neighbours() -> None:
    page = await fetch_of(0)
    assert (page.items, page.total, page.has_next, page.has_previous) == ((), 0, False, False)


async def test_a_page_past_the_last_is_invalid_but_the_last_is_not() -> None:
    async def fetch(window: Window) -> Slice[int]:
        return Slice(tuple(range(25))[window.offset : window.offset + window.limit], 25)

    last = await fetch_page(fetch, 3, 10)
    assert last.items == (20, 21, 22, 23, 24) and not last.has_next and last.has_previous
    with pytest.raises(PageNotFound):
        await fetch_page(fetch, 4, 10)


def test_search_terms_split_on_spaces_and_commas_and_drop_nul() -> None:
    assert search_terms(None) == ()
    assert search_terms("  ") == ()
    assert search_terms("web, shop  design") == ("web", "shop", "design")
    assert search_terms("a\x00b") == ("ab",)


def test_ordering_reads_terms_ignores_unknown_ones_and_defaults_to_order() -> None:
    assert portfolio_ordering(None) == (SortKey(SortField.ORDER),)
    assert portfolio_ordering("-completed_at, title") == (
        SortKey(SortField.COMPLETED_AT, descending=True),
        SortKey(SortField.TITLE),
    )
    assert portfolio_ordering("id,-password,slug") == (SortKey(SortField.ORDER),)
    assert portfolio_ordering("nonsense,-updated_at") == (
        SortKey(SortField.UPDATED_AT, descending=True),
    )
