"""Schemas of the inventory endpoints; responses are read from the views by attribute."""

from datetime import datetime
from uuid import UUID

from pydantic import Field

from api.schemas import RequestModel, ResponseModel, SafeStr
from domain.inventory.values import DEFAULT_LOCATION, MAX_QUANTITY, BackorderPolicy

LocationCode = Field(
    DEFAULT_LOCATION,
    min_length=1,
    max_length=32,
    pattern=r"^[a-z0-9][a-z0-9_-]*$",
    examples=["main"],
)


class LocationStockResponse(ResponseModel):
    """Units of one SKU at one stock location."""

    location: str = Field(examples=["main"])
    on_hand: int = Field(examples=[30])
    reserved: int = Field(examples=[3])
    available: int = Field(examples=[27])
    backordered: int = Field(examples=[0])


class StockResponse(ResponseModel):
    """Units of one SKU: on hand, reserved for orders, and still available to promise, in
    total and per location; units promised beyond what is on hand are `backordered`."""

    sku: str = Field(examples=["MUG-BLUE-350"])
    on_hand: int = Field(examples=[40])
    reserved: int = Field(examples=[3])
    available: int = Field(examples=[37])
    backordered: int = Field(0, examples=[0])
    policy: BackorderPolicy = Field(BackorderPolicy.NONE, examples=["none"])
    backorder_limit: int = Field(0, examples=[0])
    locations: list[LocationStockResponse] = Field(default_factory=list)


class Receipt(RequestModel):
    """Units that arrived at a stock location (`main` unless named)."""

    quantity: int = Field(ge=1, le=MAX_QUANTITY, examples=[24])
    location: SafeStr = LocationCode


class Adjustment(RequestModel):
    """A correction after a count, damage or loss; negative to remove units."""

    delta: int = Field(ge=-MAX_QUANTITY, le=MAX_QUANTITY, examples=[-2])
    reason: SafeStr = Field(min_length=3, max_length=200, examples=["two mugs broken in transit"])
    location: SafeStr = LocationCode


class Transfer(RequestModel):
    """Available units moved from one location to another."""

    from_location: SafeStr = Field(min_length=1, max_length=32, examples=["main"])
    to_location: SafeStr = Field(min_length=1, max_length=32, examples=["berlin"])
    quantity: int = Field(ge=1, le=MAX_QUANTITY, examples=[5])


class BackorderPolicyRequest(RequestModel):
    """Whether the SKU may be reserved beyond what is on hand, up to `limit` units."""

    policy: BackorderPolicy = Field(examples=["backorder"])
    limit: int = Field(0, ge=0, le=MAX_QUANTITY, examples=[20])


class NewLocation(RequestModel):
    """A stock location: a short code (lower case) and a name."""

    code: SafeStr = Field(min_length=1, max_length=32, examples=["berlin"])
    name: SafeStr = Field(min_length=1, max_length=100, examples=["Berlin warehouse"])


class LocationResponse(ResponseModel):
    """A stock location."""

    code: str = Field(examples=["berlin"])
    name: str = Field(examples=["Berlin warehouse"])
    active: bool


class LedgerEntryResponse(ResponseModel):
    """One stock movement."""

    id: int
    movement: str = Field(examples=["reserve"])
    on_hand_delta: int
    reserved_delta: int
    order_id: UUID | None
    reason: str | None
    actor_id: UUID | None
    recorded_at: datetime
    location: str | None = None
    backordered_delta: int = 0


class LedgerPage(ResponseModel):
    """Movements of one SKU, oldest first."""

    items: list[LedgerEntryResponse]
    next_cursor: str | None
