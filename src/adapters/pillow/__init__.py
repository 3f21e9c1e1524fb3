"""Pillow adapters: the only place that decodes and encodes images."""

from adapters.pillow.demo_pictures import demo_picture
from adapters.pillow.images import PillowImageProcessor

__all__ = ["PillowImageProcessor", "demo_picture"]
