"""Filesystem adapters: media files under a configurable root."""
