"""The HTTP entrypoint: the Litestar application."""

from entrypoints.http.app import create_app, create_app_from_env

__all__ = ["create_app", "create_app_from_env"]
