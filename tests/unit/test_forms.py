"""Request bodies become use-case values, or DRF's field errors, all at once."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portfolio.entrypoints.http.forms import JSON_MALFORMED, JSON_NOT_UTF8, JSON_TOO_DEEP
from portfolio.entrypoints.http.portfolios import PORTFOLIO_FORM, portfolio_filter
from portfolio.entrypoints.http.request_errors import InvalidFields
from portfolio.entrypoints.http.shared_objects import LINK_FORM, META_FORM, TAG_FORM

TIMESTAMP_MESSAGE = (
    "Datetime has wrong format. Use one of these formats instead: "
    "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
)


def errors_of(body: Any, *, partial: bool = False, raw: bytes | None = None) -> dict[str, Any]:
    """The field errors the portfolio form answers for ``body``."""
    with pytest.raises(InvalidFields) as raised:
        PORTFOLIO_FORM.values(json.dumps(body).encode() if raw is None else raw, partial=partial)
    return raised.value.errors


def test_a_full_body_becomes_use_case_values() -> None:
    body = {
        "title": "  Web Design  ",
        "slug": "web",
        "excerpt": "",
        "order": -3,
        "image": 1,
        "employer": None,
        "tags": [3, 2],
        "links": [],
        "is_active": False,
        "completed_at": "2026-03-03T17:26:28+03:30",
        "description": None,
        "images": [7],
        "meta": [9, 8],
    }
    assert PORTFOLIO_FORM.values(json.dumps(body).encode(), partial=False) == {
        "title": "Web Design",
        "slug": "web",
        "excerpt": "",
        "order": -3,
        "image_id": 1,
        "employer_id": None,
        "tag_ids": (3, 2),
        "link_ids": (),
        "is_active": False,
        "completed_at": datetime(2026, 3, 3, 13, 56, 28, tzinfo=UTC),
        "description": None,
        "image_ids": (7,),
        "meta_ids": (9, 8),
    }


def test_every_bad_field_is_reported_at_once() -> None:
    assert errors_of(
        {
            "title": 5,
            "order": "1",
            "is_active": "true",
            "completed_at": "yesterday",
            "tags": "1,2",
            "employer": "3",
            "id": 4,
            "tags_data": [],
            "colour": "red",
        }
    ) == {
        "title": ["Not a valid string."],
        "order": ["A valid integer is required."],
        "employer": ["Incorrect type. Expected pk value, received str."],
        "tags": ['Expected a list of items but got type "str".'],
        "is_active": ["Must be a valid boolean."],
        "completed_at": [TIMESTAMP_MESSAGE],
        "id": ["This field is read-only."],
        "tags_data": ["This field is read-only."],
        "colour": ["Unknown field."],
    }


def test_required_fields_are_required_except_in_a_partial_body() -> None:
    assert errors_of({}) == {"title": ["This field is required."]}
    assert PORTFOLIO_FORM.values(b"{}", partial=True) == {}
    assert PORTFOLIO_FORM.values(b"", partial=True) == {}


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"title": None}, {"title": ["This field may not be null."]}),
        ({"title": "   "}, {"title": ["This field may not be blank."]}),
        ({"title": "x" * 201}, {"title": ["Ensure this field has no more than 200 characters."]}),
        ({"title": "a\x00b"}, {"title": ["Null characters are not allowed."]}),
        ({"title": "T", "excerpt": None}, {"excerpt": ["This field may not be null."]}),
        ({"title": "T", "order": 1.0}, {"order": ["A valid integer is required."]}),
        ({"title": "T", "order": True}, {"order": ["A valid integer is required."]}),
        (
            {"title": "T", "order": 2**31},
            {"order": ["Ensure this value is less than or equal to 2147483647."]},
        ),
        (
            {"title": "T", "order": -(2**31) - 1},
            {"order": ["Ensure this value is greater than or equal to -2147483648."]},
        ),
        ({"title": "T", "is_active": 1}, {"is_active": ["Must be a valid boolean."]}),
        ({"title": "T", "is_active": None}, {"is_active": ["This field may not be null."]}),
        (
            {"title": "T", "slug": "Web Design"},
            {
                "slug": [
                    'Enter a valid "slug" consisting of lower-case letters, numbers or hyphens.'
                ]
            },
        ),
        (
            {"title": "T", "slug": "web_design"},
            {
                "slug": [
                    'Enter a valid "slug" consisting of lower-case letters, numbers or hyphens.'
                ]
            },
        ),
        ({"title": "T", "image": 0}, {"image": ['Invalid pk "0" - object does not exist.']}),
        (
            {"title": "T", "image": 2**63},
            {"image": [f'Invalid pk "{2**63}" - object does not exist.']},
        ),
        (
            {"title": "T", "image": True},
            {"image": ["Incorrect type. Expected pk value, received bool."]},
        ),
        ({"title": "T", "tags": None}, {"tags": ["This field may not be null."]}),
        ({"title": "T", "tags": [1, None]}, {"tags": ["This field may not be null."]}),
        (
            {"title": "T", "tags": [1, "2"]},
            {"tags": ["Incorrect type. Expected pk value, received str."]},
        ),
        (
            {"title": "T", "tags": [1, 2, 1]},
            {"tags": ['Each id may appear only once; "1" is repeated.']},
        ),
        (
            {"title": "T", "images": list(range(1, 102))},
            {"images": ["Ensure this field has no more than 100 elements."]},
        ),
        (
            {"title": "T", "meta": {"a": 1}},
            {"meta": ['Expected a list of items but got type "dict".']},
        ),
        ({"title": "T", "completed_at": "2026-03-03"}, {"completed_at": [TIMESTAMP_MESSAGE]}),
        ({"title": "T", "completed_at": 1772558788}, {"completed_at": [TIMESTAMP_MESSAGE]}),
        ({"title": "T", "completed_at": "2026-02-30T10:00"}, {"completed_at": [TIMESTAMP_MESSAGE]}),
    ],
)
def test_each_rule_answers_drf_s_message(body: dict[str, Any], errors: dict[str, Any]) -> None:
    assert errors_of(body) == errors


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"[1, 2]", "Invalid data. Expected a dictionary, but got list."),
        (b'"text"', "Invalid data. Expected a dictionary, but got str."),
        (b"null", "Invalid data. Expected a dictionary, but got NoneType."),
        (b"{", JSON_MALFORMED),
        (b"title=x", JSON_MALFORMED),
        (b'{"title": "x",}', JSON_MALFORMED),
        (b"[" * 100_000, JSON_TOO_DEEP),
        (b'{"title": "\xff\xfe"}', JSON_NOT_UTF8),
        (b"\xef\xbb\xbf{}", JSON_MALFORMED),
    ],
)
def test_a_body_that_is_no_json_object_is_a_non_field_error(raw: bytes, message: str) -> None:
    errors = errors_of(None, raw=raw)
    assert list(errors) == ["non_field_errors"]
    assert errors["non_field_errors"] == [message]


@pytest.mark.parametrize("slug", [None, "", "  "])
def test_an_empty_slug_means_make_one(slug: Any) -> None:
    values = PORTFOLIO_FORM.values(json.dumps({"title": "T", "slug": slug}).encode(), partial=True)
    assert values == {"title": "T", "slug": None}


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2026-03-03T17:26:28Z", datetime(2026, 3, 3, 17, 26, 28, tzinfo=UTC)),
        ("2026-03-03T17:26", datetime(2026, 3, 3, 17, 26, tzinfo=UTC)),
        ("2026-03-03 17:26:28.5", datetime(2026, 3, 3, 17, 26, 28, 500000, tzinfo=UTC)),
        ("2026-03-03T00:30:00-01:00", datetime(2026, 3, 3, 1, 30, tzinfo=UTC)),
    ],
)
def test_timestamps_are_iso_8601_and_stored_in_utc(text: str, moment: datetime) -> None:
    values = PORTFOLIO_FORM.values(json.dumps({"completed_at": text}).encode(), partial=True)
    assert values == {"completed_at": moment}


@pytest.mark.parametrize(
    ("url", "valid"),
    [
        ("https://example.com/a?b=c", True),
        ("http://localhost:8000", True),
        ("ftp://example.com", False),
        ("example.com", False),
        ("https://", False),
        ("https://exa mple.com", False),
        ("javascript:alert(1)", False),
        ("http://exa\r\nmple.com/", False),
        ("http://example.com/\tx", False),
        ("http://example.com/\x7f", False),
        ("http://x:99999/", False),
        ("http://x:65535/", True),
        ("http://[::1]:8000/path", True),
        ("http://[::1/", False),
    ],
)
def test_link_urls_are_absolute_http_urls(url: str, valid: bool) -> None:
    raw = json.dumps({"name": "site", "url": url}).encode()
    if valid:
        assert LINK_FORM.values(raw, partial=False) == {"name": "site", "url": url}
        return
    with pytest.raises(InvalidFields) as raised:
        LINK_FORM.values(raw, partial=False)
    assert raised.value.errors == {"url": ["Enter a valid URL."]}


def test_shared_forms_name_their_read_only_fields() -> None:
    with pytest.raises(InvalidFields) as raised:
        TAG_FORM.values(b'{"name": "web", "image_data": null, "id": 1}', partial=False)
    assert raised.value.errors == {
        "image_data": ["This field is read-only."],
        "id": ["This field is read-only."],
    }
    assert META_FORM.values(b'{"key": "k", "value_file": 4}', partial=False) == {
        "key": "k",
        "value_file_id": 4,
    }


def test_list_filters_read_their_query_parameters() -> None:
    criteria = portfolio_filter(
        {
            "is_active": "False",
            "tag": "3",
            "employer": "",
            "slug": "web",
            "search": "a, b",
            "ordering": "-title",
        }
    )
    assert (criteria.is_active, criteria.tag_id, criteria.employer_id) == (False, 3, None)
    assert (criteria.slug, criteria.search) == ("web", ("a", "b"))


def test_malformed_list_filters_are_field_errors() -> None:
    with pytest.raises(InvalidFields) as raised:
        malformed = {"is_active": "maybe", "tag": "x", "employer": "0", "slug": "a\x00"}
        portfolio_filter({**malformed, "search": "s" * 201})
    choice = "Select a valid choice. That choice is not one of the available choices."
    assert raised.value.errors == {
        "is_active": ["Must be a valid boolean."],
        "tag": [choice],
        "employer": [choice],
        "slug": ["Null characters are not allowed."],
        "search": ["Ensure this field has no more than 200 characters."],
    }


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children),
    max_leaves=10,
)
portfolio_bodies = st.dictionaries(
    st.sampled_from([*(field.name for field in PORTFOLIO_FORM.fields), "id", "x"]), json_values
)


@settings(max_examples=300)
@given(body=portfolio_bodies, partial=st.booleans())
def test_any_json_body_gives_values_or_field_errors_never_anything_else(
    body: dict[str, Any], partial: bool
) -> None:
    try:
        values = PORTFOLIO_FORM.values(json.dumps(body).encode(), partial=partial)
    except InvalidFields as error:
        assert error.errors and set(error.errors) <= set(body) | {"title"}
        return
    assert set(values) <= {field.attribute for field in PORTFOLIO_FORM.fields}
