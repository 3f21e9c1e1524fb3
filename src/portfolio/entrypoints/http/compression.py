"""gzip, and brotli when the client takes it, for JSON and text answers above a threshold.

Images and every other media type are passed as they are: they are compressed already, and
the media files keep their length and ranges. Every answer of a compressible type says
``Vary: Accept-Encoding``, compressed or not, so a cache keeps one copy per encoding.

An answer compressed whole keeps a strong ``ETag``, one per encoding: ``"<tag>.br"`` or
``"<tag>.gz"`` names the compressed bytes (the same for the same answer: the levels are
fixed), ``"<tag>"`` the plain ones. On the way in, ``If-None-Match`` is given back the plain
tags, so that the layers inside compare what they made; a 304 names the encoded tag the
client holds. A streamed answer's tag is weakened instead: its bytes depend on its chunks.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Callable
from functools import lru_cache

import brotli

from portfolio.entrypoints.http.layer import HttpScope, Layer, Message, Receive, Send, header, vary

MIN_BYTES = 1024
"""Smaller bodies go as they are: with their headers they fit one TCP segment (1,460 bytes)
already, so compressing them would cost CPU time and save no packet."""

# An answer sent whole (every JSON answer) is compressed for speed: at the lowest levels a
# 7.8 KB portfolio still shrinks eight times, in a third to a fifth of the time the default
# levels took when these were chosen (docs/performance.md; bench/edge_costs.py times the
# levels in use), and a window no wider than the body halves zlib's time, which for small
# bodies goes mostly into setting up its 32 KB window. A streamed file (the /schema page's
# scripts, cached for a day) is compressed harder. Brotli's default quality, 11, takes
# milliseconds per kilobyte.
GZIP_LEVEL = 1
BROTLI_QUALITY = 1
STREAM_GZIP_LEVEL = 6
STREAM_BROTLI_QUALITY = 5
# Chunks larger than this are compressed on a worker thread, off the event loop.
_THREAD_BYTES = 64 * 1024
_TEXT_TYPES = frozenset(
    {
        "application/json",
        "application/javascript",
        "application/yaml",
        "application/x-yaml",
        "application/vnd.oai.openapi",
    }
)


Encoder = tuple[Callable[[bytes], bytes], Callable[[], bytes]]
"""A streaming compressor: what compresses the next chunk, and what flushes what it holds back."""
_TAG_SUFFIXES = {b"br": b".br", b"gzip": b".gz"}


def _encoder(encoding: bytes) -> Encoder:
    if encoding == b"br":
        packer = brotli.Compressor(quality=STREAM_BROTLI_QUALITY)
        return packer.process, packer.finish
    deflater = zlib.compressobj(STREAM_GZIP_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return deflater.compress, deflater.flush


def compress_whole(encoding: bytes, body: bytes) -> bytes:
    """``body`` compressed at once with ``encoding``, the window fitted to its size."""
    bits = (len(body) - 1).bit_length()
    if encoding == b"br":
        return bytes(brotli.compress(body, quality=BROTLI_QUALITY, lgwin=max(10, min(24, bits))))
    packer = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 16 + max(9, min(zlib.MAX_WBITS, bits)))
    return packer.compress(body) + packer.flush()


def chosen_encoding(accept_encoding: bytes) -> bytes | None:
    """``br`` or ``gzip`` (in that order of preference) when the client accepts it."""
    accepted: set[bytes] = set()
    for item in accept_encoding.lower().split(b","):
        coding, _, parameters = item.strip().partition(b";")
        quality = parameters.strip()
        if quality.startswith(b"q="):
            try:
                if float(quality[2:]) <= 0:
                    continue
            except ValueError:
                continue
        accepted.add(coding.strip())
    if b"br" in accepted:
        return b"br"
    if b"gzip" in accepted or b"*" in accepted:
        return b"gzip"
    return None


@lru_cache(maxsize=64)
def compressible(content_type: bytes) -> bool:
    """Whether answers of ``content_type`` are text worth compressing (the few types the
    service answers with are judged once each)."""
    main = content_type.split(b";", 1)[0].strip().lower().decode("latin-1")
    return main.startswith("text/") or main in _TEXT_TYPES or main.endswith("+json")


class Compression(Layer):
    """Compresses what ``compressible`` accepts, above MIN_BYTES."""

    async def handle(self, scope: HttpScope, receive: Receive, send: Send) -> None:
        accept = header(scope, b"accept-encoding")
        encoding = None if accept is None else chosen_encoding(accept)
        condition = header(scope, b"if-none-match")
        if condition is not None and (b'.br"' in condition or b'.gz"' in condition):
            plain, held = _plain_condition(condition, encoding)
            given = scope["headers"]
            # Changed in place (a new list, so header() reads it afresh), as HeadAsGet changes
            # the method: what routing writes into the scope (the route's template, the user)
            # must reach the layers outside, which log and count the request.
            scope["headers"] = [(n, plain if n == b"if-none-match" else v) for n, v in given]
            try:
                await self.app(scope, receive, _CompressingSend(send, encoding, held))
            finally:
                scope["headers"] = given
            return
        await self.app(scope, receive, _CompressingSend(send, encoding))


class _CompressingSend:
    """The ``send`` of one answer: holds its start until the first body shows its size."""

    def __init__(self, send: Send, encoding: bytes | None, held: bytes | None = None) -> None:
        self._send = send
        self._encoding = encoding
        # The encoding of the copy the request's If-None-Match named, if encoded.
        self._held = held
        self._start: Message | None = None
        self._encoder: Encoder | None = None
        self._passing = False

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            await self._started(dict(message))
        elif message["type"] != "http.response.body" or self._passing:
            await self._send(message)
        elif self._encoder is not None:
            more = message.get("more_body", False)
            compressed = await _compress(self._encoder, message["body"], more)
            await self._send({"type": "http.response.body", "body": compressed, "more_body": more})
        elif self._start is not None and self._encoding is not None:
            await self._first_body(
                self._start, self._encoding, message["body"], message.get("more_body", False)
            )
        else:
            await self._send(message)

    async def _started(self, start: Message) -> None:
        headers = list(start.get("headers", []))
        status = start["status"]
        names = {name.lower(): value for name, value in headers}
        text = compressible(names.get(b"content-type", b""))
        held = self._held
        if status == 304 and held is not None:
            # The copy the client holds is the one it named: encoded, when it was.
            headers = _retagged(headers, lambda tag: _encoded(tag, held))
        if status == 304 or text:
            start["headers"] = vary(headers, b"Accept-Encoding")
        length = names.get(b"content-length")
        self._passing = (
            not text
            or self._encoding is None
            or b"content-encoding" in names
            or b"content-range" in names
            or status < 200
            or status in (204, 206, 304)
            or (length is not None and length.isdigit() and int(length) < MIN_BYTES)
        )
        if self._passing:
            await self._send(start)
        else:
            self._start = start

    async def _first_body(self, start: Message, encoding: bytes, body: bytes, more: bool) -> None:
        self._start = None
        if not more and len(body) < MIN_BYTES:
            self._passing = True
            await self._send(start)
            await self._send({"type": "http.response.body", "body": body, "more_body": False})
            return
        if more:
            self._encoder = _encoder(encoding)
            compressed = await _compress(self._encoder, body, more)
        elif len(body) > _THREAD_BYTES:
            compressed = await asyncio.to_thread(compress_whole, encoding, body)
        else:
            compressed = compress_whole(encoding, body)
        tagged = _weak if more else lambda tag: _encoded(tag, encoding)
        headers = [
            (name, value)
            for name, value in _retagged(start["headers"], tagged)
            if name.lower() != b"content-length"
        ]
        headers.append((b"content-encoding", encoding))
        if not more:
            headers.append((b"content-length", str(len(compressed)).encode()))
        start["headers"] = headers
        await self._send(start)
        await self._send({"type": "http.response.body", "body": compressed, "more_body": more})


async def _compress(encoder: Encoder, body: bytes, more: bool) -> bytes:
    compress, finish = encoder

    def run() -> bytes:
        data = compress(body)
        return data if more else data + finish()

    return await asyncio.to_thread(run) if len(body) > _THREAD_BYTES else run()


def _weak(etag: bytes) -> bytes:
    # The compressed bytes differ from the ones a strong ETag names.
    return etag if etag.startswith(b"W/") else b"W/" + etag


def _encoded(etag: bytes, encoding: bytes) -> bytes:
    """``"abc"`` -> ``"abc.br"``: the tag of the bytes compressed with ``encoding``."""
    if not etag.endswith(b'"'):
        return _weak(etag)
    return etag[:-1] + _TAG_SUFFIXES[encoding] + b'"'


def _retagged(
    headers: list[tuple[bytes, bytes]], tagged: Callable[[bytes], bytes]
) -> list[tuple[bytes, bytes]]:
    """``headers`` with the ETag's value passed through ``tagged``."""
    return [(name, tagged(value) if name.lower() == b"etag" else value) for name, value in headers]


def _plain_condition(condition: bytes, encoding: bytes | None) -> tuple[bytes, bytes | None]:
    """``If-None-Match`` with each encoded tag made plain again, and the encoding of the copy
    the client holds (the one chosen now when it holds that one too), if encoded."""
    held: list[bytes] = []
    plain = []
    for member in condition.split(b","):
        tag = member.strip()
        for coding, suffix in _TAG_SUFFIXES.items():
            if tag.endswith(suffix + b'"'):
                held.append(coding)
                tag = tag[: -len(suffix) - 1] + b'"'
                break
        plain.append(tag)
    return b", ".join(plain), encoding if encoding in held else next(iter(held), None)
