"""The front-end's TypeScript client against the service served for real.

openapi-typescript makes the types from the served /schema/openapi.json, and `tsc --noEmit`
checks the committed program (clients/typescript/src/example.ts) against them: a schema change
that breaks a TypeScript caller fails here. The program then runs under node against the
service. Node.js and the client's packages (`npm ci`, run by `make install`) must be there; the
test needs no network.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from portfolio.entrypoints.container import Container, opened
from portfolio.entrypoints.settings import Settings
from tests import media_samples
from tests.conftest import REPOSITORY
from tests.servers import serving

pytestmark = pytest.mark.postgres

CLIENT = REPOSITORY / "clients" / "typescript"
TOOLS = CLIENT / "node_modules" / ".bin"
NODE_MAJOR = 20
PASSWORD = "typescript client passphrase"
CHEAP = {"PORTFOLIO_PASSWORD_TIME_COST": "1", "PORTFOLIO_PASSWORD_MEMORY_KIB": "64"}
# The program's own module, run as node runs a front-end's tests: the file to upload is read
# from disk, everything else goes through the typed client.
RUNNER = """\
import { readFile } from "node:fs/promises";
import { walkThrough } from "./example.js";

const [baseUrl, username, password, path] = process.argv.slice(2);
const file = new Blob([await readFile(path)], { type: "image/png" });
const seen = await walkThrough(baseUrl, username, password, file, "cover.png");
console.log(JSON.stringify(seen));
"""


@pytest.fixture
def node_binary() -> str:
    """node, at a version the client supports, and the client's packages; else the test fails
    saying what to install (before anything is started)."""
    found = shutil.which("node")
    version = ""
    if found is not None:
        version = subprocess.run([found, "--version"], capture_output=True, text=True).stdout
    major = re.match(r"v(\d+)\.", version)
    if found is None or major is None or int(major.group(1)) < NODE_MAJOR:
        pytest.fail(
            f"the TypeScript client test needs Node.js {NODE_MAJOR} or newer and npm (found "
            f"{version.strip() or 'no node'}): install them (Debian 13: nodejs npm), "
            "then make install",
            pytrace=False,
        )
    if not (TOOLS / "tsc").is_file():
        pytest.fail(
            f"no {TOOLS / 'tsc'}: run `make install` (it runs `npm ci` in clients/typescript)",
            pytrace=False,
        )
    return found


def run(*command: str | Path, cwd: Path = CLIENT) -> subprocess.CompletedProcess[str]:
    """Run ``command`` in the client's folder; what it printed, whatever its exit status."""
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "NO_COLOR": "1"},
    )


def typescript_types(node: str, schema: bytes, folder: Path) -> Path:
    """A tsconfig.json in ``folder`` that checks the client's program against the types
    openapi-typescript makes from ``schema`` (through clients/typescript/generate.mjs)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "openapi.json").write_bytes(schema)
    generated = run(node, "generate.mjs", folder / "openapi.json", folder / "schema.d.ts")
    assert generated.returncode == 0, generated.stdout + generated.stderr
    config = {
        "extends": str(CLIENT / "tsconfig.json"),
        "compilerOptions": {"paths": {"portfolio-schema": [str(folder / "schema.d.ts")]}},
    }
    (folder / "tsconfig.json").write_text(json.dumps(config))
    return folder / "tsconfig.json"


@pytest.fixture
def served(clean_database: str, tmp_path: Path) -> Iterator[str]:
    """The service on a free local port, as `portfolio serve` runs it."""
    env = {
        **CHEAP,
        "PORTFOLIO_DATABASE_URL": clean_database,
        "PORTFOLIO_MEDIA_ROOT": str(tmp_path / "media"),
    }
    with serving(env) as base:
        yield base


def admin_with_password(database_url: str, media_root: Path) -> str:
    """A new admin who signs in with PASSWORD; a token of theirs for setting things up."""

    async def create() -> str:
        settings = Settings(media_root=media_root, password_time_cost=1, password_memory_kib=64)
        container = Container(settings=settings, database_url=database_url)
        async with opened(container):
            await container.administer_users().create("admin", is_admin=True, password=PASSWORD)
            return (await container.manage_tokens().issue("admin")).key

    return asyncio.run(create())


def test_the_program_type_checks_against_the_served_schema(
    node_binary: str, served: str, tmp_path: Path
) -> None:
    schema = httpx.get(f"{served}/schema/openapi.json").content
    config = typescript_types(node_binary, schema, tmp_path / "types")

    checked = run(TOOLS / "tsc", "--noEmit", "--pretty", "false", "-p", config)

    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout + checked.stderr == ""


def test_the_program_signs_in_lists_opens_uploads_and_patches_on_the_service(
    node_binary: str, served: str, clean_database: str, tmp_path: Path
) -> None:
    key = admin_with_password(clean_database, tmp_path / "media")
    headers = {"Authorization": f"Token {key}"}
    for title in ("Harbour", "Lighthouse"):
        made = httpx.post(f"{served}/api/portfolios/", headers=headers, json={"title": title})
        assert made.status_code == 201, made.text
    out = tmp_path / "program"
    # Only what the program says runs; its types were checked above, so this transpiles alone.
    built = run(
        TOOLS / "tsc",
        "--noCheck",
        "--noEmit",
        "false",
        "--rootDir",
        CLIENT / "src",
        "--outDir",
        out,
        "-p",
        CLIENT / "tsconfig.json",
    )
    assert built.returncode == 0, built.stdout + built.stderr
    (out / "package.json").write_text('{"type": "module"}\n')
    (out / "node_modules").symlink_to(CLIENT / "node_modules")
    (out / "run.mjs").write_text(RUNNER)
    (tmp_path / "cover.png").write_bytes(media_samples.png())

    ran = run(node_binary, "run.mjs", served, "admin", PASSWORD, tmp_path / "cover.png", cwd=out)

    assert ran.returncode == 0, ran.stderr
    seen = json.loads(ran.stdout)
    image_id = seen["uploaded"]["id"]
    assert seen["expiresAt"].endswith("Z")
    del seen["expiresAt"]
    assert seen == {
        "count": 2,
        "titles": ["Harbour", "Lighthouse"],
        "opened": {"id": 1, "title": "Harbour", "slug": "harbour", "employer": None, "tags": []},
        "uploaded": {
            "id": image_id,
            "type": "image/png",
            "width": 300,
            "thumbnails": [64, 128, 512, 1080],
        },
        "retitled": {"title": "Harbour (new cover)", "cover": image_id, "coverThumbnails": 4},
    }
    stored = httpx.get(f"{served}/api/portfolios/1", headers=headers).json()
    assert (stored["title"], stored["image_data"]["id"]) == ("Harbour (new cover)", image_id)
