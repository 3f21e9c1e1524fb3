"""Media: what a file is, where it is stored, its thumbnails, and the use cases."""
