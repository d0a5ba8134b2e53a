"""Schemas of the inventory endpoints."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from application.inventory.ports import LedgerEntry
from domain.inventory.stock import MAX_QUANTITY, StockLevel


class StockResponse(BaseModel):
    """Units of one SKU: on hand, reserved for orders, and still available to promise."""

    sku: str = Field(examples=["MUG-BLUE-350"])
    on_hand: int = Field(examples=[40])
    reserved: int = Field(examples=[3])
    available: int = Field(examples=[37])

    @classmethod
    def of(cls, level: StockLevel) -> "StockResponse":
        return cls(
            sku=level.sku, on_hand=level.on_hand, reserved=level.reserved, available=level.available
        )


class Receipt(BaseModel):
    """Units that arrived at the warehouse."""

    model_config = ConfigDict(extra="forbid")

    quantity: int = Field(ge=1, le=MAX_QUANTITY, examples=[24])


class Adjustment(BaseModel):
    """A correction after a count, damage or loss; negative to remove units."""

    model_config = ConfigDict(extra="forbid")

    delta: int = Field(ge=-MAX_QUANTITY, le=MAX_QUANTITY, examples=[-2])
    reason: str = Field(min_length=3, max_length=200, examples=["two mugs broken in transit"])


class LedgerEntryResponse(BaseModel):
    """One stock movement."""

    id: int
    movement: str = Field(examples=["reserve"])
    on_hand_delta: int
    reserved_delta: int
    order_id: UUID | None
    reason: str | None
    actor_id: UUID | None
    recorded_at: datetime

    @classmethod
    def of(cls, entry: LedgerEntry) -> "LedgerEntryResponse":
        return cls(
            id=entry.id,
            movement=entry.movement,
            on_hand_delta=entry.on_hand_delta,
            reserved_delta=entry.reserved_delta,
            order_id=entry.order_id,
            reason=entry.reason,
            actor_id=entry.actor_id,
            recorded_at=entry.recorded_at,
        )


class LedgerPage(BaseModel):
    """Movements of one SKU, oldest first."""

    items: list[LedgerEntryResponse]
    next_cursor: str | None
