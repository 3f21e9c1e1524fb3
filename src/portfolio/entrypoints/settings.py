"""Settings from ``PORTFOLIO_*`` environment variables, read once at start-up.

Each setting is written once, as a field of ``Settings`` (or ``S3Settings``): its variable,
default, how its text is read and checked, and what it means. ``from_env`` reads them all from
that table; ``reference()`` prints the table docs/configuration.md shows (a test keeps the two
alike): ``python -m portfolio.entrypoints.settings``.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from portfolio.adapters.s3.storage import S3Location
from portfolio.application.media.keys import is_safe_key
from portfolio.entrypoints.http.origin import split_host

# The server cannot read a request head into less (granian's smallest buffer).
MIN_HEADER_BYTES = 8192
STORAGES = ("filesystem", "s3")
LOG_FORMATS = ("text", "json")
EDGES = ("off", "varnish")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# The longest lifetime SigV4 allows a presigned URL: seven days.
MAX_PRESIGN_SECONDS = 7 * 24 * 3600
_A_YEAR = 365 * 24 * 3600
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# The wider sign-in limits, unless set, as multiples of PORTFOLIO_SIGN_IN_FAILURES: an address
# may fail for a few users' typing before all behind it wait; locking a username out from
# everywhere takes failures from ten addresses.
ADDRESS_FAILURES_FACTOR = 4
USERNAME_FAILURES_FACTOR = 10

# scheme://host[:port], nothing after: what browsers send in Origin.
_ORIGIN = re.compile(
    r"^https?://[A-Za-z0-9.-]+(?::\d{1,5})?$|^https?://\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$"
)
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


class SettingsError(ValueError):
    """An environment variable holds a value the service cannot use."""


Reader = Callable[[str, str], Any]
"""Turns a variable's text (stripped, never empty) into its value: ``(text, name) -> value``;
SettingsError, naming the variable, when it cannot."""


@dataclass(frozen=True, slots=True)
class Variable:
    """What a setting is read from: the variable (and the ones it falls back to), how its
    text is read, what it means, and its default as the docs show it. ``derive`` makes the
    default from the settings read before it."""

    name: str
    read: Reader
    doc: str
    shown: str
    fallbacks: tuple[str, ...] = ()
    derive: Callable[[Mapping[str, Any]], Any] | None = None

    def text(self, env: Mapping[str, str]) -> str | None:
        """The first of the variable and its fallbacks set to something, stripped."""
        for name in (self.name, *self.fallbacks):
            raw = (env.get(name) or "").strip()
            if raw:
                return raw
        return None


def setting(
    name: str,
    default: Any,
    read: Reader,
    doc: str,
    *,
    shown: str | None = None,
    fallbacks: tuple[str, ...] = (),
    derive: Callable[[Mapping[str, Any]], Any] | None = None,
    secret: bool = False,
) -> Any:
    """A settings field read from variable ``name``; a ``secret`` one stays out of the
    settings' repr (logs, tracebacks)."""
    variable = Variable(name, read, doc, shown or f"`{default}`", fallbacks, derive)
    return field(default=default, metadata={"variable": variable}, repr=not secret)


# Readers


def text(raw: str, _: str) -> str:
    """The text as given."""
    return raw


def path(raw: str, _: str) -> Path:
    """A file system path."""
    return Path(raw)


def whole(minimum: int = 0, maximum: int | None = None, why: str = "") -> Reader:
    """A whole number between ``minimum`` and ``maximum``; ``why`` explains the maximum."""

    def read(raw: str, name: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
        if value < minimum:
            raise SettingsError(f"{name} must be at least {minimum}, not {value}")
        if maximum is not None and value > maximum:
            raise SettingsError(f"{name} must be at most {maximum}{why}")
        return value

    return read


def seconds(maximum: float = 3600) -> Reader:
    """A number of seconds, decimals allowed, above 0 and at most ``maximum``."""

    def read(raw: str, name: str) -> float:
        try:
            value = float(raw)
        except ValueError:
            raise SettingsError(f"{name} must be a number of seconds, not {raw!r}") from None
        if not 0 < value <= maximum:
            raise SettingsError(
                f"{name} must be more than 0 and at most {maximum:g} seconds, not {raw}"
            )
        return value

    return read


def boolean(raw: str, name: str) -> bool:
    """``true``/``1``/``yes``/``on`` or ``false``/``0``/``no``/``off``, in any case."""
    lowered = raw.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise SettingsError(f"{name} must be true or false, not {lowered!r}")


def choice(*options: str, upper: bool = False) -> Reader:
    """One of ``options``, in any case."""

    def read(raw: str, name: str) -> str:
        value = raw.upper() if upper else raw.lower()
        if value not in options:
            listed = f"{', '.join(options[:-1])} or {options[-1]}"
            raise SettingsError(f"{name} must be {listed}, not {value!r}")
        return value

    return read


def file_mode(raw: str, name: str) -> int:
    """An octal file mode that lets the owner read and write."""
    try:
        value = int(raw, 8)
    except ValueError:
        raise SettingsError(
            f"{name} must be an octal file mode such as 0644, not {raw!r}"
        ) from None
    if not 0 <= value <= 0o777 or value & 0o600 != 0o600:
        raise SettingsError(
            f"{name} must be between 0600 and 0777 and let the owner read and write"
        )
    return value


def base_url(raw: str, _: str) -> str:
    """A URL that keys are appended to: it ends with ``/``."""
    return raw if raw.endswith("/") else f"{raw}/"


def http_url(raw: str, name: str) -> str:
    """An ``http://`` or ``https://`` URL, without a trailing ``/``."""
    if not raw.startswith(("http://", "https://")):
        raise SettingsError(f"{name} must be an http(s) URL, not {raw!r}")
    return raw.rstrip("/")


def http_urls(raw: str, name: str) -> tuple[str, ...]:
    """Comma-separated ``http://`` or ``https://`` URLs."""
    return tuple(http_url(item, name) for item in _items(raw))


def _items(raw: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def hosts(raw: str, name: str) -> tuple[str, ...]:
    """Comma-separated ``name`` or ``name:port``."""
    listed = _items(raw)
    for host in listed:
        if split_host(host) is None:
            raise SettingsError(
                f"{name} must list host names, each with an optional port (portfolio.example, "
                f"portfolio.example:8443; no wildcards), not {host!r}"
            )
    return listed


def networks(raw: str, name: str) -> tuple[Network, ...]:
    """Comma-separated IP addresses or networks."""
    try:
        return tuple(ipaddress.ip_network(item, strict=False) for item in _items(raw))
    except ValueError as error:
        raise SettingsError(f"{name} must list IP addresses or networks: {error}") from None


def origins(raw: str, name: str) -> tuple[str, ...]:
    """Comma-separated ``scheme://host[:port]``, lower-cased."""
    listed = _items(raw)
    for origin in listed:
        if not _ORIGIN.match(origin):
            raise SettingsError(
                f"{name} must list origins such as https://admin.example.com, not {origin!r}"
            )
    return tuple(origin.lower() for origin in listed)


def _origin_of(raw: str, name: str) -> str:
    """``scheme://host[:port]``, nothing after, lower-cased."""
    origin = raw.rstrip("/")
    if not _ORIGIN.match(origin):
        raise SettingsError(
            f"{name} must be an origin such as https://api.example.com, not {raw!r}"
        )
    return origin.lower()


def aes_keys(raw: str, name: str) -> tuple[bytes, ...]:
    """Comma-separated base64 keys of 32 bytes (AES-256), the first one sealing."""
    keys = []
    for item in _items(raw):
        try:
            standard = item.replace("-", "+").replace("_", "/")
            key = base64.b64decode(standard + "=" * (-len(standard) % 4), validate=True)
        except (binascii.Error, ValueError):
            raise SettingsError(
                f"{name} must be base64 keys of 32 bytes, comma-separated"
            ) from None
        if len(key) != 32:
            raise SettingsError(f"{name}: each key must be 32 bytes (base64 of 32 random bytes)")
        keys.append(key)
    return tuple(keys)


def listener(raw: str, name: str) -> tuple[str, int] | None:
    """``true`` (None: on the API's port), or ``[HOST:]PORT`` of a listener of its own;
    ``false`` is read by ``metrics_on``."""
    lowered = raw.lower()
    if lowered in _TRUE or lowered in _FALSE:
        return None
    host, _, port = raw.rpartition(":")
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise SettingsError(f"{name} must be true, false or [HOST:]PORT, not {raw!r}")
    return host.strip("[]") or "127.0.0.1", int(port)


def metrics_on(raw: str, name: str) -> bool:
    """Off only for ``false`` and its kin; a port means on."""
    listener(raw, name)
    return raw.lower() not in _FALSE


def _tracing_default(env: Mapping[str, str]) -> bool:
    # On when an OTLP endpoint is named: OpenTelemetry's own way to say where spans go.
    endpoints = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    return any(env.get(name) for name in endpoints)


def _s3_key_prefix(raw: str, name: str) -> str:
    prefix = raw.strip("/")
    if prefix and not is_safe_key(prefix):
        raise SettingsError(f"{name} must be a plain relative path, not {prefix!r}")
    return f"{prefix}/" if prefix else ""


@dataclass(frozen=True, slots=True)
class S3Settings:
    """The bucket media lives in when ``PORTFOLIO_STORAGE=s3``, and how ``f`` URLs reach it."""

    bucket: str = setting(
        "PORTFOLIO_S3_BUCKET",
        "",
        text,
        "the bucket (it must exist); required with `PORTFOLIO_STORAGE=s3`, and read whenever "
        "set, so `portfolio media copy-storage --to s3` finds it",
        shown="unset",
    )
    endpoint_url: str | None = setting(
        "PORTFOLIO_S3_ENDPOINT_URL",
        None,
        http_url,
        "the store's `http://` or `https://` URL, e.g. `http://minio.internal:9000`, "
        "`https://<account>.r2.cloudflarestorage.com`; plain HTTP only when the URL says "
        "`http://`",
        shown="`AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL`, else AWS itself",
        fallbacks=("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"),
    )
    region: str = setting(
        "PORTFOLIO_S3_REGION",
        "us-east-1",
        text,
        "the region requests are signed for",
        shown="`AWS_REGION`, else `AWS_DEFAULT_REGION`, else `us-east-1`",
        fallbacks=("AWS_REGION", "AWS_DEFAULT_REGION"),
    )
    prefix: str = setting(
        "PORTFOLIO_S3_PREFIX",
        "",
        _s3_key_prefix,
        "a folder in the bucket every key goes below, e.g. `portfolio` (several services or "
        "sites in one bucket); a plain relative path",
        shown="empty",
    )
    addressing: str = setting(
        "PORTFOLIO_S3_ADDRESSING",
        "",
        choice("path", "virtual"),
        "`path` (`endpoint/bucket/key`) or `virtual` (`bucket.endpoint/key`; the bucket is put "
        "in front of the endpoint's host unless it is there already)",
        shown="`virtual` on AWS, `path` with an endpoint URL",
    )
    access_key_id: str | None = setting(
        "PORTFOLIO_S3_ACCESS_KEY_ID",
        None,
        text,
        "static credentials' key id, given together with the secret; with neither, the client "
        "takes web-identity (EKS), container (ECS) or instance-profile (EC2) credentials",
        shown="`AWS_ACCESS_KEY_ID`",
        fallbacks=("AWS_ACCESS_KEY_ID",),
    )
    secret_access_key: str | None = setting(
        "PORTFOLIO_S3_SECRET_ACCESS_KEY",
        None,
        text,
        "the secret of that key id; never shown in the settings' text",
        shown="`AWS_SECRET_ACCESS_KEY`",
        fallbacks=("AWS_SECRET_ACCESS_KEY",),
    )
    session_token: str | None = setting(
        "PORTFOLIO_S3_SESSION_TOKEN",
        None,
        text,
        "a session token for temporary credentials; never shown in the settings' text",
        shown="`AWS_SESSION_TOKEN`",
        fallbacks=("AWS_SESSION_TOKEN",),
    )
    presign_seconds: int = setting(
        "PORTFOLIO_S3_PRESIGN_SECONDS",
        0,
        whole(0, MAX_PRESIGN_SECONDS, " (seven days)"),
        "when set and `PORTFOLIO_MEDIA_BASE_URL` is not: every `f` URL is a presigned GET URL "
        "to the bucket, valid this many seconds (at most 604800, seven days), for private "
        "buckets",
        shown="`0` (off)",
    )

    def __repr__(self) -> str:
        # The secret and the session token stay out of logs and tracebacks.
        return f"S3Settings(bucket={self.bucket!r}, region={self.region!r}, prefix={self.prefix!r})"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> S3Settings:
        """Read ``PORTFOLIO_S3_*``, falling back to the standard AWS variables."""
        s3 = cls(**_read(cls, env))
        if not s3.bucket:
            raise SettingsError("PORTFOLIO_S3_BUCKET must be set when PORTFOLIO_STORAGE is s3")
        if (s3.access_key_id is None) != (s3.secret_access_key is None):
            raise SettingsError("an S3 access key id and its secret access key go together")
        return s3

    @property
    def location(self) -> S3Location:
        """Where the bucket is and how to sign for it."""
        # AWS itself wants virtual-host addressing; most self-hosted stores answer path-style.
        addressing = self.addressing or ("path" if self.endpoint_url else "virtual")
        return S3Location(
            bucket=self.bucket,
            region=self.region,
            endpoint_url=self.endpoint_url,
            prefix=self.prefix,
            virtual_hosted=addressing == "virtual",
            access_key_id=self.access_key_id,
            secret_access_key=self.secret_access_key,
            session_token=self.session_token,
        )


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the service can be configured with; docs/configuration.md shows this table."""

    database_url: str | None = setting(
        "PORTFOLIO_DATABASE_URL",
        None,
        text,
        "libpq URL or conninfo string of the database. `portfolio db migrate` creates the "
        "database it names when the server lacks it and the role may create databases. Shown "
        "without its password wherever it is printed",
        shown="unset: an embedded Postgres under `PORTFOLIO_DATA_DIR`",
    )
    data_dir: Path = setting(
        "PORTFOLIO_DATA_DIR",
        Path(".data"),
        path,
        "where the embedded Postgres keeps its files (`<dir>/postgres`); used only while "
        "`PORTFOLIO_DATABASE_URL` is unset",
    )
    storage: str = setting(
        "PORTFOLIO_STORAGE",
        "filesystem",
        choice(*STORAGES),
        "where stored files live: `filesystem` (under `PORTFOLIO_MEDIA_ROOT`) or `s3` (a "
        "bucket, `PORTFOLIO_S3_*`)",
    )
    media_root: Path = setting(
        "PORTFOLIO_MEDIA_ROOT",
        Path("media"),
        path,
        "directory of stored files (filesystem storage)",
    )
    public_url: str | None = setting(
        "PORTFOLIO_PUBLIC_URL",
        None,
        lambda raw, name: _origin_of(raw, name),
        "the service's public origin as clients reach it (`https://api.example.com`): the "
        "origin of the URLs in what is not an answer to one request (webhook events) and in "
        "the public API's answers, which an edge cache shares between hosts, so that no Host "
        "header ever reaches them",
        shown="unset: the request's own origin; `http://localhost:8000` where there is none",
    )
    media_base_url: str | None = setting(
        "PORTFOLIO_MEDIA_BASE_URL",
        None,
        base_url,
        "base of every `f` URL, e.g. `https://cdn.example.com/media/` or a public bucket's URL; "
        "a missing trailing `/` is added",
        shown="unset: presigned URLs when `PORTFOLIO_S3_PRESIGN_SECONDS` is set, else the "
        "request's origin + `/media/`",
    )
    media_file_mode: int = setting(
        "PORTFOLIO_MEDIA_FILE_MODE",
        0o644,
        file_mode,
        "octal mode of stored files, less the process umask (`0640` with umask `027`); between "
        "`0600` and `0777`, and the owner must keep read and write",
        shown="`0644`",
    )
    media_incoming_dir: Path | None = setting(
        "PORTFOLIO_MEDIA_INCOMING_DIR",
        None,
        path,
        "where files are written until complete; outside the media root, so nothing unfinished "
        "is ever served; must be on the media root's filesystem",
        shown="a hidden sibling of the media root, `.<root name>.incoming`",
    )
    serve_media: bool = setting(
        "PORTFOLIO_SERVE_MEDIA",
        True,
        boolean,
        "serve stored files at `/media/` from whichever store is configured; `false` behind a "
        "CDN or web server that serves them",
        shown="`true`",
    )
    # Read whenever a bucket is named, so `media copy-storage --to s3` finds it too; its own
    # variables are S3Settings' fields.
    s3: S3Settings | None = None
    pool_min_size: int = setting(
        "PORTFOLIO_DB_POOL_MIN", 2, whole(1), "connections each worker keeps open (at least 1)"
    )
    pool_max_size: int = setting(
        "PORTFOLIO_DB_POOL_MAX",
        10,
        whole(1),
        "connections each worker may open (at least 1, not below the minimum); size it so that "
        "this x workers x hosts stays below Postgres' `max_connections`",
    )
    db_acquire_timeout: float = setting(
        "PORTFOLIO_DB_ACQUIRE_TIMEOUT",
        5.0,
        seconds(),
        "seconds (decimals allowed) a request waits for a pooled connection before answering "
        "503; capped at `PORTFOLIO_DB_DEADLINE`. `PORTFOLIO_DB_TIMEOUT`, its former name, is "
        "still read when this is unset",
        shown="`5`",
        fallbacks=("PORTFOLIO_DB_TIMEOUT",),
    )
    db_deadline: float = setting(
        "PORTFOLIO_DB_DEADLINE",
        10.0,
        seconds(),
        "seconds (decimals allowed, more than 0, at most 3600) any use of the database may take, "
        "from asking for a connection to giving it back; also the server's `statement_timeout` "
        "and the socket's TCP user timeout. Past it the request answers 503 and the connection "
        "is closed, never reused",
        shown="`10`",
    )
    retry_after_seconds: int = setting(
        "PORTFOLIO_RETRY_AFTER", 5, whole(1), "the `Retry-After` seconds (at least 1) of a 503"
    )
    max_upload_bytes: int = setting(
        "PORTFOLIO_MAX_UPLOAD_BYTES",
        20 * 1024 * 1024,
        whole(1),
        "largest file an upload may carry (its body may add 64 KiB of multipart framing); 413 "
        "beyond",
        shown="`20971520` (20 MiB)",
    )
    max_image_pixels: int = setting(
        "PORTFOLIO_MAX_IMAGE_PIXELS",
        50_000_000,
        whole(1),
        "largest image (width x height) decoded; a larger one is refused from its header as a "
        "decompression bomb",
        shown="`50000000`",
    )
    allowed_hosts: tuple[str, ...] = setting(
        "PORTFOLIO_ALLOWED_HOSTS",
        (),
        hosts,
        "comma-separated hosts the service answers to (others get 400; `/health` and `/ready` "
        "answer any single one), each `name` (no port, or the scheme's default one) or "
        "`name:port` (that port only), no wildcards; set it in production unless a proxy pins "
        "the `Host`, since media URLs and page links echo the request's origin",
        shown="unset: any well-formed host",
    )
    http_header_timeout: float = setting(
        "PORTFOLIO_HTTP_HEADER_TIMEOUT",
        10.0,
        seconds(60),
        "seconds (decimals allowed, at most 60) a request head may take to arrive; also how "
        "long an idle keep-alive connection is kept. The connection is closed past it. "
        "`portfolio serve` only",
        shown="`10`",
    )
    http_body_timeout: float = setting(
        "PORTFOLIO_HTTP_BODY_TIMEOUT",
        20.0,
        seconds(),
        "seconds (decimals allowed, at most 3600) the service waits for each next piece of a "
        "request body; past it, 408 and the connection is closed",
        shown="`20`",
    )
    http_body_min_rate: int = setting(
        "PORTFOLIO_HTTP_BODY_MIN_RATE",
        500,
        whole(1),
        "bytes a second a request body must average once the service has waited "
        "`PORTFOLIO_HTTP_BODY_TIMEOUT` for it in all (each byte buys 1/rate of a second more, as "
        "Apache's `mod_reqtimeout` `MinRate`); slower, 408 and the connection is closed, so a "
        "trickle cannot hold a connection, while a 20 MB upload at 10 KB/s still passes",
    )
    http_max_header_bytes: int = setting(
        "PORTFOLIO_HTTP_MAX_HEADER_BYTES",
        64 * 1024,
        whole(MIN_HEADER_BYTES),
        "the server's read buffer for a request head (at least 8192); a head that overflows it, "
        "or has more than 100 headers, is answered 431 or its connection closed. The buffer "
        "fills in chunks, so the largest head that passes is about 1.75 times the setting (114 "
        "KB at the default, measured on 2026-12-01). `portfolio serve` only",
    )
    http_max_connections: int = setting(
        "PORTFOLIO_HTTP_MAX_CONNECTIONS",
        16384,
        whole(16),
        "open connections per worker (at least 16); `portfolio serve` raises its open-file "
        "limit to fit, up to the hard limit, and says so when that allows fewer. `portfolio "
        "serve` only",
    )
    log_level: str = setting(
        "PORTFOLIO_LOG_LEVEL",
        "INFO",
        choice(*LOG_LEVELS, upper=True),
        "`DEBUG`, `INFO`, `WARNING`, `ERROR` or `CRITICAL`, in any case; at `WARNING` the "
        "per-request lines are not written",
    )
    log_format: str = setting(
        "PORTFOLIO_LOG_FORMAT",
        "text",
        choice(*LOG_FORMATS),
        "`text` (one plain line per record, for a person at a terminal) or `json` (one JSON "
        "object per record, for a log pipeline); see [observing](observing.md#logs)",
    )
    metrics: bool = setting(
        "PORTFOLIO_METRICS",
        True,
        metrics_on,
        "`true`: Prometheus metrics at `/metrics` on the API's port; `false`: none; "
        "`[HOST:]PORT` (host `127.0.0.1` when left out): on a listener of their own, started by "
        "`portfolio serve`, and not on the API's port",
        shown="`true`",
    )
    # Where a separate metrics listener binds; None serves /metrics on the API's port.
    metrics_address: tuple[str, int] | None = setting("PORTFOLIO_METRICS", None, listener, "")
    tracing: bool = setting(
        "PORTFOLIO_TRACING",
        False,
        boolean,
        "OpenTelemetry traces; `OTEL_SDK_DISABLED=true` turns them off whatever this says. "
        "Every other tracing setting is OpenTelemetry's own `OTEL_*` variable "
        "([observing](observing.md#traces))",
        shown="`true` when `OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` "
        "is set, else `false`",
    )
    compression: bool = setting(
        "PORTFOLIO_COMPRESSION",
        True,
        boolean,
        "gzip or brotli for JSON and text answers of 1,024 bytes and more when the client "
        "accepts them ([api](api.md#compression)); `false` for a proxy that compresses itself",
        shown="`true`",
    )
    answer_memory_bytes: int = setting(
        "PORTFOLIO_ANSWER_MEMORY_BYTES",
        32 * 1024 * 1024,
        whole(0, 1024**3, " (1 GiB)"),
        "bytes of `/api/` answers each worker keeps to send again while nothing they show has "
        "changed ([api](api.md#answers-sent-again-from-memory)); `0`: every answer is built",
        shown="`33554432` (32 MiB)",
    )
    public_max_age: int = setting(
        "PORTFOLIO_PUBLIC_MAX_AGE",
        60,
        whole(0, _A_YEAR, " (a year)"),
        "seconds a browser may reuse a public answer (`/api/public/`) without asking again; "
        "browsers are never purged, so keep it short",
    )
    public_s_maxage: int = setting(
        "PORTFOLIO_PUBLIC_S_MAXAGE",
        300,
        whole(0, _A_YEAR, " (a year)"),
        "seconds a shared cache (the edge, a CDN) may serve a public answer without asking "
        "again; with `PORTFOLIO_EDGE` purging it on every change, a day (`86400`) or more",
    )
    public_stale_while_revalidate: int = setting(
        "PORTFOLIO_PUBLIC_STALE_WHILE_REVALIDATE",
        60,
        whole(0, _A_YEAR, " (a year)"),
        "seconds past its freshness a cache may still serve a public answer while it fetches "
        "a new one",
    )
    public_stale_if_error: int = setting(
        "PORTFOLIO_PUBLIC_STALE_IF_ERROR",
        86400,
        whole(0, _A_YEAR, " (a year)"),
        "seconds past its freshness a cache may still serve a public answer while the "
        "service fails or is down",
    )
    trash_days: int = setting(
        "PORTFOLIO_TRASH_DAYS",
        30,
        whole(1),
        "days a deleted portfolio stays in the trash (restorable) before the background work "
        "purges it for good",
    )
    revisions_kept: int = setting(
        "PORTFOLIO_REVISIONS_KEPT",
        50,
        whole(1),
        "revisions kept per portfolio; the oldest beyond it are pruned as a new one is written",
    )
    sign_in_token_hours: int = setting(
        "PORTFOLIO_SIGN_IN_TOKEN_HOURS",
        72,
        whole(1),
        "lifetime in hours (at least 1) of the tokens `POST /api/auth/token/` answers",
    )
    sign_in_failures: int = setting(
        "PORTFOLIO_SIGN_IN_FAILURES",
        5,
        whole(1),
        "failed sign-ins per username from one client address in a window; then 429",
    )
    sign_in_address_failures: int = setting(
        "PORTFOLIO_SIGN_IN_ADDRESS_FAILURES",
        5 * ADDRESS_FAILURES_FACTOR,
        whole(1),
        "failed sign-ins per client address, whatever the username, in a window (at least "
        "`PORTFOLIO_SIGN_IN_FAILURES`)",
        shown=f"`{5 * ADDRESS_FAILURES_FACTOR}` ({ADDRESS_FAILURES_FACTOR} times the above)",
        derive=lambda read: read["sign_in_failures"] * ADDRESS_FAILURES_FACTOR,
    )
    sign_in_username_failures: int = setting(
        "PORTFOLIO_SIGN_IN_USERNAME_FAILURES",
        5 * USERNAME_FAILURES_FACTOR,
        whole(1),
        "failed sign-ins per username from every address together in a window (at least "
        "`PORTFOLIO_SIGN_IN_FAILURES`); what each limit protects against is in "
        '[api.md](api.md), "Throttling"',
        shown=f"`{5 * USERNAME_FAILURES_FACTOR}` ({USERNAME_FAILURES_FACTOR} times the above)",
        derive=lambda read: read["sign_in_failures"] * USERNAME_FAILURES_FACTOR,
    )
    token_failures: int = setting(
        "PORTFOLIO_TOKEN_FAILURES",
        20,
        whole(1),
        "failed token authentications per client address in a window; then 429",
    )
    throttle_window_seconds: int = setting(
        "PORTFOLIO_THROTTLE_WINDOW",
        60,
        whole(1),
        "seconds a throttling window lasts, from its first failure",
    )
    redis_url: str | None = setting(
        "PORTFOLIO_REDIS_URL",
        None,
        text,
        "e.g. `redis://host:6379/0`: keep the throttling counters in Redis instead",
        shown="unset: the counters live in Postgres",
    )
    redis_prefix: str = setting(
        "PORTFOLIO_REDIS_PREFIX", "portfolio:", text, "prefix of every Redis key the service writes"
    )
    trusted_proxies: tuple[Network, ...] = setting(
        "PORTFOLIO_TRUSTED_PROXIES",
        (),
        networks,
        "comma-separated addresses or networks (`127.0.0.1`, `10.0.0.0/8`) of the proxies whose "
        "`X-Forwarded-For` and `X-Forwarded-Proto` are believed; otherwise the socket's peer is "
        "the client ([api](api.md#client-addresses-and-proxies))",
        shown="unset: none",
    )
    cors_allowed_origins: tuple[str, ...] = setting(
        "PORTFOLIO_CORS_ALLOWED_ORIGINS",
        (),
        origins,
        "comma-separated origins (`https://admin.example.com`: scheme, host, optional port) "
        "whose pages may call the API from a browser",
        shown="unset: none",
    )
    password_time_cost: int = setting(
        "PORTFOLIO_PASSWORD_TIME_COST",
        3,
        whole(1),
        "Argon2id passes (at least 1); hashes made with other parameters are renewed at the "
        "next sign-in",
    )
    password_memory_kib: int = setting(
        "PORTFOLIO_PASSWORD_MEMORY_KIB", 65536, whole(8), "Argon2id memory in KiB (at least 8)"
    )
    background: bool = setting(
        "PORTFOLIO_BACKGROUND",
        True,
        boolean,
        "whether this process takes part in the background work (delivering the change feed, "
        "firing scheduled moments): one process at a time does it, across every worker and "
        "host; `false` where `portfolio background` runs it apart",
        shown="`true`",
    )
    edge: str = setting(
        "PORTFOLIO_EDGE",
        "off",
        choice(*EDGES),
        "the edge cache in front of the public routes that the service purges by surrogate key "
        "after each change (docs/api.md, Purging the edge): `off`, or `varnish` "
        "(deploy/varnish, `PORTFOLIO_EDGE_URLS`)",
    )
    edge_urls: tuple[str, ...] = setting(
        "PORTFOLIO_EDGE_URLS",
        (),
        http_urls,
        "comma-separated URLs of every Varnish to purge (`http://10.0.0.5:80`); each gets "
        "`PURGE /` with `xkey-softpurge`, from an address its `portfolio_purgers` ACL lists",
        shown="unset: none",
    )
    edge_timeout: float = setting(
        "PORTFOLIO_EDGE_TIMEOUT",
        2.0,
        seconds(60),
        "seconds one purge request may take before it counts as failed and waits in the outbox "
        "for its next try",
    )
    webhooks_keys: tuple[bytes, ...] = setting(
        "PORTFOLIO_WEBHOOKS_KEY",
        (),
        aes_keys,
        "base64 of 32 random bytes (`openssl rand -base64 32`): the key webhook secrets are "
        "sealed with at rest (AES-256-GCM); comma-separated, the first seals and every one "
        "opens, so a new key can go first while the old one still opens older secrets",
        shown="unset: no webhook can be registered (503)",
        secret=True,
    )
    webhooks_allow_private_targets: bool = setting(
        "PORTFOLIO_WEBHOOKS_ALLOW_PRIVATE_TARGETS",
        False,
        boolean,
        "let webhook URLs be http and reach loopback, private, link-local and reserved "
        "addresses (tests, private networks); otherwise https to public addresses only",
        shown="`false`",
    )
    webhooks_concurrency: int = setting(
        "PORTFOLIO_WEBHOOKS_CONCURRENCY",
        64,
        whole(1, 1000),
        "webhook attempts under way at once (at most 8 to one endpoint); a slow receiver holds "
        "its few for 10 s at most",
    )
    demo_password: str | None = setting(
        "PORTFOLIO_DEMO_PASSWORD",
        None,
        text,
        "the demo users' password for `portfolio demo load`",
        shown="unset: fresh random passwords each run",
    )

    def __post_init__(self) -> None:
        for holds, message in _RULES:
            if not holds(self):
                raise SettingsError(message(self))

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from ``env`` (the process environment by default)."""
        env = os.environ if env is None else env
        values = _read(cls, env)
        if env.get("PORTFOLIO_TRACING", "").strip() == "":
            values["tracing"] = _tracing_default(env)
        if boolean((env.get("OTEL_SDK_DISABLED") or "false").strip(), "OTEL_SDK_DISABLED"):
            values["tracing"] = False
        if values["storage"] == "s3" or (env.get("PORTFOLIO_S3_BUCKET") or "").strip():
            values["s3"] = S3Settings.from_env(env)
        return cls(**values)


# Rules across settings, checked whenever Settings are made.
_RULES: tuple[tuple[Callable[[Settings], bool], Callable[[Settings], str]], ...] = (
    (
        lambda s: s.pool_max_size >= s.pool_min_size,
        lambda _: "PORTFOLIO_DB_POOL_MAX must not be below PORTFOLIO_DB_POOL_MIN",
    ),
    # Below the per-username-and-address limit, the wider counts would lock out first.
    (
        lambda s: s.sign_in_address_failures >= s.sign_in_failures,
        lambda s: (
            f"PORTFOLIO_SIGN_IN_ADDRESS_FAILURES must be at least {s.sign_in_failures} "
            "(PORTFOLIO_SIGN_IN_FAILURES)"
        ),
    ),
    (
        lambda s: s.sign_in_username_failures >= s.sign_in_failures,
        lambda s: (
            f"PORTFOLIO_SIGN_IN_USERNAME_FAILURES must be at least {s.sign_in_failures} "
            "(PORTFOLIO_SIGN_IN_FAILURES)"
        ),
    ),
    (
        lambda s: s.edge == "off" or bool(s.edge_urls),
        lambda _: "PORTFOLIO_EDGE_URLS must list the edge's URLs when PORTFOLIO_EDGE is on",
    ),
    (
        lambda s: s.storage != "s3" or s.s3 is not None,
        lambda _: "PORTFOLIO_S3_BUCKET must be set when PORTFOLIO_STORAGE is s3",
    ),
)


def variables(kind: type[Any]) -> Iterator[tuple[str, Variable]]:
    """Each field of a settings class read from a variable, with that variable."""
    for each in fields(kind):
        variable = each.metadata.get("variable")
        if variable is not None:
            yield each.name, variable


def _read(kind: type[Any], env: Mapping[str, str]) -> dict[str, Any]:
    """Every field read from its variable, or its default (derived from the fields before it,
    where it says so)."""
    values: dict[str, Any] = {}
    for each in fields(kind):
        variable = each.metadata.get("variable")
        raw = None if variable is None else variable.text(env)
        if variable is not None and raw is not None:
            values[each.name] = variable.read(raw, variable.name)
        elif variable is not None and variable.derive is not None:
            values[each.name] = variable.derive(values)
        else:
            values[each.name] = each.default
    return values


def reference() -> str:
    """The table of every variable, its default and its meaning, as docs/configuration.md
    shows it; the bucket's variables follow ``PORTFOLIO_SERVE_MEDIA``."""

    def rows(kind: type[Any]) -> list[str]:
        return [
            f"| `{variable.name}` | {variable.shown} | {variable.doc} |"
            for _, variable in variables(kind)
            if variable.doc
        ]

    main = rows(Settings)
    after = next(i for i, row in enumerate(main) if row.startswith("| `PORTFOLIO_SERVE_MEDIA`"))
    table = [*main[: after + 1], *rows(S3Settings), *main[after + 1 :]]
    return "\n".join(["| Variable | Default | Meaning |", "|---|---|---|", *table]) + "\n"


if __name__ == "__main__":
    print(reference(), end="")  # noqa: T201 - the table is the output
