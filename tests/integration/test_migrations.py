"""The migration runner: files in a transaction or statement by statement outside one, re-runs
after a crash, and files that wait for an extension."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from portfolio.adapters.postgres.migrations import (
    Migration,
    available_migrations,
    migrate,
    pending_migrations,
)

pytestmark = pytest.mark.postgres

TABLE = Migration(1, "0001_table.sql", "CREATE TABLE t (a integer, b integer);")


@pytest.fixture
def empty_database(database_url: str) -> Iterator[str]:
    """A database of its own on the test server, with no migration applied."""
    name = f"portfolio_migrations_{secrets.token_hex(4)}"
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield make_conninfo(database_url, dbname=name)
    finally:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def valid_indexes(url: str) -> dict[str, bool]:
    """Index name -> whether it is valid, for the indexes of table t."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT c.relname, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            " WHERE i.indrelid = 't'::regclass"
        ).fetchall()
    return dict(rows)


def recorded(url: str) -> list[str]:
    """Names of the migrations the database has applied."""
    with psycopg.connect(url) as conn:
        return [row[0] for row in conn.execute("SELECT name FROM schema_migrations ORDER BY 1")]


CONCURRENT = Migration(
    2,
    "0002_concurrent.sql",
    """-- migration: no transaction
-- Two indexes built without blocking writes; CONCURRENTLY fails inside a transaction.
CREATE INDEX CONCURRENTLY IF NOT EXISTS t_a ON t (a);

CREATE INDEX CONCURRENTLY IF NOT EXISTS t_b
    ON t (b);
-- Evidence that the runner still holds its advisory lock between statements.
CREATE TABLE lock_seen AS
SELECT count(*) AS held FROM pg_locks
WHERE locktype = 'advisory' AND objid = 4242001 AND pid = pg_backend_pid();
""",
)


def test_a_no_transaction_file_runs_statement_by_statement_under_the_lock(
    empty_database: str,
) -> None:
    assert CONCURRENT.options == ("no transaction",)
    assert len(CONCURRENT.statements()) == 3
    assert migrate(empty_database, [TABLE, CONCURRENT]) == ["0001_table.sql", "0002_concurrent.sql"]
    assert valid_indexes(empty_database) == {"t_a": True, "t_b": True}
    with psycopg.connect(empty_database) as conn:
        assert conn.execute("SELECT held FROM lock_seen").fetchone() == (1,)
    assert recorded(empty_database) == ["0001_table.sql", "0002_concurrent.sql"]
    assert migrate(empty_database, [TABLE, CONCURRENT]) == []


def test_an_index_left_invalid_by_a_failed_concurrent_build_is_built_again(
    empty_database: str,
) -> None:
    unique = Migration(
        2,
        "0002_unique.sql",
        "-- migration: no transaction\n"
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS t_b ON t (b);\n"
        "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS t_a_unique ON t (a);\n",
    )
    migrate(empty_database, [TABLE])
    with psycopg.connect(empty_database, autocommit=True) as conn:
        conn.execute("INSERT INTO t (a) VALUES (1), (1)")
    with pytest.raises(psycopg.errors.UniqueViolation):
        migrate(empty_database, [TABLE, unique])
    # What a crash midway leaves: the first index built, the second one invalid, no record.
    assert valid_indexes(empty_database) == {"t_b": True, "t_a_unique": False}
    assert recorded(empty_database) == ["0001_table.sql"]
    with psycopg.connect(empty_database, autocommit=True) as conn:
        conn.execute("DELETE FROM t")
    assert migrate(empty_database, [TABLE, unique]) == ["0002_unique.sql"]
    assert valid_indexes(empty_database) == {"t_b": True, "t_a_unique": True}


def test_a_file_that_needs_a_missing_extension_waits_for_it(
    empty_database: str, caplog: pytest.LogCaptureFixture
) -> None:
    waiting = Migration(
        2,
        "0002_waiting.sql",
        "-- migration: no transaction\n-- migration: needs extension no_such_extension\n"
        "CREATE EXTENSION IF NOT EXISTS no_such_extension;\n",
    )
    later = Migration(3, "0003_later.sql", "CREATE TABLE u (a integer);")
    assert waiting.extension == "no_such_extension" and not waiting.in_transaction
    assert migrate(empty_database, [TABLE, waiting, later]) == ["0001_table.sql", "0003_later.sql"]
    assert "0002_waiting.sql skipped" in caplog.text
    assert recorded(empty_database) == ["0001_table.sql", "0003_later.sql"]


def test_a_file_without_options_runs_in_one_transaction(empty_database: str) -> None:
    broken = Migration(2, "0002_broken.sql", "CREATE TABLE v (a integer);\nSELECT 1 / 0;")
    assert broken.in_transaction and broken.extension is None
    with pytest.raises(psycopg.errors.DivisionByZero):
        migrate(empty_database, [TABLE, broken])
    with psycopg.connect(empty_database) as conn:
        assert conn.execute("SELECT to_regclass('v')").fetchone() == (None,)


def test_the_shipped_migrations_leave_nothing_pending(database_url: str) -> None:
    assert pending_migrations(database_url) == []
    with psycopg.connect(database_url) as conn:
        offered = {row[0] for row in conn.execute("SELECT name FROM pg_available_extensions")}
    skipped = {m.name for m in available_migrations() if m.extension not in offered | {None}}
    assert set(recorded(database_url)) == {m.name for m in available_migrations()} - skipped
