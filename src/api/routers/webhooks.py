"""Outbound webhooks, managed by admins: subscribe a URL to event types, watch deliveries,
deliver one again."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from api.dependencies import Services, WebhookManager
from api.problems import problem_responses
from api.schemas.webhooks import (
    DeliveryList,
    DeliveryResponse,
    NewWebhook,
    WebhookList,
    WebhookResponse,
)
from application.notifications.webhooks import (
    DeactivateWebhook,
    RedeliverWebhook,
    RegisterWebhook,
)
from domain.notifications.webhooks import WebhookNotFound

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])


@router.post(
    "",
    summary="Subscribe a URL to events (admin)",
    status_code=201,
    response_model=WebhookResponse,
    responses=problem_responses(401, 403, 422),
)
async def register(body: NewWebhook, admin: WebhookManager, services: Services) -> WebhookResponse:
    """The URL must be https and resolve to public addresses only (no private, loopback or
    link-local hosts); redirects are never followed."""
    subscription = await services.bus.handle(
        RegisterWebhook(
            url=body.url,
            event_types=frozenset(body.event_types),
            secret=body.secret,
            actor_id=admin.user_id,
        )
    )
    return WebhookResponse.of(subscription)


@router.get(
    "",
    summary="Webhook subscriptions (admin)",
    response_model=WebhookList,
    responses=problem_responses(401, 403),
)
async def list_webhooks(_: WebhookManager, services: Services) -> WebhookList:
    return WebhookList(items=[WebhookResponse.of(s) for s in await services.webhooks.all()])


@router.delete(
    "/{webhook_id}",
    summary="Stop a subscription (admin)",
    response_model=WebhookResponse,
    responses=problem_responses(401, 403, 404, 422),
)
async def deactivate(
    webhook_id: UUID, admin: WebhookManager, services: Services
) -> WebhookResponse:
    """New events are no longer delivered; the delivery history stays."""
    subscription = await services.bus.handle(
        DeactivateWebhook(subscription_id=webhook_id, actor_id=admin.user_id)
    )
    return WebhookResponse.of(subscription)


@router.get(
    "/{webhook_id}/deliveries",
    summary="Deliveries of a subscription, newest first (admin)",
    response_model=DeliveryList,
    responses=problem_responses(401, 403, 404, 422),
)
async def deliveries(
    webhook_id: UUID,
    _: WebhookManager,
    services: Services,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> DeliveryList:
    if await services.webhooks.get(webhook_id) is None:
        raise WebhookNotFound(f"webhook {webhook_id} not found")
    found = await services.webhooks.deliveries(webhook_id, limit=limit)
    return DeliveryList(items=[DeliveryResponse.of(x) for x in found])


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/redeliver",
    summary="Deliver again (admin)",
    status_code=202,
    response_model=DeliveryResponse,
    responses=problem_responses(401, 403, 404, 422),
)
async def redeliver(
    webhook_id: UUID, delivery_id: UUID, admin: WebhookManager, services: Services
) -> DeliveryResponse:
    """Queued now, with a fresh set of attempts; the worker sends it within a second or so."""
    delivery = await services.bus.handle(
        RedeliverWebhook(
            subscription_id=webhook_id, delivery_id=delivery_id, actor_id=admin.user_id
        )
    )
    return DeliveryResponse.of(delivery)
