"""``.env``: what a line means, which value wins, and what an error may say."""

from __future__ import annotations

from pathlib import Path

import pytest

from portfolio.entrypoints.env_file import EnvFileError, load_env_file, parse
from portfolio.entrypoints.settings import Settings
from tests.conftest import REPOSITORY


def test_plain_quoted_and_exported_assignments_are_read() -> None:
    text = "\n".join(
        [
            "# the production minimum",
            "",
            "PORTFOLIO_DATABASE_URL=postgresql://app@db.internal/portfolio",
            "export PORTFOLIO_ALLOWED_HOSTS = api.example.com,www.example.com  # two names",
            "PORTFOLIO_DEMO_PASSWORD='it is # all $kept'",
            'PORTFOLIO_LOG_FORMAT="json"',
            r'QUOTED="a \"b\" c\\d\ne"',
            "EMPTY=",
            "HASH_INSIDE=pass#word",
        ]
    )
    assert parse(text) == {
        "PORTFOLIO_DATABASE_URL": "postgresql://app@db.internal/portfolio",
        "PORTFOLIO_ALLOWED_HOSTS": "api.example.com,www.example.com",
        "PORTFOLIO_DEMO_PASSWORD": "it is # all $kept",
        "PORTFOLIO_LOG_FORMAT": "json",
        "QUOTED": 'a "b" c\\d\ne',
        "EMPTY": "",
        "HASH_INSIDE": "pass#word",
    }


def test_a_name_given_twice_keeps_its_last_value() -> None:
    assert parse("A=1\nA=2\n") == {"A": "2"}


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("just words", "expected NAME=value"),
        ("1ABC=x", "expected NAME=value"),
        ("A='s3cret", "single quote is not closed"),
        ('A="s3cret', "double quote is not closed"),
        ("A='s3cret' more", "text follows the closing quote"),
        ("A=s3cret${HOME}", "nothing is expanded"),
        ('A="s3cret${HOME}"', "is not expanded"),
        ("A=it's s3cret", "quote a value holding quotes"),
    ],
)
def test_a_line_it_cannot_read_is_refused_by_number_without_its_value(
    line: str, reason: str
) -> None:
    with pytest.raises(EnvFileError) as raised:
        parse(f"OK=1\n{line}\n", "/srv/portfolio/.env")
    message = str(raised.value)
    assert message.startswith("/srv/portfolio/.env, line 2")
    assert reason in message
    assert "s3cret" not in message


def test_the_environment_wins_over_the_file(tmp_path: Path) -> None:
    env_file = tmp_path / "settings.env"
    env_file.write_text("PORTFOLIO_LOG_LEVEL=DEBUG\nPORTFOLIO_METRICS=false\n")
    environ = {"PORTFOLIO_ENV_FILE": str(env_file), "PORTFOLIO_LOG_LEVEL": "WARNING"}

    loaded = load_env_file(environ)

    assert loaded == (env_file, ["PORTFOLIO_METRICS"])
    assert environ["PORTFOLIO_LOG_LEVEL"] == "WARNING"
    assert environ["PORTFOLIO_METRICS"] == "false"


def test_dot_env_in_the_current_directory_is_read_when_present(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    environ: dict[str, str] = {}
    assert load_env_file(environ) is None
    (tmp_path / ".env").write_text("PORTFOLIO_COMPRESSION=false\n")

    assert load_env_file(environ) == (Path(".env"), ["PORTFOLIO_COMPRESSION"])
    assert environ == {"PORTFOLIO_COMPRESSION": "false"}


def test_a_named_file_that_is_missing_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "absent.env"
    with pytest.raises(EnvFileError, match=f"cannot read {missing}: No such file"):
        load_env_file({"PORTFOLIO_ENV_FILE": str(missing)})


def test_the_committed_example_is_a_valid_production_minimum() -> None:
    example = parse((REPOSITORY / ".env.example").read_text(), ".env.example")
    settings = Settings.from_env(example)

    assert settings.database_url is not None
    assert settings.allowed_hosts and settings.trusted_proxies and settings.cors_allowed_origins
    assert settings.media_base_url is not None and settings.metrics_address is not None
