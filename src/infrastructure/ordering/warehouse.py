"""The warehouse's shipment messages (`warehouse.shipments`), consumed with the Kafka consumer
framework: each valid message ships or delivers its order. The contract is
`docs/contracts/warehouse.shipments.schema.json`.

A duplicate is stopped by the inbox, and would change nothing anyway (shipping again under the
same tracking number, or delivering twice, is a no-op in the aggregate). A message that can
never succeed — malformed, an unknown order, an order that cannot ship — is dead-lettered with
the reason, and the partition moves on."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from application.ordering.commands import MarkDelivered, ShipOrder
from application.ordering.dependencies import OrderingDeps
from application.ordering.order_handlers import mark_delivered, ship_order
from domain.ordering.errors import IllegalTransition, OrderNotFound
from infrastructure.kafka.consumer import InboundMessage, UnprocessableMessage

TOPIC = "warehouse.shipments"


@dataclass(frozen=True, kw_only=True)
class ShipmentReport:
    order_id: UUID
    tracking_number: str
    carrier: str | None
    shipped_at: datetime
    delivered_at: datetime | None


def parse_shipment(body: Any) -> ShipmentReport:
    """The message as the contract describes it, or UnprocessableMessage saying what is wrong."""
    try:
        order_id = UUID(str(body["order_id"]))
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


def _time(value: Any) -> datetime:
    moment = datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone")
    return moment


class WarehouseShipments:
    """The consumer's handler."""

    def __init__(self, deps: OrderingDeps) -> None:
        self._deps = deps

    async def __call__(self, message: InboundMessage, conn: AsyncConnection) -> None:
        report = parse_shipment(message.body)
        try:
            await ship_order(
                ShipOrder(
                    order_id=report.order_id,
                    tracking_number=report.tracking_number,
                    carrier=report.carrier,
                    actor_id=None,
                ),
                deps=self._deps,
            )
            if report.delivered_at is not None:
                await mark_delivered(
                    MarkDelivered(order_id=report.order_id, actor_id=None), deps=self._deps
                )
        except OrderNotFound:
            raise UnprocessableMessage(f"no order {report.order_id}") from None
        except IllegalTransition as exc:
            raise UnprocessableMessage(exc.detail) from None
