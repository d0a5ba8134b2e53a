"""The provider's callbacks, trusted only with a valid, fresh HMAC signature over the exact bytes
sent; a replay inside the freshness window is harmless (a known result changes nothing)."""

from datetime import timedelta
from typing import Any
from uuid import UUID

from application.ordering.ports import InvalidCallback, PaymentCallback
from application.shared import bounded_json
from application.shared.clock import Clock
from domain.shared.errors import DomainError
from domain.shared.money import Money
from domain.shared.text import text_fault
from infrastructure.http.signatures import verify


class SignedPaymentCallbacks:
    """The PaymentCallbacks port for the provider's signed JSON callbacks."""

    def __init__(self, *, secret: str, tolerance: timedelta, clock: Clock) -> None:
        self._secret = secret
        self._tolerance = tolerance
        self._clock = clock

    def read(self, body: bytes, signature: str | None) -> PaymentCallback:
        verify(self._secret, body, signature, now=self._clock.now(), tolerance=self._tolerance)
        try:
            payload = bounded_json.loads(body)
            kind, data = payload["type"], payload["data"]
            _check_texts(data)
            order_id = UUID(str(data["reference"]))
            if kind == "payment.authorized":
                return PaymentCallback(
                    order_id=order_id,
                    approved=True,
                    payment_reference=str(data["payment_reference"]),
                    amount=Money.of(data["amount"], data["currency"]),
                )
            if kind == "payment.declined":
                return PaymentCallback(order_id=order_id, approved=False, reason=_reason(data))
            if kind in LATER:
                return _later(order_id, kind.removeprefix("payment."), data)
        except (ValueError, KeyError, TypeError, DomainError) as exc:
            raise InvalidCallback(f"not a payment result: {exc}") from None
        raise InvalidCallback(f"unknown event type {kind!r}")


LATER = frozenset({"payment.captured", "payment.voided", "payment.refunded"})


def _later(order_id: UUID, kind: str, data: dict[str, Any]) -> PaymentCallback:
    """Captured: `capture_reference`; refunded: `refund_key` (ours, `refund-<id>`) and
    `refund_reference`; voided: an optional `reason`."""
    refund_key = str(data["refund_key"]) if kind == "refunded" else None
    if refund_key is not None and not refund_key.startswith("refund-"):
        raise ValueError(f"{refund_key!r} is not a refund's key")
    return PaymentCallback(
        order_id=order_id,
        approved=True,
        later=kind,
        reason=_reason(data),
        capture_reference=str(data["capture_reference"]) if kind == "captured" else None,
        refund_id=UUID(refund_key.removeprefix("refund-")) if refund_key else None,
        refund_reference=str(data["refund_reference"]) if kind == "refunded" else None,
    )


def _check_texts(data: dict[str, Any]) -> None:
    for value in data.values():
        fault = text_fault(value) if isinstance(value, str) else None
        if fault is not None:
            raise ValueError(f"a field {fault}")


def _reason(data: dict[str, Any]) -> str | None:
    reason = data.get("reason")
    return None if reason is None else str(reason)
