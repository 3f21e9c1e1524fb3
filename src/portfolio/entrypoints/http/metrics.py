"""``/metrics``: the Prometheus scrape, on the API's port unless moved or turned off."""

from __future__ import annotations

from litestar import Response, get

from portfolio.entrypoints.http.openapi import documented, errors
from portfolio.entrypoints.telemetry.metrics import CONTENT_TYPE, exposition


@get(
    "/metrics",
    summary="Prometheus metrics",
    description=(
        "Every metric of the service in Prometheus' text format, summed over all worker "
        "processes. Needs no token: keep it private at the proxy, or move it to a port of its "
        "own with `PORTFOLIO_METRICS=HOST:PORT` (it then leaves this port), or turn it off "
        "with `PORTFOLIO_METRICS=false`."
    ),
    operation_id="metrics",
    tags=["operations"],
    media_type=CONTENT_TYPE,
    responses=errors(),
    operation_class=documented(public=True),
    # Reading the workers' files is blocking work.
    sync_to_thread=True,
)
def metrics() -> Response[bytes]:
    return Response(exposition(), media_type=CONTENT_TYPE)
