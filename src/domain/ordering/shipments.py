"""The rules of an order's parcels (ADR 0038): which units a shipment may carry, when a report
is one already recorded, and the ids of shipments nobody named."""

import uuid
from collections import Counter
from collections.abc import Iterable, Mapping
from uuid import UUID

from domain.ordering.errors import (
    EmptyShipment,
    NotInOrder,
    ShipmentConflict,
    ShipmentExceedsOrder,
)
from domain.ordering.values import LineUnits, OrderLine, Shipment

# The namespace of the shipment ids Agora derives itself (uuid5): the same order and tracking
# number always give the same id, so a report sent again names the shipment it made.
SHIPMENT_IDS = uuid.UUID("6f1c9a52-3b7e-5d8a-9c41-2e0f7b8d6a13")


def legacy_shipment_id(order_id: UUID) -> UUID:
    """The one shipment of an order shipped before orders had parcels (an OrderShipped with no
    ShipmentDispatched before it)."""
    return uuid.uuid5(SHIPMENT_IDS, f"{order_id}:whole-order")


def shipment_id_for(order_id: UUID, tracking_number: str) -> UUID:
    """The id of a shipment reported without one: derived from its tracking number."""
    return uuid.uuid5(SHIPMENT_IDS, f"{order_id}:{tracking_number}")


def units(lines: Iterable[LineUnits]) -> Counter[str]:
    """Units per SKU, a SKU named twice counted once with both quantities."""
    counted: Counter[str] = Counter()
    for line in lines:
        counted[line.sku] += line.quantity
    return counted


def shipped_units(shipments: Iterable[Shipment]) -> dict[str, int]:
    return dict(units(line for shipment in shipments for line in shipment.lines))


def units_left(lines: Iterable[OrderLine], shipped: Mapping[str, int]) -> dict[str, int]:
    """The units of each line not shipped yet (SKUs with none left are left out)."""
    left = {line.sku: line.quantity - shipped.get(line.sku, 0) for line in lines}
    return {sku: n for sku, n in left.items() if n > 0}


def as_lines(counted: Mapping[str, int]) -> tuple[LineUnits, ...]:
    return tuple(LineUnits(sku=sku, quantity=n) for sku, n in counted.items() if n > 0)


def carried(
    lines: tuple[LineUnits, ...] | None, *, ordered: tuple[OrderLine, ...], left: Mapping[str, int]
) -> tuple[LineUnits, ...]:
    """What a new shipment carries: `lines` (None: every unit left), if the order has them."""
    if lines is None:
        return as_lines(left)
    if not lines:
        raise EmptyShipment("a shipment carries at least one unit")
    skus = {line.sku for line in ordered}
    wanted = units(lines)
    for sku, quantity in wanted.items():
        if sku not in skus:
            raise NotInOrder(f"no line of the order holds {sku}")
        if quantity > left.get(sku, 0):
            raise ShipmentExceedsOrder(
                f"{quantity} unit(s) of {sku} asked to ship, {left.get(sku, 0)} not shipped yet"
            )
    return as_lines(wanted)


def same_units(a: Iterable[LineUnits], b: Iterable[LineUnits]) -> bool:
    return units(a) == units(b)


def recorded(
    shipments: tuple[Shipment, ...],
    shipment_id: UUID,
    lines: tuple[LineUnits, ...] | None,
    *,
    tracking_number: str,
) -> bool:
    """Whether the report is of a shipment recorded already: the same id, or the same tracking
    number, with the same units (or none named). The same id with other contents conflicts."""
    by_id = next((s for s in shipments if s.id == shipment_id), None)
    known = by_id or next((s for s in shipments if s.tracking_number == tracking_number), None)
    same = known is not None and (lines is None or same_units(known.lines, lines))
    if by_id is not None and (not same or by_id.tracking_number != tracking_number):
        raise ShipmentConflict(
            f"shipment {shipment_id} was recorded with other units or tracking number"
        )
    return same
