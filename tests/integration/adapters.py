"""The adapter pairs every contract test runs on: in memory, and Postgres."""

from __future__ import annotations

import pytest

ADAPTERS = [
    pytest.param("memory", id="memory"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]
