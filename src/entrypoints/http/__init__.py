"""The HTTP entrypoint: the Litestar application (``entrypoints.http.app``)."""
