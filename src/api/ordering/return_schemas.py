"""Returns' request and response bodies (ADR 0039)."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import Field

from api.schemas import MoneyModel, RequestModel, ResponseModel, SafeStr
from domain.ordering.cart import MAX_QUANTITY
from domain.ordering.returns import MAX_REASON
from domain.ordering.values import Disposition, ReceivedUnits, ReturnedUnits, ReturnStatus

Sku = Annotated[SafeStr, Field(min_length=1, max_length=64, examples=["MUG-RED"])]
Units = Annotated[int, Field(ge=1, le=MAX_QUANTITY, examples=[1])]


class ReturnLineInput(RequestModel):
    """Units of one shipped line asked back, and why."""

    sku: Sku
    quantity: Units
    reason: SafeStr = Field(min_length=1, max_length=MAX_REASON, examples=["too small"])

    def to_domain(self) -> ReturnedUnits:
        return ReturnedUnits(sku=self.sku, quantity=self.quantity, reason=self.reason)


class ReturnRequest(RequestModel):
    """The lines asked back, each once."""

    lines: list[ReturnLineInput] = Field(min_length=1, max_length=100)


class RefusalRequest(RequestModel):
    reason: SafeStr = Field(min_length=1, max_length=200, examples=["worn"])


class ReceivedUnitInput(RequestModel):
    """Units that came back: restocked at a stock location (`main` unless named), or
    written off (no location)."""

    sku: Sku
    quantity: Units
    disposition: Disposition
    location: Annotated[SafeStr, Field(min_length=1, max_length=64)] | None = Field(
        None, examples=["main"]
    )

    def to_domain(self) -> ReceivedUnits:
        location = self.location
        if self.disposition is Disposition.RESTOCK and location is None:
            location = "main"
        return ReceivedUnits(
            sku=self.sku, quantity=self.quantity, disposition=self.disposition, location=location
        )


class ReceiptRequest(RequestModel):
    units: list[ReceivedUnitInput] = Field(min_length=1, max_length=100)


class ReturnedUnitsResponse(ResponseModel):
    sku: str
    quantity: int
    reason: str


class ReceivedUnitsResponse(ResponseModel):
    sku: str
    quantity: int
    disposition: Disposition
    location: str | None


class ReturnResponse(ResponseModel):
    """One return; `refund` is what goes back to the payment, set when it is received."""

    id: UUID
    order_id: UUID
    customer_id: UUID
    status: ReturnStatus = Field(examples=["requested"])
    lines: list[ReturnedUnitsResponse]
    received: list[ReceivedUnitsResponse]
    refund: MoneyModel | None
    refund_reference: str | None
    refuse_reason: str | None
    requested_at: datetime
    updated_at: datetime
    version: int


class ReturnList(ResponseModel):
    items: list[ReturnResponse]
