"""Readiness when everything lives in this process."""

from __future__ import annotations


class AlwaysReady:
    """ReadinessProbe for in-memory adapters: nothing external can be down."""

    async def ready(self) -> bool:
        """Always True."""
        return True
