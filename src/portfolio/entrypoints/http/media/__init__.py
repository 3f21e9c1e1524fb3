"""``/api/media`` (uploads, the library) and ``/media/{key}`` (stored files served)."""
