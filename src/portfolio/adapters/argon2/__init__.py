"""Password hashes with Argon2id (argon2-cffi)."""
