"""How handlers receive what the container provides."""

from __future__ import annotations

from typing import TypeVar

from litestar.params import SkipValidation

T = TypeVar("T")

# Ports are Protocols, which Litestar cannot isinstance-check; the container is trusted.
Injected = SkipValidation[T]
