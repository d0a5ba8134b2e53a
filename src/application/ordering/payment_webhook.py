"""Provider callbacks: results of payments that were pending, delivered to
`POST /payments/webhook` and trusted only with a valid, fresh HMAC-SHA256 signature.

The signature header reads `t=<unix seconds>,v1=<hex>`, signed over `<t>.<raw body>`
(`application/shared/signatures.py`). The timestamp bounds replays of a captured request; duplicates
inside the window are harmless because recording a known payment result changes nothing."""

import json
from typing import Any
from uuid import UUID

from application.ordering.commands import HandlePaymentWebhook
from application.ordering.dependencies import OrderingDeps
from application.ordering.order_handlers import change_order
from application.shared.errors import ApplicationError
from application.shared.signatures import verify
from domain.ordering.errors import OrderNotFound
from domain.ordering.order import Order
from domain.shared.errors import DomainError
from domain.shared.money import Money


class InvalidWebhookPayload(ApplicationError):
    """A signed callback whose body is not a payment result this service understands."""


async def handle_payment_webhook(cmd: HandlePaymentWebhook, *, deps: OrderingDeps) -> str:
    """ "applied" or "ignored" (an order this service does not know)."""
    now = deps.clock.now()
    verify(deps.webhook_secret, cmd.body, cmd.signature, now=now, tolerance=deps.webhook_tolerance)
    kind, order_id, data = _parse(cmd.body)

    def apply(order: Order) -> None:
        if kind == "payment.authorized":
            amount = Money.of(data["amount"], data["currency"])
            order.record_payment(str(data["payment_reference"]), amount, now=now)
        else:
            order.decline_payment(str(data.get("reason") or "declined by the provider"), now=now)

    try:
        await change_order(order_id, apply, deps=deps)
    except OrderNotFound:
        return "ignored"
    return "applied"


def _parse(body: bytes) -> tuple[str, UUID, dict[str, Any]]:
    try:
        payload = json.loads(body)
        kind = payload["type"]
        data = payload["data"]
        order_id = UUID(str(data["reference"]))
        if kind == "payment.authorized":
            Money.of(data["amount"], data["currency"])
        elif kind != "payment.declined":
            raise InvalidWebhookPayload(f"unknown event type {kind!r}")
    except (ValueError, KeyError, TypeError, DomainError) as exc:
        raise InvalidWebhookPayload(f"not a payment result: {exc}") from None
    return str(kind), order_id, dict(data)
