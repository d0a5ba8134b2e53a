"""Outbound webhooks, managed by admins: subscribe a URL to event types, watch deliveries,
deliver one again."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from api.dependencies import Services, WebhookManager
from api.notifications import schemas
from api.openapi import raises
from application.notifications import commands as c
from application.notifications.views import DeliveryView, WebhookView
from application.shared import errors as shared
from domain.notifications import errors as notifications

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])
routers = [router]


@router.post(
    "",
    summary="Subscribe a URL to events (admin)",
    status_code=201,
    response_model=schemas.WebhookResponse,
)
@raises(notifications.InvalidSubscription, notifications.UnsafeWebhookUrl)
async def register(
    body: schemas.NewWebhook, admin: WebhookManager, services: Services
) -> WebhookView:
    """The URL must be https and resolve to public addresses only (no private, loopback or
    link-local hosts); redirects are never followed."""
    return await services.bus.handle(
        c.RegisterWebhook(
            url=body.url,
            event_types=frozenset(body.event_types),
            secret=body.secret,
            actor_id=admin.user_id,
        )
    )


@router.get(
    "",
    summary="Webhook subscriptions (admin)",
    response_model=schemas.WebhookList,
)
async def list_webhooks(_: WebhookManager, services: Services) -> schemas.WebhookList:
    return schemas.WebhookList.model_validate(
        {"items": await services.notifications.subscriptions()}
    )


@router.delete(
    "/{webhook_id}",
    summary="Stop a subscription (admin)",
    response_model=schemas.WebhookResponse,
)
@raises(notifications.WebhookNotFound)
async def deactivate(webhook_id: UUID, admin: WebhookManager, services: Services) -> WebhookView:
    """New events are no longer delivered; the delivery history stays."""
    return await services.bus.handle(
        c.DeactivateWebhook(subscription_id=webhook_id, actor_id=admin.user_id)
    )


@router.get(
    "/{webhook_id}/deliveries",
    summary="Deliveries of a subscription, newest first (admin)",
    response_model=schemas.DeliveryList,
)
@raises(notifications.WebhookNotFound, shared.InvalidCursor)
async def deliveries(
    webhook_id: UUID,
    _: WebhookManager,
    services: Services,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> schemas.DeliveryList:
    found = await services.notifications.deliveries(webhook_id, limit=limit)
    return schemas.DeliveryList.model_validate({"items": found})


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/redeliver",
    summary="Deliver again (admin)",
    status_code=202,
    response_model=schemas.DeliveryResponse,
)
@raises(notifications.WebhookNotFound)
async def redeliver(
    webhook_id: UUID, delivery_id: UUID, admin: WebhookManager, services: Services
) -> DeliveryView:
    """Queued now, with a fresh set of attempts; the worker sends it within a second or so."""
    return await services.bus.handle(
        c.RedeliverWebhook(
            subscription_id=webhook_id, delivery_id=delivery_id, actor_id=admin.user_id
        )
    )
