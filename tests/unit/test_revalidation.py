"""What a process remembers of the answers it built, and when it may trust it."""

from __future__ import annotations

from portfolio.application import Revalidation


class Numbered:
    """A change number that moves when told to."""

    def __init__(self) -> None:
        self.number: int | None = 1

    async def version(self) -> int | None:
        return self.number


def test_a_validator_holds_only_at_the_number_it_was_built_at() -> None:
    known = Revalidation(Numbered())
    known.remember("a", 5, '"x"', 4202)
    found = known.still_valid("a", 5)
    assert found is not None
    assert (found.validator, found.permission) == ('"x"', 4202)
    assert known.still_valid("a", 6) is None
    assert known.still_valid("b", 5) is None


def test_without_a_number_nothing_is_remembered_or_trusted() -> None:
    known = Revalidation(Numbered())
    known.remember("a", None, '"x"', None)
    assert known.still_valid("a", None) is None
    known.remember("a", 5, '"x"', None)
    assert known.still_valid("a", None) is None


def test_an_answer_built_at_an_older_number_does_not_replace_a_newer_one() -> None:
    known = Revalidation(Numbered())
    known.remember("a", 6, '"new"', None)
    known.remember("a", 5, '"old"', None)
    found = known.still_valid("a", 6)
    assert found is not None and found.validator == '"new"'


def test_the_least_recently_used_answers_are_forgotten_first() -> None:
    known = Revalidation(Numbered(), kept=2)
    known.remember("a", 1, '"a"', None)
    known.remember("b", 1, '"b"', None)
    assert known.still_valid("a", 1) is not None
    known.remember("c", 1, '"c"', None)
    assert known.still_valid("b", 1) is None
    assert known.still_valid("a", 1) is not None
    assert known.still_valid("c", 1) is not None
