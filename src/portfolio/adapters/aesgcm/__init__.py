"""Secrets sealed with AES-GCM (the `cryptography` package)."""
