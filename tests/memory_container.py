"""The service's container with every port served from memory, and Argon2 at its cheapest."""

from __future__ import annotations

from dependency_injector import providers

from portfolio.adapters.argon2.passwords import Argon2PasswordHasher
from portfolio.entrypoints.container import Container, in_memory
from portfolio.entrypoints.settings import Settings


def cheap_passwords() -> Argon2PasswordHasher:
    """Argon2id at its cheapest: tests hash many passwords on a shared machine."""
    return Argon2PasswordHasher(time_cost=1, memory_cost_kib=64, parallelism=1)


def in_memory_container(settings: Settings | None = None) -> Container:
    """A container whose every port is served from memory: no database, no disk."""
    container = in_memory(settings or Settings())
    container.passwords.override(providers.Object(cheap_passwords()))
    return container
