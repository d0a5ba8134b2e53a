"""The payment provider's callbacks."""

from typing import Annotated

from fastapi import APIRouter, Header, Request

from api.dependencies import Services
from api.openapi import BODY_TOO_LARGE, raises
from api.ordering.schemas import WebhookAck
from api.schemas import SafeStr
from application.ordering.commands import HandlePaymentCallback
from application.ordering.ports import InvalidCallback
from application.shared import errors as shared
from domain.ordering import errors as ordering

router = APIRouter(prefix="/api/v1/payments", tags=["payments"])


@router.post(
    "/webhook",
    summary="Payment results from the provider (signed)",
    response_model=WebhookAck,
)
@raises(InvalidCallback, shared.InvalidSignature, ordering.PaymentMismatch, BODY_TOO_LARGE)
async def payment_webhook(
    request: Request,
    services: Services,
    signature: Annotated[
        SafeStr | None,
        Header(
            alias="Agora-Signature",
            max_length=512,
            description="`t=<unix seconds>,v1=<hex HMAC-SHA256 of '<t>.<raw body>'>`",
        ),
    ] = None,
) -> WebhookAck:
    """Body: `{"type": "payment.authorized" | "payment.declined", "data": {"reference":
    <order id>, "payment_reference", "amount", "currency", "reason"}}`; later news of the
    payment (ADR 0037): `payment.captured` (`capture_reference`), `payment.voided`
    (`reason`: an unshipped order is cancelled) and `payment.refunded` (`refund_key`, the
    `refund-<id>` we asked under, and `refund_reference`). A bad or stale signature is 401 and
    changes nothing; a duplicate is harmless."""
    # The signature covers the exact bytes sent, so the raw body is verified, not a re-encoding.
    body = await request.body()
    outcome = await services.bus.handle(HandlePaymentCallback(body=body, signature=signature))
    return WebhookAck(status=outcome.value)
