"""``/api/webhooks/``: endpoints that receive signed change events, admins only.

The secret is in the answer of a create and of ``rotate-secret`` only. A create takes no
``Idempotency-Key``: replaying it would keep the secret in the clear in the retry store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec
from litestar.openapi.spec import OpenAPIType, Schema
from msgspec.structs import asdict

from portfolio.application.listing import Page
from portfolio.application.webhooks.manage import ManageWebhooks
from portfolio.domain import (
    EVENT_TYPES,
    PING,
    Action,
    DeliveryNotFound,
    Endpoint,
    WebhookNotFound,
)
from portfolio.entrypoints.http.forms import (
    JSON_BODY_LIMIT,
    NOT_A_STRING,
    NOT_NULL,
    Boolean,
    Field,
    Form,
    Invalid,
    Text,
    Url,
    items_of,
)
from portfolio.entrypoints.http.ids import path_id
from portfolio.entrypoints.http.injection import Injected
from portfolio.entrypoints.http.openapi import responses
from portfolio.entrypoints.http.pages import requested_page
from portfolio.entrypoints.http.resource import (
    DELETE,
    LIST,
    RETRIEVE,
    UPDATE,
    AnyRequest,
    PathId,
    Resource,
    ResourceEndpoints,
    author_of,
    form_documented,
)
from portfolio.entrypoints.http.wire import named_page, presenter

MAX_EVENTS = len(EVENT_TYPES)


class WebhookData(msgspec.Struct):
    """A webhook endpoint; never its secret."""

    id: int
    url: str
    events: list[str]
    description: str | None
    is_active: bool
    created_at: datetime


class WebhookSecretData(WebhookData):
    """A webhook endpoint with its secret: the answer of a create and of a rotation only."""

    secret: str


class DeliveryData(msgspec.Struct):
    """One event's delivery to one endpoint."""

    id: int
    type: str
    status: str
    attempts: int
    response_status: int | None
    created_at: datetime
    delivered_at: datetime | None


class EventTypes:
    """A non-empty list of distinct event type names (which exist is the use case's rule)."""

    def parse(self, value: object) -> object:
        items = items_of(value, MAX_EVENTS)
        if not items:
            raise Invalid("This list may not be empty.")
        names: list[str] = []
        for item in items:
            if item is None:
                raise Invalid(NOT_NULL)
            if not isinstance(item, str):
                raise Invalid(NOT_A_STRING)
            if item not in names:
                names.append(item)
        return tuple(names)

    def schema(self) -> Schema:
        return Schema(
            type=OpenAPIType.ARRAY,
            items=Schema(type=OpenAPIType.STRING, enum=sorted(EVENT_TYPES - {PING})),
            min_items=1,
            max_items=MAX_EVENTS,
        )


WEBHOOK_FORM = Form(
    name="Webhook",
    example={
        "url": "https://example.com/hooks/portfolio",
        "events": ["portfolio.published", "portfolio.unpublished"],
        "description": "Rebuild the website.",
    },
    fields=(
        Field(
            "url",
            Url(max_length=2000),
            required=True,
            description="https only (http too with private targets allowed); its host must "
            "resolve to public addresses only.",
        ),
        Field(
            "events",
            EventTypes(),
            required=True,
            description="The event types it receives; an unknown one is refused, named.",
        ),
        Field("description", Text(max_length=5000, blank=True), nullable=True),
        Field("is_active", Boolean(), default=True),
    ),
    shows=WebhookSecretData,
)

_UNSAFE_URL = {"url": ["The URL's host is a private address (10.0.0.1): refused."]}

WEBHOOKS: Resource[WebhookData] = Resource(
    code=None,
    data=WebhookData,
    missing=WebhookNotFound,
    reads=(),
    operations=(LIST, RETRIEVE, UPDATE, DELETE),
    form=WEBHOOK_FORM,
    query=(),
    body_limit=JSON_BODY_LIMIT,
    invalid_example=_UNSAFE_URL,
    notes={
        LIST: "By id, 20 a page; never a secret.",
        RETRIEVE: "Never its secret.",
        UPDATE: "Only the fields sent change. Made inactive, its pending deliveries fail "
        "(each can be retried by hand).",
        DELETE: "Forgets the endpoint and its deliveries.",
    },
    deletes_refused_in_use=False,
)


def _with_secret(endpoint: Endpoint, secret: str) -> WebhookSecretData:
    return WebhookSecretData(**asdict(presenter(WebhookData)(endpoint, str)), secret=secret)


_delivery = presenter(DeliveryData)


@WEBHOOKS.action(
    "POST",
    "/",
    Action.CREATE,
    status_code=201,
    summary="Register a webhook endpoint",
    description="Answers the endpoint with its `secret` (`whsec_` + base64 of 32 random "
    "bytes), told this once; no `Idempotency-Key` is honoured.",
    operation_class=form_documented(WEBHOOK_FORM, _UNSAFE_URL),
    responses=responses(413),
)
async def create_webhook(
    request: AnyRequest, endpoints: Injected[WebhookEndpoints]
) -> WebhookSecretData:
    values = WEBHOOK_FORM.values(await request.body(), partial=False)
    endpoint, secret = await endpoints.manage.create(values, author_of(request))
    return _with_secret(endpoint, secret)


@WEBHOOKS.action(
    "POST",
    "/{id:str}/rotate-secret/",
    Action.UPDATE,
    status_code=200,
    summary="Rotate a webhook's secret",
    description="A new secret, told this once; the old one signs nothing from now on.",
)
async def rotate_webhook_secret(
    request: AnyRequest, id: PathId, endpoints: Injected[WebhookEndpoints]
) -> WebhookSecretData:
    endpoint, secret = await endpoints.manage.rotate_secret(endpoints.id_of(id), author_of(request))
    return _with_secret(endpoint, secret)


@WEBHOOKS.action(
    "POST",
    "/{id:str}/ping/",
    Action.UPDATE,
    status_code=202,
    summary="Ping a webhook",
    description="Queues a `webhook.ping` event for this endpoint alone, whatever it "
    "subscribed to (even inactive: a ping to an inactive endpoint fails at once); answers "
    "the delivery, to follow in its deliveries.",
)
async def ping_webhook(
    request: AnyRequest, id: PathId, endpoints: Injected[WebhookEndpoints]
) -> DeliveryData:
    return _delivery(await endpoints.manage.ping(endpoints.id_of(id), author_of(request)), str)


@WEBHOOKS.action(
    "GET",
    "/{id:str}/deliveries/",
    Action.LIST,
    summary="List a webhook's deliveries",
    description="Newest first, 20 a page. `status`: `pending` (waiting for its first or "
    "next attempt), `delivered` (answered 2xx) or `failed` (given up).",
    returns=named_page(DeliveryData, "DeliveryPage"),
)
async def list_webhook_deliveries(
    request: AnyRequest, id: PathId, endpoints: Injected[WebhookEndpoints]
) -> Any:
    wanted = requested_page(request.query_params)
    found = await endpoints.manage.deliveries(endpoints.id_of(id), *wanted)
    return endpoints.page(request, found, _delivery)


@WEBHOOKS.action(
    "POST",
    "/{id:str}/deliveries/{delivery_id:str}/retry/",
    Action.UPDATE,
    status_code=202,
    summary="Send a delivery again",
    description="The delivery is pending again and sent at once with the same `webhook-id`, "
    "whatever it stood at; one attempt, no further retries should it fail.",
)
async def retry_webhook_delivery(
    request: AnyRequest,
    id: PathId,
    delivery_id: PathId,
    endpoints: Injected[WebhookEndpoints],
) -> DeliveryData:
    endpoint_id = endpoints.id_of(id)
    chosen = path_id(delivery_id, DeliveryNotFound)
    return _delivery(await endpoints.manage.retry(endpoint_id, chosen, author_of(request)), str)


@dataclass(kw_only=True)
class WebhookEndpoints(ResourceEndpoints[Endpoint, WebhookData]):
    """Webhook endpoints, every change made by the signed-in admin."""

    resource: Resource[WebhookData] = WEBHOOKS
    manage: ManageWebhooks

    async def find(self, request: AnyRequest) -> Page[Endpoint]:
        return await self.manage.list(*requested_page(request.query_params))

    async def get(self, object_id: int) -> Endpoint:
        return await self.manage.get(object_id)

    async def change(
        self, request: AnyRequest, object_id: int, values: dict[str, Any], *, partial: bool
    ) -> Endpoint:
        return await self.manage.update(object_id, values, author_of(request))

    async def remove(self, request: AnyRequest, object_id: int) -> None:
        await self.manage.delete(object_id, author_of(request))
