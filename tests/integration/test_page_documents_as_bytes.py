"""A page's documents are read as UTF-8 bytes whatever the connection's client encoding: what
msgspec decodes is the stored text, never a decoding error (a 500)."""

from __future__ import annotations

import psycopg
import pytest

from portfolio.adapters.postgres.pages import Utf8Text

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize(
    ("encoding", "text"),
    [("UTF8", "Café ☃ کافه"), ("LATIN1", "Café"), ("SQL_ASCII", "Café ☃ کافه")],
)
async def test_text_arrives_as_its_utf8_bytes(database_url: str, encoding: str, text: str) -> None:
    async with await psycopg.AsyncConnection.connect(
        database_url, options=f"-c client_encoding={encoding}"
    ) as conn:
        cursor = conn.cursor()
        cursor.adapters.register_loader("text", Utf8Text)
        # Sent as UTF-8 bytes, so the SQL_ASCII case stores exactly those.
        await cursor.execute(b"SELECT convert_from(%s::bytea, 'UTF8')", (text.encode(),))
        assert await cursor.fetchone() == (text.encode(),)
