"""Throttling of failures: too many in a window and a key must wait for the window to end."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from portfolio.application.ports import FailureCounter
from portfolio.domain import Throttled


@dataclass(frozen=True, slots=True)
class ThrottleRule:
    """At most ``limit`` failures per key in ``window_seconds``."""

    limit: int
    window_seconds: int


class Throttle:
    """Refuse keys over their limit; count failures. Successes are never counted, so nobody
    is slowed by a key they do not share."""

    def __init__(self, counter: FailureCounter, rule: ThrottleRule) -> None:
        self._counter = counter
        self._rule = rule

    async def check(self, *keys: str) -> None:
        """Throttled (with the wait) when any key is over the limit."""
        wait = await self._counter.blocked_for(keys, self._rule.limit)
        if wait > 0:
            raise Throttled(wait)

    async def failed(self, *keys: str) -> None:
        """Count one failure for each key."""
        await self._counter.add(keys, self._rule.window_seconds)


@dataclass(frozen=True, slots=True)
class SignInLimits:
    """Failed sign-ins allowed in a window of ``window_seconds``, counted three ways.

    ``per_name_from_address``: a user's own typing, or one address guessing one name; low.
    ``per_address``: one address guessing across names; above the first, so that one user's
    typing does not lock everyone behind the same address out.
    ``per_name``: every address together guessing one name; much higher, so that locking a
    user out everywhere takes that many failures from many addresses, while guessing their
    password stays bounded.
    """

    per_name_from_address: int
    per_address: int
    per_name: int
    window_seconds: int


class SignInThrottle:
    """Failed sign-ins counted per username from one client address, per client address and
    per username, each against its own limit (SignInLimits)."""

    def __init__(self, counter: FailureCounter, limits: SignInLimits) -> None:
        self._counter = counter
        self._limits = limits

    async def check(self, username: str, client: str) -> None:
        """Throttled, with the longest wait, when any of the three counts reached its limit."""
        name = _name_key(username)
        limits = self._limits
        waits = [
            await self._counter.blocked_for([f"{name}:{client}"], limits.per_name_from_address),
            await self._counter.blocked_for([_address_key(client)], limits.per_address),
            await self._counter.blocked_for([name], limits.per_name),
        ]
        if max(waits) > 0:
            raise Throttled(max(waits))

    async def failed(self, username: str, client: str) -> None:
        """Count one failed sign-in as ``username`` from ``client``, all three ways."""
        name = _name_key(username)
        keys = (f"{name}:{client}", _address_key(client), name)
        await self._counter.add(keys, self._limits.window_seconds)

    async def forget(self, username: str) -> None:
        """Forget the failures counted against ``username``, from every address; those of the
        addresses themselves stay."""
        await self._counter.clear(_name_key(username))


def _name_key(username: str) -> str:
    # A digest, so that keys have one length however long a name a client sends, the store
    # holds no names, and no name's key is the start of another's (the per-address keys of a
    # name extend its own key, so one prefix forgets them all).
    digest = hashlib.sha256(username.casefold().encode("utf-8", "surrogateescape")).hexdigest()
    return f"sign-in-user:{digest[:32]}"


def _address_key(client: str) -> str:
    return f"sign-in-client:{client}"
