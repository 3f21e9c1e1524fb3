"""The domain's facade follows from its modules: ``portfolio.domain`` offers the union of the
modules' ``__all__``, every public class and function a module defines is in it, and no name
is offered by two modules (the later star import would hide the earlier silently)."""

from __future__ import annotations

import inspect
import pkgutil
from collections import Counter
from importlib import import_module
from types import ModuleType

import portfolio.domain

MODULES: tuple[ModuleType, ...] = tuple(
    import_module(f"portfolio.domain.{info.name}")
    for info in pkgutil.iter_modules(portfolio.domain.__path__)
)


def test_the_package_offers_exactly_what_its_modules_offer() -> None:
    offered = [name for module in MODULES for name in module.__all__]
    assert sorted(portfolio.domain.__all__) == sorted(offered)
    for name in offered:
        assert hasattr(portfolio.domain, name), name


def test_no_name_is_offered_by_two_modules() -> None:
    counts = Counter(name for module in MODULES for name in module.__all__)
    assert [name for name, count in counts.items() if count > 1] == []


def test_every_public_class_and_function_is_offered() -> None:
    for module in MODULES:
        defined = {
            name
            for name, value in vars(module).items()
            if not name.startswith("_")
            and (inspect.isclass(value) or inspect.isfunction(value))
            and value.__module__ == module.__name__
        }
        assert defined <= set(module.__all__), (module.__name__, defined - set(module.__all__))
