"""Apply the numbered SQL files in ``migrations/`` once each, safely from many processes at once.

A file runs in one transaction, unless its header says otherwise. Header lines come first,
each ``-- migration: <option>``:

- ``no transaction``: the file runs statement by statement outside any transaction, as
  ``CREATE INDEX CONCURRENTLY`` needs (it builds an index without blocking writes). Each
  statement ends with ``;`` at the end of a line, and must be safe to run again (``IF NOT
  EXISTS``): a run cut short is simply run again. An index left INVALID by a concurrent build
  that failed is dropped and built afresh, as ``IF NOT EXISTS`` would otherwise keep it.
- ``needs extension <name>``: the file is skipped while the server does not offer that
  extension (pgserver's embedded Postgres has no contrib modules), with a warning, and is
  applied by the first ``migrate`` after the extension becomes available. Only what nothing
  else depends on (indexes) belongs in such a file.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import psycopg
from psycopg.sql import SQL, Identifier

# Any constant works; it only has to be the same for every process migrating this database.
_MIGRATION_LOCK = 4_242_001
_FILE_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_OPTION = re.compile(r"^-- migration: (.+?)\s*$")
_NEEDS_EXTENSION = re.compile(r"^needs extension (\w+)$")
_STATEMENT_END = re.compile(r";[ \t]*$", re.MULTILINE)
_CONCURRENT_INDEX = re.compile(
    r"^\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+CONCURRENTLY\s+IF\s+NOT\s+EXISTS\s+(\w+)", re.IGNORECASE
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Migration:
    """One numbered SQL file."""

    version: int
    name: str
    sql: str

    @property
    def options(self) -> tuple[str, ...]:
        """The ``-- migration:`` header lines, in order."""
        found = []
        for line in self.sql.splitlines():
            match = _OPTION.match(line)
            if match is None:
                break
            found.append(match.group(1))
        return tuple(found)

    @property
    def in_transaction(self) -> bool:
        """Whether the whole file runs as one transaction."""
        return "no transaction" not in self.options

    @property
    def extension(self) -> str | None:
        """The extension the file needs, if any."""
        for option in self.options:
            match = _NEEDS_EXTENSION.match(option)
            if match:
                return match.group(1)
        return None

    def statements(self) -> list[str]:
        """The file's statements without their comment lines, for running one at a time."""
        found = []
        for part in _STATEMENT_END.split(self.sql):
            code = [line for line in part.splitlines() if not line.strip().startswith("--")]
            if any(line.strip() for line in code):
                found.append("\n".join(code).strip())
        return found


def available_migrations() -> list[Migration]:
    """Every migration shipped with the package, in version order."""
    folder = resources.files("portfolio.adapters.postgres") / "migrations"
    found = []
    for entry in folder.iterdir():
        match = _FILE_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text("utf-8")))
    return sorted(found, key=lambda migration: migration.version)


def migrate(conninfo: str, migrations: Sequence[Migration] | None = None) -> list[str]:
    """Bring the schema up to date; return the names of the files applied by this call.

    ``migrations`` defaults to the shipped ones.
    """
    applied: list[str] = []
    with psycopg.connect(conninfo, autocommit=True) as conn:
        # A session lock serialises concurrent starters; the loser finds nothing left to do.
        # It holds across the statements of a file that runs outside a transaction too.
        conn.execute("SELECT pg_advisory_lock(%s)", (_MIGRATION_LOCK,))
        try:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version integer PRIMARY KEY, name text NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT now())"
            )
            done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
            for migration in available_migrations() if migrations is None else migrations:
                if migration.version in done:
                    continue
                if not _extension_offered(conn, migration):
                    logger.warning(
                        "%s skipped: this server does not offer the %s extension",
                        migration.name,
                        migration.extension,
                    )
                    continue
                if migration.in_transaction:
                    with conn.transaction():
                        conn.execute(migration.sql.encode())
                        _record(conn, migration)
                else:
                    for statement in migration.statements():
                        _drop_if_invalid(conn, statement)
                        conn.execute(statement.encode())
                    _record(conn, migration)
                applied.append(migration.name)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_MIGRATION_LOCK,))
    return applied


def _record(conn: psycopg.Connection[Any], migration: Migration) -> None:
    conn.execute(
        "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
        (migration.version, migration.name),
    )


def _extension_offered(conn: psycopg.Connection[Any], migration: Migration) -> bool:
    if migration.extension is None:
        return True
    cursor = conn.execute(
        "SELECT 1 FROM pg_available_extensions WHERE name = %s", (migration.extension,)
    )
    return cursor.fetchone() is not None


def _drop_if_invalid(conn: psycopg.Connection[Any], statement: str) -> None:
    # A concurrent build that failed (or whose session died) leaves an INVALID index behind,
    # which IF NOT EXISTS would then take for done.
    match = _CONCURRENT_INDEX.match(statement)
    if match is None:
        return
    cursor = conn.execute(
        "SELECT 1 FROM pg_index WHERE indexrelid = to_regclass(%s) AND NOT indisvalid",
        (match.group(1),),
    )
    if cursor.fetchone() is not None:
        logger.warning("rebuilding index %s, left invalid by an interrupted build", match.group(1))
        conn.execute(SQL("DROP INDEX CONCURRENTLY IF EXISTS {}").format(Identifier(match.group(1))))


def pending_migrations(conninfo: str) -> list[str]:
    """Names of shipped migrations this database has not applied yet (leaving out those that
    need an extension the server does not offer, which ``migrate`` skips)."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        table = conn.execute("SELECT to_regclass('schema_migrations')").fetchone()
        done: set[int] = set()
        if table is not None and table[0] is not None:
            done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
        return [
            m.name
            for m in available_migrations()
            if m.version not in done and _extension_offered(conn, m)
        ]
