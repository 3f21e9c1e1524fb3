"""Apply the numbered SQL files in ``migrations/`` once each, safely from many processes at once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

import psycopg

# Any constant works; it only has to be the same for every process migrating this database.
_MIGRATION_LOCK = 4_242_001
_FILE_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    """One numbered SQL file."""

    version: int
    name: str
    sql: str


def available_migrations() -> list[Migration]:
    """Every migration shipped with the package, in version order."""
    folder = resources.files("adapters.postgres") / "migrations"
    found = []
    for entry in folder.iterdir():
        match = _FILE_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text("utf-8")))
    return sorted(found, key=lambda migration: migration.version)


def migrate(conninfo: str) -> list[str]:
    """Bring the schema up to date; return the names of the files applied by this call."""
    applied: list[str] = []
    with psycopg.connect(conninfo, autocommit=True) as conn:
        # A session lock serialises concurrent starters; the loser finds nothing left to do.
        conn.execute("SELECT pg_advisory_lock(%s)", (_MIGRATION_LOCK,))
        try:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version integer PRIMARY KEY, name text NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT now())"
            )
            done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
            for migration in available_migrations():
                if migration.version in done:
                    continue
                with conn.transaction():
                    conn.execute(migration.sql.encode())
                    conn.execute(
                        "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
                        (migration.version, migration.name),
                    )
                applied.append(migration.name)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_MIGRATION_LOCK,))
    return applied


def pending_migrations(conninfo: str) -> list[str]:
    """Names of shipped migrations this database has not applied yet."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        table = conn.execute("SELECT to_regclass('schema_migrations')").fetchone()
        done: set[int] = set()
        if table is not None and table[0] is not None:
            done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
    return [m.name for m in available_migrations() if m.version not in done]
