"""Fail unless .venv holds exactly what uv.lock pins for this Python: same names, same versions.

Run with the virtualenv's Python: python .ci/installed_matches_lock.py path/to/uv
"""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PROJECT = "portfolio-service"


def locked(uv: str) -> dict[str, str]:
    """name -> version that uv.lock pins for this interpreter and platform."""
    exported = subprocess.run(
        [
            uv,
            "export",
            "--frozen",
            "--no-hashes",
            "--no-header",
            "--no-emit-project",
            "--extra",
            "embedded",
            "--format",
            "requirements-txt",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    pins: dict[str, str] = {}
    for line in exported.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate():
            (pin,) = requirement.specifier
            pins[canonicalize_name(requirement.name)] = pin.version
    return pins


def installed() -> dict[str, str]:
    """name -> version of every distribution in this environment but the project itself."""
    found = {canonicalize_name(d.metadata["Name"]): d.version for d in metadata.distributions()}
    found.pop(PROJECT, None)
    return found


def main() -> int:
    pins, present = locked(sys.argv[1]), installed()
    drift = sorted(
        (name, pins.get(name, "-"), present.get(name, "-"))
        for name in pins.keys() | present.keys()
        if pins.get(name) != present.get(name)
    )
    for name, pin, have in drift:
        print(f"  {name:<32} locked {pin:<12} installed {have}")
    if drift:
        print(f"{len(drift)} packages differ from uv.lock")
        return 1
    print(f"all {len(pins)} installed packages are exactly the versions uv.lock pins")
    return 0


if __name__ == "__main__":
    sys.exit(main())
