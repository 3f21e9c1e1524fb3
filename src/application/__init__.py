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
from application.errors import InvalidPermissionCode, UnknownUser, UserAlreadyExists
from application.portfolios import GetPortfolio, parse_id
from application.ports import (
    Catalogue,
    Clock,
    MediaStorage,
    PortfolioQueries,
    ReadinessProbe,
    StoredToken,
    TokenStore,
    UserStore,
)

__all__ = [
    "Authenticate",
    "Catalogue",
    "Clock",
    "EmployerFields",
    "GetPortfolio",
    "InvalidPermissionCode",
    "IssuedToken",
    "LinkFields",
    "ManageTokens",
    "ManageUsers",
    "MediaStorage",
    "MetaFields",
    "NewMedia",
    "NewThumbnail",
    "PortfolioFields",
    "PortfolioQueries",
    "ReadinessProbe",
    "StoredToken",
    "TagFields",
    "TokenStore",
    "UnknownUser",
    "UserAlreadyExists",
    "UserStore",
    "parse_id",
    "token_digest",
]
