"""The HTTP entrypoint: the Litestar application (``portfolio.entrypoints.http.app``)."""
