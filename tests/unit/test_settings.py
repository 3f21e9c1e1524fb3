"""Settings read from PORTFOLIO_* variables, with clear errors for unusable values."""

from __future__ import annotations

from pathlib import Path

import pytest

from portfolio.entrypoints.settings import Settings, SettingsError


def test_defaults_when_nothing_is_set() -> None:
    settings = Settings.from_env({})
    assert settings.database_url is None
    assert settings.media_root == Path("media")
    assert settings.media_base_url is None
    assert settings.serve_media is True
    assert settings.max_upload_bytes == 20 * 1024 * 1024


def test_values_are_read_and_the_base_url_gets_its_slash() -> None:
    settings = Settings.from_env(
        {
            "PORTFOLIO_DATABASE_URL": "postgresql://db/portfolio",
            "PORTFOLIO_MEDIA_ROOT": "/srv/media",
            "PORTFOLIO_MEDIA_BASE_URL": "https://cdn.example.com/media",
            "PORTFOLIO_SERVE_MEDIA": "false",
            "PORTFOLIO_DB_POOL_MAX": "20",
            "PORTFOLIO_LOG_LEVEL": "debug",
            "PORTFOLIO_ALLOWED_HOSTS": " api.example.com, ,localhost ",
        }
    )
    assert settings.allowed_hosts == ("api.example.com", "localhost")
    assert settings.database_url == "postgresql://db/portfolio"
    assert settings.media_root == Path("/srv/media")
    assert settings.media_base_url == "https://cdn.example.com/media/"
    assert settings.serve_media is False
    assert settings.pool_max_size == 20
    assert settings.log_level == "DEBUG"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PORTFOLIO_DB_POOL_MAX": "many"}, "PORTFOLIO_DB_POOL_MAX must be a whole number"),
        ({"PORTFOLIO_DB_POOL_MIN": "0"}, "PORTFOLIO_DB_POOL_MIN must be at least 1"),
        ({"PORTFOLIO_DB_POOL_MIN": "5", "PORTFOLIO_DB_POOL_MAX": "2"}, "must not be below"),
        ({"PORTFOLIO_SERVE_MEDIA": "maybe"}, "PORTFOLIO_SERVE_MEDIA must be true or false"),
    ],
)
def test_unusable_values_are_refused_by_name(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env)


def test_observability_defaults_text_logs_metrics_on_no_tracing() -> None:
    settings = Settings.from_env({})
    assert settings.log_format == "text"
    assert (settings.metrics, settings.metrics_address) == (True, None)
    assert settings.tracing is False
    assert settings.compression is True


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("true", (True, None)),
        ("off", (False, None)),
        ("9464", (True, ("127.0.0.1", 9464))),
        ("0.0.0.0:9464", (True, ("0.0.0.0", 9464))),  # noqa: S104 - a setting, not a bind
        ("[::1]:9464", (True, ("::1", 9464))),
    ],
)
def test_metrics_are_on_off_or_on_a_port_of_their_own(
    raw: str, expected: tuple[bool, tuple[str, int] | None]
) -> None:
    settings = Settings.from_env({"PORTFOLIO_METRICS": raw})
    assert (settings.metrics, settings.metrics_address) == expected


@pytest.mark.parametrize("raw", ["sometimes", "host:", "host:99999", ":0"])
def test_unusable_metrics_settings_are_refused(raw: str) -> None:
    with pytest.raises(SettingsError, match="PORTFOLIO_METRICS"):
        Settings.from_env({"PORTFOLIO_METRICS": raw})


def test_log_format_is_text_or_json() -> None:
    assert Settings.from_env({"PORTFOLIO_LOG_FORMAT": "JSON"}).log_format == "json"
    with pytest.raises(SettingsError, match="PORTFOLIO_LOG_FORMAT"):
        Settings.from_env({"PORTFOLIO_LOG_FORMAT": "xml"})


@pytest.mark.parametrize(
    ("env", "tracing"),
    [
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, True),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, True),
        ({"PORTFOLIO_TRACING": "true"}, True),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "PORTFOLIO_TRACING": "false"}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_SDK_DISABLED": "true"}, False),
    ],
)
def test_tracing_follows_opentelemetry_s_variables(env: dict[str, str], tracing: bool) -> None:
    assert Settings.from_env(env).tracing is tracing
