"""Fast tests: domain, use cases and in-memory adapters."""
