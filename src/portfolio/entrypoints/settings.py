"""Settings from ``PORTFOLIO_*`` environment variables, read once at start-up."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

# The server cannot read a request head into less (granian's smallest buffer).
MIN_HEADER_BYTES = 8192


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


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the service can be configured with; see the README for each variable."""

    database_url: str | None = None
    data_dir: Path = Path(".data")
    media_root: Path = Path("media")
    media_base_url: str | None = None
    media_incoming_dir: Path | None = None
    media_file_mode: int = 0o644
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
    http_max_header_bytes: int = 64 * 1024
    http_max_connections: int = 16384
    log_level: str = "INFO"

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
        return cls(
            database_url=env.get("PORTFOLIO_DATABASE_URL") or None,
            data_dir=Path(env.get("PORTFOLIO_DATA_DIR") or ".data"),
            media_root=Path(env.get("PORTFOLIO_MEDIA_ROOT") or "media"),
            media_base_url=base_url,
            media_incoming_dir=Path(env["PORTFOLIO_MEDIA_INCOMING_DIR"])
            if env.get("PORTFOLIO_MEDIA_INCOMING_DIR")
            else None,
            media_file_mode=_mode(env, "PORTFOLIO_MEDIA_FILE_MODE", 0o644),
            serve_media=_bool(env, "PORTFOLIO_SERVE_MEDIA", True),
            pool_min_size=pool_min,
            pool_max_size=pool_max,
            db_acquire_timeout=float(_int(env, "PORTFOLIO_DB_TIMEOUT", 5, minimum=1)),
            db_deadline=_seconds(env, "PORTFOLIO_DB_DEADLINE", 10.0),
            retry_after_seconds=_int(env, "PORTFOLIO_RETRY_AFTER", 5, minimum=1),
            max_upload_bytes=_int(env, "PORTFOLIO_MAX_UPLOAD_BYTES", 20 * 1024 * 1024, minimum=1),
            max_image_pixels=_int(env, "PORTFOLIO_MAX_IMAGE_PIXELS", 50_000_000, minimum=1),
            allowed_hosts=tuple(
                host.strip()
                for host in (env.get("PORTFOLIO_ALLOWED_HOSTS") or "").split(",")
                if host.strip()
            ),
            http_header_timeout=_seconds(env, "PORTFOLIO_HTTP_HEADER_TIMEOUT", 10.0, maximum=60),
            http_body_timeout=_seconds(env, "PORTFOLIO_HTTP_BODY_TIMEOUT", 20.0),
            http_max_header_bytes=_int(
                env, "PORTFOLIO_HTTP_MAX_HEADER_BYTES", 64 * 1024, minimum=MIN_HEADER_BYTES
            ),
            http_max_connections=_int(env, "PORTFOLIO_HTTP_MAX_CONNECTIONS", 16384, minimum=16),
            log_level=(env.get("PORTFOLIO_LOG_LEVEL") or "INFO").upper(),
        )
