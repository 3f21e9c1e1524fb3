"""Which encoding a client gets, which answers are compressed, and how they decode."""

from __future__ import annotations

import gzip
from typing import Any

import brotli
import pytest

from portfolio.entrypoints.http.compression import (
    MIN_BYTES,
    Compression,
    chosen_encoding,
    compress_whole,
    compressible,
)


@pytest.mark.parametrize(
    ("header", "encoding"),
    [
        (b"gzip, deflate", b"gzip"),
        (b"gzip, deflate, br", b"br"),
        (b"br;q=0, gzip", b"gzip"),
        (b"BR;Q=0.5", b"br"),
        (b"*", b"gzip"),
        (b"identity", None),
        (b"deflate", None),
        (b"gzip;q=0", None),
        (b"gzip;q=nonsense", None),
        (b"", None),
    ],
)
def test_brotli_first_then_gzip_when_accepted(header: bytes, encoding: bytes | None) -> None:
    assert chosen_encoding(header) == encoding


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        (b"application/json", True),
        (b"application/vnd.oai.openapi+json;charset=utf-8", True),
        (b"text/html; charset=utf-8", True),
        (b"text/css", True),
        (b"application/javascript", True),
        (b"image/jpeg", False),
        (b"image/png", False),
        (b"image/svg+xml", False),
        (b"application/pdf", False),
        (b"application/zip", False),
        (b"", False),
    ],
)
def test_only_text_types_are_compressible(content_type: bytes, expected: bool) -> None:
    assert compressible(content_type) is expected


async def answer(
    chunks: list[bytes],
    content_type: bytes,
    accept: bytes,
    extra: list[tuple[bytes, bytes]] | None = None,
) -> tuple[dict[bytes, bytes], bytes]:
    """The headers and body the middleware sends for an answer sent as ``chunks``."""
    headers = [(b"content-type", content_type), *(extra or [])]
    if len(chunks) == 1:
        headers.append((b"content-length", str(len(chunks[0])).encode()))

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        for index, chunk in enumerate(chunks):
            more = index < len(chunks) - 1
            await send({"type": "http.response.body", "body": chunk, "more_body": more})

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "headers": [(b"accept-encoding", accept)] if accept else []}
    await Compression(app)(scope, None, send)  # type: ignore[arg-type]
    start, *bodies = sent
    return dict(start["headers"]), b"".join(message["body"] for message in bodies)


BIG = b'{"items": [' + b", ".join(b'{"id": %d, "name": "item"}' % n for n in range(200)) + b"]}"


async def test_json_above_the_threshold_is_gzipped_with_its_length() -> None:
    headers, body = await answer([BIG], b"application/json", b"gzip")
    assert headers[b"content-encoding"] == b"gzip"
    assert headers[b"vary"] == b"Accept-Encoding"
    assert headers[b"content-length"] == str(len(body)).encode()
    assert gzip.decompress(body) == BIG
    assert len(body) < len(BIG) // 4


async def test_streamed_text_is_brotli_compressed_chunk_by_chunk() -> None:
    chunks = [BIG[:3000], BIG[3000:], b""]
    headers, body = await answer(
        chunks, b"application/javascript", b"br, gzip", [(b"etag", b'"abc"')]
    )
    assert headers[b"content-encoding"] == b"br"
    assert b"content-length" not in headers
    # The streamed bytes depend on how the answer was cut into chunks.
    assert headers[b"etag"] == b'W/"abc"'
    assert brotli.decompress(body) == BIG


async def test_small_answers_go_as_they_are_but_still_vary() -> None:
    small = b'{"status": "ok"}'
    assert len(small) < MIN_BYTES
    headers, body = await answer([small], b"application/json", b"gzip, br")
    assert body == small
    assert b"content-encoding" not in headers
    assert headers[b"vary"] == b"Accept-Encoding"


async def test_nothing_changes_for_a_client_that_accepts_no_encoding() -> None:
    headers, body = await answer([BIG], b"application/json", b"")
    assert body == BIG
    assert headers[b"content-length"] == str(len(BIG)).encode()
    assert headers[b"vary"] == b"Accept-Encoding"


async def test_images_are_never_compressed_nor_vary() -> None:
    picture = bytes(range(256)) * 100
    headers, body = await answer([picture], b"image/bmp", b"gzip, br")
    assert body == picture
    assert b"content-encoding" not in headers and b"vary" not in headers


async def test_an_existing_vary_is_extended() -> None:
    headers, _ = await answer([BIG], b"application/json", b"gzip", [(b"vary", b"Origin")])
    assert headers[b"vary"] == b"Origin, Accept-Encoding"


@pytest.mark.parametrize("size", [MIN_BYTES, 5_000, 40_000, 3_000_000])
@pytest.mark.parametrize("encoding", [b"gzip", b"br"])
def test_a_whole_body_round_trips_whatever_its_size(encoding: bytes, size: int) -> None:
    body = (BIG * (size // len(BIG) + 1))[:size]
    packed = compress_whole(encoding, body)
    unpacked = gzip.decompress(packed) if encoding == b"gzip" else brotli.decompress(packed)
    assert unpacked == body
    assert len(packed) < len(body) // 2
