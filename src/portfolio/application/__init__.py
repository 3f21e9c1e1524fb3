"""Use cases and the ports they need; imports only the domain."""
