"""The shipped VCL (deploy/varnish/portfolio.vcl) on a real Varnish, in front of a stand-in
origin that counts what reaches it: what is cached and under which key, purges by surrogate
key, stale copies while the origin fails, and headers a client must not be able to steer."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.stand_in_origin import Answer, StandInOrigin, serving_origin
from tests.varnish import (
    SEARCH_PATH,
    SHIPPED_VCL,
    SITE_HOST,
    Reply,
    Site,
    Varnish,
    VarnishUnavailable,
    varnishd_binary,
)

PUBLIC_ROUTES = (
    "/api/public/portfolios/",
    "/api/public/portfolios/harbour-bridge",
    "/api/public/tags/",
    "/api/public/employers/",
)
# An address on loopback (all of 127/8 is) that no ACL of these tests lists.
OUTSIDER = "127.0.0.2"
STALE_PATH = "/api/public/portfolios/harbour-bridge"


@pytest.fixture
def origin() -> Iterator[StandInOrigin]:
    """The stand-in origin, stopped after the test."""
    with serving_origin() as origin:
        yield origin


@pytest.fixture
def edge(origin: StandInOrigin, varnish: Callable[..., Varnish]) -> Varnish:
    """Varnish in front of the stand-in; only 127.0.0.1 may purge."""
    return varnish(origin.port)


def read(edge: Varnish, path: str, **headers: str) -> Reply:
    """GET ``path`` through the edge (header names with underscores for dashes)."""
    return edge.request("GET", path, {name.replace("_", "-"): v for name, v in headers.items()})


def purge(edge: Varnish, header: str, keys: str, source: str = "127.0.0.1") -> Reply:
    """The purge request the service sends: PURGE with the keys in ``header``."""
    return edge.request("PURGE", "/", {header: keys}, source=source)


def test_second_read_of_a_public_route_is_a_hit_that_never_reaches_the_origin(
    edge: Varnish, origin: StandInOrigin
) -> None:
    for path in PUBLIC_ROUTES:
        first, second, head = read(edge, path), read(edge, path), edge.request("HEAD", path)

        assert (first.status, first.headers["X-Cache"]) == (200, "MISS")
        assert (second.status, second.headers["X-Cache"]) == (200, "HIT")
        assert second.body == first.body
        assert second.headers["ETag"] == first.headers["ETag"]
        assert (head.status, head.headers["X-Cache"], head.body) == (200, "HIT", b"")
        assert len(origin.seen(path)) == 1


def test_surrogate_keys_stay_at_the_edge(edge: Varnish, origin: StandInOrigin) -> None:
    origin.answer("/api/public/tags/", Answer(surrogate_keys="tag-4 portfolios"))

    for reply in (read(edge, "/api/public/tags/"), read(edge, "/api/public/tags/")):
        assert reply.headers["Surrogate-Key"] is None
        assert reply.headers["xkey"] is None
        assert reply.headers["Access-Control-Allow-Origin"] == "*"


def test_soft_purge_by_key_refetches_only_the_objects_with_that_key(
    edge: Varnish, origin: StandInOrigin
) -> None:
    origin.answer("/api/public/portfolios/one", Answer(surrogate_keys="portfolio-1 media-3"))
    origin.answer("/api/public/portfolios/two", Answer(surrogate_keys="portfolio-2 media-3"))
    one, two = read(edge, "/api/public/portfolios/one"), read(edge, "/api/public/portfolios/two")

    purged = purge(edge, "xkey-softpurge", "portfolio-1")

    assert (purged.status, purged.headers["X-Purged"]) == (200, "1")
    fresh_one = read(edge, "/api/public/portfolios/one")
    assert fresh_one.headers["X-Cache"] == "MISS"
    assert fresh_one.json()["serial"] != one.json()["serial"]
    cached_two = read(edge, "/api/public/portfolios/two")
    assert (cached_two.headers["X-Cache"], cached_two.body) == ("HIT", two.body)
    assert len(origin.seen("/api/public/portfolios/one")) == 2
    assert len(origin.seen("/api/public/portfolios/two")) == 1

    # A key two pages share reaches both; several keys go in one request. (An object that is
    # stale already is not counted again.)
    assert purge(edge, "xkey-softpurge", "media-3").headers["X-Purged"] == "2"
    assert purge(edge, "xkey-softpurge", "media-3").headers["X-Purged"] == "0"
    for path in ("/api/public/portfolios/one", "/api/public/portfolios/two"):
        assert read(edge, path).headers["X-Cache"] == "MISS"
    assert purge(edge, "xkey-softpurge", "portfolio-1 portfolio-2").headers["X-Purged"] == "2"


def test_a_soft_purged_page_that_did_not_change_is_revalidated_not_fetched_again(
    edge: Varnish, origin: StandInOrigin
) -> None:
    path = "/api/public/portfolios/harbour-bridge"
    origin.answer(path, Answer(surrogate_keys="portfolio-12", unchanging=True))
    cached = read(edge, path)
    purge(edge, "xkey-softpurge", "portfolio-12")

    revalidated, later = read(edge, path), read(edge, path)

    first, second = origin.seen(path)
    assert "if-none-match" not in first.headers
    assert second.headers["if-none-match"] == cached.headers["ETag"]
    assert (revalidated.status, revalidated.body) == (200, cached.body)
    assert (later.headers["X-Cache"], later.body) == ("HIT", cached.body)
    # The refreshed object keeps its keys: the next purge reaches it again.
    assert purge(edge, "xkey-softpurge", "portfolio-12").headers["X-Purged"] == "1"


def test_purge_from_an_address_outside_the_acl_is_refused(
    edge: Varnish, origin: StandInOrigin
) -> None:
    origin.answer("/api/public/tags/", Answer(surrogate_keys="tag-4"))
    read(edge, "/api/public/tags/")

    for header in ("xkey-softpurge", "xkey-purge"):
        assert purge(edge, header, "tag-4", source=OUTSIDER).status == 403

    assert read(edge, "/api/public/tags/").headers["X-Cache"] == "HIT"
    assert len(origin.seen("/api/public/tags/")) == 1
    assert purge(edge, "xkey-softpurge", "tag-4").status == 200


def test_a_proxy_in_front_may_not_purge_even_from_a_purgers_address(
    origin: StandInOrigin, varnish: Callable[..., Varnish]
) -> None:
    edge = varnish(origin.port, Site(purgers=("127.0.0.1",), tls_proxies=("127.0.0.1",)))

    assert purge(edge, "xkey-softpurge", "tag-4").status == 403


def test_a_key_purge_reaches_every_hosts_and_every_variants_copy(
    edge: Varnish, origin: StandInOrigin
) -> None:
    origin.answer("/api/public/tags/", Answer(surrogate_keys="tag-4"))
    for host in (SITE_HOST, "www.portfolio.example"):
        for encoding in ("br", "gzip"):
            read(edge, "/api/public/tags/", Host=host, Accept_Encoding=encoding)

    assert purge(edge, "xkey-purge", "tag-4").headers["X-Purged"] == "4"


def test_purge_names_its_keys_in_exactly_one_header(edge: Varnish) -> None:
    assert edge.request("PURGE", "/").status == 400
    both = {"xkey-purge": "tag-4", "xkey-softpurge": "tag-4"}
    assert edge.request("PURGE", "/", both).status == 400


def test_private_routes_and_unsafe_methods_always_reach_the_origin(
    edge: Varnish, origin: StandInOrigin
) -> None:
    token = {"Authorization": "Token 0123456789abcdef"}
    reads = ["/api/portfolios/", "/api/users/me/", "/metrics", "/schema", "/health", "/ready"]
    for path in reads:
        for _ in range(2):
            reply = edge.request("GET", path, token)
            assert (reply.status, reply.headers["X-Cache"]) == (200, "PASS")
    for method in ("POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
        for _ in range(2):
            reply = edge.request(method, "/api/public/tags/", {"Content-Length": "0"})
            assert reply.headers["X-Cache"] == "PASS"

    for path in reads:
        seen = origin.seen(path)
        assert len(seen) == 2
        # The admin API gets the caller's credentials.
        assert {request.headers.get("authorization") for request in seen} == {
            token["Authorization"]
        }
    methods = [request.method for request in origin.seen("/api/public/tags/")]
    assert sorted(methods) == sorted(["POST", "PUT", "PATCH", "DELETE", "OPTIONS"] * 2)


def test_credentials_on_a_public_route_are_dropped_and_the_answer_shared(
    edge: Varnish, origin: StandInOrigin
) -> None:
    signed_in = read(edge, "/api/public/employers/", Authorization="Token abc", Cookie="s=1")
    anonymous = read(edge, "/api/public/employers/")

    assert signed_in.json()["authorization"] is None
    assert signed_in.json()["cookie"] is None
    assert (anonymous.headers["X-Cache"], anonymous.body) == ("HIT", signed_in.body)
    assert len(origin.seen("/api/public/employers/")) == 1


@pytest.mark.parametrize(
    ("accept", "variant"),
    [
        ("image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8", "image/avif"),
        ("image/avif,image/webp,*/*", "image/avif"),
        ("image/webp,image/avif,video/*;q=0.8,image/png,image/*;q=0.8,*/*;q=0.5", "image/avif"),
        ("IMAGE/AVIF", "image/avif"),
        ("image/webp,image/png,image/svg+xml,image/*;q=0.8,video/*;q=0.8,*/*;q=0.5", "image/webp"),
        ("image/avif;q=0, image/webp", "image/webp"),
        ("image/avif ; level=1 ; q=0.0,image/webp;q=0.5", "image/webp"),
        ("*/*", None),
        ("image/*", None),
        ("image/avifx, image/webpy", None),
        ("text/html;;;,,,garbage ===", None),
        ("", None),
    ],
)
def test_media_accept_becomes_one_of_three_variants(
    edge: Varnish, origin: StandInOrigin, accept: str, variant: str | None
) -> None:
    reply = read(edge, "/media/thumbs/harbour.jpg", Accept=accept)

    assert reply.status == 200
    assert reply.json()["accept"] == variant
    assert [
        request.headers.get("accept") for request in origin.seen("/media/thumbs/harbour.jpg")
    ] == [variant]


def test_a_thumbnail_is_cached_in_three_variants_at_most(
    edge: Varnish, origin: StandInOrigin
) -> None:
    browsers = [
        "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8",
        "image/avif,image/webp,*/*",
        "image/webp,image/png,image/svg+xml,image/*;q=0.8,video/*;q=0.8,*/*;q=0.5",
        "image/webp,*/*",
        "*/*",
        "image/png,image/*;q=0.8",
        "nonsense",
    ]
    for accept in browsers * 2:
        read(edge, "/media/thumbs/harbour.jpg", Accept=accept)
    read(edge, "/media/thumbs/harbour.jpg")

    seen = origin.seen("/media/thumbs/harbour.jpg")
    assert sorted(str(request.headers.get("accept")) for request in seen) == sorted(
        ["image/avif", "image/webp", "None"]
    )


def test_accept_encoding_becomes_br_gzip_or_nothing(edge: Varnish, origin: StandInOrigin) -> None:
    spellings = {
        "gzip, deflate, br": "br",
        "br;q=1.0, gzip;q=0.8, *;q=0.1": "br",
        "BR": "br",
        "gzip": "gzip",
        "deflate, gzip": "gzip",
        "br;q=0, gzip": "gzip",
        "x-gzip-ish, gzip;q=0.5": "gzip",
        "identity": None,
        "compress, deflate": None,
        "gzip;q=0": None,
        "": None,
    }
    for spelling, normal in spellings.items():
        reply = read(edge, "/api/public/tags/", Accept_Encoding=spelling)
        assert reply.json()["accept_encoding"] == normal, spelling

    seen = origin.seen("/api/public/tags/")
    assert sorted(str(request.headers.get("accept-encoding")) for request in seen) == sorted(
        ["br", "gzip", "None"]
    )
    # Passed requests get the same three spellings.
    edge.request("GET", "/api/portfolios/", {"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert origin.seen("/api/portfolios/")[0].headers["accept-encoding"] == "br"


def cached_then_soft_purged(edge: Varnish, origin: StandInOrigin) -> Reply:
    """STALE_PATH read once through the edge, then soft-purged: a stale copy, kept for grace."""
    origin.answer(STALE_PATH, Answer(surrogate_keys="portfolio-12"))
    cached = read(edge, STALE_PATH)
    assert purge(edge, "xkey-softpurge", "portfolio-12").headers["X-Purged"] == "1"
    return cached


def test_a_stale_copy_is_served_while_the_origin_answers_5xx(
    edge: Varnish, origin: StandInOrigin
) -> None:
    cached = cached_then_soft_purged(edge, origin)
    origin.answer(STALE_PATH, Answer(status=500, surrogate_keys="portfolio-12"))

    for _ in range(2):
        stale = read(edge, STALE_PATH)
        assert (stale.status, stale.headers["X-Cache"]) == (200, "HIT")
        assert stale.body == cached.body
    assert edge.backend_health() == "healthy"
    assert len(origin.seen(STALE_PATH)) >= 2


def test_without_a_stale_copy_the_origins_own_error_is_passed_on(
    edge: Varnish, origin: StandInOrigin
) -> None:
    origin.answer("/api/public/tags/", Answer(status=503))

    reply = read(edge, "/api/public/tags/")

    assert reply.status == 503
    assert reply.json()["path"] == "/api/public/tags/"


def test_a_stale_copy_is_served_once_the_origin_is_stopped(
    edge: Varnish, origin: StandInOrigin
) -> None:
    cached = cached_then_soft_purged(edge, origin)

    origin.stop()
    edge.wait_for_backend("sick")
    stale = read(edge, STALE_PATH)

    assert (stale.status, stale.headers["X-Cache"], stale.body) == (200, "HIT", cached.body)
    assert read(edge, "/api/public/tags/").status == 503


def test_a_stale_copy_is_served_when_the_origin_vanishes_before_the_probe_notices(
    origin: StandInOrigin, varnish: Callable[..., Varnish]
) -> None:
    edge = varnish(origin.port, Site(probe_interval="1h"))
    cached = cached_then_soft_purged(edge, origin)

    origin.stop()
    stale = read(edge, STALE_PATH)

    assert edge.backend_health() == "healthy"
    assert (stale.status, stale.headers["X-Cache"], stale.body) == (200, "HIT", cached.body)
    assert read(edge, "/api/public/tags/").status == 503


def test_a_hard_purge_leaves_no_stale_copy(edge: Varnish, origin: StandInOrigin) -> None:
    path = "/api/public/portfolios/harbour-bridge"
    origin.answer(path, Answer(surrogate_keys="portfolio-12"))
    read(edge, path)

    purged = purge(edge, "xkey-purge", "portfolio-12")
    origin.stop()
    edge.wait_for_backend("sick")

    assert (purged.status, purged.headers["X-Purged"]) == (200, "1")
    assert read(edge, path).status == 503


def test_a_hostile_host_only_ever_fills_its_own_entry(edge: Varnish, origin: StandInOrigin) -> None:
    path = "/api/public/portfolios/"
    hostile = read(edge, path, Host="evil.example")
    real = read(edge, path)
    real_again = read(edge, path)

    assert hostile.json()["link"] == f"http://evil.example{path}"
    assert real.headers["X-Cache"] == "MISS"
    for reply in (real, real_again):
        assert reply.json()["link"] == f"http://{SITE_HOST}{path}"
    assert read(edge, path, Host="evil.example").body == hostile.body


def test_forwarding_headers_from_clients_never_reach_the_origin(
    edge: Varnish, origin: StandInOrigin
) -> None:
    path = "/api/public/tags/"
    steering = {
        "X-Forwarded-Host": "evil.example",
        "Forwarded": "host=evil.example;proto=https",
        "X-Forwarded-Port": "8443",
        "X-Original-URL": "/api/users/",
        "X-HTTP-Method-Override": "DELETE",
    }
    first = edge.request("GET", path, steering)
    later = read(edge, path)

    assert first.json()["link"] == f"http://{SITE_HOST}{path}"
    assert (later.headers["X-Cache"], later.body) == ("HIT", first.body)
    (seen,) = origin.seen(path)
    assert not {name.lower() for name in steering} & set(seen.headers)


def test_an_absolute_target_is_cached_under_the_host_it_names(
    edge: Varnish, origin: StandInOrigin
) -> None:
    path = "/api/public/tags/"
    aimed = edge.request("GET", f"http://evil.example{path}")
    real = read(edge, path)

    assert aimed.json()["host"] == "evil.example"
    assert aimed.json()["path"] == path
    assert real.headers["X-Cache"] == "MISS"
    assert real.json()["link"] == f"http://{SITE_HOST}{path}"


def test_spellings_of_one_host_share_its_entry(edge: Varnish, origin: StandInOrigin) -> None:
    path = "/api/public/employers/"
    first = read(edge, path)
    for spelling in ("PORTFOLIO.example", "portfolio.example:80", "portfolio.example.:443"):
        reply = read(edge, path, Host=spelling)
        assert (reply.headers["X-Cache"], reply.body) == ("HIT", first.body)
    assert first.json()["host"] == SITE_HOST


@pytest.mark.parametrize("host", ["evil.example/x", "evil example", "evil.example@other", ""])
def test_a_malformed_host_is_refused_at_the_edge(
    edge: Varnish, origin: StandInOrigin, host: str
) -> None:
    assert read(edge, "/api/public/tags/", Host=host).status == 400
    assert origin.seen("/api/public/tags/") == []


def test_forwarded_proto_is_believed_only_from_a_tls_proxy_and_keys_the_cache(
    origin: StandInOrigin, varnish: Callable[..., Varnish]
) -> None:
    edge = varnish(origin.port, Site(tls_proxies=("127.0.0.1",)))
    path = "/api/public/portfolios/"
    https = {"X-Forwarded-Proto": "https"}

    claimed = edge.request("GET", path, https, source=OUTSIDER)
    through_proxy = edge.request("GET", path, https)
    plain = edge.request("GET", path, source=OUTSIDER)

    assert claimed.json()["link"] == f"http://{SITE_HOST}{path}"
    assert (through_proxy.headers["X-Cache"], through_proxy.json()["link"]) == (
        "MISS",
        f"https://{SITE_HOST}{path}",
    )
    assert (plain.headers["X-Cache"], plain.body) == ("HIT", claimed.body)


def test_the_origin_reads_the_client_address_last_in_forwarded_for(
    edge: Varnish, origin: StandInOrigin
) -> None:
    edge.request("POST", "/api/auth/token/", {"X-Forwarded-For": "203.0.113.9"}, source=OUTSIDER)

    (seen,) = origin.seen("/api/auth/token/")
    assert seen.headers["x-forwarded-for"] == f"203.0.113.9, {OUTSIDER}"


def test_a_path_that_could_leave_the_public_prefix_is_never_cached(
    edge: Varnish, origin: StandInOrigin
) -> None:
    sneaky = ["/api/public/../users/", "/api/public/%2e%2e/users/", "/api/public/x%2Fy"]
    for path in sneaky:
        for _ in range(2):
            assert read(edge, path).headers["X-Cache"] == "PASS"
        assert len(origin.seen(path)) == 2


def test_the_shipped_site_file_compiles_with_the_shipped_vcl(tmp_path: Path) -> None:
    compiled = subprocess.run(
        [
            varnishd_binary(),
            "-C",
            "-j",
            "none",
            "-n",
            str(tmp_path),
            "-p",
            f"vcl_path={SHIPPED_VCL.parent}",
            "-f",
            str(SHIPPED_VCL),
        ],
        capture_output=True,
        text=True,
        check=False,
    )

    assert compiled.returncode == 0, compiled.stderr[-2000:]


def test_a_missing_varnishd_is_named_with_the_way_to_install_it(tmp_path: Path) -> None:
    with pytest.raises(VarnishUnavailable, match=r"make install.*varnish varnish-modules"):
        varnishd_binary(str(tmp_path))
    assert varnishd_binary(SEARCH_PATH).endswith("varnishd")
