"""Pillow adapters: the only place that decodes and encodes images."""

from portfolio.adapters.pillow.demo_pictures import demo_picture
from portfolio.adapters.pillow.images import PillowImageProcessor

__all__ = ["PillowImageProcessor", "demo_picture"]
