"""Schemas of webhook administration; responses are read from the views by attribute."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import Field

from api.schemas import RequestModel, ResponseModel, SafeStr


class NewWebhook(RequestModel):
    """A URL to receive the named event types; it must be https and resolve to public addresses."""

    url: SafeStr = Field(max_length=2000, examples=["https://partner.example.com/agora-hooks"])
    event_types: list[Annotated[SafeStr, Field(max_length=100)]] = Field(
        min_length=1, max_length=50, examples=[["OrderPaid", "OrderShipped"]]
    )
    secret: SafeStr = Field(
        min_length=16,
        max_length=200,
        description="Signs every delivery (`Agora-Signature: t=...,v1=HMAC-SHA256(secret, "
        "'<t>.<body>')`). Never shown again.",
        examples=["a-secret-shared-with-the-partner-only"],
    )


class WebhookResponse(ResponseModel):
    """A webhook subscription; its secret is never returned."""

    id: UUID
    url: str
    event_types: list[str]
    active: bool
    created_by: UUID
    created_at: datetime


class WebhookList(ResponseModel):
    """Every webhook subscription, oldest first, stopped ones included."""

    items: list[WebhookResponse]


class DeliveryResponse(ResponseModel):
    """One event sent to a subscription: `pending` until accepted, `failed` once out of
    attempts (it can be delivered again)."""

    id: UUID
    event_id: UUID
    event_type: str
    status: str = Field(examples=["delivered"])
    attempts: int
    last_error: str | None
    response_status: int | None
    created_at: datetime
    next_attempt_at: datetime | None
    delivered_at: datetime | None


class DeliveryList(ResponseModel):
    """A subscription's deliveries, newest first."""

    items: list[DeliveryResponse]
