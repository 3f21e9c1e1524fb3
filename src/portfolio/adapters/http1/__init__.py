"""A small HTTP/1.1 client over asyncio streams, for webhook receivers."""
