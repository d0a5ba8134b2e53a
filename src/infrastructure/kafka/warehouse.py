"""The warehouse's shipment reports: each ships (and maybe delivers) its order in the consumer's
transaction, with the inbox row; one that can never succeed is dead-lettered with the reason."""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from application.ordering.commands import DeliverShipment, MarkDelivered, ShipOrder
from application.ordering.ports import LocationLacksUnits
from application.shared.bus import CommandBus
from domain.ordering.errors import (
    EmptyShipment,
    IllegalTransition,
    NotInOrder,
    OrderNotFound,
    ShipmentNotFound,
)
from domain.ordering.values import LineUnits
from infrastructure.kafka.consumer import InboundMessage, UnprocessableMessage

CANONICAL_UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


@dataclass(frozen=True, kw_only=True)
class ShipmentReport:
    """A valid shipment message. Its times are only checked: the order's events carry the time
    Agora recorded them. Version 1 ships the whole order; version 2 may name the shipment, its
    lines and location, or report only the delivery of a shipment (then `tracking_number` and
    `shipped_at` are None)."""

    order_id: UUID
    tracking_number: str | None
    carrier: str | None
    shipped_at: datetime | None
    delivered_at: datetime | None
    schema_version: int = 1
    shipment_id: UUID | None = None
    lines: tuple[LineUnits, ...] | None = None
    location: str | None = None


V2_ONLY = ("shipment_id", "lines", "location")


def parse_shipment(body: Any) -> ShipmentReport:
    """The message as the contract describes it, or UnprocessableMessage saying what is wrong."""
    try:
        version = body.get("schema_version", 1)
        if version not in (1, 2) or isinstance(version, bool):
            raise ValueError(f"schema_version {version!r} is not 1 or 2")
        order_id = _uuid(body["order_id"])
        delivered = body.get("delivered_at")
        delivered_at = None if delivered is None else _time(delivered)
        if version == 1 and (named := [f for f in V2_ONLY if f in body]):
            raise ValueError(f"{', '.join(named)} need schema_version 2")
        shipment_id = None if body.get("shipment_id") is None else _uuid(body["shipment_id"])
        delivery_only = version == 2 and "tracking_number" not in body and "shipped_at" not in body
        if delivery_only and (shipment_id is None or delivered_at is None):
            raise ValueError("a delivery report names its shipment_id and delivered_at")
        tracking = None if delivery_only else body["tracking_number"]
        shipped_at = None if delivery_only else _time(body["shipped_at"])
        carrier = body.get("carrier")
        lines = _lines(body["lines"]) if body.get("lines") is not None else None
        location = body.get("location")
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        raise UnprocessableMessage(f"not a shipment report: {exc!r}") from None
    if not delivery_only and not (isinstance(tracking, str) and 1 <= len(tracking) <= 64):
        raise UnprocessableMessage("tracking_number must be a string of 1 to 64 characters")
    for name, value in (("carrier", carrier), ("location", location)):
        if value is not None and not (isinstance(value, str) and 1 <= len(value) <= 64):
            raise UnprocessableMessage(f"{name} must be a string of 1 to 64 characters")
    if delivered_at is not None and shipped_at is not None and delivered_at < shipped_at:
        raise UnprocessableMessage("delivered_at is before shipped_at")
    return ShipmentReport(
        order_id=order_id,
        tracking_number=tracking,
        carrier=carrier,
        shipped_at=shipped_at,
        delivered_at=delivered_at,
        schema_version=int(version),
        shipment_id=shipment_id,
        lines=lines,
        location=location,
    )


def _lines(value: Any) -> tuple[LineUnits, ...]:
    """1 to 100 lines of {sku: 1-64 characters, quantity: 1 to 999 units}."""
    if not (isinstance(value, list) and 1 <= len(value) <= 100):
        raise ValueError("lines must be a list of 1 to 100 lines")
    lines = []
    for line in value:
        sku, quantity = line["sku"], line["quantity"]
        if isinstance(quantity, float) and quantity.is_integer():
            quantity = int(quantity)  # JSON does not tell 2 from 2.0; neither does the contract
        if not (isinstance(sku, str) and 1 <= len(sku) <= 64):
            raise ValueError(f"{sku!r} is not a SKU of 1 to 64 characters")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= 999:
            raise ValueError(f"{quantity!r} is not a whole number of units from 1 to 999")
        lines.append(LineUnits(sku=sku, quantity=quantity))
    return tuple(lines)


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
    """The consumer's handler: each report becomes ShipOrder and/or DeliverShipment (version 1:
    MarkDelivered) on the bus. A duplicate that gets past the inbox changes nothing: every step
    is a no-op when repeated."""

    def __init__(self, bus: CommandBus) -> None:
        self._bus = bus

    async def __call__(self, message: InboundMessage) -> None:
        report = parse_shipment(message.body)
        try:
            await self._handle(report)
        except OrderNotFound:
            raise UnprocessableMessage(f"no order {report.order_id}") from None
        except (
            IllegalTransition,
            ShipmentNotFound,
            NotInOrder,
            EmptyShipment,
            LocationLacksUnits,
        ) as exc:
            raise UnprocessableMessage(exc.detail) from None

    async def _handle(self, report: ShipmentReport) -> None:
        shipment_id = report.shipment_id
        if report.tracking_number is not None:
            state = await self._bus.handle(
                ShipOrder(
                    order_id=report.order_id,
                    tracking_number=report.tracking_number,
                    carrier=report.carrier,
                    actor_id=None,
                    lines=report.lines,
                    location=report.location,
                    shipment_id=report.shipment_id,
                )
            )
            if shipment_id is None or state.shipment(shipment_id) is None:
                shipment_id = next(
                    s.id for s in state.shipments if s.tracking_number == report.tracking_number
                )
        if report.delivered_at is None:
            return
        if report.schema_version == 1:
            await self._bus.handle(MarkDelivered(order_id=report.order_id, actor_id=None))
        else:
            assert shipment_id is not None  # parse_shipment made sure
            await self._bus.handle(
                DeliverShipment(order_id=report.order_id, shipment_id=shipment_id, actor_id=None)
            )
