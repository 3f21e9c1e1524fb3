"""The wheels: built, installed apart from the service, and type-checked there."""
