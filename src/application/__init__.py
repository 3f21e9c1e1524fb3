"""Use cases and the ports they need; imports only the domain."""

from application.auth import Authenticate, IssuedToken, ManageTokens, ManageUsers, token_digest
from application.catalogue import (
    EmployerFields,
    LinkFields,
    MetaFields,
    NewMedia,
    NewThumbnail,
    PortfolioFields,
    TagFields,
)
from application.errors import InvalidPage, InvalidPermissionCode, UnknownUser, UserAlreadyExists
from application.file_types import FileType, ImageFormat, sniff_file_type, sniff_image_format
from application.media_library import DeleteMedia, GetMedia, ListMedia
from application.media_names import display_name, safe_stem, stored_file_name
from application.media_upload import DEFAULT_LIMITS, MediaLimits, UploadMedia
from application.portfolios import GetPortfolio, parse_id
from application.ports import (
    Catalogue,
    Clock,
    ImageProcessor,
    MediaPage,
    MediaRepository,
    MediaStorage,
    PortfolioQueries,
    ReadinessProbe,
    RenderedImage,
    RenderedThumbnail,
    StoredToken,
    TokenStore,
    UserStore,
)
from application.thumbnails import RegenerateThumbnails, RepairOutcome, ThumbnailRepair

__all__ = [
    "DEFAULT_LIMITS",
    "Authenticate",
    "Catalogue",
    "Clock",
    "DeleteMedia",
    "EmployerFields",
    "FileType",
    "GetMedia",
    "GetPortfolio",
    "ImageFormat",
    "ImageProcessor",
    "InvalidPage",
    "InvalidPermissionCode",
    "IssuedToken",
    "LinkFields",
    "ListMedia",
    "ManageTokens",
    "ManageUsers",
    "MediaLimits",
    "MediaPage",
    "MediaRepository",
    "MediaStorage",
    "MetaFields",
    "NewMedia",
    "NewThumbnail",
    "PortfolioFields",
    "PortfolioQueries",
    "ReadinessProbe",
    "RegenerateThumbnails",
    "RenderedImage",
    "RenderedThumbnail",
    "RepairOutcome",
    "StoredToken",
    "TagFields",
    "ThumbnailRepair",
    "TokenStore",
    "UnknownUser",
    "UploadMedia",
    "UserAlreadyExists",
    "UserStore",
    "display_name",
    "parse_id",
    "safe_stem",
    "sniff_file_type",
    "sniff_image_format",
    "stored_file_name",
    "token_digest",
]
