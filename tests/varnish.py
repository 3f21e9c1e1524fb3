"""A real Varnish for tests: varnishd running the shipped VCL (deploy/varnish/portfolio.vcl) in
front of a backend on loopback.

varnishd and vmod_xkey are the system packages `make install` puts on disk (.ci/edge-deps).
Each Varnish gets its own working directory, listens on a port the kernel picks, and has a
site file of its own (the backend, the purge ACL) written where its vcl_path looks first,
the way a deployment puts its own in /etc/varnish.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
SHIPPED_VCL = REPOSITORY / "deploy" / "varnish" / "portfolio.vcl"
START_TIMEOUT = 30.0
# Debian puts varnishd in /usr/sbin, which a non-root user's PATH often lacks.
SEARCH_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/local/sbin", "/usr/sbin"])
MISSING = (
    "the edge-cache tests need varnishd and vmod_xkey: run `make install` "
    "(Debian: apt-get install varnish varnish-modules)"
)
# Whatever host the tests address the site as; the stand-in origin accepts any.
SITE_HOST = "portfolio.example"


class VarnishUnavailable(RuntimeError):
    """varnishd is missing, or it did not start with the shipped VCL."""


@dataclass(frozen=True)
class Reply:
    """An answer as the client received it."""

    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self) -> dict[str, object]:
        """The body, decoded as a JSON object."""
        decoded = json.loads(self.body)
        assert isinstance(decoded, dict)
        return decoded


@dataclass(frozen=True)
class Varnish:
    """A running varnishd: where it listens and how to ask it things."""

    host: str
    port: int
    workdir: Path

    def request(
        self,
        method: str,
        target: str,
        headers: Mapping[str, str] | None = None,
        source: str = "127.0.0.1",
    ) -> Reply:
        """Send exactly these headers (Host defaults to SITE_HOST) from address ``source``."""
        sent = {"Host": SITE_HOST, **(headers or {})}
        connection = http.client.HTTPConnection(
            self.host, self.port, timeout=15, source_address=(source, 0)
        )
        try:
            connection.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
            for name, value in sent.items():
                connection.putheader(name, value)
            connection.endheaders()
            response = connection.getresponse()
            return Reply(response.status, response.headers, response.read())
        finally:
            connection.close()

    def admin(self, *command: str) -> str:
        """Run one varnishadm command; its output."""
        return _admin(self.workdir, *command)

    def backend_health(self) -> str:
        """`healthy` or `sick`, as the backend's probe last said."""
        listing = json.loads(self.admin("backend.list", "-j"))
        backends = listing[3]
        (backend,) = backends.values()
        return str(backend["probe_message"][2])

    def wait_for_backend(self, health: str, timeout: float = 10.0) -> None:
        """Return once the probe says ``health`` (healthy or sick)."""
        deadline = time.monotonic() + timeout
        while self.backend_health() != health:
            if time.monotonic() > deadline:
                raise AssertionError(f"the backend did not become {health} within {timeout}s")
            time.sleep(0.05)


def varnishd_binary(search_path: str = SEARCH_PATH) -> str:
    """The varnishd on ``search_path``, or VarnishUnavailable saying how to install it."""
    found = shutil.which("varnishd", path=search_path)
    if found is None:
        raise VarnishUnavailable(MISSING)
    return found


@dataclass(frozen=True)
class Site:
    """What a deployment's portfolio-site.vcl says, for a test: who may purge, whose
    X-Forwarded-Proto is believed, and how often the backend is probed (fast by default, so a
    stopped backend turns sick within half a second)."""

    purgers: tuple[str, ...] = ("127.0.0.1",)
    tls_proxies: tuple[str, ...] = ()
    probe_interval: str = "0.1s"

    def vcl(self, backend_port: int) -> str:
        """The site file, like deploy/varnish/portfolio-site.vcl, for a backend on loopback."""
        return f"""
backend portfolio {{
    .host = "127.0.0.1";
    .port = "{backend_port}";
    .connect_timeout = 1s;
    .first_byte_timeout = 5s;
    .probe = {{
        .url = "/health";
        .timeout = 0.5s;
        .interval = {self.probe_interval};
        .window = 3;
        .threshold = 2;
    }}
}}
acl portfolio_purgers {{ {"".join(f'"{address}"; ' for address in self.purgers)}}}
acl portfolio_tls_proxies {{ {"".join(f'"{address}"; ' for address in self.tls_proxies)}}}
"""


def _admin(workdir: Path, *command: str) -> str:
    # varnishadm finds the admin port and secret in the working directory's shared memory.
    done = subprocess.run(
        ["varnishadm", "-n", str(workdir), "-t", "2", *command],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise VarnishUnavailable(f"varnishadm {' '.join(command)}: {done.stdout}{done.stderr}")
    return done.stdout


def _listen_address(workdir: Path, process: subprocess.Popen[bytes], log: Path) -> int:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise VarnishUnavailable(f"varnishd exited early: {log.read_text()[-3000:]}")
        try:
            # One line per listener: "a0 127.0.0.1 41235".
            return int(_admin(workdir, "debug.listen_address").split()[2])
        except (VarnishUnavailable, IndexError, ValueError):
            time.sleep(0.05)
    raise VarnishUnavailable(f"varnishd did not listen within {START_TIMEOUT:.0f}s")


@contextmanager
def running_varnish(
    directory: Path,
    backend_port: int,
    site: Site = Site(),
    listen_port: int = 0,
) -> Iterator[Varnish]:
    """Start varnishd with the shipped VCL in front of 127.0.0.1:``backend_port``, listening
    on ``listen_port`` (0: one the kernel picks), wait until it listens and its probe finds
    the backend healthy; stop it on exit."""
    binary = varnishd_binary()
    directory.mkdir(parents=True, exist_ok=True)
    site_directory = directory / "site"
    site_directory.mkdir(exist_ok=True)
    (site_directory / "portfolio-site.vcl").write_text(site.vcl(backend_port))
    secret = directory / "secret"
    secret.write_text(secrets.token_hex(16))
    workdir = directory / "work"
    arguments = [
        binary,
        "-F",
        # No jail: the same as root and as any other user, and the working directory may be
        # one only the test's user can enter.
        "-j",
        "none",
        "-n",
        str(workdir),
        "-a",
        f"127.0.0.1:{listen_port}",
        "-T",
        "127.0.0.1:0",
        "-S",
        str(secret),
        "-f",
        str(SHIPPED_VCL),
        "-p",
        f"vcl_path={site_directory}",
        "-p",
        "http_gzip_support=off",
        "-s",
        "malloc,64m",
        # A test's Varnish serves a handful of requests: few threads, a small log, and the VCL
        # compiled without optimisation (about three times faster to start).
        "-p",
        "thread_pools=1",
        "-p",
        "thread_pool_min=10",
        "-p",
        "thread_pool_max=100",
        "-p",
        "vsl_space=4M",
        "-p",
        "cc_command=exec cc -O0 -pthread -fpic -shared -Wl,-x -o %o %s",
    ]
    log = directory / "varnishd.log"
    with log.open("wb") as output:
        process = subprocess.Popen(arguments, stdout=output, stderr=subprocess.STDOUT)
    try:
        port = _listen_address(workdir, process, log)
        varnish = Varnish("127.0.0.1", port, workdir)
        varnish.wait_for_backend("healthy", timeout=START_TIMEOUT)
        yield varnish
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
