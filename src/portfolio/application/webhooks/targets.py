"""Where a webhook may be sent: judged at registration and again before every attempt, on
the addresses the host resolves to then (DNS can change), and the attempt connects to the
very address judged, so that no second look-up can send it elsewhere."""

from __future__ import annotations

from portfolio.application.webhooks.ports import Address, Receivers, SendFailed
from portfolio.domain import Target, UnsafeTarget, ip_literal, refused_address, webhook_target


class TargetGuard:
    """Judges webhook URLs; ``allow_private`` lets them reach private networks over http or
    https (tests, a private network), otherwise only public addresses over https."""

    def __init__(self, receivers: Receivers, allow_private: bool) -> None:
        self.receivers = receivers
        self.allow_private = allow_private

    async def check(self, url: str) -> tuple[Target, Address]:
        """The URL's target and the address to connect to; UnsafeTarget when it may not be
        reached (every address the host resolves to must be public)."""
        target = webhook_target(url, allow_private=self.allow_private)
        literal = ip_literal(target.host)
        if literal is not None:
            addresses: list[Address] = [literal]
        else:
            try:
                addresses = list(await self.receivers.resolve(target.host))
            except SendFailed:
                raise UnsafeTarget(f"The URL's host ({target.host}) does not resolve.") from None
        if not self.allow_private:
            for address in addresses:
                reason = refused_address(address)
                if reason is not None:
                    raise UnsafeTarget(reason)
        return target, addresses[0]
