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


def test_the_bounds_default_to_what_the_readme_says() -> None:
    settings = Settings.from_env({})
    assert (settings.db_acquire_timeout, settings.db_deadline) == (5.0, 10.0)
    assert (settings.http_header_timeout, settings.http_body_timeout) == (10.0, 20.0)
    assert settings.http_max_header_bytes == 64 * 1024
    assert settings.http_max_connections == 16384
    assert settings.media_file_mode == 0o644
    assert settings.media_incoming_dir is None


def test_the_bounds_are_read() -> None:
    settings = Settings.from_env(
        {
            "PORTFOLIO_DB_DEADLINE": "2.5",
            "PORTFOLIO_HTTP_HEADER_TIMEOUT": "5",
            "PORTFOLIO_HTTP_BODY_TIMEOUT": "0.5",
            "PORTFOLIO_HTTP_MAX_HEADER_BYTES": "16384",
            "PORTFOLIO_HTTP_MAX_CONNECTIONS": "2000",
            "PORTFOLIO_MEDIA_FILE_MODE": "0640",
            "PORTFOLIO_MEDIA_INCOMING_DIR": "/srv/incoming",
        }
    )
    assert (settings.db_deadline, settings.http_header_timeout) == (2.5, 5.0)
    assert settings.http_body_timeout == 0.5
    assert (settings.http_max_header_bytes, settings.http_max_connections) == (16384, 2000)
    assert settings.media_file_mode == 0o640
    assert settings.media_incoming_dir == Path("/srv/incoming")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PORTFOLIO_DB_DEADLINE": "soon"}, "PORTFOLIO_DB_DEADLINE must be a number of seconds"),
        ({"PORTFOLIO_DB_DEADLINE": "0"}, "PORTFOLIO_DB_DEADLINE must be more than 0"),
        ({"PORTFOLIO_HTTP_HEADER_TIMEOUT": "61"}, "at most 60 s"),
        ({"PORTFOLIO_HTTP_MAX_HEADER_BYTES": "4096"}, "must be at least 8192"),
        ({"PORTFOLIO_MEDIA_FILE_MODE": "rw-r--r--"}, "must be an octal file mode"),
        ({"PORTFOLIO_MEDIA_FILE_MODE": "0444"}, "let the owner read and write"),
        ({"PORTFOLIO_MEDIA_FILE_MODE": "1777"}, "between 0600 and 0777"),
    ],
)
def test_unusable_bounds_are_refused_by_name(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env)
