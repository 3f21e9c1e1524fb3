"""Adapters: Postgres, filesystem and in-memory implementations of the application's ports."""
