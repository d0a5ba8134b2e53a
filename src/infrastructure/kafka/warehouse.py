"""The warehouse's shipment reports: each ships (and maybe delivers) its order in the consumer's
transaction, with the inbox row; one that can never succeed is dead-lettered with the reason."""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from application.ordering.commands import MarkDelivered, ShipOrder
from application.shared.bus import CommandBus
from domain.ordering.errors import IllegalTransition, OrderNotFound
from infrastructure.kafka.consumer import InboundMessage, UnprocessableMessage

CANONICAL_UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


@dataclass(frozen=True, kw_only=True)
class ShipmentReport:
    """A valid shipment message. Its times are only checked: the order's events carry the time
    Agora recorded them."""

    order_id: UUID
    tracking_number: str
    carrier: str | None
    shipped_at: datetime
    delivered_at: datetime | None


def parse_shipment(body: Any) -> ShipmentReport:
    """The message as the contract describes it, or UnprocessableMessage saying what is wrong."""
    try:
        order_id = _uuid(body["order_id"])
        tracking = body["tracking_number"]
        carrier = body.get("carrier")
        shipped_at = _time(body["shipped_at"])
        delivered = body.get("delivered_at")
        delivered_at = None if delivered is None else _time(delivered)
    except (KeyError, ValueError, TypeError) as exc:
        raise UnprocessableMessage(f"not a shipment report: {exc!r}") from None
    if not (isinstance(tracking, str) and 1 <= len(tracking) <= 64):
        raise UnprocessableMessage("tracking_number must be a string of 1 to 64 characters")
    if carrier is not None and not (isinstance(carrier, str) and 1 <= len(carrier) <= 64):
        raise UnprocessableMessage("carrier must be a string of 1 to 64 characters")
    if delivered_at is not None and delivered_at < shipped_at:
        raise UnprocessableMessage("delivered_at is before shipped_at")
    return ShipmentReport(
        order_id=order_id,
        tracking_number=tracking,
        carrier=carrier,
        shipped_at=shipped_at,
        delivered_at=delivered_at,
    )


def _uuid(value: Any) -> UUID:
    """The canonical 8-4-4-4-12 form only, as the contract's `format: uuid` says."""
    if not (isinstance(value, str) and CANONICAL_UUID.fullmatch(value)):
        raise ValueError(f"{value!r} is not a UUID in canonical form")
    return UUID(value)


def _time(value: Any) -> datetime:
    """RFC 3339 date-times only (`2026-11-25T10:00:00Z`), as `format: date-time` says."""
    if not (isinstance(value, str) and RFC3339.fullmatch(value)):
        raise ValueError(f"{value!r} is not an RFC 3339 date-time with a time zone")
    return datetime.fromisoformat(value)


class WarehouseShipments:
    """The consumer's handler: each report becomes ShipOrder (and MarkDelivered) on the bus. A
    duplicate that gets past the inbox changes nothing: both steps are no-ops when repeated."""

    def __init__(self, bus: CommandBus) -> None:
        self._bus = bus

    async def __call__(self, message: InboundMessage) -> None:
        report = parse_shipment(message.body)
        try:
            await self._bus.handle(
                ShipOrder(
                    order_id=report.order_id,
                    tracking_number=report.tracking_number,
                    carrier=report.carrier,
                    actor_id=None,
                )
            )
            if report.delivered_at is not None:
                await self._bus.handle(MarkDelivered(order_id=report.order_id, actor_id=None))
        except OrderNotFound:
            raise UnprocessableMessage(f"no order {report.order_id}") from None
        except IllegalTransition as exc:
            raise UnprocessableMessage(exc.detail) from None
