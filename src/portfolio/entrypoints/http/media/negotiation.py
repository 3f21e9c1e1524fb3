"""Which format of a thumbnail an ``Accept`` header asks for, as the edge cache decides it.

AVIF when ``Accept`` names ``image/avif``, else WebP when it names ``image/webp``, else the
stored format. A type is refused only by ``q=0`` (``0.0``, ``0.000``); any other q-value takes
it, and the service's own order (the smaller format first) decides between two taken types.
Wildcards (``image/*``, ``*/*``) take only the stored format: clients that send nothing more
precise (curl, old browsers) may not decode AVIF. deploy/varnish/portfolio.vcl reduces
``Accept`` by the same rules, so the edge and the service always agree. Anything that
cannot be read names nothing, and gets the stored format.
"""

from __future__ import annotations

import re

from portfolio.application.media.keys import WEB_FORMATS, WebFormat

_ZERO = re.compile(r"0(\.0*)?")


def _taken(accept: str) -> set[str]:
    taken = set()
    for part in accept.split(","):
        media_range, *parameters = part.split(";")
        refused = False
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q" and _ZERO.fullmatch(value.strip()):
                refused = True
        if not refused:
            taken.add(media_range.strip().lower())
    return taken


def chosen_variant(accept: str | None) -> WebFormat | None:
    """The web format to answer with, or None for the stored format."""
    if not accept:
        return None
    taken = _taken(accept)
    for web_format in WEB_FORMATS:
        if web_format.value in taken:
            return web_format
    return None
