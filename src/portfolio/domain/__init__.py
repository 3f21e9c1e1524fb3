"""The portfolio domain: plain entities and rules, importable by any Python service.

Each module lists what it offers in its own ``__all__``; the package offers the union, so a
new entity is added in its module alone. Code outside the domain imports it from here
(import-linter's "imported through its package" contract).
"""

from portfolio.domain import errors, media, permissions, portfolio, sizes, users, webhooks
from portfolio.domain.errors import *
from portfolio.domain.media import *
from portfolio.domain.permissions import *
from portfolio.domain.portfolio import *
from portfolio.domain.sizes import *
from portfolio.domain.users import *
from portfolio.domain.webhooks import *

__all__ = (
    errors.__all__
    + media.__all__
    + permissions.__all__
    + portfolio.__all__
    + sizes.__all__
    + users.__all__
    + webhooks.__all__
)
