"""EdgeCache over Varnish: a soft purge by surrogate key (vmod_xkey), sent to every Varnish
of the deployment.

Each Varnish gets ``PURGE /`` with ``xkey-softpurge: key1 key2 ...`` and must answer 200
(deploy/varnish/portfolio.vcl answers 200 with ``X-Purged``, 403 to an address outside its
purge ACL). Keys are sent in as many requests as keep each header under ``HEADER_BYTES``
(Varnish refuses a request header line over 8 KiB by default, ``http_req_hdr_len``). The
requests run in worker threads with the standard library's client, never through a proxy
from the environment, each bounded by ``timeout`` seconds.
"""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.request
from collections.abc import Collection, Iterator, Sequence

from portfolio.application.edge import EdgeCacheFailed

HEADER_BYTES = 4096
"""The most bytes of keys one purge request names: half of Varnish's default header limit."""
PURGE_HEADER = "xkey-softpurge"

# Only the URLs configured, never a proxy from http_proxy (a redirect to a PURGE is never
# followed: urllib follows them for GET and HEAD only, and a 3xx is a failure here).
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def batches(keys: Collection[str], limit: int = HEADER_BYTES) -> Iterator[str]:
    """``keys`` as space-separated header values of at most ``limit`` bytes each (a single
    key longer than that goes alone)."""
    batch: list[str] = []
    used = 0
    for key in keys:
        size = len(key.encode()) + (1 if batch else 0)
        if batch and used + size > limit:
            yield " ".join(batch)
            batch, used = [], 0
            size = len(key.encode())
        batch.append(key)
        used += size
    if batch:
        yield " ".join(batch)


class VarnishEdgeCache:
    """EdgeCache: soft purges to each of ``urls`` (``http://varnish-1:80``), ``timeout``
    seconds at most per request; any answer but 200, or none, is a failure."""

    def __init__(self, urls: Sequence[str], timeout: float = 2.0) -> None:
        if any(not url.startswith(("http://", "https://")) for url in urls):
            raise ValueError(f"the edge's URLs must be http(s) URLs: {list(urls)}")
        self._urls = [url.rstrip("/") + "/" for url in urls]
        self._timeout = timeout

    async def purge(self, keys: Collection[str]) -> None:
        """Soft-purge ``keys`` at every Varnish; EdgeCacheFailed naming the first failure."""
        requests = [(url, value) for value in batches(keys) for url in self._urls]
        if not requests:
            return
        outcomes = await asyncio.gather(
            *(self._send(url, value) for url, value in requests), return_exceptions=True
        )
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome

    async def _send(self, url: str, keys: str) -> None:
        try:
            await asyncio.wait_for(asyncio.to_thread(self._purge, url, keys), self._timeout)
        except TimeoutError:
            raise EdgeCacheFailed(f"{url} did not answer within {self._timeout:g}s") from None

    def _purge(self, url: str, keys: str) -> None:
        # S310: only http(s) URLs get here (checked when the adapter is made).
        request = urllib.request.Request(  # noqa: S310
            url, method="PURGE", headers={PURGE_HEADER: keys}
        )
        try:
            with _OPENER.open(request, timeout=self._timeout) as answer:
                status = answer.status
                answer.read()
        except urllib.error.HTTPError as error:
            error.close()
            raise EdgeCacheFailed(f"{url} answered {error.code} to a purge") from None
        except (OSError, ValueError) as error:
            raise EdgeCacheFailed(f"{url} could not be reached: {error}") from None
        if status != 200:
            raise EdgeCacheFailed(f"{url} answered {status} to a purge")
