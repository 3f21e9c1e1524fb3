"""At the command line: every account write is audited as the operator's (no actor, via
``cli``, no request), never with a secret; ``portfolio audit prune`` deletes only old entries
and is audited itself."""

from __future__ import annotations

import os
import subprocess

import psycopg
import pytest

from tests.e2e.test_cli import PORTFOLIO, run

pytestmark = pytest.mark.postgres

PASSWORD = "operator typed this"


def audit(database: str) -> list[tuple[object, ...]]:
    with psycopg.connect(database) as conn:
        return conn.execute(
            "SELECT actor_id, via, action, resource, object_id, changes, request_id, client"
            " FROM audit_log ORDER BY id"
        ).fetchall()


def subprocess_input(database: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the command with the operator's password on its stdin."""
    return subprocess.run(
        [PORTFOLIO, *args],
        env={**os.environ, "PORTFOLIO_DATABASE_URL": database},
        input=f"{PASSWORD}\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_account_writes_at_the_command_line_are_audited_as_the_operator(
    clean_database: str,
) -> None:
    run(clean_database, "users", "create", "bob", "--staff", "--grant", "4202")
    run(clean_database, "users", "grant", "bob", "4201")
    setting = subprocess_input(clean_database, "users", "set-password", "bob", "--password-stdin")
    assert setting.returncode == 0, setting.stderr
    run(clean_database, "users", "unlock", "bob")
    key = run(clean_database, "tokens", "create", "bob").stdout.strip().splitlines()[-1]
    run(clean_database, "tokens", "create", "bob")
    run(clean_database, "tokens", "revoke", key)
    run(clean_database, "tokens", "revoke", "--user", "bob")

    fields = ["username", "is_staff", "is_admin", "is_active", "permissions"]
    assert audit(clean_database) == [
        (None, "cli", "create", "user", 1, fields, None, None),
        (None, "cli", "update", "user", 1, ["permissions"], None, None),
        (None, "cli", "update", "user", 1, ["password"], None, None),
        (None, "cli", "update", "user", 1, ["sign_in_failures"], None, None),
        (None, "cli", "create", "token", 1, [], None, None),
        (None, "cli", "create", "token", 2, [], None, None),
        (None, "cli", "revoke", "token", 1, [], None, None),
        (None, "cli", "revoke", "user", 1, ["tokens"], None, None),
    ]
    with psycopg.connect(clean_database) as conn:
        everything = str(conn.execute("SELECT * FROM audit_log").fetchall())
        stored = conn.execute("SELECT password_hash FROM users").fetchone()
    assert stored is not None
    for secret in (PASSWORD, key, stored[0]):
        assert secret not in everything


def test_prune_deletes_old_entries_only_and_is_audited(clean_database: str) -> None:
    with psycopg.connect(clean_database, autocommit=True) as conn:
        for days in (400, 91, 89):
            conn.execute(
                "INSERT INTO audit_log (at, via, action, resource, object_id)"
                " VALUES (now() - make_interval(days => %s), 'cli', 'update', 'tag', %s)",
                (days, days),
            )
    pruned = run(clean_database, "audit", "prune", "--older-than", "90")
    assert pruned.stdout.strip() == "deleted 2 audit entries older than 90 day(s)"
    remaining = [(entry[2], entry[3], entry[4]) for entry in audit(clean_database)]
    assert remaining == [("update", "tag", 89), ("purge", "audit", None)]
    assert audit(clean_database)[-1][:2] == (None, "cli")


def test_prune_keeps_at_least_a_day(clean_database: str) -> None:
    refused = run(clean_database, "audit", "prune", "--older-than", "0", check=False)
    assert refused.returncode == 2
    assert "--older-than" in refused.stderr
    assert audit(clean_database) == []
