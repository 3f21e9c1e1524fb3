"""Tests against real infrastructure: Postgres and the filesystem."""
