"""Settings read from PORTFOLIO_* variables, with clear errors for unusable values."""

from __future__ import annotations

from pathlib import Path

import pytest

from portfolio.entrypoints.settings import (
    S3Settings,
    Settings,
    SettingsError,
    reference,
    variables,
)
from tests.conftest import REPOSITORY


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
            "PORTFOLIO_ALLOWED_HOSTS": " api.example.com, ,localhost:8000, [::1]:8443 ",
        }
    )
    assert settings.allowed_hosts == ("api.example.com", "localhost:8000", "[::1]:8443")
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
        ({"PORTFOLIO_HTTP_BODY_MIN_RATE": "0"}, "PORTFOLIO_HTTP_BODY_MIN_RATE must be at least 1"),
        ({"PORTFOLIO_ALLOWED_HOSTS": "a.example, *.example"}, "PORTFOLIO_ALLOWED_HOSTS must list"),
        ({"PORTFOLIO_ALLOWED_HOSTS": ".example"}, "no wildcards"),
        ({"PORTFOLIO_ALLOWED_HOSTS": "https://a.example"}, "PORTFOLIO_ALLOWED_HOSTS must list"),
        ({"PORTFOLIO_ALLOWED_HOSTS": "a.example:70000"}, "PORTFOLIO_ALLOWED_HOSTS must list"),
        ({"PORTFOLIO_HTTP_BODY_MIN_RATE": "fast"}, "PORTFOLIO_HTTP_BODY_MIN_RATE must be a whole"),
    ],
)
def test_unusable_values_are_refused_by_name(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env)


def test_the_bounds_default_to_what_the_readme_says() -> None:
    settings = Settings.from_env({})
    assert (settings.db_acquire_timeout, settings.db_deadline) == (5.0, 10.0)
    assert (settings.http_header_timeout, settings.http_body_timeout) == (10.0, 20.0)
    assert settings.http_body_min_rate == 500
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


def test_the_filesystem_is_the_default_storage_and_no_bucket_is_read() -> None:
    settings = Settings.from_env({})
    assert (settings.storage, settings.s3) == ("filesystem", None)


def test_s3_settings_are_read_with_our_names_first() -> None:
    settings = Settings.from_env(
        {
            "PORTFOLIO_STORAGE": "S3",
            "PORTFOLIO_S3_BUCKET": "media",
            "PORTFOLIO_S3_ENDPOINT_URL": "http://127.0.0.1:8333/",
            "PORTFOLIO_S3_REGION": "eu-west-3",
            "AWS_REGION": "us-west-2",
            "PORTFOLIO_S3_PREFIX": "/portfolio/site-a/",
            "PORTFOLIO_S3_ACCESS_KEY_ID": "ours",
            "PORTFOLIO_S3_SECRET_ACCESS_KEY": "our-secret",
            "AWS_ACCESS_KEY_ID": "theirs",
            "AWS_SECRET_ACCESS_KEY": "their-secret",
            "PORTFOLIO_S3_PRESIGN_SECONDS": "900",
        }
    )
    assert settings.storage == "s3"
    assert settings.s3 is not None
    assert settings.s3.presign_seconds == 900
    s3 = settings.s3.location
    assert (s3.bucket, s3.endpoint_url, s3.region) == (
        "media",
        "http://127.0.0.1:8333",
        "eu-west-3",
    )
    assert (s3.prefix, s3.virtual_hosted) == ("portfolio/site-a/", False)
    assert (s3.access_key_id, s3.secret_access_key) == ("ours", "our-secret")
    assert "our-secret" not in repr(settings)


def test_s3_falls_back_to_the_standard_aws_variables_and_virtual_hosts_on_aws() -> None:
    s3_settings = Settings.from_env(
        {
            "PORTFOLIO_STORAGE": "s3",
            "PORTFOLIO_S3_BUCKET": "media",
            "AWS_DEFAULT_REGION": "eu-central-1",
            "AWS_ACCESS_KEY_ID": "theirs",
            "AWS_SECRET_ACCESS_KEY": "their-secret",
            "AWS_SESSION_TOKEN": "session",
        }
    ).s3
    assert s3_settings is not None
    assert s3_settings.presign_seconds == 0
    s3 = s3_settings.location
    assert (s3.region, s3.endpoint_url, s3.virtual_hosted) == ("eu-central-1", None, True)
    assert (s3.access_key_id, s3.secret_access_key, s3.session_token) == (
        "theirs",
        "their-secret",
        "session",
    )


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


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PORTFOLIO_STORAGE": "ftp"}, "PORTFOLIO_STORAGE must be filesystem or s3"),
        ({"PORTFOLIO_STORAGE": "s3"}, "PORTFOLIO_S3_BUCKET must be set"),
        ({"PORTFOLIO_S3_BUCKET": "b", "PORTFOLIO_S3_ENDPOINT_URL": "ftp://x"}, "http(s) URL"),
        ({"PORTFOLIO_S3_BUCKET": "b", "PORTFOLIO_S3_PREFIX": "a/../b"}, "plain relative path"),
        ({"PORTFOLIO_S3_BUCKET": "b", "PORTFOLIO_S3_ADDRESSING": "dns"}, "path or virtual"),
        ({"PORTFOLIO_S3_BUCKET": "b", "PORTFOLIO_S3_ACCESS_KEY_ID": "k"}, "go together"),
        ({"PORTFOLIO_S3_BUCKET": "b", "PORTFOLIO_S3_PRESIGN_SECONDS": "604801"}, "seven days"),
    ],
)
def test_unusable_s3_settings_are_refused_with_the_variable_named(
    env: dict[str, str], message: str
) -> None:
    with pytest.raises(SettingsError, match=message.replace("(", r"\(").replace(")", r"\)")):
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


def test_the_configuration_reference_is_the_settings_table() -> None:
    documented = (REPOSITORY / "docs" / "configuration.md").read_text()
    assert reference() in documented, (
        "docs/configuration.md differs from the settings table: "
        "`.venv/bin/python -m portfolio.entrypoints.settings` prints the table to paste"
    )


def test_every_variable_is_read_once_and_documented() -> None:
    names = [variable.name for _, variable in variables(Settings) if variable.doc]
    names += [variable.name for _, variable in variables(S3Settings)]
    assert len(names) == len(set(names))
    assert all(name.startswith("PORTFOLIO_") for name in names)
    defaults = Settings()
    assert Settings.from_env({}) == defaults


@pytest.mark.parametrize("level", ["debug", "WARNING", "Error"])
def test_the_log_level_is_one_of_logging_s_names(level: str) -> None:
    assert Settings.from_env({"PORTFOLIO_LOG_LEVEL": level}).log_level == level.upper()


def test_an_unknown_log_level_is_refused_in_one_line() -> None:
    with pytest.raises(SettingsError, match="PORTFOLIO_LOG_LEVEL must be DEBUG, INFO"):
        Settings.from_env({"PORTFOLIO_LOG_LEVEL": "verbose"})


def test_the_acquire_timeout_has_its_own_name_and_still_reads_the_former_one() -> None:
    assert Settings.from_env({"PORTFOLIO_DB_ACQUIRE_TIMEOUT": "1.5"}).db_acquire_timeout == 1.5
    assert Settings.from_env({"PORTFOLIO_DB_TIMEOUT": "3"}).db_acquire_timeout == 3.0
    both = {"PORTFOLIO_DB_ACQUIRE_TIMEOUT": "2", "PORTFOLIO_DB_TIMEOUT": "7"}
    assert Settings.from_env(both).db_acquire_timeout == 2.0
    with pytest.raises(SettingsError, match="PORTFOLIO_DB_ACQUIRE_TIMEOUT must be a number"):
        Settings.from_env({"PORTFOLIO_DB_ACQUIRE_TIMEOUT": "soon"})


def test_s3_secrets_never_show_in_the_settings_text() -> None:
    env = {
        "PORTFOLIO_STORAGE": "s3",
        "PORTFOLIO_S3_BUCKET": "media",
        "PORTFOLIO_S3_ACCESS_KEY_ID": "key-id",
        "PORTFOLIO_S3_SECRET_ACCESS_KEY": "very-secret",
        "PORTFOLIO_S3_SESSION_TOKEN": "session-secret",
    }
    shown = repr(Settings.from_env(env))
    assert "very-secret" not in shown and "session-secret" not in shown


@pytest.mark.parametrize(
    ("raw", "origin"),
    [
        ("https://API.example.com/", "https://api.example.com"),
        ("http://[::1]:8443", "http://[::1]:8443"),
    ],
)
def test_the_public_url_is_an_origin(raw: str, origin: str) -> None:
    assert Settings.from_env({"PORTFOLIO_PUBLIC_URL": raw}).public_url == origin


@pytest.mark.parametrize("raw", ["api.example.com", "https://api.example.com/v1", "ftp://x"])
def test_a_public_url_that_is_no_origin_is_refused(raw: str) -> None:
    with pytest.raises(SettingsError, match="PORTFOLIO_PUBLIC_URL must be an origin"):
        Settings.from_env({"PORTFOLIO_PUBLIC_URL": raw})
