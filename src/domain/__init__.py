"""The portfolio domain: plain entities and rules, importable by any Python service."""

from domain.errors import (
    AuthenticationFailed,
    DomainError,
    DuplicateValue,
    EmployerNotFound,
    InUse,
    InvalidFields,
    InvalidPage,
    LinkNotFound,
    MetaNotFound,
    MissingReference,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    PortfolioNotFound,
    Referrer,
    ServiceUnavailable,
    TagNotFound,
)
from domain.media import THUMBNAIL_SIZES, Media, Thumbnail
from domain.permissions import (
    ALL_PERMISSION_CODES,
    RETRIEVE_PORTFOLIO,
    Action,
    Resource,
    is_permission_code,
    permission_code,
)
from domain.portfolio import Employer, Link, Meta, Portfolio, Tag
from domain.sizes import human_readable_size
from domain.users import Principal

__all__ = [
    "ALL_PERMISSION_CODES",
    "RETRIEVE_PORTFOLIO",
    "THUMBNAIL_SIZES",
    "Action",
    "AuthenticationFailed",
    "DomainError",
    "DuplicateValue",
    "Employer",
    "EmployerNotFound",
    "InUse",
    "InvalidFields",
    "InvalidPage",
    "Link",
    "LinkNotFound",
    "Media",
    "Meta",
    "MetaNotFound",
    "MissingReference",
    "NotAuthenticated",
    "NotFound",
    "PermissionDenied",
    "Portfolio",
    "PortfolioNotFound",
    "Principal",
    "Referrer",
    "Resource",
    "ServiceUnavailable",
    "Tag",
    "TagNotFound",
    "Thumbnail",
    "human_readable_size",
    "is_permission_code",
    "permission_code",
]
