"""Filesystem adapters: media files under a configurable root."""

from portfolio.adapters.filesystem.storage import FilesystemMediaStorage, UnsafeKey

__all__ = ["FilesystemMediaStorage", "UnsafeKey"]
