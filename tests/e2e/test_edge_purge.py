"""The edge cache that purges itself, end to end: a real Varnish running the shipped VCL in
front of a real ``portfolio serve`` with ``PORTFOLIO_EDGE=varnish``. The service reaches
Varnish's purge port through a TCP proxy the tests can silence (an edge that accepts the
connection and never answers).

What the website sees through Varnish: hits that never reach the service, every write (API,
command line, a scheduled moment) fresh within a second or two, private routes never cached,
stale pages while the service is down, no purge lost to a dead edge or a killed process, and
no hostile Host in a cached answer.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from tests.e2e.tcp_proxy import CuttableProxy
from tests.servers import PORTFOLIO, admin_headers, free_port, stop
from tests.varnish import SITE_HOST, Reply, Varnish

pytestmark = pytest.mark.postgres

EDGE_TIMEOUT = 2.0
"""PORTFOLIO_EDGE_TIMEOUT of the service under test: a silent edge costs a purge this long."""


@dataclass
class Service:
    """``portfolio serve`` on a fixed port (so Varnish finds it again after a restart)."""

    env: dict[str, str]
    port: int
    process: subprocess.Popen[bytes] | None = None
    outputs: list[Path] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, log: Path) -> None:
        with log.open("wb") as output:
            self.process = subprocess.Popen(
                [PORTFOLIO, "serve", "--port", str(self.port), "--workers", "1"],
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                # A group of its own: a kill reaches its workers too, as a crash would.
                start_new_session=True,
            )
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{self.base}/ready", timeout=2) as response:
                    assert json.load(response) == {"status": "ready"}
                return
            except OSError:
                assert self.process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "the service did not come up"
                time.sleep(0.2)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            stop(self.process)
        if self.process is not None:
            # Nothing of it may outlive the test: a worker left behind would keep leading.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)

    def kill(self) -> None:
        """SIGKILL to the server and its workers: no shutdown, whatever they held is lost."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def metric(self, name: str, **labels: str) -> float:
        text = httpx.get(f"{self.base}/metrics").text
        wanted = ",".join(f'{key}="{value}"' for key, value in labels.items())
        for line in text.splitlines():
            series, _, number = line.rpartition(" ")
            if series in (name, f"{name}{{{wanted}}}"):
                return float(number)
        return 0.0


@dataclass
class Site:
    """The service, Varnish in front of it, the link the purges travel, and an admin token."""

    service: Service
    varnish: Varnish
    link: CuttableProxy
    database: str
    admin: dict[str, str]
    directory: Path

    def read(self, path: str, **headers: str) -> Reply:
        return self.varnish.request("GET", path, headers)

    def write(self, method: str, path: str, body: dict[str, Any]) -> httpx.Response:
        answer = httpx.request(
            method, f"{self.service.base}{path}", headers=self.admin, json=body, timeout=10
        )
        assert answer.is_success, answer.text
        return answer

    def create(self, title: str, **fields: Any) -> dict[str, Any]:
        """A portfolio, once the edge has heard of it (a read before its purge arrives would
        be purged by it)."""
        body = {"title": title, "is_active": True, **fields}
        created: dict[str, Any] = self.write("POST", "/api/portfolios/", body).json()
        until(lambda: self.waiting_purges() == 0, 5.0)
        return created

    def cli(self, *args: str) -> None:
        """Run ``portfolio`` from an operator's shell that lacks the edge settings: the
        serving leader, which has them, purges what it changed."""
        env = {k: v for k, v in self.service.env.items() if not k.startswith("PORTFOLIO_EDGE")}
        done = subprocess.run(
            [PORTFOLIO, *args], env=env, capture_output=True, timeout=60, check=False
        )
        assert done.returncode == 0, done.stderr

    def waiting_purges(self) -> int:
        with psycopg.connect(self.database) as conn:
            row = conn.execute("SELECT count(*) FROM outbox WHERE consumer = 'edge'").fetchone()
        assert row is not None
        return int(row[0])

    def restart(self, name: str) -> None:
        self.service.start(self.directory / f"{name}.log")


def until(check: Callable[[], bool], timeout: float, step: float = 0.02) -> float:
    """Seconds until ``check`` held (AssertionError after ``timeout``)."""
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < timeout, f"not within {timeout}s"
        time.sleep(step)
    return time.monotonic() - started


def title_of(reply: Reply) -> str | None:
    return str(reply.json()["title"]) if reply.status == 200 else None


@pytest.fixture
def site(clean_database: str, tmp_path: Path, varnish: Callable[..., Varnish]) -> Iterator[Site]:
    link = CuttableProxy(f"host=127.0.0.1 port={free_port()}")
    link.restore()
    env = {
        **os.environ,
        "PORTFOLIO_DATABASE_URL": clean_database,
        "PORTFOLIO_MEDIA_ROOT": str(tmp_path / "media"),
        "PORTFOLIO_EDGE": "varnish",
        "PORTFOLIO_EDGE_URLS": f"http://127.0.0.1:{link.port}",
        "PORTFOLIO_EDGE_TIMEOUT": str(EDGE_TIMEOUT),
        "PORTFOLIO_PUBLIC_S_MAXAGE": "86400",
    }
    admin = admin_headers(env)
    service = Service(env, free_port())
    service.start(tmp_path / "serve.log")
    try:
        edge = varnish(service.port)
        link.forward_to(edge.port)
        yield Site(service, edge, link, clean_database, admin, tmp_path)
    finally:
        service.stop()
        link.cut()


def test_a_second_read_is_a_hit_that_never_reaches_the_service(site: Site) -> None:
    site.create("Harbour")
    route = "/api/public/portfolios/{slug}"

    first = site.read("/api/public/portfolios/harbour")
    reached = site.service.metric(
        "portfolio_http_requests_total", method="GET", route=route, status="200"
    )
    second = site.read("/api/public/portfolios/harbour")

    assert (first.status, first.headers["X-Cache"]) == (200, "MISS")
    assert (second.status, second.headers["X-Cache"], second.body) == (200, "HIT", first.body)
    assert reached == 1
    assert (
        site.service.metric(
            "portfolio_http_requests_total", method="GET", route=route, status="200"
        )
        == 1
    )


def test_a_write_through_the_api_is_fresh_through_varnish_within_a_second(site: Site) -> None:
    made = site.create("Harbour")
    listed = site.read("/api/public/portfolios/")
    assert site.read("/api/public/portfolios/harbour").headers["X-Cache"] == "MISS"
    assert site.read("/api/public/portfolios/harbour").headers["X-Cache"] == "HIT"

    site.write("PATCH", f"/api/portfolios/{made['id']}", {"title": "Harbour bridge"})
    written = time.monotonic()

    until(lambda: title_of(site.read("/api/public/portfolios/harbour")) == "Harbour bridge", 1.0)
    assert time.monotonic() - written < 1.0
    relisted = site.read("/api/public/portfolios/")
    assert relisted.json()["results"][0]["title"] == "Harbour bridge"
    assert relisted.body != listed.body


def test_a_write_at_the_command_line_is_fresh_through_varnish_within_a_second(
    site: Site,
) -> None:
    made = site.create("Harbour")
    assert title_of(site.read("/api/public/portfolios/harbour")) == "Harbour"

    site.cli("api", "PATCH", f"/api/portfolios/{made['id']}", "--data", '{"title": "Quay"}')
    written = time.monotonic()

    until(lambda: title_of(site.read("/api/public/portfolios/harbour")) == "Quay", 1.0)
    assert time.monotonic() - written < 1.0


def test_a_deleted_portfolio_is_gone_through_varnish(site: Site) -> None:
    made = site.create("Harbour")
    assert site.read("/api/public/portfolios/harbour").status == 200

    httpx.delete(f"{site.service.base}/api/portfolios/{made['id']}", headers=site.admin)

    until(lambda: site.read("/api/public/portfolios/harbour").status == 404, 1.0)
    assert site.read("/api/public/portfolios/").json()["count"] == 0


def test_a_scheduled_publish_shows_through_varnish_within_two_seconds_with_no_write(
    site: Site,
) -> None:
    moment = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=4)
    site.create("Launch", publish_at=moment.isoformat())
    assert site.read("/api/public/portfolios/").json()["count"] == 0
    assert site.read("/api/public/portfolios/launch").status == 404
    assert site.read("/api/public/portfolios/").headers["X-Cache"] == "HIT"

    until(lambda: site.read("/api/public/portfolios/launch").status == 200, 10.0, step=0.05)
    shown = datetime.now(UTC)

    assert (shown - moment).total_seconds() < 2.0
    assert site.read("/api/public/portfolios/").json()["count"] == 1


def test_a_private_route_is_never_cached(site: Site) -> None:
    made = site.create("Harbour")
    private = f"/api/portfolios/{made['id']}"

    answers = [site.read(private, **site.admin) for _ in range(2)]
    refused = [site.read(private) for _ in range(2)]

    assert [(a.status, a.headers["X-Cache"]) for a in answers] == [(200, "PASS")] * 2
    assert [(a.status, a.headers["X-Cache"]) for a in refused] == [(401, "PASS")] * 2


def test_with_the_service_stopped_varnish_serves_the_stale_page(site: Site) -> None:
    made = site.create("Harbour")
    cached = site.read("/api/public/portfolios/harbour")
    site.write("PATCH", f"/api/portfolios/{made['id']}", {"description": "Soft-purged."})
    until(lambda: site.waiting_purges() == 0, 5.0)

    site.service.stop()
    site.varnish.wait_for_backend("sick")
    stale = site.read("/api/public/portfolios/harbour")

    assert (stale.status, stale.headers["X-Cache"], stale.body) == (200, "HIT", cached.body)


def test_an_edge_that_does_not_answer_never_fails_or_delays_a_write_and_shows_in_the_backlog(
    site: Site,
) -> None:
    made = site.create("Harbour")
    assert title_of(site.read("/api/public/portfolios/harbour")) == "Harbour"
    site.link.partition()

    took = []
    for number in range(5):
        started = time.monotonic()
        site.write("PATCH", f"/api/portfolios/{made['id']}", {"title": f"Harbour {number}"})
        took.append(time.monotonic() - started)

    assert max(took) < EDGE_TIMEOUT / 2
    until(lambda: site.service.metric("portfolio_feed_backlog", consumer="edge") >= 5, 5.0)
    until(
        lambda: (
            site.service.metric("portfolio_feed_oldest_event_age_seconds", consumer="edge") >= 2
        ),
        10.0,
    )
    # Nothing reached the edge: the cached page is still the old one.
    assert title_of(site.read("/api/public/portfolios/harbour")) == "Harbour"

    site.link.heal()
    until(lambda: title_of(site.read("/api/public/portfolios/harbour")) == "Harbour 4", 40.0)
    until(lambda: site.waiting_purges() == 0, 5.0)
    until(lambda: site.service.metric("portfolio_feed_backlog", consumer="edge") == 0, 5.0)


def test_a_service_killed_between_commit_and_delivery_loses_no_purge(site: Site) -> None:
    made = site.create("Harbour")
    assert title_of(site.read("/api/public/portfolios/harbour")) == "Harbour"
    site.link.partition()

    site.write("PATCH", f"/api/portfolios/{made['id']}", {"title": "Survivor"})
    site.service.kill()
    assert site.waiting_purges() == 1
    site.link.cut()
    site.link.restore()
    site.link.heal()
    site.restart("after-kill")

    until(lambda: title_of(site.read("/api/public/portfolios/harbour")) == "Survivor", 30.0)
    assert site.waiting_purges() == 0


@pytest.mark.parametrize(
    "hostile",
    [
        {"X-Forwarded-Host": "evil.example"},
        {"Host": "evil.example"},
        {"Host": "evil.example", "X-Forwarded-Host": "evil.example"},
        {"Forwarded": "host=evil.example;proto=https"},
    ],
)
def test_a_hostile_host_never_reaches_the_urls_of_a_cached_public_answer(
    site: Site, hostile: dict[str, str]
) -> None:
    for title in ("One", "Two"):
        site.create(title)
    path = "/api/public/portfolios/?page_size=1"

    poisoned = site.read(path, **hostile)
    honest = site.read(path)

    assert poisoned.status in (200, 400)
    assert honest.status == 200
    assert b"evil" not in honest.body
    assert honest.json()["next"].startswith(f"http://{SITE_HOST}/")
