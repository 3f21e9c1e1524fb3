"""Media storage in an S3-compatible bucket."""

from portfolio.adapters.s3.readiness import S3Readiness
from portfolio.adapters.s3.storage import (
    ConditionalPutUnsupported,
    S3Location,
    S3MediaStorage,
    UnsafeObjectKey,
)

__all__ = [
    "ConditionalPutUnsupported",
    "S3Location",
    "S3MediaStorage",
    "S3Readiness",
    "UnsafeObjectKey",
]
