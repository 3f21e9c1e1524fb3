"""``portfolio users create --password-stdin`` and ``portfolio users set-password``."""

from __future__ import annotations

import os
import subprocess

import psycopg

from tests.servers import PORTFOLIO

CHEAP = {"PORTFOLIO_PASSWORD_TIME_COST": "1", "PORTFOLIO_PASSWORD_MEMORY_KIB": "64"}


def portfolio(database: str, *args: str, given: str = "") -> subprocess.CompletedProcess[str]:
    """Run the command with ``given`` on stdin; whatever its exit code."""
    return subprocess.run(
        [PORTFOLIO, *args],
        env={**os.environ, **CHEAP, "PORTFOLIO_DATABASE_URL": database},
        input=given,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def stored_hash(database: str, username: str) -> str | None:
    with psycopg.connect(database) as conn:
        row = conn.execute("SELECT password_hash FROM users WHERE username = %s", (username,))
        found = row.fetchone()
    assert found is not None
    return found[0]


def test_create_reads_the_password_from_stdin_and_stores_only_an_argon2id_hash(
    clean_database: str,
) -> None:
    created = portfolio(
        clean_database,
        "users",
        "create",
        "alice",
        "--staff",
        "--password-stdin",
        given="my secret passphrase\n",
    )
    assert created.returncode == 0, created.stderr
    assert "user alice" in created.stdout
    assert "passphrase" not in created.stdout + created.stderr
    stored = stored_hash(clean_database, "alice")
    assert stored is not None
    assert stored.startswith("$argon2id$")
    assert "passphrase" not in stored
    assert stored_hash(clean_database, "alice") == stored
    plain = portfolio(clean_database, "users", "create", "bob")
    assert plain.returncode == 0
    assert stored_hash(clean_database, "bob") is None


def test_set_password_from_stdin_or_a_prompt_replaces_the_hash(clean_database: str) -> None:
    assert portfolio(clean_database, "users", "create", "alice").returncode == 0
    piped = portfolio(
        clean_database,
        "users",
        "set-password",
        "alice",
        "--password-stdin",
        given="first passphrase\n",
    )
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout.strip() == "password set for alice (id 1)"
    first = stored_hash(clean_database, "alice")
    prompted = portfolio(
        clean_database,
        "users",
        "set-password",
        "alice",
        given="second passphrase\nsecond passphrase\n",
    )
    assert prompted.returncode == 0, prompted.stderr
    assert "second passphrase" not in prompted.stdout
    second = stored_hash(clean_database, "alice")
    assert second is not None
    assert second != first


def test_a_short_password_or_an_unknown_user_is_one_clear_line(clean_database: str) -> None:
    assert portfolio(clean_database, "users", "create", "alice").returncode == 0
    short = portfolio(
        clean_database, "users", "set-password", "alice", "--password-stdin", given="short\n"
    )
    assert short.returncode == 1
    assert short.stderr.strip() == (
        "Error: This password is too short. It must contain at least 8 characters."
    )
    unknown = portfolio(
        clean_database,
        "users",
        "set-password",
        "nobody",
        "--password-stdin",
        given="long enough passphrase\n",
    )
    assert unknown.returncode == 1
    assert "Traceback" not in unknown.stderr
    assert "nobody" in unknown.stderr
