"""What a process remembers of the answers it built, and when it may trust it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from portfolio.application.ports import ChangeState
from portfolio.application.revalidation import ACCOUNTS, CATALOGUE, Revalidation

START = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


class Numbered:
    """Change numbers that move when told to, and a clock that moves when told to."""

    def __init__(self) -> None:
        self.state: ChangeState | None = ChangeState({CATALOGUE: 1, ACCOUNTS: 1})
        self.now = START

    async def current(self) -> ChangeState | None:
        return self.state

    def clock(self) -> datetime:
        return self.now


def at(catalogue: int, accounts: int = 1, next_moment: datetime | None = None) -> ChangeState:
    return ChangeState({CATALOGUE: catalogue, ACCOUNTS: accounts}, next_moment)


def revalidation(numbers: Numbered, **options: object) -> Revalidation:
    return Revalidation(numbers, numbers.clock, **options)  # type: ignore[arg-type]


CAT = (CATALOGUE,)


def test_a_validator_holds_only_while_the_topics_it_reads_stay_put() -> None:
    known = revalidation(Numbered())
    known.remember("a", at(5), CAT, '"x"', 4202)
    found = known.still_valid("a", at(5))
    assert found is not None
    assert (found.validator, found.permission) == ('"x"', 4202)
    assert known.still_valid("a", at(6)) is None
    assert known.still_valid("b", at(5)) is None


def test_a_change_to_a_topic_the_answer_does_not_read_leaves_it_valid() -> None:
    known = revalidation(Numbered())
    known.remember("a", at(5, accounts=1), CAT, '"x"', None)
    assert known.still_valid("a", at(5, accounts=9)) is not None
    known.remember("u", at(5, accounts=1), (ACCOUNTS,), '"u"', None)
    assert known.still_valid("u", at(5, accounts=2)) is None


def test_an_answer_that_declares_no_topic_is_never_remembered() -> None:
    known = revalidation(Numbered())
    known.remember("me", at(5), (), '"x"', None)
    assert known.still_valid("me", at(5)) is None


def test_without_numbers_nothing_is_remembered_or_trusted() -> None:
    known = revalidation(Numbered())
    known.remember("a", None, CAT, '"x"', None)
    assert known.still_valid("a", None) is None
    known.remember("a", at(5), CAT, '"x"', None)
    assert known.still_valid("a", None) is None


def test_an_unknown_topic_is_never_trusted() -> None:
    known = revalidation(Numbered())
    known.remember("a", at(5), ("webhooks",), '"x"', None)
    assert known.still_valid("a", at(5)) is None


def test_an_answer_built_at_an_older_number_does_not_replace_a_newer_one() -> None:
    known = revalidation(Numbered())
    known.remember("a", at(6), CAT, '"new"', None)
    known.remember("a", at(5), CAT, '"old"', None)
    found = known.still_valid("a", at(6))
    assert found is not None and found.validator == '"new"'


def test_a_validator_is_not_trusted_past_the_next_moment_an_answer_can_change_alone() -> None:
    numbers = Numbered()
    known = revalidation(numbers)
    moment = START + timedelta(seconds=30)
    known.remember("a", at(5, next_moment=moment), CAT, '"x"', None)
    numbers.now = moment - timedelta(microseconds=1)
    assert known.still_valid("a", at(5, next_moment=moment)) is not None
    numbers.now = moment
    assert known.still_valid("a", at(5, next_moment=moment)) is None


def test_answers_with_expiring_urls_are_trusted_for_half_their_lifetime() -> None:
    numbers = Numbered()
    known = revalidation(numbers, url_lifetime=timedelta(minutes=10))
    known.remember("a", at(5), CAT, '"x"', None)
    numbers.now = START + timedelta(minutes=4, seconds=59)
    assert known.still_valid("a", at(5)) is not None
    numbers.now = START + timedelta(minutes=5)
    assert known.still_valid("a", at(5)) is None


def test_the_least_recently_used_answers_are_forgotten_first() -> None:
    known = revalidation(Numbered(), kept=2)
    known.remember("a", at(1), CAT, '"a"', None)
    known.remember("b", at(1), CAT, '"b"', None)
    assert known.still_valid("a", at(1)) is not None
    known.remember("c", at(1), CAT, '"c"', None)
    assert known.still_valid("b", at(1)) is None
    assert known.still_valid("a", at(1)) is not None
    assert known.still_valid("c", at(1)) is not None
