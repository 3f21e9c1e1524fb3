"""Media storage in an S3-compatible bucket."""
