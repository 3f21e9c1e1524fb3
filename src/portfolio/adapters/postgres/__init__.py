"""Postgres adapters (psycopg 3, async, pooled) and the schema migrations."""
