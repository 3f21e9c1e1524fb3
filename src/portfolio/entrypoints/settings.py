"""Settings from ``PORTFOLIO_*`` environment variables, read once at start-up."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


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


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw == "":
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be true or false, not {raw!r}")


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


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the service can be configured with; see the README for each variable."""

    database_url: str | None = None
    data_dir: Path = Path(".data")
    media_root: Path = Path("media")
    media_base_url: str | None = None
    serve_media: bool = True
    pool_min_size: int = 2
    pool_max_size: int = 10
    db_acquire_timeout: float = 5.0
    retry_after_seconds: int = 5
    max_upload_bytes: int = 20 * 1024 * 1024
    max_image_pixels: int = 50_000_000
    allowed_hosts: tuple[str, ...] = ()
    log_level: str = "INFO"
    log_format: str = "text"
    metrics: bool = True
    # Where a separate metrics listener binds; None serves /metrics on the API's port.
    metrics_address: tuple[str, int] | None = None
    tracing: bool = False
    compression: bool = True

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
        log_format = (env.get("PORTFOLIO_LOG_FORMAT") or "text").strip().lower()
        if log_format not in LOG_FORMATS:
            raise SettingsError(f"PORTFOLIO_LOG_FORMAT must be text or json, not {log_format!r}")
        metrics, metrics_address = _metrics(env)
        return cls(
            database_url=env.get("PORTFOLIO_DATABASE_URL") or None,
            data_dir=Path(env.get("PORTFOLIO_DATA_DIR") or ".data"),
            media_root=Path(env.get("PORTFOLIO_MEDIA_ROOT") or "media"),
            media_base_url=base_url,
            serve_media=_bool(env, "PORTFOLIO_SERVE_MEDIA", True),
            pool_min_size=pool_min,
            pool_max_size=pool_max,
            db_acquire_timeout=float(_int(env, "PORTFOLIO_DB_TIMEOUT", 5, minimum=1)),
            retry_after_seconds=_int(env, "PORTFOLIO_RETRY_AFTER", 5, minimum=1),
            max_upload_bytes=_int(env, "PORTFOLIO_MAX_UPLOAD_BYTES", 20 * 1024 * 1024, minimum=1),
            max_image_pixels=_int(env, "PORTFOLIO_MAX_IMAGE_PIXELS", 50_000_000, minimum=1),
            allowed_hosts=tuple(
                host.strip()
                for host in (env.get("PORTFOLIO_ALLOWED_HOSTS") or "").split(",")
                if host.strip()
            ),
            log_level=(env.get("PORTFOLIO_LOG_LEVEL") or "INFO").upper(),
            log_format=log_format,
            metrics=metrics,
            metrics_address=metrics_address,
            tracing=_tracing(env),
            compression=_bool(env, "PORTFOLIO_COMPRESSION", True),
        )
