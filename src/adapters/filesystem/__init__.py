"""Filesystem adapters: media files under a configurable root."""

from adapters.filesystem.storage import FilesystemMediaStorage, UnsafeKey

__all__ = ["FilesystemMediaStorage", "UnsafeKey"]
