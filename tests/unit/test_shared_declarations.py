"""Each shared kind is declared twice, in the application (what holds it) and at the HTTP edge
(what its routes answer): the two must agree, or a delete could be refused with a 409 that the
API document does not list, or list one that never comes."""

from __future__ import annotations

from portfolio.application.fields import SHARED_KINDS
from portfolio.entrypoints.http.shared_objects import SHARED_RESOURCES


def test_every_kind_has_one_http_declaration_under_its_plural() -> None:
    assert sorted(resource.path for resource in SHARED_RESOURCES) == sorted(
        kind.plural for kind in SHARED_KINDS
    )


def test_a_kind_refuses_deletes_in_use_exactly_when_something_holds_it() -> None:
    held = {kind.plural: kind.held_by is not None for kind in SHARED_KINDS}
    for resource in SHARED_RESOURCES:
        assert resource.deletes_refused_in_use == held[resource.path], resource.path
