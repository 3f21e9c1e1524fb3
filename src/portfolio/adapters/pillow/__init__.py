"""Pillow adapters: the only place that decodes and encodes images."""
