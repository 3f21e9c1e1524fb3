"""In-memory adapters for every port: for unit tests and for services embedding the domain."""
