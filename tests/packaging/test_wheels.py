"""The wheels other services install: portfolio-core alone, beside packages named like our layers.

Each run builds both distributions from this checkout and installs the core into a fresh
virtualenv with the entrypoints package from PyPI and a local package named domain; mypy --strict
then type-checks a service that uses the entities, seeing them only through the installed wheel.

Nothing here reaches a package index: every uv call runs offline. The wheels are built with the
setuptools and hatchling of the test's own virtualenv (no build isolation), and entrypoints comes
from uv's cache, where `make install` put it (uv.lock pins it in the packaging-test group).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.requirements import Requirement

pytestmark = pytest.mark.packaging

REPOSITORY = Path(__file__).resolve().parents[2]
SERVICE_STACK = (
    "litestar",
    "psycopg",
    "psycopg_pool",
    "PIL",
    "msgspec",
    "dependency_injector",
    "click",
    "uvicorn",
    "granian",
)

# A service that embeds the core: entities, a permission rule, a use case on an in-memory adapter.
SERVICE = """\
import asyncio
from dataclasses import replace
from datetime import UTC, datetime

from portfolio.adapters.memory.database import InMemoryDatabase
from portfolio.application.portfolios.manage import GetPortfolio
from portfolio.domain import Action, Portfolio, PortfolioNotFound, Principal, Resource
from portfolio.domain import permission_code

now = datetime.now(UTC)
harbour = Portfolio(
    id=1, title="Harbour", slug="harbour", excerpt="A quay.", order=1, is_active=True,
    created_at=now, updated_at=now,
)
renamed: Portfolio = replace(harbour, title="Harbour II")
retrieve = permission_code(Resource.PORTFOLIOS, Action.RETRIEVE)
staff = Principal(
    id=7, username="ana", is_active=True, is_staff=True, is_admin=False,
    permissions=frozenset({retrieve}),
)
allowed: bool = staff.may({code})


async def look_up(portfolio_id: int) -> str:
    try:
        found = await GetPortfolio(InMemoryDatabase().portfolios)(portfolio_id)
    except PortfolioNotFound:
        return "not found"
    return found.title


print(renamed.title, allowed, asyncio.run(look_up(404)))
"""
MISUSE_LINE = SERVICE.splitlines().index("allowed: bool = staff.may({code})") + 1


@dataclass(frozen=True)
class Built:
    """Both distributions, built from this checkout for this run."""

    core: Path
    service: Path


def _uv() -> str:
    found = REPOSITORY / ".uv" / "bin" / "uv"
    if found.exists():
        return str(found)
    on_path = shutil.which("uv")
    if on_path is None:
        pytest.fail("no uv: `make install` bootstraps it into .uv/")
    return on_path


def _run(*command: str | Path, cwd: Path = REPOSITORY) -> subprocess.CompletedProcess[str]:
    """Run ``command``; on failure, fail the test with what it printed."""
    env = {k: v for k, v in os.environ.items() if k not in {"MYPYPATH", "PYTHONPATH"}}
    env["UV_PYTHON_DOWNLOADS"] = "never"
    env["UV_OFFLINE"] = "1"
    result = subprocess.run(
        [str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        pytest.fail(f"{command[0]} exited {result.returncode}:\n{result.stdout}{result.stderr}")
    return result


def _only_wheel(folder: Path) -> Path:
    (wheel,) = folder.glob("*.whl")
    return wheel


def _venv(folder: Path) -> Path:
    """A fresh, empty virtualenv on this Python; its interpreter."""
    _run(_uv(), "venv", "--quiet", "--python", sys.executable, folder)
    return folder / "bin" / "python"


def _mypy(python: Path, code: str, folder: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    """mypy --strict on ``code``, finding packages only in ``python``'s environment."""
    folder.mkdir()
    (folder / "service.py").write_text(code)
    (folder / "mypy.ini").write_text("[mypy]\n")
    env = {k: v for k, v in os.environ.items() if k not in {"MYPYPATH", "PYTHONPATH"}}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--config-file",
            "mypy.ini",
            "--cache-dir",
            str(cache),
            "--python-executable",
            str(python),
            "service.py",
        ],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
    )


def _build(project: Path | str, out: Path) -> Path:
    """The wheel of ``project``, built from its sdist (so it depends on nothing left in the
    tree) by the build backend installed beside this interpreter."""
    _run(
        _uv(),
        "build",
        "--quiet",
        "--no-build-isolation",
        "--python",
        sys.executable,
        "--out-dir",
        out,
        project,
    )
    return _only_wheel(out)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Both wheels of this checkout."""
    out = tmp_path_factory.mktemp("dist")
    return Built(core=_build("core", out / "core"), service=_build(".", out / "service"))


@pytest.fixture(scope="module")
def mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One mypy cache for this run's checks (the standard library is most of their work)."""
    return tmp_path_factory.mktemp("mypy-cache")


@pytest.fixture(scope="module")
def embedding_service(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The interpreter of a fresh virtualenv holding the core wheel, the entrypoints package from
    PyPI (as uv.lock pins it) and a local package named domain."""
    root = tmp_path_factory.mktemp("embedding")
    local = root / "local-domain"
    (local / "domain").mkdir(parents=True)
    (local / "domain" / "__init__.py").write_text('ORIGIN = "the local package"\n')
    (local / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n'
        '[project]\nname = "domain"\nversion = "1.0"\n'
    )
    python = _venv(root / "venv")
    from_pypi = root / "pylock.toml"
    _run(
        _uv(),
        "export",
        "--quiet",
        "--frozen",
        "--format",
        "pylock.toml",
        "--only-group",
        "packaging-test",
        "--no-emit-project",
        "--output-file",
        from_pypi,
    )
    _run(_uv(), "pip", "install", "--quiet", "--python", python, "-r", from_pypi)
    local_wheel = _build(local, root / "local-dist")
    _run(_uv(), "pip", "install", "--quiet", "--python", python, built.core, local_wheel)
    return python


def test_the_core_imports_beside_pypi_entrypoints_and_a_local_domain(
    embedding_service: Path,
) -> None:
    probe = (
        "import json, portfolio.domain, entrypoints, domain\n"
        "modules = (portfolio.domain, entrypoints, domain)\n"
        "what = [portfolio.domain.Portfolio.__name__, entrypoints.EntryPoint.__name__]\n"
        "what.append(domain.ORIGIN)\n"
        "print(json.dumps({m.__name__: m.__file__ for m in modules} | {'what': what}))\n"
    )
    found = json.loads(_run(embedding_service, "-I", "-c", probe).stdout)

    site = Path(found["portfolio.domain"]).parents[2]
    assert site.name == "site-packages"
    assert site.is_relative_to(embedding_service.parent.parent)
    assert found == {
        "portfolio.domain": str(site / "portfolio" / "domain" / "__init__.py"),
        "entrypoints": str(site / "entrypoints.py"),
        "domain": str(site / "domain" / "__init__.py"),
        "what": ["Portfolio", "EntryPoint", "the local package"],
    }


def test_the_core_brings_nothing_of_the_service_stack(embedding_service: Path) -> None:
    probe = (
        "import importlib, importlib.metadata as m, importlib.util as u, json, pkgutil, sys\n"
        "import portfolio\n"
        "for module in pkgutil.walk_packages(portfolio.__path__, 'portfolio.'):\n"
        "    importlib.import_module(module.name)\n"
        f"stack = {SERVICE_STACK!r}\n"
        "print(json.dumps({\n"
        "    'installed': sorted(d.metadata['Name'] for d in m.distributions()),\n"
        "    'findable': [n for n in stack if u.find_spec(n) is not None],\n"
        "    'imported': [n for n in stack if n in sys.modules],\n"
        "}))\n"
    )
    seen = json.loads(_run(embedding_service, "-I", "-c", probe).stdout)

    assert seen == {
        "installed": ["domain", "entrypoints", "portfolio-core"],
        "findable": [],
        "imported": [],
    }


def test_a_service_runs_the_core_use_cases_on_the_in_memory_adapters(
    embedding_service: Path, tmp_path: Path
) -> None:
    script = tmp_path / "service.py"
    script.write_text(SERVICE.replace("{code}", "retrieve"))

    printed = _run(embedding_service, "-I", script, cwd=tmp_path).stdout

    assert printed == "Harbour II True not found\n"


def test_mypy_strict_accepts_a_service_using_the_installed_entities(
    embedding_service: Path, mypy_cache: Path, tmp_path: Path
) -> None:
    service = SERVICE.replace("{code}", "retrieve")

    checked = _mypy(embedding_service, service, tmp_path / "ok", mypy_cache)

    assert checked.returncode == 0, checked.stdout
    assert checked.stdout == "Success: no issues found in 1 source file\n"


def test_mypy_strict_reports_a_misuse_of_the_installed_entities(
    embedding_service: Path, mypy_cache: Path, tmp_path: Path
) -> None:
    service = SERVICE.replace("{code}", "str(retrieve)")

    checked = _mypy(embedding_service, service, tmp_path / "bad", mypy_cache)

    assert checked.returncode == 1
    assert checked.stdout.splitlines()[0] == (
        f'service.py:{MISUSE_LINE}: error: Argument 1 to "may" of "Principal" has incompatible '
        'type "str"; expected "int"  [arg-type]'
    )


def test_mypy_sees_the_entities_only_through_the_installed_wheel(
    mypy_cache: Path, tmp_path: Path
) -> None:
    python = _venv(tmp_path / "empty")

    checked = _mypy(python, SERVICE.replace("{code}", "retrieve"), tmp_path / "none", mypy_cache)

    assert checked.returncode == 1
    assert 'Cannot find implementation or library stub for module named "portfolio' in (
        checked.stdout
    )


def test_the_core_wheel_is_the_core_and_versioned_with_the_service(built: Built) -> None:
    source = REPOSITORY / "src"
    expected = {
        path.relative_to(source).as_posix()
        for folder in ("portfolio/domain", "portfolio/application", "portfolio/adapters/memory")
        for path in (source / folder).rglob("*.py")
    } | {"portfolio/__init__.py", "portfolio/py.typed", "portfolio/adapters/__init__.py"}
    with zipfile.ZipFile(built.core) as wheel:
        names = wheel.namelist()
        metadata = wheel.read(next(n for n in names if n.endswith(".dist-info/METADATA")))
    service = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())["project"]
    core = tomllib.loads((REPOSITORY / "core" / "pyproject.toml").read_text())["project"]

    assert {n for n in names if ".dist-info/" not in n} == expected
    assert b"Requires-Dist" not in metadata
    assert core["version"] == service["version"]


def test_the_service_wheel_installs_one_top_level_package_with_its_data(built: Built) -> None:
    with zipfile.ZipFile(built.service) as wheel:
        names = set(wheel.namelist())
        scripts = wheel.read(next(n for n in names if n.endswith(".dist-info/entry_points.txt")))

    assert {name.split("/")[0] for name in names if ".dist-info/" not in name} == {"portfolio"}
    assert {
        "portfolio/py.typed",
        "portfolio/domain/__init__.py",
        "portfolio/adapters/memory/__init__.py",
        "portfolio/entrypoints/cli.py",
        "portfolio/adapters/postgres/migrations/0001_initial.sql",
    } <= names
    assert b"portfolio = portfolio.entrypoints.cli:main" in scripts


@pytest.mark.parametrize("project", ["core", "."])
def test_the_build_backend_used_is_the_one_the_project_asks_for(project: str) -> None:
    # The wheels are built without isolation: what pyproject.toml requires to build must then
    # be what this virtualenv holds, at a version it admits.
    pyproject = tomllib.loads((REPOSITORY / project / "pyproject.toml").read_text())
    wanted = [Requirement(text) for text in pyproject["build-system"]["requires"]]

    unmet = [str(r) for r in wanted if not r.specifier.contains(version(r.name), prereleases=True)]

    assert wanted
    assert unmet == []
