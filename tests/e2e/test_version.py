"""One version everywhere: pyproject.toml's, in the OpenAPI document, the build-info metric
and ``portfolio --version``."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from portfolio.entrypoints.http.app import create_app
from portfolio.entrypoints.settings import Settings
from tests.app_client import SameLoopClient
from tests.conftest import REPOSITORY
from tests.memory_container import in_memory_container

PORTFOLIO = str(Path(sys.executable).parent / "portfolio")
PYPROJECT_VERSION = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())["project"]["version"]


@pytest.fixture
def printed_version() -> str:
    """What ``portfolio --version`` prints."""
    return subprocess.run(
        [PORTFOLIO, "--version"], capture_output=True, text=True, check=True, timeout=60
    ).stdout


async def test_the_schema_the_metric_and_the_command_state_pyproject_version(
    tmp_path: Path, printed_version: str
) -> None:
    app = create_app(in_memory_container(Settings(media_root=tmp_path)))
    async with SameLoopClient(app) as client:
        schema = (await client.get("/schema/openapi.json")).json()
        scraped = (await client.get("/metrics")).text
    (build_info,) = [
        sample.labels
        for family in text_string_to_metric_families(scraped)
        for sample in family.samples
        if sample.name == "portfolio_build_info"
    ]
    assert schema["info"]["version"] == PYPROJECT_VERSION
    assert build_info["version"] == PYPROJECT_VERSION
    assert printed_version == f"portfolio {PYPROJECT_VERSION}\n"


def _version_seen_without_installation(module: Path) -> str:
    """What ``service_version()`` says in an interpreter that cannot see the installed
    distribution (``-S``: no site-packages), loading the module from ``module``."""
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('version', {str(module)!r})\n"
        "loaded = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(loaded)\n"
        "print(loaded.service_version())\n"
    )
    return subprocess.run(
        [sys.executable, "-S", "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout.strip()


def test_a_source_tree_never_installed_reads_its_pyproject(tmp_path: Path) -> None:
    in_tree = REPOSITORY / "src" / "portfolio" / "entrypoints" / "version.py"
    assert _version_seen_without_installation(in_tree) == PYPROJECT_VERSION

    alone = tmp_path / "a" / "b" / "c" / "version.py"
    alone.parent.mkdir(parents=True)
    shutil.copy(in_tree, alone)
    assert _version_seen_without_installation(alone) == "0+unknown"
