"""Portfolios: reading, listing and writing them, and their slugs."""
