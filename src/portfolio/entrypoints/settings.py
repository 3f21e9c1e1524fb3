"""Settings from ``PORTFOLIO_*`` environment variables, read once at start-up."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

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


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw == "":
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be true or false, not {raw!r}")


def _list(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in (env.get(name) or "").split(",") if item.strip())


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
    sign_in_token_hours: int = 72
    sign_in_failures: int = 5
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
            allowed_hosts=_list(env, "PORTFOLIO_ALLOWED_HOSTS"),
            log_level=(env.get("PORTFOLIO_LOG_LEVEL") or "INFO").upper(),
            sign_in_token_hours=_int(env, "PORTFOLIO_SIGN_IN_TOKEN_HOURS", 72, minimum=1),
            sign_in_failures=_int(env, "PORTFOLIO_SIGN_IN_FAILURES", 5, minimum=1),
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
