"""Settings from ``PORTFOLIO_*`` environment variables, read once at start-up."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from portfolio.adapters.s3.storage import S3Location
from portfolio.application.media.keys import is_safe_key
from portfolio.entrypoints.http.origin import split_host

# The server cannot read a request head into less (granian's smallest buffer).
MIN_HEADER_BYTES = 8192
STORAGES = ("filesystem", "s3")
# The longest lifetime SigV4 allows a presigned URL: seven days.
MAX_PRESIGN_SECONDS = 7 * 24 * 3600
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


class SettingsError(ValueError):
    """An environment variable holds a value the service cannot use."""


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, not {value}")
    return value


def _seconds(env: Mapping[str, str], name: str, default: float, maximum: float = 3600) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number of seconds, not {raw!r}") from None
    if not 0 < value <= maximum:
        raise SettingsError(
            f"{name} must be more than 0 and at most {maximum:g} seconds, not {raw}"
        )
    return value


def _mode(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if raw == "":
        return default
    try:
        value = int(raw, 8)
    except ValueError:
        raise SettingsError(
            f"{name} must be an octal file mode such as 0644, not {raw!r}"
        ) from None
    if not 0 <= value <= 0o777 or not value & 0o600 == 0o600:
        raise SettingsError(
            f"{name} must be between 0600 and 0777 and let the owner read and write"
        )
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw == "":
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be true or false, not {raw!r}")


def _first(env: Mapping[str, str], *names: str) -> str | None:
    """The first of ``names`` set to a non-empty value: ours first, then AWS's standard one."""
    return next((env[name] for name in names if env.get(name)), None)


@dataclass(frozen=True, slots=True)
class S3Settings:
    """The bucket media lives in when ``PORTFOLIO_STORAGE=s3``, and how ``f`` URLs reach it."""

    location: S3Location
    presign_seconds: int = 0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> S3Settings:
        """Read ``PORTFOLIO_S3_*``, falling back to the standard AWS variables."""
        bucket = env.get("PORTFOLIO_S3_BUCKET") or ""
        if not bucket:
            raise SettingsError("PORTFOLIO_S3_BUCKET must be set when PORTFOLIO_STORAGE is s3")
        endpoint = _first(
            env, "PORTFOLIO_S3_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"
        )
        if endpoint is not None and not endpoint.startswith(("http://", "https://")):
            raise SettingsError(
                f"PORTFOLIO_S3_ENDPOINT_URL must be an http(s) URL, not {endpoint!r}"
            )
        prefix = (env.get("PORTFOLIO_S3_PREFIX") or "").strip("/")
        if prefix and not is_safe_key(prefix):
            raise SettingsError(
                f"PORTFOLIO_S3_PREFIX must be a plain relative path, not {prefix!r}"
            )
        # AWS itself wants virtual-host addressing; most self-hosted stores answer path-style.
        addressing = (env.get("PORTFOLIO_S3_ADDRESSING") or "").lower() or (
            "path" if endpoint else "virtual"
        )
        if addressing not in ("path", "virtual"):
            raise SettingsError(
                f"PORTFOLIO_S3_ADDRESSING must be path or virtual, not {addressing!r}"
            )
        key_id = _first(env, "PORTFOLIO_S3_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID")
        secret = _first(env, "PORTFOLIO_S3_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY")
        if (key_id is None) != (secret is None):
            raise SettingsError("an S3 access key id and its secret access key go together")
        location = S3Location(
            bucket=bucket,
            region=_first(env, "PORTFOLIO_S3_REGION", "AWS_REGION", "AWS_DEFAULT_REGION")
            or "us-east-1",
            endpoint_url=endpoint.rstrip("/") if endpoint else None,
            prefix=f"{prefix}/" if prefix else "",
            virtual_hosted=addressing == "virtual",
            access_key_id=key_id,
            secret_access_key=secret,
            session_token=_first(env, "PORTFOLIO_S3_SESSION_TOKEN", "AWS_SESSION_TOKEN"),
        )
        return cls(location, _presign_seconds(env))


def _presign_seconds(env: Mapping[str, str]) -> int:
    seconds = _int(env, "PORTFOLIO_S3_PRESIGN_SECONDS", 0)
    if seconds > MAX_PRESIGN_SECONDS:
        raise SettingsError(
            f"PORTFOLIO_S3_PRESIGN_SECONDS must be at most {MAX_PRESIGN_SECONDS} (seven days)"
        )
    return seconds


LOG_FORMATS = ("text", "json")


def _metrics(env: Mapping[str, str]) -> tuple[bool, tuple[str, int] | None]:
    """``PORTFOLIO_METRICS``: on (at ``/metrics``), off, or ``[HOST:]PORT`` of a listener of
    its own (``/metrics`` then leaves the API's port)."""
    raw = env.get("PORTFOLIO_METRICS", "").strip()
    lowered = raw.lower()
    if lowered in ("", "1", "true", "yes", "on"):
        return True, None
    if lowered in ("0", "false", "no", "off"):
        return False, None
    host, _, port = raw.rpartition(":")
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise SettingsError(f"PORTFOLIO_METRICS must be true, false or [HOST:]PORT, not {raw!r}")
    return True, (host.strip("[]") or "127.0.0.1", int(port))


def _tracing(env: Mapping[str, str]) -> bool:
    """Tracing is on when an OTLP endpoint is named or ``PORTFOLIO_TRACING`` says so, unless
    OpenTelemetry's own ``OTEL_SDK_DISABLED`` turns the SDK off."""
    if _bool(env, "OTEL_SDK_DISABLED", False):
        return False
    endpoint = env.get("OTEL_EXPORTER_OTLP_ENDPOINT") or env.get(
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
    )
    return _bool(env, "PORTFOLIO_TRACING", bool(endpoint))


def _list(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in (env.get(name) or "").split(",") if item.strip())


def _hosts(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    hosts = _list(env, name)
    for host in hosts:
        if split_host(host) is None:
            raise SettingsError(
                f"{name} must list host names, each with an optional port (portfolio.example, "
                f"portfolio.example:8443; no wildcards), not {host!r}"
            )
    return hosts


def _networks(env: Mapping[str, str], name: str) -> tuple[Network, ...]:
    try:
        return tuple(ipaddress.ip_network(item, strict=False) for item in _list(env, name))
    except ValueError as error:
        raise SettingsError(f"{name} must list IP addresses or networks: {error}") from None


def _origins(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    origins = _list(env, name)
    for origin in origins:
        if not _ORIGIN.match(origin):
            raise SettingsError(
                f"{name} must list origins such as https://admin.example.com, not {origin!r}"
            )
    return tuple(origin.lower() for origin in origins)


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the service can be configured with; docs/configuration.md explains each
    variable."""

    database_url: str | None = None
    data_dir: Path = Path(".data")
    media_root: Path = Path("media")
    media_base_url: str | None = None
    media_incoming_dir: Path | None = None
    media_file_mode: int = 0o644
    storage: str = "filesystem"
    s3: S3Settings | None = None
    serve_media: bool = True
    pool_min_size: int = 2
    pool_max_size: int = 10
    db_acquire_timeout: float = 5.0
    db_deadline: float = 10.0
    retry_after_seconds: int = 5
    max_upload_bytes: int = 20 * 1024 * 1024
    max_image_pixels: int = 50_000_000
    allowed_hosts: tuple[str, ...] = ()
    http_header_timeout: float = 10.0
    http_body_timeout: float = 20.0
    # Bytes a second a body must average once it has been waited for http_body_timeout.
    http_body_min_rate: int = 500
    http_max_header_bytes: int = 64 * 1024
    http_max_connections: int = 16384
    log_level: str = "INFO"
    log_format: str = "text"
    metrics: bool = True
    # Where a separate metrics listener binds; None serves /metrics on the API's port.
    metrics_address: tuple[str, int] | None = None
    tracing: bool = False
    compression: bool = True
    sign_in_token_hours: int = 72
    # Failed sign-ins in a window: per username from one address, per address, per username.
    sign_in_failures: int = 5
    sign_in_address_failures: int = 5 * ADDRESS_FAILURES_FACTOR
    sign_in_username_failures: int = 5 * USERNAME_FAILURES_FACTOR
    token_failures: int = 20
    throttle_window_seconds: int = 60
    redis_url: str | None = None
    redis_prefix: str = "portfolio:"
    trusted_proxies: tuple[Network, ...] = ()
    cors_allowed_origins: tuple[str, ...] = ()
    password_time_cost: int = 3
    password_memory_kib: int = 65536
    demo_password: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from ``env`` (the process environment by default)."""
        env = os.environ if env is None else env
        base_url = env.get("PORTFOLIO_MEDIA_BASE_URL") or None
        if base_url is not None and not base_url.endswith("/"):
            base_url += "/"
        pool_min = _int(env, "PORTFOLIO_DB_POOL_MIN", 2, minimum=1)
        pool_max = _int(env, "PORTFOLIO_DB_POOL_MAX", 10, minimum=1)
        if pool_max < pool_min:
            raise SettingsError("PORTFOLIO_DB_POOL_MAX must not be below PORTFOLIO_DB_POOL_MIN")
        storage = (env.get("PORTFOLIO_STORAGE") or "filesystem").lower()
        if storage not in STORAGES:
            raise SettingsError(f"PORTFOLIO_STORAGE must be filesystem or s3, not {storage!r}")
        log_format = (env.get("PORTFOLIO_LOG_FORMAT") or "text").strip().lower()
        if log_format not in LOG_FORMATS:
            raise SettingsError(f"PORTFOLIO_LOG_FORMAT must be text or json, not {log_format!r}")
        metrics, metrics_address = _metrics(env)
        sign_in_failures = _int(env, "PORTFOLIO_SIGN_IN_FAILURES", 5, minimum=1)
        return cls(
            database_url=env.get("PORTFOLIO_DATABASE_URL") or None,
            data_dir=Path(env.get("PORTFOLIO_DATA_DIR") or ".data"),
            media_root=Path(env.get("PORTFOLIO_MEDIA_ROOT") or "media"),
            media_base_url=base_url,
            media_incoming_dir=Path(env["PORTFOLIO_MEDIA_INCOMING_DIR"])
            if env.get("PORTFOLIO_MEDIA_INCOMING_DIR")
            else None,
            media_file_mode=_mode(env, "PORTFOLIO_MEDIA_FILE_MODE", 0o644),
            storage=storage,
            # Read whenever a bucket is named, so `media copy-storage --to s3` finds it too.
            s3=S3Settings.from_env(env)
            if storage == "s3" or env.get("PORTFOLIO_S3_BUCKET")
            else None,
            serve_media=_bool(env, "PORTFOLIO_SERVE_MEDIA", True),
            pool_min_size=pool_min,
            pool_max_size=pool_max,
            db_acquire_timeout=float(_int(env, "PORTFOLIO_DB_TIMEOUT", 5, minimum=1)),
            db_deadline=_seconds(env, "PORTFOLIO_DB_DEADLINE", 10.0),
            retry_after_seconds=_int(env, "PORTFOLIO_RETRY_AFTER", 5, minimum=1),
            max_upload_bytes=_int(env, "PORTFOLIO_MAX_UPLOAD_BYTES", 20 * 1024 * 1024, minimum=1),
            max_image_pixels=_int(env, "PORTFOLIO_MAX_IMAGE_PIXELS", 50_000_000, minimum=1),
            allowed_hosts=_hosts(env, "PORTFOLIO_ALLOWED_HOSTS"),
            http_header_timeout=_seconds(env, "PORTFOLIO_HTTP_HEADER_TIMEOUT", 10.0, maximum=60),
            http_body_timeout=_seconds(env, "PORTFOLIO_HTTP_BODY_TIMEOUT", 20.0),
            http_body_min_rate=_int(env, "PORTFOLIO_HTTP_BODY_MIN_RATE", 500, minimum=1),
            http_max_header_bytes=_int(
                env, "PORTFOLIO_HTTP_MAX_HEADER_BYTES", 64 * 1024, minimum=MIN_HEADER_BYTES
            ),
            http_max_connections=_int(env, "PORTFOLIO_HTTP_MAX_CONNECTIONS", 16384, minimum=16),
            log_level=(env.get("PORTFOLIO_LOG_LEVEL") or "INFO").upper(),
            log_format=log_format,
            metrics=metrics,
            metrics_address=metrics_address,
            tracing=_tracing(env),
            compression=_bool(env, "PORTFOLIO_COMPRESSION", True),
            sign_in_token_hours=_int(env, "PORTFOLIO_SIGN_IN_TOKEN_HOURS", 72, minimum=1),
            sign_in_failures=sign_in_failures,
            # Below the per-username-and-address limit, the wider counts would lock out first.
            sign_in_address_failures=_int(
                env,
                "PORTFOLIO_SIGN_IN_ADDRESS_FAILURES",
                sign_in_failures * ADDRESS_FAILURES_FACTOR,
                minimum=sign_in_failures,
            ),
            sign_in_username_failures=_int(
                env,
                "PORTFOLIO_SIGN_IN_USERNAME_FAILURES",
                sign_in_failures * USERNAME_FAILURES_FACTOR,
                minimum=sign_in_failures,
            ),
            token_failures=_int(env, "PORTFOLIO_TOKEN_FAILURES", 20, minimum=1),
            throttle_window_seconds=_int(env, "PORTFOLIO_THROTTLE_WINDOW", 60, minimum=1),
            redis_url=env.get("PORTFOLIO_REDIS_URL") or None,
            redis_prefix=env.get("PORTFOLIO_REDIS_PREFIX") or "portfolio:",
            trusted_proxies=_networks(env, "PORTFOLIO_TRUSTED_PROXIES"),
            cors_allowed_origins=_origins(env, "PORTFOLIO_CORS_ALLOWED_ORIGINS"),
            password_time_cost=_int(env, "PORTFOLIO_PASSWORD_TIME_COST", 3, minimum=1),
            password_memory_kib=_int(env, "PORTFOLIO_PASSWORD_MEMORY_KIB", 65536, minimum=8),
            demo_password=env.get("PORTFOLIO_DEMO_PASSWORD") or None,
        )
