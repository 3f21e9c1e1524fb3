"""The service's one version number: pyproject.toml's, as the installed distribution states it.

The OpenAPI document's ``info.version``, the ``portfolio_build_info`` metric, the traces'
``service.version`` and ``portfolio --version`` all read it here, so they cannot disagree.
"""

from __future__ import annotations

import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

DISTRIBUTION = "portfolio-service"
UNKNOWN = "0+unknown"
"""What a copy that is neither installed nor in its source tree reports (a valid PEP 440
version, so tools that parse it do not fail)."""

# src/portfolio/entrypoints/version.py -> the checkout's pyproject.toml
_SOURCE_PYPROJECT = Path(__file__).resolve().parents[3] / "pyproject.toml"


def service_version() -> str:
    """The installed distribution's version; from a source tree that was never installed
    (``PYTHONPATH=src``), its pyproject.toml's; else ``0+unknown``."""
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return _source_tree_version() or UNKNOWN


def _source_tree_version() -> str | None:
    try:
        project = tomllib.loads(_SOURCE_PYPROJECT.read_text(encoding="utf-8"))["project"]
    except (OSError, tomllib.TOMLDecodeError, KeyError):
        return None
    if project.get("name") != DISTRIBUTION:
        return None
    found = project.get("version")
    return found if isinstance(found, str) else None
