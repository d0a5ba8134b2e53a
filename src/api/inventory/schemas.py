"""Schemas of the inventory endpoints; responses are read from the views by attribute."""

from datetime import datetime
from uuid import UUID

from pydantic import Field

from api.schemas import RequestModel, ResponseModel, SafeStr
from domain.inventory.values import MAX_QUANTITY


class StockResponse(ResponseModel):
    """Units of one SKU: on hand, reserved for orders, and still available to promise."""

    sku: str = Field(examples=["MUG-BLUE-350"])
    on_hand: int = Field(examples=[40])
    reserved: int = Field(examples=[3])
    available: int = Field(examples=[37])


class Receipt(RequestModel):
    """Units that arrived at the warehouse."""

    quantity: int = Field(ge=1, le=MAX_QUANTITY, examples=[24])


class Adjustment(RequestModel):
    """A correction after a count, damage or loss; negative to remove units."""

    delta: int = Field(ge=-MAX_QUANTITY, le=MAX_QUANTITY, examples=[-2])
    reason: SafeStr = Field(min_length=3, max_length=200, examples=["two mugs broken in transit"])


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


class LedgerPage(ResponseModel):
    """Movements of one SKU, oldest first."""

    items: list[LedgerEntryResponse]
    next_cursor: str | None
