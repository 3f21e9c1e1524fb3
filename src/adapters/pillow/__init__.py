"""Pillow adapters: the only place that decodes and encodes images."""

from adapters.pillow.images import PillowImageProcessor

__all__ = ["PillowImageProcessor"]
