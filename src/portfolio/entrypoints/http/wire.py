"""Wire objects, a msgspec Struct per JSON object named and ordered as the API document has it,
and their presenters, derived from the Structs (``presenter``) by rules that hold across the API:
``<name>_data`` shows the entity's ``<name>``; ``f`` is the URL of its stored ``key``; a nested
Struct (or a list of them) is presented the same way; a list of plain values is the entity's
collection, sorted; anything else is the attribute of the same name; a thumbnail's
``variants`` are made from its ``variant_formats`` (``_MADE_OTHERWISE``). A field that may be
``UNSET`` is left out unless the presenter ``expand``s it (all such fields of the Struct, or
those named at every depth, as ``WEB_IMAGE``). Each presenter is compiled once from Python
source, as dataclasses writes ``__init__``, into one expression for the whole object: no
per-field lookup and no call per nested object at run time.

Structs made by the thousand for a page (a portfolio's and everything it nests) are declared
``gc=False``: they never refer back to what holds them, so the cycle collector need not track
them, and a public page's presenting set off half as many of its collections.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from functools import cache
from typing import Annotated, Any, Generic, TypeVar, get_args, get_origin

import msgspec
from litestar.params import KwargDefinition
from msgspec import UNSET, UnsetType

T = TypeVar("T")
S = TypeVar("S", bound=msgspec.Struct)

UrlFor = Callable[[str], str]
"""Turns a stored key into the absolute URL a client fetches it from."""


class VariantData(msgspec.Struct, gc=False):
    """A thumbnail in another format: ``type`` is its MIME type, what ``<source type>`` takes."""

    type: str
    f: str


class ThumbnailData(msgspec.Struct, gc=False):
    """A thumbnail; ``size`` is the edge of its square box (64, 128, 512 or 1080)."""

    id: int
    f: str
    size: int
    # The same pixels as AVIF and WebP, best first (left out of GET /api/portfolios/{id}).
    variants: list[VariantData] | UnsetType = UNSET


class FileData(msgspec.Struct, gc=False):
    """A stored file of any kind (``meta[].value_file``)."""

    id: int
    type: str
    name: str
    size: int
    human_readable_size: str
    f: str


class ImageData(FileData):
    """A stored image (``image_data`` and ``images_data`` items)."""

    width: int | None
    height: int | None
    mode: str | None
    thumbnails: list[ThumbnailData]
    # Shown by the media and public APIs (WEB_IMAGE), left out of the seed's portfolio shape.
    alt: str | UnsetType = UNSET
    placeholder: str | UnsetType | None = UNSET


WEB_IMAGE = frozenset({"alt", "placeholder", "variants"})
"""The image fields the media API and the public API show (``presenter(..., expand=)``)."""


class Page(msgspec.Struct, Generic[T], gc=False):
    """A page of a list, as Django REST Framework's page-number pagination shapes it.

    ``next`` and ``previous`` are absolute URLs, or null on the last and the first page.
    """

    count: int
    next: str | None
    previous: str | None
    results: list[T]


def named_page(item: type[Any], name: str) -> Any:
    """``Page[item]``, listed in the OpenAPI components as ``name``."""
    return Annotated[Page[item], KwargDefinition(schema_component_key=name)]  # type: ignore[valid-type]


class ErrorDetail(msgspec.Struct):
    """Every error that is not about single fields: ``{"detail": "..."}``."""

    detail: str


class HealthStatus(msgspec.Struct):
    """What ``/health`` and ``/ready`` answer when all is well."""

    status: str


Presenter = Callable[[Any, UrlFor], T]
"""Makes a wire object from an entity, with the URLs of its stored files."""

Expansion = bool | frozenset[str]


def presenter(data: type[S], *, expand: Expansion = False) -> Presenter[S]:
    """The presenter of wire Struct ``data`` (made once), ``expand`` as the module says."""
    return _compiled(data, expand)


@cache  # behind presenter(), whose signature keeps the types that cache() would lose
def _compiled(data: type[msgspec.Struct], expand: Expansion) -> Callable[..., Any]:
    scope: dict[str, Any] = {}
    source_code = (
        f"def present(entity, url_for):\n    return {_build(data, expand, 'entity', 1, scope)}\n"
    )
    exec(compile(source_code, f"<presenter of {data.__name__}>", "exec"), scope)  # noqa: S102
    present: Callable[..., Any] = scope["present"]
    present.__doc__ = f"A {data.__name__} of the entity, its stored keys made URLs."
    return present


def _build(
    data: type[msgspec.Struct], expand: Expansion, entity: str, depth: int, scope: dict[str, Any]
) -> str:
    """The expression making a ``data`` of the entity ``entity`` (an expression) at nesting
    ``depth``, the Struct classes it names put in ``scope``. Nested Structs are
    built in the same expression, not by calls to their own presenters: a public page presents
    some 2,000 thumbnails and variants, and a call each was a fifth of its presenting."""
    hints = typing.get_type_hints(data)
    made = f"Data{len(scope)}"
    scope[made] = data
    arguments = []
    named = expand if isinstance(expand, frozenset) else frozenset()
    # Positional while no field has been left out: msgspec matches keywords one by one.
    positional = True
    for name in data.__struct_fields__:
        if _may_be_unset(hints[name]) and not (expand is True or name in named):
            positional = False
            continue
        source = f"{entity}.{name.removesuffix('_data')}"
        nested, many, optional = _shape(hints[name])
        if name == "f":
            value = f"url_for({entity}.key)"
        elif (data, name) in _MADE_OTHERWISE and nested is not None:
            made_item = f"Data{len(scope)}"
            scope[made_item] = nested
            value = _MADE_OTHERWISE[data, name].format(made=made_item, of=entity, n=depth)
        elif nested is not None:
            # Each depth has its own name, so a nested comprehension never shadows its parent.
            item = f"item{depth}"
            if many:
                value = f"[{_build(nested, named, item, depth + 1, scope)} for {item} in {source}]"
            elif optional:
                built = _build(nested, named, item, depth + 1, scope)
                value = f"None if ({item} := {source}) is None else {built}"
            else:
                value = _build(nested, named, source, depth + 1, scope)
        elif many:
            value = f"sorted({source})"
        else:
            value = source
        arguments.append(f"({value})" if positional else f"{name}=({value})")
    return f"{made}({', '.join(arguments)})"


# Fields made otherwise than by the rules: the expression of the entity ``{of}`` listing them,
# each made by ``{made}`` (``{n}`` keeps its names apart from those around it). A thumbnail's
# variants are made from the formats the domain names for it, a key and a suffix each, rather
# than from its ThumbnailVariant objects: a public page lists some 1,400 variants, and making
# each twice was nearly half its presenting.
_MADE_OTHERWISE: dict[tuple[type[msgspec.Struct], str], str] = {
    (ThumbnailData, "variants"): "[{made}(mime{n}, url_for({of}.key + suffix{n}))"
    " for mime{n}, suffix{n} in {of}.variant_formats]",
}


def _may_be_unset(hint: Any) -> bool:
    return get_origin(hint) in (typing.Union, types.UnionType) and UnsetType in get_args(hint)


def _shape(hint: Any) -> tuple[type[msgspec.Struct] | None, bool, bool]:
    """The Struct a field holds (None: a plain value), whether a list of them, whether nullable."""
    optional = False
    if get_origin(hint) in (typing.Union, types.UnionType):
        parts = [arg for arg in get_args(hint) if arg not in (type(None), UnsetType)]
        optional = len(parts) < len(get_args(hint))
        hint = parts[0]
    many = get_origin(hint) is list
    item = get_args(hint)[0] if many else hint
    is_struct = isinstance(item, type) and issubclass(item, msgspec.Struct)
    return (item if is_struct else None), many, optional
