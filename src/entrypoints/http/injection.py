"""How handlers receive what the container provides."""

from __future__ import annotations

from typing import Annotated, TypeVar

from litestar.params import Dependency

T = TypeVar("T")

# Ports are Protocols, which Litestar cannot isinstance-check; the container is trusted.
Injected = Annotated[T, Dependency(skip_validation=True)]
